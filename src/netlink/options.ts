/**
 * Options for opening a netlink connection and for the calls that wait.
 *
 * @module
 */

/**
 * How to open a {@linkcode Conn}: bind-time settings (`groups`, `pid`,
 * `netns`) and socket options applied right after the socket is bound.
 *
 * Boolean options switch on the `SOL_NETLINK` option named in their doc;
 * absent or `false` leaves the kernel default (off), except `extendedAck`,
 * which is on unless set to `false`.
 *
 * @example Open a connection with options
 * ```ts
 * import { ConnOption, type ConnOptions } from "@nlkit/netlink/netlink";
 * import { dial } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const options: ConnOptions = { strict: true, extendedAck: false };
 * // On Linux: await Conn.dial(Family.Route, options)
 * using conn = dial(() => [], options);
 * assert.equal(conn.getOption(ConnOption.GetStrictCheck), true);
 * assert.equal(conn.getOption(ConnOption.ExtendedAcknowledge), false);
 * ```
 */
export interface ConnOptions {
  /** Legacy bind-time multicast group bitmask (`nl_groups`): bit `n - 1` joins group `n` (groups 1 to 32). */
  groups?: number;
  /** Port id to bind (`nl_pid`); 0 or absent lets the kernel assign one. */
  pid?: number;
  /**
   * Network namespace to open the socket in: a name (no slash: `"blue"` is
   * `/run/netns/blue`, as `ip netns add` makes it), a path (`/proc/PID/ns/net`,
   * `./ns`) or an open descriptor. A path is opened non-blocking and must be
   * a network namespace; errors name the step and the path.
   */
  netns?: string | number;
  /** `NETLINK_GET_STRICT_CHK`: strict checking of GET/dump request headers and attributes. */
  strict?: boolean;
  /** `NETLINK_EXT_ACK`: extended ACK (error text, offset, policy) in errors. On by default. */
  extendedAck?: boolean;
  /** `NETLINK_CAP_ACK`: the kernel echoes only the request header in errors, not its payload. */
  capAck?: boolean;
  /**
   * `NETLINK_NO_ENOBUFS`: do not report ENOBUFS when the receive buffer
   * overflows. The kernel then drops what does not fit without a word: lost
   * notifications, and also lost unicast replies, so a request whose reply
   * was dropped would wait forever. With this option, give every call that
   * waits a `timeout` (or a `signal`), as below.
   *
   * @example Bound each wait when overruns are silent
   * ```ts
   * import { HeaderFlags } from "@nlkit/netlink/netlink";
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * // A kernel that never answers stands in for a reply the kernel dropped.
   * using conn = dial(() => new Promise(() => {}), { noENOBUFS: true });
   * const noop = { header: { length: 0, type: 1, flags: HeaderFlags.Request | HeaderFlags.Acknowledge, sequence: 0, pid: 0 } };
   * await assert.rejects(conn.execute(noop, { timeout: 50 }), { code: "ETIMEDOUT" });
   * ```
   */
  noENOBUFS?: boolean;
  /** `NETLINK_BROADCAST_ERROR`: report errors delivering broadcasts. */
  broadcastError?: boolean;
  /** `NETLINK_LISTEN_ALL_NSID`: receive notifications from every peer network namespace. */
  listenAllNSID?: boolean;
  /** `SO_RCVBUF` in bytes, set after bind. */
  receiveBufferSize?: number;
}

/**
 * Options for a call that waits for the kernel.
 *
 * @example Give up waiting
 * ```ts
 * import type { ReceiveOptions } from "@nlkit/netlink/netlink";
 * import { dial } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * using conn = dial(() => []);
 * const options: ReceiveOptions = { signal: AbortSignal.abort(new Error("stop")) };
 * await assert.rejects(conn.receive(options), { message: "stop" });
 * await assert.rejects(conn.receive({ timeout: 10 }), { code: "ETIMEDOUT" });
 * ```
 */
export interface ReceiveOptions {
  /** Aborts the wait: the call rejects with the signal's reason and the connection stays usable. */
  signal?: AbortSignal;
  /**
   * The longest the call waits for the kernel at a time, in milliseconds
   * (an integer from 0 to 2^31 - 1): when nothing arrives for it in that
   * time, the call rejects (an iterator's `next()` throws and the iterator
   * ends) with a {@linkcode NetlinkError} of code `ETIMEDOUT`, and the
   * connection stays usable. A reply that is already queued, as kernel
   * replies are when the request is sent, costs no timer. Use it where a
   * reply can be lost silently (`noENOBUFS`), and for dumps on a connection
   * with a BPF filter: a filter that drops a dump's part stalls that dump,
   * and the connection's later dumps wait behind it until its caller gives
   * up. A dump is bounded per wait, not as a whole.
   */
  timeout?: number;
}
