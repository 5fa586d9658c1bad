/**
 * The receiving side of a `Conn`: the one place that reads the socket. A
 * synchronous pump reads datagrams while they are queued; one background
 * reader waits for the socket while anybody waits (or a left dump is still
 * being drained). Every datagram goes to the router. Not part of the public
 * API.
 *
 * @module
 */

import type { Socket } from "./_socket.ts";
import { isOverrun, timeoutError, type Waiter } from "./_conn_state.ts";

/** What a wait may be ended by besides its data: an abort signal and a timeout. */
export interface WaitOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
}

/** What the reader feeds. */
export interface ReaderSink {
  /** Routes one datagram (the sender is read from the socket). */
  datagram(d: Uint8Array): void;
  /** The socket failed: every waiting operation fails with `e`. */
  failAll(e: unknown): void;
  /** Whether to keep reading with nobody waiting (a dump left early is drained to its end). */
  background(): boolean;
  /** The socket had nothing more to read. */
  idle(): void;
}

/**
 * Reads the socket for one connection. {@linkcode Reader.pump} reads
 * synchronously until a target is ready or nothing is queued (replies to
 * requests are queued by the time `send` returns, so requests never wait);
 * {@linkcode Reader.wait} parks a target until it is woken, running the
 * background reader meanwhile.
 */
export class Reader {
  readonly #socket: Socket;
  readonly #sink: ReaderSink;
  #closed = false;
  #pumping = false;
  #reading = false;
  #waiters = 0;
  #readerAbort: AbortController | null = null;

  constructor(socket: Socket, sink: ReaderSink) {
    this.#socket = socket;
    this.#sink = sink;
  }

  /**
   * Reads and routes datagrams synchronously until `target` is ready (for
   * the background reader, `null`: until nobody needs reading) or the socket
   * has nothing queued. Re-entrant calls (from a visitor) return at once:
   * the outer pump goes on routing.
   */
  pump(target: Waiter | null): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    const socket = this.#socket;
    const sink = this.#sink;
    try {
      while (target === null ? this.#wanted() : !target.ready()) {
        let d: Uint8Array | null;
        try {
          d = socket.receive();
        } catch (e) {
          if (this.#closed) return;
          sink.failAll(e);
          if (isOverrun(e)) continue; // messages were lost; what is queued is still good
          return;
        }
        if (d === null) {
          sink.idle();
          return;
        }
        sink.datagram(d);
      }
    } finally {
      this.#pumping = false;
      if (this.#readerAbort !== null && !this.#wanted()) {
        this.#readerAbort.abort();
      }
    }
  }

  /**
   * Waits until `target` is woken (data routed to it, `fail`ed, close).
   * Always resolves. On abort or timeout, `fail(reason)` must end the
   * target (and wake it).
   */
  wait(
    target: Waiter,
    op: string,
    options: WaitOptions | undefined,
    fail: (reason: unknown) => void,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const signal = options?.signal;
      const timeout = options?.timeout;
      const onAbort = signal === undefined
        ? null
        : (): void => end(signal.reason);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const end = (reason: unknown): void => {
        fail(reason);
        target.wake?.();
      };
      // Two calls may wait on one target (concurrent next()): wake both.
      const previous = target.wake;
      target.wake = () => {
        target.wake = null;
        this.#waiters--;
        if (onAbort !== null) signal!.removeEventListener("abort", onAbort);
        if (timer !== undefined) clearTimeout(timer);
        if (!this.#wanted()) this.#readerAbort?.abort();
        previous?.(); // first come, first served
        resolve();
      };
      this.#waiters++;
      if (onAbort !== null) {
        if (signal!.aborted) {
          onAbort();
          return;
        }
        signal!.addEventListener("abort", onAbort, { once: true });
      }
      if (this.#closed) {
        target.wake();
        return;
      }
      if (timeout !== undefined) {
        timer = setTimeout(() => end(timeoutError(op, timeout)), timeout);
      }
      this.start();
    });
  }

  /** Starts the background reader unless it runs (for a drain, or a waiter). */
  start(): void {
    if (this.#reading || this.#closed) return;
    this.#reading = true;
    void this.#read();
  }

  /** Stops reading for good. */
  close(): void {
    this.#closed = true;
    this.#readerAbort?.abort();
  }

  #wanted(): boolean {
    return this.#waiters > 0 || this.#sink.background();
  }

  /** The background reader: while needed, wait for the socket and route what arrives. */
  async #read(): Promise<void> {
    try {
      // Not inside the caller (a `break` that leaves a dump): from a job.
      await undefined;
      // What is queued first: a left dump usually is, all of it.
      this.pump(null);
      while (this.#wanted() && !this.#closed) {
        const ac = new AbortController();
        this.#readerAbort = ac;
        let failure: unknown = null;
        try {
          await this.#socket.wait(ac.signal);
        } catch (e) {
          if (!ac.signal.aborted) failure = e;
        }
        this.#readerAbort = null;
        if (this.#closed) break;
        if (failure !== null) {
          this.#sink.failAll(failure);
          continue;
        }
        this.pump(null);
      }
    } catch (e) {
      // Not expected (the pump catches socket and decoding failures), but never leave waiters hanging.
      this.#sink.failAll(e);
    } finally {
      this.#reading = false;
    }
  }
}
