/**
 * `GenlConn`: a generic netlink connection over `Conn`, with family and
 * policy lookups through the controller and optional checking of requests
 * against the running kernel's attribute policies.
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import { Conn } from "../netlink/conn.ts";
import {
  type BodyWriter,
  type Outgoing,
  WRITE,
} from "../netlink/_conn_encoder.ts";
import { mapStream } from "../netlink/_conn_stream.ts";
import { Errno } from "../netlink/errno.ts";
import { isNetlinkError, NetlinkError } from "../netlink/errors.ts";
import {
  Family as NetlinkFamily,
  type Header,
  HeaderFlags,
  HeaderType,
} from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { ConnOptions, ReceiveOptions } from "../netlink/options.ts";
import { decodeFamily, type Family } from "./family.ts";
import {
  ControllerAttribute,
  ControllerCommand,
  decodeGenlMessage,
  encodeGenlMessage,
  GENL_HEADER_LENGTH,
  GENL_ID_CTRL,
  type GenlHeader,
  type GenlMessage,
} from "./message.ts";
import {
  decodePolicy,
  type Policy,
  policyFor,
  validateRequest,
} from "./policy.ts";

/**
 * How {@linkcode GenlConn} checks requests against the kernel's policies.
 *
 * @example Strict checking refuses unknown attributes
 * ```ts
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { type GenlValidateOptions, PolicyError, PolicyType } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const policy = new Map([[1, { do: new Map([[1, { type: PolicyType.U32 }]]) }]]);
 * const validate: GenlValidateOptions = { strict: true };
 * await using conn = genltest.dial(genltest.serveFamily({ id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2, operations: [{ id: 1, flags: 0xa }], groups: [], policy }, () => []), { validate });
 * const request = { header: { command: 1, version: 1 }, data: new AttributeEncoder().uint32(2, 0).encode() };
 * await assert.rejects(conn.execute(request, 0x20, HeaderFlags.Request), PolicyError);
 * ```
 */
export interface GenlValidateOptions {
  /**
   * Apply the kernel's strict rules (attributes not in the policy, nests
   * without `NLA_F_NESTED`), as for operations added since Linux 5.2.
   * Default true.
   */
  strict?: boolean;
}

/**
 * Options of {@linkcode GenlConn}, besides those of the netlink connection.
 *
 * @example Check requests before sending them
 * ```ts
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { type GenlOptions, PolicyError, PolicyType } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const policy = new Map([[1, { do: new Map([[1, { type: PolicyType.U8, maxValue: 3n }]]) }]]);
 * const options: GenlOptions = { validate: true };
 * await using conn = genltest.dial(genltest.serveFamily({ id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2, operations: [{ id: 1, flags: 0xa }], groups: [], policy }, () => []), options);
 * const request = { header: { command: 1, version: 1 }, data: new AttributeEncoder().uint8(1, 9).encode() };
 * await assert.rejects(conn.execute(request, 0x20, HeaderFlags.Request), PolicyError);
 * ```
 */
export interface GenlOptions {
  /**
   * Check every request sent with `send`, `execute` or `dump` against the
   * attribute policy the running kernel reports for its family and command
   * (`CTRL_CMD_GETPOLICY`, fetched once and cached per family and command),
   * and throw {@linkcode PolicyError} (a `TypeError`) instead of sending a
   * request the kernel would refuse. Commands without a policy, and kernels
   * older than 5.8 (no policy dump), are not checked. Default false.
   */
  validate?: boolean | GenlValidateOptions;
}

/**
 * Options for {@linkcode GenlConn.dial}: a netlink connection's plus {@linkcode GenlOptions}.
 *
 * @example Connection and checking options together
 * ```ts
 * import { ConnOption } from "@nlkit/netlink/netlink";
 * import type { GenlConnOptions } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const options: GenlConnOptions = { strict: true, validate: { strict: false } };
 * // On Linux: await GenlConn.dial(options)
 * await using conn = genltest.dial(() => [], options);
 * assert.equal(conn.conn.getOption(ConnOption.GetStrictCheck), true);
 * ```
 */
export interface GenlConnOptions extends ConnOptions, GenlOptions {}

/**
 * What {@linkcode GenlConn.receive} returns: generic netlink messages and the netlink messages they came in.
 *
 * @example Decoded messages next to their netlink headers
 * ```ts
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import type { GenlReceived } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(() => [{ header: { command: 2, version: 1 }, data: new Uint8Array([9]) }]);
 * await conn.send({ header: { command: 1, version: 1 }, data: new Uint8Array(0) }, 0x20, HeaderFlags.Request);
 * const received: GenlReceived = await conn.receive();
 * assert.deepEqual(received.messages.map((m) => [m.header.command, m.data[0]]), [[2, 9]]);
 * assert.equal(received.netlink[0]!.header.type, 0x20);
 * ```
 */
