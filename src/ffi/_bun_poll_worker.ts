/**
 * Body of the Bun Worker behind a `Poller` (see `_bun.ts`): sleeps in
 * `Atomics.wait` until armed, then blocks in `poll([fd, wakeFd], -1)` on its
 * own thread, publishes `revents` and wakes the main thread through
 * `Atomics.notify` (which resolves its `Atomics.waitAsync`). Exits when told
 * to; the main thread only does that when no poll is pending.
 *
 * @module
 */

import { Command, Control, dlopenLibc, loadBunFfi } from "./_bun.ts";

/** The first (and only) message from the main thread. */
interface Start {
  fd: number;
  wakeFd: number;
  control: SharedArrayBuffer;
}

/** The members of a worker's global scope used here. */
interface WorkerScope {
  onmessage: ((event: { data: Start }) => void) | null;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (event: { data: Start }): Promise<void> => {
  scope.onmessage = null;
  const { fd, wakeFd } = event.data;
  const c = new Int32Array(event.data.control);
  const ffi = await loadBunFfi();
  const lib = dlopenLibc(ffi, {
    poll: { args: ["buffer", "u64", "i32"], returns: "i32" },
  });
  const poll = lib.symbols.poll as (
    fds: Int32Array,
    nfds: number,
    timeout: number,
  ) => number;
  const fds = new Int32Array(4);
  const events = new Int16Array(fds.buffer);
  fds[0] = fd;
  fds[2] = wakeFd;
  events[2] = 1; // POLLIN
  events[6] = 1;
  for (;;) {
    Atomics.wait(c, Control.Command, Command.Idle);
    if (Atomics.load(c, Control.Command) === Command.Exit) break;
    events[3] = 0;
    events[7] = 0;
    // -1 (EINTR) is a spurious wake-up: the main thread's receive sorts it out.
    const r = poll(fds, 2, -1);
    Atomics.store(c, Control.Result, r > 0 ? events[3]! : 0);
    Atomics.compareExchange(c, Control.Command, Command.Poll, Command.Idle);
    Atomics.add(c, Control.Sequence, 1);
    Atomics.notify(c, Control.Sequence);
  }
  lib.close();
  scope.close();
};
