/**
 * Body of the Bun Worker behind `PollGroup` (see `_bun.ts`): blocks in
 * `poll()` on a control eventfd plus, for every armed slot, the socket and
 * its wake eventfd. When either is readable it publishes the socket's
 * `revents` in the slot, disarms it and wakes the main thread through
 * `Atomics.notify` (which resolves its `Atomics.waitAsync`). A control
 * eventfd write makes it rebuild the poll set (a slot was armed). Costs no
 * CPU while blocked.
 *
 * @module
 */

import { dlopenLibc, Layout, loadBunFfi } from "./_bun.ts";

/** The first (and only) message from the main thread. */
interface Start {
  control: SharedArrayBuffer;
  ctlFd: number;
  slots: number;
}

/** The members of a worker's global scope used here. */
interface WorkerScope {
  onmessage: ((event: { data: Start }) => void) | null;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
const POLLIN = 1;

scope.onmessage = async (event: { data: Start }): Promise<void> => {
  scope.onmessage = null;
  const { ctlFd, slots } = event.data;
  const c = new Int32Array(event.data.control);
  const ffi = await loadBunFfi();
  const lib = dlopenLibc(ffi, {
    poll: { args: ["buffer", "u64", "i32"], returns: "i32" },
    read: { args: ["i32", "buffer", "usize"], returns: "i64_fast" },
  });
  const poll = lib.symbols.poll as (
    fds: Int32Array,
    nfds: number,
    timeout: number,
  ) => number;
  const read = lib.symbols.read as (
    fd: number,
    buf: Uint8Array,
    len: number,
  ) => number;
  const drain = new Uint8Array(8);
  // pollfd entries: [ctlFd] then (socket, wake eventfd) per armed slot.
  const fds = new Int32Array(2 * (1 + 2 * slots));
  const events = new Int16Array(fds.buffer);
  const owner = new Int32Array(1 + 2 * slots);
  for (;;) {
    fds[0] = ctlFd;
    events[2] = POLLIN;
    events[3] = 0;
    let n = 1;
    for (let s = 0; s < slots; s++) {
      const base = Layout.Header + s * Layout.SlotWords;
      if (Atomics.load(c, base + Layout.Armed) !== 1) continue;
      for (const word of [Layout.Fd, Layout.WakeFd]) {
        fds[2 * n] = Atomics.load(c, base + word);
        events[4 * n + 2] = POLLIN;
        events[4 * n + 3] = 0;
        owner[n++] = s;
      }
    }
    // -1 (EINTR) is a spurious wake-up: rebuild and poll again.
    const r = poll(fds, n, -1);
    if (Atomics.load(c, Layout.Exit) === 1) break;
    if (r <= 0) continue;
    if (events[3] !== 0) read(ctlFd, drain, 8);
    for (let i = 1; i < n; i += 2) {
      const socketEvents = events[4 * i + 3]!;
      const wakeEvents = events[4 * (i + 1) + 3]!;
      if (socketEvents === 0 && wakeEvents === 0) continue;
      const base = Layout.Header + owner[i]! * Layout.SlotWords;
      Atomics.store(c, base + Layout.Result, socketEvents);
      Atomics.store(c, base + Layout.Armed, 0);
      Atomics.add(c, base + Layout.Sequence, 1);
      Atomics.notify(c, base + Layout.Sequence);
    }
  }
  lib.close();
  scope.close();
};