export interface GenlReceived {
  /** The generic netlink messages, decoded. */
  messages: GenlMessage[];
  /** The netlink messages carrying them, one for one (control messages such as ACKs left out). */
  netlink: Message[];
}

/**
 * A generic netlink message inside a received datagram, without a copy:
 * its payload after the 4-byte generic header is
 * `bytes.subarray(offset, offset + length)`. Handed to a
 * {@linkcode GenlConn.visit} visitor; reused, valid only during the call.
 *
 * @example Read the commands of a dump in place
 * ```ts
 * import type { GenlMessageView } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(() => [4, 5].map((command) => ({ header: { command, version: 1 }, data: new Uint8Array([command]) })));
 * const seen: number[][] = [];
 * const visitor = (v: GenlMessageView) => seen.push([v.header.command, v.netlinkHeader.type, v.length]);
 * await conn.visit({ header: { command: 1, version: 1 }, data: new Uint8Array(0) }, 0x20, visitor);
 * assert.deepEqual(seen, [[4, 0x20, 1], [5, 0x20, 1]]);
 * ```
 */
export interface GenlMessageView {
  /** The generic netlink header (reused). */
  header: GenlHeader;
  /** The netlink header (reused). */
  netlinkHeader: Header;
  /** The whole receive buffer. */
  bytes: Uint8Array;
  /** Offset of the payload after the generic header (usually attributes) in `bytes`. */
  offset: number;
  /** Length of that payload in bytes. */
  length: number;
}

/**
 * A multicast message from a generic netlink family.
 *
 * @example Tell which family sent a notification
 * ```ts
 * import { encodeGenlMessage, type GenlNotification } from "@nlkit/netlink/genetlink";
 * import { genltest, notify } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(() => []);
 * conn.joinGroup(5);
 * const events = conn.notifications();
 * const data = encodeGenlMessage({ header: { command: 9, version: 1 }, data: new Uint8Array(0) });
 * notify(conn.conn, 5, [{ header: { length: 0, type: 0x20, flags: 0, sequence: 0, pid: 0 }, data }]);
 * const n: GenlNotification | undefined = (await events.next()).value;
 * assert.deepEqual([n?.familyId, n?.header.command], [0x20, 9]);
 * await events.return?.();
 * ```
 */
export interface GenlNotification extends GenlMessage {
  /** The family id (the netlink message type). */
  familyId: number;
}

const REQUEST_DUMP = HeaderFlags.Request | HeaderFlags.Dump;

/** Errnos meaning "no policy to check against": ENOENT, EOPNOTSUPP, ENODATA, EPERM, EINVAL. */
const NO_POLICY = new Set<number>([
  Errno.ENOENT,
  Errno.EOPNOTSUPP,
  Errno.ENODATA,
  Errno.EPERM,
  Errno.EINVAL,
]);

function isGenl(m: Message): boolean {
  return m.header.type >= HeaderType.MinType;
}

/** The generic netlink message in a reply, or undefined for a netlink control message. */
function genlOf(m: Message): GenlMessage | undefined {
  return isGenl(m) ? decodeGenlMessage(m.data) : undefined;
}

/**
 * A generic netlink request whose attributes a writer appends after
 * `data` (see `WRITE` in `_conn_encoder.ts`): how the generated families
 * send typed requests without encoding them apart first. Internal.
 */
type GenlRequest = GenlMessage & { [WRITE]?: BodyWriter };

function checkFamilyId(familyId: number): void {
  if (!Number.isInteger(familyId) || familyId < 0 || familyId > 0xffff) {
    throw new TypeError(
      `Cannot send generic netlink message: family id ${familyId} is not a u16`,
    );
  }
}

function netlinkMessage(
  m: GenlMessage,
  familyId: number,
  flags: number,
): Message {
  checkFamilyId(familyId);
  return {
    header: { length: 0, type: familyId, flags, sequence: 0, pid: 0 },
    data: encodeGenlMessage(m),
  };
}

function familyAttributes(family: string | number): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder();
  if (typeof family === "number") {
    e.uint16(ControllerAttribute.FamilyId, family);
  } else e.string(ControllerAttribute.FamilyName, family);
  return e.encode();
}

function describe(family: string | number): string {
  return typeof family === "number" ? `family ${family}` : `family "${family}"`;
}

