/**
 * The one queue-backed async iterator of the library: `Conn.dump`,
 * `Conn.notifications`, and every layer above that streams (generic
 * netlink dumps and notifications, wifi events, typed families) are a
 * {@linkcode Stream}, either filled by the connection or mapped from another
 * stream with {@linkcode mapStream}. Internal: callers see
 * `AsyncIterableIterator`.
 *
 * @module
 */

/** How a {@linkcode Stream} gets its items. Every hook is optional. */
export interface StreamSource<T> {
  /**
   * Produces what can be produced without waiting (push, end or fail the
   * stream); called when the queue is empty. A throw fails the stream.
   */
  pull?(stream: Stream<T>): void;
  /**
   * Waits until {@linkcode StreamSource.pull} may produce more; called when
   * `pull` left the queue empty. A rejection fails the stream.
   */
  wait?(stream: Stream<T>): Promise<void>;
  /**
   * The consumer stopped before the end: `return()` (a `break` out of
   * for-await), an aborted signal, or a failing hook. Called at most once.
   */
  cancel?(stream: Stream<T>): void;
}

const OPEN = 0;
const FAILED = 1;
const ENDED = 2;

const DONE: IteratorReturnResult<undefined> = Object.freeze({
  value: undefined,
  done: true,
});

/**
 * An async iterator over a queue: the producer calls
 * {@linkcode Stream.push}, {@linkcode Stream.end} and
 * {@linkcode Stream.fail}; the consumer iterates. Queued items are
 * delivered before the end or the failure, then `next()` throws the
 * failure once and reports done from then on. An aborted `signal` wins over
 * queued items: `next()` throws its reason once and the stream ends.
 * Concurrent `next()` calls settle in order. A queued item costs `next()`
 * one promise and no async frame.
 *
 * `wake` and `ready()` make a stream something `Conn` can wait for: the
 * producer calls `wake` after pushing, ending or failing.
 */
export class Stream<T> implements AsyncIterableIterator<T> {
  /** Set while a consumer waits; called (once) when the stream changes. */
  wake: (() => void) | null = null;
  #queue: (T | undefined)[] = [];
  #head = 0;
  #state = OPEN;
  #error: unknown = null;
  #cancelled = false;
  readonly #source: StreamSource<T>;
  readonly #signal: AbortSignal | undefined;
  /** `next()` calls not settled yet; each runs after the previous one. */
  #outstanding = 0;
  #last: Promise<IteratorResult<T, undefined>> | null = null;
  readonly #later: () => Promise<IteratorResult<T, undefined>>;

  /**
   * @param source The hooks that fill the stream.
   * @param signal Ends the stream when aborted.
   */
  constructor(source: StreamSource<T>, signal?: AbortSignal) {
    this.#source = source;
    this.#signal = signal;
    this.#later = () => this.#nextLater();
  }

  /** Items queued and not yet taken. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** True once ended, failed or cancelled (items may still be queued). */
  get finished(): boolean {
    return this.#state !== OPEN;
  }

  /** True when `next()` would settle without waiting. */
  ready(): boolean {
    return this.#state !== OPEN || this.#head < this.#queue.length;
  }

