/**
 * Body of the Bun Worker behind `PollGroup` (see `_bun.ts`). It blocks in
 * `poll()` on a control eventfd plus, for every armed slot, the socket and
 * its wake eventfd. When either is readable it publishes the socket's
 * `revents` in the slot, disarms it and wakes the main thread through
 * `Atomics.notify` (which resolves its `Atomics.waitAsync`). A control
 * eventfd write makes it rebuild the poll set (a slot was armed). It costs no
 * CPU while blocked.
 *
 * The worker runs from a Blob URL built from {@linkcode pollWorker}'s source,
 * so it needs no module file next to the package (`new URL("./x.ts",
 * import.meta.url)` breaks once a registry rewrites `.ts` to `.js`). The
 * function is therefore self-contained: no imports, no outer bindings.
 *
 * @module
 */

/** The first (and only) message from the main thread. */
export interface PollWorkerStart {
  /** The shared control words (see `Layout` in `_bun.ts`). */
  control: SharedArrayBuffer;
  /** The control eventfd: written by the main thread after arming a slot. */
  ctlFd: number;
  /** `Layout` from `_bun.ts`, passed in because the worker imports nothing. */
  layout: {
    Exit: number;
    Header: number;
    SlotWords: number;
    Armed: number;
    Fd: number;
    WakeFd: number;
    Result: number;
    Sequence: number;
    Slots: number;
  };
  /** libc names to try with `dlopen`. */
  libcNames: string[];
}

/**
 * The worker's whole program; its source text becomes the worker script.
 * Must stay self-contained.
 */
export function pollWorker(): void {
  interface Scope {
    onmessage: ((event: { data: PollWorkerStart }) => void) | null;
    close(): void;
  }
  interface Ffi {
    dlopen(
      path: string,
      symbols: Record<string, { args: string[]; returns: string }>,
    ): {
      symbols: Record<string, unknown>;
      close(): void;
    };
  }
  const scope = globalThis as unknown as Scope;
  scope.onmessage = async (event: { data: PollWorkerStart }): Promise<void> => {
    scope.onmessage = null;
    const { ctlFd, layout: L, libcNames } = event.data;
    const slots = L.Slots;
    const c = new Int32Array(event.data.control);
    const specifier = "bun:ffi";
    const ffi = (await import(specifier)) as Ffi;
    let lib: ReturnType<Ffi["dlopen"]> | null = null;
    for (const name of libcNames) {
      try {
        lib = ffi.dlopen(name, {
          poll: { args: ["buffer", "u64", "i32"], returns: "i32" },
          read: { args: ["i32", "buffer", "usize"], returns: "i64_fast" },
        });
        break;
      } catch {
        // try the next name
      }
    }
    if (lib === null) throw new Error("Cannot open libc in the poll worker");
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
    const POLLIN = 1;
    for (;;) {
      fds[0] = ctlFd;
      events[2] = POLLIN;
      events[3] = 0;
      let n = 1;
      for (let s = 0; s < slots; s++) {
        const base = L.Header + s * L.SlotWords;
        if (Atomics.load(c, base + L.Armed) !== 1) continue;
        fds[2 * n] = Atomics.load(c, base + L.Fd);
        events[4 * n + 2] = POLLIN;
        events[4 * n + 3] = 0;
        owner[n++] = s;
        fds[2 * n] = Atomics.load(c, base + L.WakeFd);
        events[4 * n + 2] = POLLIN;
        events[4 * n + 3] = 0;
        owner[n++] = s;
      }
      // -1 (EINTR) is a spurious wake-up: rebuild and poll again.
      const r = poll(fds, n, -1);
      if (Atomics.load(c, L.Exit) === 1) break;
      if (r <= 0) continue;
      if (events[3] !== 0) read(ctlFd, drain, 8);
      for (let i = 1; i < n; i += 2) {
        const socketEvents = events[4 * i + 3]!;
        const wakeEvents = events[4 * (i + 1) + 3]!;
        if (socketEvents === 0 && wakeEvents === 0) continue;
        const base = L.Header + owner[i]! * L.SlotWords;
        Atomics.store(c, base + L.Result, socketEvents);
        Atomics.store(c, base + L.Armed, 0);
        Atomics.add(c, base + L.Sequence, 1);
        Atomics.notify(c, base + L.Sequence);
      }
    }
    lib.close();
    scope.close();
  };
}