/** Re-labels a kernel error with the operation that failed, keeping errno, sequence and extended ACK. */
function relabel(e: unknown, op: string, message: string): unknown {
  if (!isNetlinkError(e) || e.name !== "NetlinkError") return e;
  const options: ConstructorParameters<typeof NetlinkError>[2] = { cause: e };
  if (e.sequence !== undefined) options.sequence = e.sequence;
  if (e.extAck !== undefined) options.extAck = e.extAck;
  const err = new NetlinkError(op, e.errno, options);
  // Keep the details the constructor adds (text, attribute, missing type).
  err.message = `Cannot ${message}${err.message.slice(`Cannot ${op}`.length)}`;
  return err;
}

interface Check {
  family?: Family;
  policy?: Policy;
}

/**
 * A generic netlink connection (`NETLINK_GENERIC`): sends messages to a
 * family by id with the 4-byte generic header, resolves families and
 * their multicast groups through the controller (`nlctrl`), and decodes
 * families' attribute policies. ACK and other control messages are never
 * returned as generic netlink messages.
 *
 * Every method that waits takes `{ signal }`. Several requests may be in
 * flight at once; replies are routed by sequence number.
 *
 * @example Look a family up (on the simulated kernel)
 * ```ts
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const family = {
 *   id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2,
 *   operations: [{ id: 1, flags: 0x2 }], groups: [{ id: 5, name: "events" }],
 * };
 * await using conn = genltest.dial(genltest.serveFamily(family, () => []));
 * assert.deepEqual(await conn.getFamily("demo"), family);
 * ```
 *
 * @example Talk to the real kernel
 * ```ts ignore
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 *
 * await using conn = await GenlConn.dial();
 * for (const f of await conn.listFamilies()) console.log(f.id, f.name);
 * ```
 */
export class GenlConn implements Disposable, AsyncDisposable {
  /**
   * The netlink connection underneath.
   *
   * @example Reach the netlink connection underneath
   * ```ts
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import { Family } from "@nlkit/netlink/netlink";
   * import assert from "node:assert/strict";
   *
   * const kernel = new SimKernel();
   * await using genl = GenlConn.from(kernel.dial(Family.Generic));
   * assert.deepEqual(kernel.ports, [genl.conn.pid]);
   * ```
   */
  readonly conn: Conn;
  #validate: GenlValidateOptions | undefined;
  #policies = new Map<string, Promise<Policy>>();
  #checks = new Map<string, Promise<Check>>();
  /** Generic netlink headers as bytes, by command and version, for written requests. */
  #headers = new Map<number, Uint8Array>();

  /**
   * Wraps a netlink connection of protocol `NETLINK_GENERIC`. Prefer
   * {@linkcode GenlConn.dial} or {@linkcode GenlConn.from}.
   *
   * @param conn The connection.
   * @param options Request checking.
   */
  constructor(conn: Conn, options: GenlOptions = {}) {
    this.conn = conn;
    const v = options.validate;
    this.#validate = v === true
      ? {}
      : v === false || v === undefined
      ? undefined
      : v;
  }

  /**
   * Opens a generic netlink connection to the kernel.
   *
   * @param options Netlink connection options (groups, netns, extended ACK...) and request checking.
   * @returns The connection.
   * @throws {NetlinkError} When the socket cannot be opened (cause: the `SyscallError`).
   * @throws {UnsupportedPlatformError} Off Linux or without FFI permission.
   *
   * @example Using dial
   * ```ts ignore
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   *
   * await using conn = await GenlConn.dial({ validate: true });
   * console.log(await conn.getFamily("ethtool"));
   * ```
   */
  static async dial(options: GenlConnOptions = {}): Promise<GenlConn> {
    const { validate, ...connOptions } = options;
    const conn = await Conn.dial(NetlinkFamily.Generic, connOptions);
    return new GenlConn(conn, validate === undefined ? {} : { validate });
  }

  /**
   * Wraps an existing netlink connection, such as one from `nltest.dial`.
   *
   * @param conn A `NETLINK_GENERIC` connection.
   * @param options Request checking.
   * @returns The generic netlink connection.
   *
   * @example Using from
   * ```ts
   * import { GenlConn } from "@nlkit/netlink/genetlink";
   * import { dial } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = GenlConn.from(dial(() => []));
   * assert.ok(conn.conn.pid > 0);
   * ```
   */
  static from(conn: Conn, options: GenlOptions = {}): GenlConn {
    return new GenlConn(conn, options);
  }