  /**
   * Queues an item; ignored once the stream has finished.
   *
   * @param item The item.
   */
  push(item: T): void {
    if (this.#state !== OPEN) return;
    this.#queue.push(item);
    this.wake?.();
  }

  /** Ends the stream after the queued items; ignored once finished. */
  end(): void {
    if (this.#state !== OPEN) return;
    this.#state = ENDED;
    this.wake?.();
  }

  /**
   * Fails the stream after the queued items; ignored once finished.
   *
   * @param error What `next()` throws.
   */
  fail(error: unknown): void {
    if (this.#state !== OPEN) return;
    this.#state = FAILED;
    this.#error = error;
    this.wake?.();
  }

  /**
   * Takes a queued item without waiting, pulling first when the queue is
   * empty; `undefined` when there is none (yet or any more). Throws the
   * failure once. Lets a stream mapped from this one skip a promise per item.
   *
   * @returns The next item, or undefined.
   */
  poll(): T | undefined {
    if (this.#head === this.#queue.length && this.#state === OPEN) {
      this.#pull();
    }
    if (this.#head < this.#queue.length) return this.#take();
    if (this.#state === FAILED) this.#throwFailure();
    return undefined;
  }

  /**
   * The next item, in order with other pending calls.
   *
   * @returns The next result.
   */
  next(): Promise<IteratorResult<T, undefined>> {
    if (
      this.#outstanding === 0 && this.#head < this.#queue.length &&
      this.#signal?.aborted !== true
    ) {
      return Promise.resolve({ value: this.#take(), done: false });
    }
    this.#outstanding++;
    const last = this.#last;
    return this.#last = this.#outstanding === 1 || last === null
      ? this.#nextLater()
      : last.then(this.#later, this.#later);
  }

  /**
   * Ends the stream now, dropping queued items (a `break` out of for-await).
   *
   * @returns Done.
   */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#stop();
    return Promise.resolve(DONE);
  }

  /**
   * Returns this iterator.
   *
   * @returns This stream.
   */
  [Symbol.asyncIterator](): this {
    return this;
  }

  async #nextLater(): Promise<IteratorResult<T, undefined>> {
    try {
      for (;;) {
        const signal = this.#signal;
        if (signal?.aborted === true && this.#state !== ENDED) {
          this.#stop();
          throw signal.reason;
        }
        if (this.#head < this.#queue.length) {
          return { value: this.#take(), done: false };
        }
        if (this.#state === FAILED) this.#throwFailure();
        if (this.#state === ENDED) return DONE;
        this.#pull();
        if (this.ready()) continue;
        const wait = this.#source.wait;
        if (wait === undefined) {
          this.end();
          continue;
        }
        await wait.call(this.#source, this);
      }
    } catch (e) {
      this.#stop();
      throw e;
    } finally {
      this.#outstanding--;
    }
  }

  #pull(): void {
    this.#source.pull?.(this);
  }

  #take(): T {
    const q = this.#queue;
    const item = q[this.#head] as T;
    q[this.#head++] = undefined;
    if (this.#head === q.length) {
      q.length = 0;
      this.#head = 0;
    }
    return item;
  }

  #throwFailure(): never {
    const e = this.#error;
    this.#error = null;
    this.#state = ENDED;
    throw e;
  }

  /** Ends without the remaining items; tells the source if it was cut short. */
  #stop(): void {
    const early = this.#state === OPEN;
    this.#state = ENDED;
    this.#error = null;
    this.#queue.length = 0;
    this.#head = 0;
    if (!this.#cancelled) {
      this.#cancelled = true;
      if (early) this.#source.cancel?.(this);
    }
    this.wake?.();
  }
}

/**
 * A stream of `map(item)` over the items of `source`, skipping those for
 * which `map` returns `undefined`. `source` may be a function that opens it
 * on the first `next()` (possibly asynchronously, e.g. after a policy check).
 * When `source` is a {@linkcode Stream}, the items it holds are mapped
 * together, without a promise each, and `next()` then takes them one
 * promise each (no async frame); the source is read further only once
 * they are taken. A throwing `map` fails the stream after the items mapped
 * before it; leaving the stream early returns the source, and `onEnd` runs
 * once when the stream finishes for any reason.
 *
 * @param source The source iterator, or a function that opens it.
 * @param map Turns a source item into an item, or undefined to skip it.
 * @param options `onEnd` runs once when the stream ends, fails or is left;
 * `signal` ends it when aborted (pass the source's signal too); `mapError`
 * replaces what the stream throws (a relabelled error).
 * @returns The mapped stream.
 */
export function mapStream<S, T>(
  source:
    | AsyncIterator<S>
    | (() => AsyncIterator<S> | Promise<AsyncIterator<S>>),
  map: (item: S) => T | undefined,
  options: {
    onEnd?: () => void;
    signal?: AbortSignal | undefined;
    mapError?: (e: unknown) => unknown;
  } = {},
): Stream<T> {
  const onEnd = options.onEnd;
  const mapError = options.mapError ?? ((e: unknown) => e);
  let it: AsyncIterator<S> | null = typeof source === "function"
    ? null
    : source;
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  const take = (s: Stream<T>, r: IteratorResult<S>): void => {
    if (r.done === true) {
      s.end();
      finish();
      return;
    }
    const v = map(r.value);
    if (v !== undefined) s.push(v);
  };
  const mapped: Stream<T> = new Stream<T>({
    pull(s) {
      if (!(it instanceof Stream)) return;
      const src = it as Stream<S>;
      try {
        for (;;) {
          // (poll() reads the source further only when it holds nothing.)
          const item = src.poll();
          if (item === undefined) break;
          const v = map(item);
          if (v !== undefined) s.push(v);
          // What the source holds moves on; no more reading for now.
          if (src.queued === 0 && s.queued > 0) return;
        }
      } catch (e) {
        finish();
        if (s.queued === 0) throw mapError(e);
        // Items mapped before the failure go first; the source is let go now.
        void src.return();
        s.fail(mapError(e));
        return;
      }
      if (src.finished && src.queued === 0) {
        s.end();
        finish();
      }
    },
    async wait(s) {
      try {
        if (it === null) {
          it = await (source as () =>
            | AsyncIterator<S>
            | Promise<AsyncIterator<S>>)();
          return;
        }
        take(s, await it.next());
      } catch (e) {
        finish();
        throw mapError(e);
      }
    },
    cancel() {
      finish();
      void it?.return?.();
    },
  }, options.signal);
  return mapped;
}