  /**
   * Looks a family up by name or id (`CTRL_CMD_GETFAMILY`).
   *
   * @param family The family name, such as `"nl80211"`, or its id.
   * @param options An abort signal.
   * @returns The family: id, version, header size, operations, multicast groups.
   * @throws {NetlinkError} ENOENT when the kernel has no such family
   * (`isNotExist(err)` is true; `extAck` holds the kernel's text when it sent one).
   *
   * @example An unknown family
   * ```ts
   * import { isNotExist } from "@nlkit/netlink/netlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = genltest.dial(genltest.serveFamily([], () => []));
   * await assert.rejects(conn.getFamily("nl80211"), (err) => isNotExist(err));
   * ```
   */
  async getFamily(
    family: string | number,
    options: ReceiveOptions = {},
  ): Promise<Family> {
    const replies = await this.#execute(
      ControllerCommand.GetFamily,
      familyAttributes(family),
      HeaderFlags.Request,
      options,
      "getFamily",
      `get ${describe(family)}`,
    );
    if (replies.length !== 1) {
      const err = new NetlinkError("getFamily", Errno.EPROTO);
      err.message = `Cannot get ${
        describe(family)
      }: the kernel sent ${replies.length} replies, want 1`;
      throw err;
    }
    return decodeFamily(replies[0]!.data);
  }

  /**
   * Lists every family the kernel has registered (a `CTRL_CMD_GETFAMILY` dump).
   *
   * @param options An abort signal.
   * @returns The families, in the kernel's order.
   * @throws {NetlinkError} When the dump fails.
   *
   * @example Using listFamilies
   * ```ts
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const f = { id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 0, operations: [], groups: [] };
   * await using conn = genltest.dial(genltest.serveFamily(f, () => []));
   * assert.deepEqual((await conn.listFamilies()).map((x) => x.name), ["nlctrl", "demo"]);
   * ```
   */
  async listFamilies(options: ReceiveOptions = {}): Promise<Family[]> {
    const out: Family[] = [];
    for await (
      const m of this.#dump(
        ControllerCommand.GetFamily,
        new Uint8Array(),
        options,
        "listFamilies",
        "list families",
      )
    ) {
      out.push(decodeFamily(m.data));
    }
    return out;
  }

  /**
   * Fetches the attribute policies of a family (`CTRL_CMD_GETPOLICY`,
   * Linux 5.8 and later), for every command or one. Results are cached per
   * family and command for the life of this connection.
   *
   * Kernels report a command that only has a dump handler as command 0; when
   * all commands are asked for, the family's operations (passed as a
   * `Family`, or fetched) put the right numbers back.
   *
   * @param family The family name, id, or description.
   * @param command Only this command's policies (`CTRL_ATTR_OP`).
   * @param options An abort signal.
   * @returns The decoded policy tree.
   * @throws {NetlinkError} ENOENT for an unknown family; ENOENT or
   * EOPNOTSUPP (depending on the family) for an unknown command; ENODATA
   * when there is no policy.
   *
   * @example Using getPolicy
   * ```ts
   * import { PolicyType } from "@nlkit/netlink/genetlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const table = new Map([[1, { type: PolicyType.U32, minValue: 1n, maxValue: 8n }]]);
   * const family = {
   *   id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 1,
   *   operations: [{ id: 1, flags: 0xa }], groups: [],
   *   policy: new Map([[1, { do: table }]]),
   * };
   * await using conn = genltest.dial(genltest.serveFamily(family, () => []));
   * const policy = await conn.getPolicy("demo", 1);
   * assert.deepEqual(policy.operations.get(1)?.do, table);
   * ```
   */
  getPolicy(
    family: string | number | Family,
    command?: number,
    options: ReceiveOptions = {},
  ): Promise<Policy> {
    const key = `${
      typeof family === "object" ? family.id : JSON.stringify(family)
    }:${command ?? "*"}`;
    let p = this.#policies.get(key);
    if (p === undefined) {
      p = this.#fetchPolicy(family, command, options);
      this.#policies.set(key, p);
      p.catch(() => this.#policies.delete(key));
    }
    return p;
  }

  async #fetchPolicy(
    family: string | number | Family,
    command: number | undefined,
    options: ReceiveOptions,
  ): Promise<Policy> {
    const ref = typeof family === "object" ? family.id : family;
    const e = new AttributeEncoder();
    if (typeof ref === "number") e.uint16(ControllerAttribute.FamilyId, ref);
    else e.string(ControllerAttribute.FamilyName, ref);
    if (command !== undefined) e.uint32(ControllerAttribute.Operation, command);
    const what = `get the policy of ${describe(ref)}${
      command === undefined ? "" : ` command ${command}`
    }`;
    const messages: GenlMessage[] = [];
    for await (
      const m of this.#dump(
        ControllerCommand.GetPolicy,
        e.encode(),
        options,
        "getPolicy",
        what,
      )
    ) {
      messages.push(m);
    }
    if (command !== undefined) return decodePolicy(messages, { command });
    let policy = decodePolicy(messages);
    if (policy.operations.has(0)) {
      const f = typeof family === "object"
        ? family
        : await this.getFamily(family, options);
      policy = decodePolicy(messages, { operations: f.operations });
    }
    return policy;
  }

  /**
   * Sends a message to a family without waiting for a reply (fills the
   * sequence number and port id). Checks it against the kernel's policy
   * first when the connection validates.
   *
   * @param message The generic netlink message.
   * @param familyId The family id (netlink message type).
   * @param flags Netlink header flags, such as `HeaderFlags.Request`.
   * @param options An abort signal (for the policy lookup).
   * @returns The netlink message as sent.
   * @throws {PolicyError} When validating and the request breaks the policy.
   * @throws {TypeError} When the family id is not a u16.
   *
   * @example Send, then receive
   * ```ts
   * import { HeaderFlags } from "@nlkit/netlink/netlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = genltest.dial((req) => [{ header: req.header, data: new Uint8Array([1, 2, 3, 4]) }]);
   * const sent = await conn.send({ header: { command: 1, version: 1 }, data: new Uint8Array() }, 0x20, HeaderFlags.Request);
   * assert.equal(sent.header.type, 0x20);
   * const { messages } = await conn.receive();
   * assert.deepEqual([...messages[0]!.data], [1, 2, 3, 4]);
   * ```
   */
  async send(
    message: GenlMessage,
    familyId: number,
    flags: number,
    options: ReceiveOptions = {},
  ): Promise<Message> {
    const m = netlinkMessage(message, familyId, flags);
    await this.#check(message, familyId, flags, "send", options);
    return this.conn.send(m);
  }

  /**
   * Receives the next message(s) for this socket (following a multipart
   * reply to its end), keeping only generic netlink messages.
   *
   * @param options An abort signal.
   * @returns The generic netlink messages and the netlink messages they came in.
   * @throws {NetlinkError} When the kernel answered with an error.
   * @throws {RangeError} When a message is malformed.
   *
   * @example Using receive
   * ```ts
   * import { HeaderFlags } from "@nlkit/netlink/netlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = genltest.dial((req) => [{ header: { command: 2, version: 1 }, data: new Uint8Array() }]);
   * await conn.send({ header: { command: 1, version: 1 }, data: new Uint8Array() }, 0x20, HeaderFlags.Request);
   * const { messages, netlink } = await conn.receive();
   * assert.equal(messages[0]!.header.command, 2);
   * assert.equal(netlink[0]!.header.type, 0x20);
   * ```
   */
  async receive(options: ReceiveOptions = {}): Promise<GenlReceived> {
    const netlink = (await this.conn.receive(options)).filter(isGenl);
    return { messages: netlink.map((m) => decodeGenlMessage(m.data)), netlink };
  }

  /**
   * Sends a request and returns its replies, validated against the request
   * (sequence, port id). With `HeaderFlags.Acknowledge` the ACK is consumed,
   * not returned; with `HeaderFlags.Dump` the whole multipart reply is
   * collected (prefer {@linkcode GenlConn.dump} to stream it).
   *
   * @param message The generic netlink message.
   * @param familyId The family id (netlink message type).
   * @param flags Netlink header flags, such as `HeaderFlags.Request | HeaderFlags.Acknowledge`.
   * @param options An abort signal.
   * @returns The generic netlink replies.
   * @throws {NetlinkError} When the kernel answers with an errno (with its extended ACK).
   * @throws {PolicyError} When validating and the request breaks the policy (nothing is sent).
   *
   * @example Using execute
   * ```ts
   * import { HeaderFlags } from "@nlkit/netlink/netlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const kernel = genltest.checkRequest(0x20, 1, HeaderFlags.Request | HeaderFlags.Acknowledge,
   *   () => [{ header: { command: 1, version: 1 }, data: new Uint8Array([1, 2, 3, 4]) }]);
   * await using conn = genltest.dial(kernel);
   * const replies = await conn.execute(
   *   { header: { command: 1, version: 1 }, data: new Uint8Array() },
   *   0x20,
   *   HeaderFlags.Request | HeaderFlags.Acknowledge,
   * );
   * assert.equal(replies.length, 1); // the ACK is not a genl message
   * assert.deepEqual([...replies[0]!.data], [1, 2, 3, 4]);
   * ```
   */
  async execute(
    message: GenlMessage,
    familyId: number,
    flags: number,
    options: ReceiveOptions = {},
  ): Promise<GenlMessage[]> {
    message = this.#checkable(message);
    const m = this.#netlink(message, familyId, flags);
    await this.#check(message, familyId, flags, "execute", options);
    const replies = await this.conn.execute(m, options);
    return replies.filter(isGenl).map((r) => decodeGenlMessage(r.data));
  }

  /**
   * Sends a dump request and streams the replies as they arrive, without
   * collecting them in an array. `Request` and `Dump` are always set.
   * Nothing is sent until the first `next()`.
   *
   * @param message The generic netlink message.
   * @param familyId The family id (netlink message type).
   * @param flags Extra netlink header flags (default `Request | Dump`).
   * @param options An abort signal.
   * @returns The replies, one generic netlink message at a time.
   * @throws {NetlinkError} When the kernel answers with an errno;
   * `DumpInterruptedError` when the data changed during the dump.
   * @throws {PolicyError} When validating and the request breaks the policy.
   *
   * @example Using dump
   * ```ts
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = genltest.dial(() =>
   *   [1, 2, 3].map((i) => ({ header: { command: 1, version: 1 }, data: new Uint8Array([i]) }))
   * );
   * const seen: number[] = [];
   * for await (const m of conn.dump({ header: { command: 1, version: 1 }, data: new Uint8Array() }, 0x20)) {
   *   seen.push(m.data[0]!);
   * }
   * assert.deepEqual(seen, [1, 2, 3]);
   * ```
   */
  dump(
    message: GenlMessage,
    familyId: number,
    flags: number = REQUEST_DUMP,
    options: ReceiveOptions = {},
  ): AsyncIterableIterator<GenlMessage> {
    return mapStream(
      async () => {
        const all = flags | REQUEST_DUMP;
        const checked = this.#checkable(message);
        const m = this.#netlink(checked, familyId, all);
        await this.#check(checked, familyId, all, "dump", options);
        return this.conn.dump(m, options);
      },
      genlOf,
      { signal: options.signal },
    );
  }

  /**
   * The zero-copy fast path for big dumps: sends a request and calls
   * `visitor` once per generic netlink reply with ONE reused
   * {@linkcode GenlMessageView} over the receive buffer, valid only during
   * the call. Decode what you need inside, for example with
   * `new AttributeDecoder(view.bytes, view.offset, view.length)`.
   * `Request` is always set.
   *
   * @param message The request.
   * @param familyId The family id (netlink message type).
   * @param visitor Called per reply; a throw stops the visit and rejects.
   * @param flags Netlink header flags (default `Request | Dump`).
   * @param options An abort signal.
   * @returns The number of messages visited.
   * @throws {NetlinkError} As {@linkcode GenlConn.execute}.
   * @throws {RangeError} When a reply's generic header is malformed.
   * @throws {PolicyError} When validating and the request breaks the policy.
   *
   * @example Count attributes over a dump without allocating per message
   * ```ts
   * import { AttributeDecoder, AttributeEncoder } from "@nlkit/netlink/netlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = genltest.dial(() =>
   *   [1, 2, 3].map((i) => ({ header: { command: 1, version: 1 }, data: new AttributeEncoder().uint32(1, i).encode() }))
   * );
   * let sum = 0;
   * const n = await conn.visit({ header: { command: 1, version: 1 }, data: new Uint8Array() }, 0x20, (view) => {
   *   const d = new AttributeDecoder(view.bytes, view.offset, view.length);
   *   while (d.next()) sum += d.uint32();
   * });
   * assert.equal(n, 3);
   * assert.equal(sum, 6);
   * ```
   */
  async visit(
    message: GenlMessage,
    familyId: number,
    visitor: (view: GenlMessageView) => void,
    flags: number = REQUEST_DUMP,
    options: ReceiveOptions = {},
  ): Promise<number> {
    if (typeof visitor !== "function") {
      throw new TypeError("Cannot visit: visitor must be a function");
    }
    const all = flags | HeaderFlags.Request;
    message = this.#checkable(message);
    const m = this.#netlink(message, familyId, all);
    await this.#check(message, familyId, all, "visit", options);
    const view: GenlMessageView = {
      header: { command: 0, version: 0 },
      netlinkHeader: { length: 0, type: 0, flags: 0, sequence: 0, pid: 0 },
      bytes: new Uint8Array(0),
      offset: 0,
      length: 0,
    };
    let count = 0;
    await this.conn.visit(m, (v) => {
      if (v.header.type < HeaderType.MinType) return;
      const b = v.bytes;
      const o = v.offset;
      if (v.length < GENL_HEADER_LENGTH) {
        throw new RangeError(
          `Cannot decode generic netlink message: ${v.length} bytes is shorter than the 4-byte header at offset ${o}`,
        );
      }
      if (b[o + 2] !== 0 || b[o + 3] !== 0) {
        throw new RangeError(
          `Cannot decode generic netlink message: reserved header byte is not 0 at offset ${
            o + 2
          }`,
        );
      }
      view.header.command = b[o]!;
      view.header.version = b[o + 1]!;
      view.netlinkHeader = v.header;
      view.bytes = b;
      view.offset = o + GENL_HEADER_LENGTH;
      view.length = v.length - GENL_HEADER_LENGTH;
      count++;
      visitor(view);
    }, options);
    return count;
  }

  /**
   * Streams the multicast messages of the groups this connection joined,
   * from the moment of this call (not of the first `next()`). Leaving the
   * loop (`break`) unsubscribes.
   *
   * @param options An abort signal; aborting ends the wait with the signal's reason.
   * @returns The notifications, with their family id.
   * @throws {NetlinkError} When receiving fails (`OverrunError` when messages were lost).
   *
   * @example Using notifications
   * ```ts
   * import { genltest, notify } from "@nlkit/netlink/nltest";
   * import { encodeGenlMessage } from "@nlkit/netlink/genetlink";
   * import assert from "node:assert/strict";
   *
   * await using conn = genltest.dial(() => []);
   * conn.joinGroup(5);
   * notify(conn.conn, 5, [{
   *   header: { length: 0, type: 0x20, flags: 0, sequence: 0, pid: 0 },
   *   data: encodeGenlMessage({ header: { command: 9, version: 1 }, data: new Uint8Array() }),
   * }]);
   * for await (const n of conn.notifications()) {
   *   assert.equal(n.familyId, 0x20);
   *   assert.equal(n.header.command, 9);
   *   break;
   * }
   * ```
   */
  notifications(
    options: ReceiveOptions = {},
  ): AsyncIterableIterator<GenlNotification> {
    // Subscribe now, not at the first next(): a notification that arrives
    // between this call and the first next() (say, while a request that
    // triggers it is pending) is kept for this iterator.
    return mapStream(this.conn.notifications(options), (m) => {
      if (!isGenl(m)) return undefined;
      const g = decodeGenlMessage(m.data);
      return { familyId: m.header.type, header: g.header, data: g.data };
    }, { signal: options.signal });
  }

  /**
   * Joins a multicast group (an id from `Family.groups`).
   *
   * @param id The group id.
   * @throws {NetlinkError} When the kernel refuses (cause: the `SyscallError`).
   *
   * @example Using joinGroup
   * ```ts
   * import { genltest } from "@nlkit/netlink/nltest";
   *
   * await using conn = genltest.dial(() => []);
   * conn.joinGroup(0x10);
   * conn.leaveGroup(0x10);
   * ```
   */
  joinGroup(id: number): void {
    this.conn.joinGroup(id);
  }

  /**
   * Leaves a multicast group.
   *
   * @param id The group id.
   * @throws {NetlinkError} When the kernel refuses (cause: the `SyscallError`).
   *
   * @example Using leaveGroup
   * ```ts
   * import { genltest } from "@nlkit/netlink/nltest";
   *
   * await using conn = genltest.dial(() => []);
   * conn.joinGroup(0x10);
   * conn.leaveGroup(0x10);
   * ```
   */
  leaveGroup(id: number): void {
    this.conn.leaveGroup(id);
  }

  /**
   * Closes the connection; pending receives are woken. Idempotent.
   *
   * @returns When the socket is closed.
   *
   * @example Using close
   * ```ts
   * import { genltest } from "@nlkit/netlink/nltest";
   *
   * const conn = genltest.dial(() => []);
   * await conn.close();
   * await conn.close();
   * ```
   */
  close(): Promise<void> {
    return this.conn.close();
  }

  /**
   * Closes the connection (see {@linkcode GenlConn.close}).
   *
   * @example Close with a using declaration
   * ```ts
   * import { type GenlConn } from "@nlkit/netlink/genetlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * let outer: GenlConn;
   * {
   *   using conn = genltest.dial(() => []);
   *   outer = conn;
   * }
   * assert.equal(outer.conn.closed, true);
   * ```
   */
  [Symbol.dispose](): void {
    this.conn[Symbol.dispose]();
  }

  /**
   * Closes the connection (see {@linkcode GenlConn.close}).
   *
   * @example Close with an await using declaration
   * ```ts
   * import { type GenlConn } from "@nlkit/netlink/genetlink";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * let outer: GenlConn;
   * {
   *   await using conn = genltest.dial(() => []);
   *   outer = conn;
   * }
   * assert.equal(outer.conn.closed, true);
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A written request (see {@linkcode GenlRequest}) as bytes, when requests
   * are checked against the kernel's policy (which reads them); any other
   * request as it is.
   */
  #checkable(message: GenlMessage): GenlMessage {
    const write = (message as GenlRequest)[WRITE];
    if (write === undefined || this.#validate === undefined) return message;
    const e = new AttributeEncoder();
    if (message.data.length > 0) e.raw(message.data);
    write(e);
    return { header: message.header, data: e.view() };
  }

  /**
   * The netlink request for `message`. A written one stays written: its
   * generic netlink header (bytes made once per command and version) is
   * sent as the data before what the writer appends, in the connection's
   * send buffer.
   */
  #netlink(message: GenlMessage, familyId: number, flags: number): Outgoing {
    const write = (message as GenlRequest)[WRITE];
    if (write === undefined) return netlinkMessage(message, familyId, flags);
    checkFamilyId(familyId);
    let data: Uint8Array;
    if (message.data.length > 0) data = encodeGenlMessage(message);
    else {
      const { command, version } = message.header;
      const key = ((command & 0xff) << 8) | (version & 0xff);
      let h = this.#headers.get(key);
      if (h === undefined) {
        h = encodeGenlMessage(message); // the header alone: no data
        this.#headers.set(key, h);
      }
      data = h;
    }
    return {
      header: { length: 0, type: familyId, flags, sequence: 0, pid: 0 },
      data,
      [WRITE]: write,
    };
  }

  async #execute(
    command: number,
    attributes: Uint8Array,
    flags: number,
    options: ReceiveOptions,
    op: string,
    what: string,
  ): Promise<GenlMessage[]> {
    const m = netlinkMessage(
      { header: { command, version: 1 }, data: attributes },
      GENL_ID_CTRL,
      flags,
    );
    try {
      const replies = await this.conn.execute(m, options);
      return replies.filter(isGenl).map((r) => decodeGenlMessage(r.data));
    } catch (e) {
      throw relabel(e, op, what);
    }
  }

  #dump(
    command: number,
    attributes: Uint8Array,
    options: ReceiveOptions,
    op: string,
    what: string,
  ): AsyncIterableIterator<GenlMessage> {
    const m = netlinkMessage(
      { header: { command, version: 1 }, data: attributes },
      GENL_ID_CTRL,
      REQUEST_DUMP,
    );
    return mapStream(() => this.conn.dump(m, options), genlOf, {
      signal: options.signal,
      mapError: (e) => relabel(e, op, what),
    });
  }

  async #check(
    message: GenlMessage,
    familyId: number,
    flags: number,
    op: string,
    options: ReceiveOptions,
  ): Promise<void> {
    const v = this.#validate;
    if (v === undefined) return;
    const command = message.header.command;
    const key = `${familyId}:${command}`;
    let check = this.#checks.get(key);
    if (check === undefined) {
      check = this.#loadCheck(familyId, command, options);
      this.#checks.set(key, check);
      check.catch(() => this.#checks.delete(key));
    }
    const { family, policy } = await check;
    if (family === undefined || policy === undefined) return;
    const dump = (flags & HeaderFlags.Dump) === HeaderFlags.Dump;
    const table = policyFor(policy, command, dump);
    if (table === undefined) return;
    validateRequest(table, message.data.subarray(family.headerSize), {
      strict: v.strict ?? true,
      maxType: family.maxAttribute,
      op: `${op} ${family.name} command ${command}${dump ? " (dump)" : ""}`,
    });
  }

  async #loadCheck(
    familyId: number,
    command: number,
    options: ReceiveOptions,
  ): Promise<Check> {
    // An unknown family or command, or one without a policy, is left for
    // the kernel to answer.
    const none = (e: unknown): undefined => {
      if (isNetlinkError(e) && NO_POLICY.has(e.errno)) return undefined;
      throw e;
    };
    const [family, policy] = await Promise.all([
      this.getFamily(familyId, options).catch(none),
      this.getPolicy(familyId, command, options).catch(none),
    ]);
    return family === undefined || policy === undefined
      ? {}
      : { family, policy };
  }
}
