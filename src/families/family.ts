/**
 * The runtime the generated families share: {@linkcode YnlFamily} (what a
 * spec says, at run time), {@linkcode Operation} (one per operation of a
 * spec, with `.do`, `.dump`, `.encode` and `.decode`) and
 * {@linkcode decode} (any message of a family, notifications too).
 *
 * @module
 */

import { AttributeEncoder } from "../netlink/attribute.ts";
import { Conn, dumpMapped } from "../netlink/conn.ts";
import { type Outgoing, WRITE } from "../netlink/_conn_encoder.ts";
import { mapStream } from "../netlink/_conn_stream.ts";
import { Errno } from "../netlink/errno.ts";
import { NetlinkError } from "../netlink/errors.ts";
import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { ReceiveOptions } from "../netlink/options.ts";
import { GenlConn, type GenlMessageView } from "../genetlink/conn.ts";
import type { GenlMessage } from "../genetlink/message.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import { PolicyError } from "../genetlink/policy.ts";
import { CheckFailure } from "./_checks.ts";
import { decodeBody, DecodeScope, encodeBody, PathError } from "./_codec.ts";
import { operationName } from "./_names.ts";
import {
  type FamilyDesc,
  type OpDesc,
  RtFamily,
  type RtOp,
} from "./_schema.ts";

/**
 * A decoded or to-be-encoded message of a family, untyped: the fixed
 * header's members and the attributes side by side (each generated module
 * types its own).
 */
export type FamilyValue = Record<string, unknown>;

/** The compiled tables of each family, built on first use. */
const compiledTables = new WeakMap<YnlFamily, RtFamily>();

/**
 * The compiled tables of a family (internal: the codec's view of the
 * descriptor).
 */
export function compiled(family: YnlFamily): RtFamily {
  let rt = compiledTables.get(family);
  if (rt === undefined) {
    compiledTables.set(family, rt = new RtFamily(family.description));
  }
  return rt;
}

/** The protocol level of a spec: `netlink-raw` (rtnetlink, tc, ...) or one of the generic netlink levels. */
export type YnlProtocol =
  | "genetlink"
  | "genetlink-c"
  | "genetlink-legacy"
  | "netlink-raw";

/**
 * A multicast group of a family. netlink-raw groups have a fixed `value`
 * (`RTNLGRP_LINK` is 1); generic netlink groups get their id from the
 * kernel at run time ({@linkcode YnlFamily.joinGroup} looks it up).
 *
 * @example The groups of rt-link
 * ```ts
 * import { family } from "@nlkit/netlink/families/rt-link";
 * import type { McastGroup } from "@nlkit/netlink/families";
 * import assert from "node:assert/strict";
 *
 * const groups: readonly McastGroup[] = family.groups;
 * assert.deepEqual(groups.find((g) => g.name === "rtnlgrp-link"), { name: "rtnlgrp-link", value: 1 });
 * ```
 */
export interface McastGroup {
  /** The spec's name (`rtnlgrp-link`, `monitor`). */
  name: string;
  /** netlink-raw: the group number. */
  value?: number;
}

/**
 * A message view to decode in place: `bytes[offset, offset + length)` is
 * the payload after the netlink header (netlink-raw) or after the generic
 * netlink header (generic netlink). Both `Conn.visit`'s `MessageView` and
 * `GenlConn.visit`'s `GenlMessageView` fit.
 */
export interface PayloadView {
  /** The buffer holding the message. */
  bytes: Uint8Array;
  /** Where the payload starts: the fixed header, then the attributes. */
  offset: number;
  /** The payload's length in bytes. */
  length: number;
}

/**
 * Options of {@linkcode Operation.do}: extra netlink flags for `new*` and
 * `set*` operations, an abort signal and a timeout.
 *
 * @example Create a link, failing if it exists
 * ```ts
 * import type { DoOptions } from "@nlkit/netlink/families";
 * import assert from "node:assert/strict";
 *
 * const options: DoOptions = { create: true, excl: true };
 * assert.equal(options.create, true);
 * ```
 */
export interface DoOptions extends ReceiveOptions {
  /** `NLM_F_CREATE`: create the object if it does not exist. */
  create?: boolean;
  /** `NLM_F_EXCL`: fail with EEXIST if it exists. */
  excl?: boolean;
  /** `NLM_F_REPLACE`: replace an existing object. */
  replace?: boolean;
  /** `NLM_F_APPEND`: add to the end of a list. */
  append?: boolean;
  /** More netlink header flags, ORed in. */
  flags?: number;
}

/**
 * Options of {@linkcode Operation.encode} and
 * {@linkcode Operation.encodeReply}.
 *
 * @example Encode a dump request
 * ```ts
 * import { getroute } from "@nlkit/netlink/families/rt-route";
 * import type { EncodeOptions } from "@nlkit/netlink/families";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const options: EncodeOptions = { dump: true };
 * const m = getroute.encode({ rtmFamily: 2 }, options);
 * assert.equal(m.header.flags, HeaderFlags.Request | HeaderFlags.Dump);
 * ```
 */
export interface EncodeOptions {
  /** Encode the `dump` form (its message type, `NLM_F_DUMP`). */
  dump?: boolean;
  /** Netlink header flags (default: `Request | Acknowledge` for a do, `Request | Dump` for a dump, 0 for a reply or notification). */
  flags?: number;
  /** Generic netlink: the family id to put in the header (default 0). */
  familyId?: number;
}

/**
 * What {@linkcode decode} returns: the operation whose message it is and
 * the decoded value.
 */
export interface Decoded {
  /** The operation's export name (`getlink`, `newlinkNtf`, `linkinfoGet`). */
  op: string;
  /** The operation. */
  operation: Operation;
  /** The message decoded: fixed-header members and attributes side by side. */
  value: FamilyValue;
}

const GENL_HEADER = 4;
/** The (never written) data of a written generic netlink request: the writer appends the attributes. */
const NO_DATA = new Uint8Array(0);

/** A generic netlink message (its genl header decoded), not a netlink one. */
function isGenlMessage(m: Message | GenlMessage): m is GenlMessage {
  return typeof (m.header as { command?: unknown }).command === "number";
}

/** Family ids resolved per GenlConn (by family name). */
const resolved = new WeakMap<GenlConn, Map<string, Promise<GenlFamily>>>();

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A family described by a kernel YNL spec, at run time: its protocol,
 * operations, multicast groups and attribute sets. Each generated module
 * exports one as `family`.
 *
 * @example What rt-link is
 * ```ts
 * import { family } from "@nlkit/netlink/families/rt-link";
 * import assert from "node:assert/strict";
 *
 * assert.equal(family.protocol, "netlink-raw");
 * assert.equal(family.protonum, 0); // NETLINK_ROUTE
 * assert.ok(family.operations.has("getlink"));
 * ```
 */
export class YnlFamily {
  /** The spec's `name` (`rt-link`, `ethtool`, `nlctrl`): for generic netlink, the name the kernel knows the family by. */
  readonly name: string;
  /** The spec's protocol level. */
  readonly protocol: YnlProtocol;
  /** netlink-raw: the netlink protocol number (`NETLINK_ROUTE` is 0). */
  readonly protonum: number | undefined;
  /** Generic netlink: the family version sent in requests. */
  readonly version: number;
  /** The multicast groups. */
  readonly groups: readonly McastGroup[];
  /** The operations, by export name (`getlink`, `linkinfoGet`). */
  readonly operations: ReadonlyMap<string, Operation>;
  /** The description the generator wrote (what the spec says, compactly). */
  readonly description: FamilyDesc;
  #byType: Map<number, Operation> | null = null;

  /**
   * Creates a family from a generated module's description (generated
   * modules call this; applications import `family` from them).
   *
   * @param desc The description the generator wrote.
   */
  constructor(desc: FamilyDesc) {
    this.description = desc;
    this.name = desc.name;
    this.protocol = desc.protocol;
    this.protonum = desc.protonum;
    this.version = desc.version ?? 1;
    this.groups = (desc.groups ?? []).map(([name, value]) =>
      value === undefined ? { name } : { name, value }
    );
    const ops = new Map<string, Operation>();
    for (const op of desc.ops) {
      ops.set(operationName(op.name), new Operation(this, op));
    }
    this.operations = ops;
  }

  /**
   * The operation named `name`, typed by the caller (generated modules use
   * this to export each operation with its request and reply types).
   *
   * @param name The operation's export name (`getlink`, `linkinfoGet`).
   * @returns The operation.
   * @throws {TypeError} When the family has no such operation.
   *
   * @example Look an operation up by name
   * ```ts
   * import { family } from "@nlkit/netlink/families/rt-route";
   * import assert from "node:assert/strict";
   *
   * assert.equal(family.operation("getroute").doRequest, 26); // RTM_GETROUTE
   * ```
   */
  operation<Request = FamilyValue, Reply = FamilyValue, DoReply = Reply>(
    name: string,
  ): Operation<Request, Reply, DoReply> {
    const op = this.operations.get(name);
    if (op === undefined) {
      throw new TypeError(`Cannot find operation ${name} of ${this.name}`);
    }
    return op as unknown as Operation<Request, Reply, DoReply>;
  }

  /**
   * True for the generic netlink levels (`genetlink`, `genetlink-c`,
   * `genetlink-legacy`), false for `netlink-raw`.
   *
   * @example rt-link is not generic netlink
   * ```ts
   * import { family } from "@nlkit/netlink/families/rt-link";
   * import assert from "node:assert/strict";
   *
   * assert.equal(family.genl, false);
   * ```
   */
  get genl(): boolean {
    return this.protocol !== "netlink-raw";
  }

  /**
   * Looks the family up in the kernel through `nlctrl` (generic netlink
   * only), once per connection: its id, version, operations and group ids.
   *
   * @param conn A generic netlink connection.
   * @param options An abort signal.
   * @returns The kernel's description of the family.
   * @throws {NetlinkError} ENOENT when the kernel does not have the family.
   * @throws {TypeError} For a netlink-raw family.
   *
   * @example Resolve ethtool's id (simulated kernel)
   * ```ts
   * import { family } from "@nlkit/netlink/families/ethtool";
   * import { genltest } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const ethtool = { id: 0x20, name: "ethtool", version: 1, headerSize: 0, maxAttribute: 1, operations: [], groups: [{ id: 7, name: "monitor" }] };
   * await using conn = genltest.dial(genltest.serveFamily(ethtool, () => []));
   * const f = await family.resolve(conn);
   * assert.equal(f.id, 0x20);
   * ```
   */
  resolve(conn: GenlConn, options: ReceiveOptions = {}): Promise<GenlFamily> {
    if (!this.genl) {
      return Promise.reject(
        new TypeError(
          `Cannot resolve ${this.name}: it is a netlink-raw family, not generic netlink`,
        ),
      );
    }
    if (!(conn instanceof GenlConn)) {
      return Promise.reject(
        new TypeError(`Cannot resolve ${this.name}: conn must be a GenlConn`),
      );
    }
    let byName = resolved.get(conn);
    if (byName === undefined) resolved.set(conn, byName = new Map());
    let p = byName.get(this.name);
    if (p === undefined) {
      p = conn.getFamily(this.name, options);
      byName.set(this.name, p);
      p.catch(() => byName!.delete(this.name));
    }
    return p;
  }

  /**
   * Joins a multicast group by its spec name: a netlink-raw group by its
   * number on a `Conn`, a generic netlink group by the id the kernel gives
   * it on a `GenlConn`.
   *
   * @param conn The connection (`Conn` for netlink-raw, `GenlConn` for generic netlink).
   * @param name The group's spec name (`rtnlgrp-link`, `monitor`).
   * @param options An abort signal (for the family lookup).
   * @throws {TypeError} For an unknown group, or the wrong kind of connection.
   *
   * @example Watch link changes (simulated kernel)
   * ```ts
   * import { family } from "@nlkit/netlink/families/rt-link";
   * import { Family } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   *
   * await using conn = new SimKernel().dial(Family.Route);
   * await family.joinGroup(conn, "rtnlgrp-link");
   * ```
   */
  async joinGroup(
    conn: Conn | GenlConn,
    name: string,
    options: ReceiveOptions = {},
  ): Promise<void> {
    const g = this.groups.find((x) => x.name === name);
    if (g === undefined) {
      throw new TypeError(
        `Cannot join group ${name} of ${this.name}: no such group (known: ${
          this.groups.map((x) => x.name).join(", ")
        })`,
      );
    }
    if (!this.genl) {
      if (!(conn instanceof Conn)) {
        throw new TypeError(
          `Cannot join group ${name} of ${this.name}: conn must be a Conn`,
        );
      }
      if (g.value === undefined) {
        throw new TypeError(
          `Cannot join group ${name} of ${this.name}: the spec gives it no number`,
        );
      }
      conn.joinGroup(g.value);
      return;
    }
    if (!(conn instanceof GenlConn)) {
      throw new TypeError(
        `Cannot join group ${name} of ${this.name}: conn must be a GenlConn`,
      );
    }
    const f = await this.resolve(conn, options);
    const kg = f.groups.find((x) => x.name === name);
    if (kg === undefined) {
      throw new NetlinkError("joinGroup", Errno.ENOENT, {
        detail: `the kernel's ${this.name} has no group ${name}`,
      });
    }
    conn.joinGroup(kg.id);
  }

  /**
   * The operation a received message belongs to: by message type
   * (netlink-raw) or generic netlink command. Notifications first, then
   * replies, then requests, as a type may be all three (rtnetlink's
   * RTM_NEWLINK is getlink's reply, newlink's request and newlink-ntf).
   *
   * @param type The netlink message type (netlink-raw) or the genl command.
   * @returns The operation, or `undefined`.
   *
   * @example Which operation sends RTM_NEWLINK (16)
   * ```ts
   * import { family } from "@nlkit/netlink/families/rt-link";
   * import assert from "node:assert/strict";
   *
   * assert.equal(family.operationFor(16)?.name, "newlinkNtf");
   * ```
   */
  operationFor(type: number): Operation | undefined {
    if (this.#byType === null) {
      const m = new Map<number, Operation>();
      const ops = [...this.operations.values()];
      for (const op of ops) {
        if (op.notification !== undefined) m.set(op.notification, op);
      }
      for (const op of ops) {
        for (const v of [op.doReply, op.dumpReply]) {
          if (v !== undefined && !m.has(v)) m.set(v, op);
        }
      }
      for (const op of ops) {
        for (const v of [op.doRequest, op.dumpRequest]) {
          if (v !== undefined && !m.has(v)) m.set(v, op);
        }
      }
      this.#byType = m;
    }
    return this.#byType.get(type);
  }
}

/**
 * One operation of a family (`getlink`, `newlink`, `linkinfoGet`, ...), or
 * one of its notifications (`newlinkNtf`). Requests and replies are plain
 * objects: the fixed header's members and the attributes side by side,
 * with camelCase keys (DESIGN §6).
 *
 * `Request` is what `.do`, `.dump`, `.encode` and `.encodeReply` take
 * (fixed-header members optional, 0 when absent), `Reply` what `.dump`,
 * `.decode` and `.decodeView` give (every fixed-header member present),
 * `DoReply` what `.do` resolves to (`void` when the kernel answers with
 * an ACK only).
 *
 * @example Encode a request and decode it back
 * ```ts
 * import { getlink } from "@nlkit/netlink/families/rt-link";
 * import assert from "node:assert/strict";
 *
 * const m = getlink.encode({ ifiIndex: 1, extMask: ["vf", "brvlan"] });
 * assert.equal(m.header.type, 18); // RTM_GETLINK
 * const back = getlink.decodeRequest(m);
 * assert.equal(back.ifiIndex, 1);
 * assert.deepEqual(back.extMask, ["vf", "brvlan"]);
 * ```
 */
export class Operation<
  Request = FamilyValue,
  Reply = FamilyValue,
  DoReply = Reply,
> {
  /** The family. */
  readonly family: YnlFamily;
  /** The export name (`getlink`, `linkinfoGet`). */
  readonly name: string;
  /** The spec's name (`getlink`, `linkinfo-get`). */
  readonly specName: string;
  /** The `do` request's message type (netlink-raw) or command (generic netlink). */
  readonly doRequest: number | undefined;
  /** The `do` reply's type or command; `undefined` when the kernel answers with an ACK only. */
  readonly doReply: number | undefined;
  /** The `dump` request's type or command. */
  readonly dumpRequest: number | undefined;
  /** The `dump` replies' type or command. */
  readonly dumpReply: number | undefined;
  /** For a notification or event: its message type or command. */
  readonly notification: number | undefined;
  /** The multicast group of a notification or event. */
  readonly mcgrp: string | undefined;
  /** The spec's `flags`: permissions the kernel requires (`admin-perm`, `uns-admin-perm`). */
  readonly flags: readonly string[];
  /** The spec's `dont-validate`: validation the kernel skips (`strict`, `dump`, `dump-strict`). */
  readonly dontValidate: readonly string[];
  readonly #desc: OpDesc;
  #rt: RtOp | null = null;

  /**
   * Creates an operation (the family does, for each of its operations).
   *
   * @param family The family.
   * @param desc The operation's description.
   */
  constructor(family: YnlFamily, desc: OpDesc) {
    this.family = family;
    this.#desc = desc;
    this.specName = desc.name;
    this.name = operationName(desc.name);
    this.doRequest = desc.do?.[0];
    this.doReply = desc.do?.[1];
    this.dumpRequest = desc.dump?.[0];
    this.dumpReply = desc.dump?.[1];
    this.notification = desc.ntf;
    this.mcgrp = desc.mcgrp;
    this.flags = desc.flags ?? [];
    this.dontValidate = desc.dontValidate ?? [];
  }

  #op(): RtOp {
    return this.#rt ??= compiled(this.family).ops.get(this.#desc.name)!;
  }

  #what(side: string): string {
    return `${this.family.name} ${this.specName} ${side}`;
  }

  /** The message body: fixed header and attributes, written into `e`. */
  #encodeBody(e: AttributeEncoder, value: unknown, side: string): void {
    const op = this.#op();
    try {
      encodeBody(e, op.header, op.set, value, side === "request");
    } catch (err) {
      throw this.#encodeError(err, side);
    }
  }

  #encodeError(err: unknown, side: string): Error {
    if (!(err instanceof PathError)) {
      if (err instanceof TypeError || err instanceof RangeError) {
        return new (err.constructor as ErrorConstructor)(
          `Cannot encode ${this.#what(side)}: ${err.message}`,
          {
            cause: err,
          },
        );
      }
      return err as Error;
    }
    const inner = err.error;
    const where = err.path.join(" > ");
    if (inner instanceof CheckFailure) {
      const types = err.types.filter((t) => t >= 0);
      const e = new PolicyError(types, inner.policyType, inner.rule, {
        op: `encode ${this.#what(side)}`,
        policy: inner.policy,
        errno: inner.errno,
        kernelMessage: inner.kernelMessage,
      });
      e.message = `Cannot encode ${this.#what(side)}: attribute ${where} (${
        types.join(" > ")
      }, ${inner.policyType}) breaks the policy: ${inner.rule}`;
      return e;
    }
    const Ctor = inner instanceof RangeError ? RangeError : TypeError;
    return new Ctor(
      `Cannot encode ${this.#what(side)}: ${where}: ${inner.message}`,
      { cause: inner },
    );
  }

  #message(
    type: number,
    flags: number,
    familyId: number | undefined,
    value: unknown,
    side: string,
  ): Message {
    const e = new AttributeEncoder();
    if (this.family.genl) {
      e.raw(new Uint8Array([type, this.family.version, 0, 0]));
    }
    this.#encodeBody(e, value, side);
    return {
      header: {
        length: 0,
        type: this.family.genl ? familyId ?? 0 : type,
        flags,
        sequence: 0,
        pid: 0,
      },
      data: e.view(),
    };
  }

  /**
   * A netlink-raw request written straight into the connection's send
   * buffer when sent (`WRITE` of `_conn_encoder.ts`): the fixed header and
   * attributes, the spec's checks first; nothing is sent if they fail.
   */
  #written(type: number, flags: number, request: unknown): Outgoing {
    return {
      header: { length: 0, type, flags, sequence: 0, pid: 0 },
      [WRITE]: (e) => this.#encodeBody(e, request, "request"),
    };
  }

  /** The same for a generic netlink request (`GenlConn` adds the genl header). */
  #writtenGenl(command: number, request: unknown): GenlMessage {
    const m: GenlMessage & Pick<Outgoing, typeof WRITE> = {
      header: { command, version: this.family.version },
      data: NO_DATA,
      [WRITE]: (e) => this.#encodeBody(e, request, "request"),
    };
    return m;
  }

  #requestType(dump: boolean): number {
    const v = dump
      ? this.dumpRequest ?? this.doRequest
      : this.doRequest ?? this.dumpRequest;
    if (v === undefined) {
      throw new TypeError(
        `Cannot encode ${this.#what("request")}: ${
          this.notification !== undefined
            ? "it is a notification, the kernel sends it"
            : "the spec defines no request"
        }`,
      );
    }
    return v;
  }

  /**
   * Encodes a request: the message type (netlink-raw) or the generic
   * netlink header, the fixed header, then the attributes in the order of
   * the request's keys. The spec's `checks` apply.
   *
   * @param request The request's fixed-header members and attributes.
   * @param options `dump` for a dump request, header flags, a genl family id.
   * @returns The netlink message (its `data` is the encoder's buffer, not a copy).
   * @throws {PolicyError} When a value breaks the spec's checks (the attribute path and the rule named).
   * @throws {TypeError} For a key the spec does not know or a value of the wrong type.
   * @throws {RangeError} For an integer out of its type's range.
   *
   * @example A link request
   * ```ts
   * import { newlink } from "@nlkit/netlink/families/rt-link";
   * import assert from "node:assert/strict";
   *
   * const m = newlink.encode({ ifname: "br0", linkinfo: { kind: "bridge", data: { stpState: 1 } } });
   * assert.equal(m.header.type, 16); // RTM_NEWLINK
   * assert.equal(m.data.length, 16 + 8 + 28); // ifinfomsg, ifname "br0", linkinfo { kind, data { stp-state } }
   * ```
   */
  encode(request: Request, options: EncodeOptions = {}): Message {
    const dump = options.dump === true;
    const flags = options.flags ??
      (dump
        ? HeaderFlags.Request | HeaderFlags.Dump
        : HeaderFlags.Request | HeaderFlags.Acknowledge);
    return this.#message(
      this.#requestType(dump),
      flags,
      options.familyId,
      request,
      "request",
    );
  }

  /**
   * Encodes a reply or a notification, as the kernel would send it (for a
   * simulated kernel). A notification operation encodes its notification.
   *
   * @param reply The reply's fixed-header members (absent ones are 0) and attributes.
   * @param options `dump` for a dump reply, header flags, a genl family id.
   * @returns The netlink message.
   * @throws {TypeError} When the operation has no reply, or for a key or value the spec does not allow.
   *
   * @example A simulated kernel's link reply
   * ```ts
   * import { getlink } from "@nlkit/netlink/families/rt-link";
   * import assert from "node:assert/strict";
   *
   * const m = getlink.encodeReply({ ifiIndex: 1, ifiFlags: ["up", "loopback"], ifname: "lo", mtu: 65536 });
   * assert.equal(m.header.type, 16); // RTM_NEWLINK
   * assert.deepEqual(getlink.decode(m).ifiFlags, ["up", "loopback"]);
   * ```
   */
  encodeReply(reply: Request, options: EncodeOptions = {}): Message {
    const dump = options.dump === true;
    const type = this.notification ??
      (dump ? this.dumpReply ?? this.doReply : this.doReply ?? this.dumpReply);
    if (type === undefined) {
      throw new TypeError(
        `Cannot encode ${
          this.#what("reply")
        }: the kernel answers it with an ACK only`,
      );
    }
    return this.#message(
      type,
      options.flags ?? 0,
      options.familyId,
      reply,
      "reply",
    );
  }

  /**
   * Decodes a body; its copies come from `cx`, the scope of one dump, or
   * (null) of this call alone, made on first use.
   */
  #decode(
    b: Uint8Array,
    offset: number,
    length: number,
    side: string,
    cx: DecodeScope | null = null,
  ): FamilyValue {
    const op = this.#op();
    if (op.fast !== null) {
      const v = op.fast(b, offset, length, cx);
      if (v !== undefined) return v;
    }
    try {
      return decodeBody(
        op.header,
        op.set,
        b,
        offset,
        length,
        cx ?? new DecodeScope(),
      );
    } catch (e) {
      if (e instanceof RangeError) {
        throw new RangeError(
          `Cannot decode ${this.#what(side)}: ${
            messageOf(e).replace(/^Cannot decode /, "")
          }`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  #body(message: Message | GenlMessage, side: string): [number, number] {
    if (
      message === null || typeof message !== "object" ||
      !(message.data instanceof Uint8Array)
    ) {
      throw new TypeError(
        `Cannot decode ${
          this.#what(side)
        }: message must be a { header, data } Message`,
      );
    }
    // A GenlMessage (from GenlConn) has its genl header decoded already.
    if (!this.family.genl || isGenlMessage(message)) {
      return [0, message.data.length];
    }
    if (message.data.length < GENL_HEADER) {
      throw new RangeError(
        `Cannot decode ${
          this.#what(side)
        }: ${message.data.length} bytes are shorter than the generic netlink header`,
      );
    }
    return [GENL_HEADER, message.data.length - GENL_HEADER];
  }

  /**
   * Decodes a reply or notification message (its payload after the netlink
   * header; for generic netlink, the genl header is skipped). Attributes
   * the spec does not know are kept in `unknownAttributes`.
   *
   * @param message A message received from the kernel: a netlink `Message`, or for generic netlink a `GenlMessage` from `GenlConn` (genl header decoded already).
   * @returns The reply: fixed-header members and attributes side by side.
   * @throws {RangeError} When the bytes are malformed (what and where said).
   *
   * @example Decode a route
   * ```ts
   * import { getroute } from "@nlkit/netlink/families/rt-route";
   * import assert from "node:assert/strict";
   *
   * const m = getroute.encodeReply({ rtmFamily: 2, rtmDstLen: 24, rtmTable: 254, rtmType: "unicast", dst: "192.0.2.0", oif: 2 });
   * const r = getroute.decode(m);
   * assert.equal(r.dst, "192.0.2.0");
   * assert.equal(r.rtmType, "unicast");
   * ```
   */
  decode(message: Message | GenlMessage): Reply {
    const [at, n] = this.#body(message, "reply");
    return this.#decode(message.data, at, n, "reply") as Reply;
  }

  /**
   * Decodes a request message (for a simulated kernel): the same format
   * as {@linkcode Operation.decode}, typed as a request.
   *
   * @param message A request message.
   * @returns The request.
   * @throws {RangeError} When the bytes are malformed.
   *
   * @example A simulated kernel reads a request
   * ```ts
   * import { dellink } from "@nlkit/netlink/families/rt-link";
   * import assert from "node:assert/strict";
   *
   * assert.equal(dellink.decodeRequest(dellink.encode({ ifname: "veth0" })).ifname, "veth0");
   * ```
   */
  decodeRequest(message: Message | GenlMessage): Request {
    const [at, n] = this.#body(message, "request");
    return this.#decode(message.data, at, n, "request") as Request;
  }

  /**
   * Decodes a message in place, from a view of the receive buffer (the
   * `MessageView` of `Conn.visit`, the `GenlMessageView` of
   * `GenlConn.visit`): no copy of the message; the reply owns its values.
   *
   * @param view The payload after the netlink (or generic netlink) header.
   * @returns The reply.
   * @throws {RangeError} When the bytes are malformed.
   *
   * @example Decode routes inside a visit (simulated kernel)
   * ```ts
   * import { getroute } from "@nlkit/netlink/families/rt-route";
   * import { dial, multipart } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const route = getroute.encodeReply({ rtmFamily: 2, rtmDstLen: 8, rtmTable: 254, rtmType: "unicast", dst: "10.0.0.0" });
   * using conn = dial(() => multipart([route, route]));
   * const dsts: string[] = [];
   * await conn.visit(getroute.encode({ rtmFamily: 2 }, { dump: true }), (view) => {
   *   dsts.push(getroute.decodeView(view).dst!);
   * });
   * assert.deepEqual(dsts, ["10.0.0.0", "10.0.0.0"]);
   * ```
   */
  decodeView(view: PayloadView): Reply {
    return this.#decode(view.bytes, view.offset, view.length, "reply") as Reply;
  }

  #flags(options: DoOptions): number {
    let f = options.flags ?? 0;
    if (options.create === true) f |= HeaderFlags.Create;
    if (options.excl === true) f |= HeaderFlags.Excl;
    if (options.replace === true) f |= HeaderFlags.Replace;
    if (options.append === true) f |= HeaderFlags.Append;
    return f;
  }

  #rename(e: unknown, mode: string): unknown {
    if (e instanceof NetlinkError && e.name === "NetlinkError") {
      e.message = e.message.replace(
        /^Cannot [^:]+/,
        `Cannot ${mode} ${this.family.name} ${this.specName}`,
      );
    }
    return e;
  }

  /**
   * Sends the `do` request and resolves to the decoded reply (or to
   * `undefined` when the kernel answers with an ACK only). netlink-raw
   * families take a `Conn`, generic netlink ones a `GenlConn` (the family
   * id is looked up by name once per connection).
   *
   * @param conn The connection.
   * @param request The request.
   * @param options Flags (`create`, `excl`, ...), an abort signal, a timeout.
   * @returns The reply.
   * @throws {PolicyError} When the request breaks the spec's checks (nothing is sent).
   * @throws {NetlinkError} When the kernel answers with an error (its extended ACK included).
   *
   * @example Create a bridge and read it back (simulated kernel)
   * ```ts
   * import { getlink, newlink } from "@nlkit/netlink/families/rt-link";
   * import { Family } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = new SimKernel().dial(Family.Route);
   * await newlink.do(conn, { ifname: "br0", linkinfo: { kind: "bridge" } }, { create: true, excl: true });
   * const link = await getlink.do(conn, { ifname: "br0" });
   * assert.equal(link.ifname, "br0");
   * ```
   */
  async do(
    conn: Conn | GenlConn,
    request: Request,
    options: DoOptions = {},
  ): Promise<DoReply> {
    const type = this.doRequest;
    if (type === undefined) {
      throw new TypeError(
        `Cannot do ${this.#what("request")}: the spec defines no do`,
      );
    }
    const flags = HeaderFlags.Request | HeaderFlags.Acknowledge |
      this.#flags(options);
    // (The connection reads only `signal` and `timeout` of the options.)
    const receive: ReceiveOptions = options;
    let replies: readonly { data: Uint8Array }[];
    try {
      if (this.family.genl) {
        if (!(conn instanceof GenlConn)) {
          throw new TypeError(
            `Cannot do ${this.#what("request")}: conn must be a GenlConn`,
          );
        }
        const f = await this.family.resolve(conn, receive);
        const out = await conn.execute(
          this.#writtenGenl(type, request),
          f.id,
          flags,
          receive,
        );
        replies = out;
      } else {
        if (!(conn instanceof Conn)) {
          throw new TypeError(
            `Cannot do ${this.#what("request")}: conn must be a Conn`,
          );
        }
        const out = await conn.execute(
          this.#written(type, flags, request),
          receive,
        );
        replies = out;
      }
    } catch (e) {
      throw this.#rename(e, "do");
    }
    if (this.doReply === undefined) return undefined as DoReply;
    const r = replies[0];
    if (r === undefined) {
      throw new NetlinkError("do", Errno.EPROTO, {
        detail:
          `${this.family.name} ${this.specName}: the kernel sent no reply`,
      });
    }
    return this.#decode(r.data, 0, r.data.length, "reply") as DoReply;
  }

  /**
   * Sends the `dump` request and iterates over the decoded replies as the
   * kernel's datagrams arrive: each reply is decoded in place from the
   * receive buffer (no `Message` copy), and the socket is read one datagram
   * at a time as the loop asks, so memory stays bounded by one datagram's
   * replies however big the dump (the kernel makes the next part only once
   * this one is read). A `DumpInterruptedError` comes after the replies
   * received. Leaving the loop early (`break`, a throw, the signal) drains
   * the rest of the dump in the background, as `Conn.dump` does. Nothing
   * is sent before the first `next()`.
   *
   * Generic netlink families stream too, through `GenlConn.dump` (a copy
   * of each reply's bytes before it is decoded).
   *
   * @param conn The connection (`Conn` or `GenlConn`, as for `.do`).
   * @param request The dump request (filters), `{}` for none.
   * @param options Extra flags, an abort signal, a timeout.
   * @returns The replies.
   * @throws {PolicyError} When the request breaks the spec's checks (from the first `next()`; nothing is sent).
   * @throws {NetlinkError} When the kernel answers with an error.
   *
   * @example List links (simulated kernel)
   * ```ts
   * import { getlink } from "@nlkit/netlink/families/rt-link";
   * import { Family } from "@nlkit/netlink/netlink";
   * import { SimKernel } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using conn = new SimKernel().dial(Family.Route);
   * const names: string[] = [];
   * for await (const link of getlink.dump(conn, {})) names.push(link.ifname!);
   * assert.deepEqual(names, ["lo"]);
   * ```
   */
  dump(
    conn: Conn | GenlConn,
    request: Request,
    options: DoOptions = {},
  ): AsyncIterableIterator<Reply> {
    const type = this.dumpRequest;
    const flags = HeaderFlags.Request | HeaderFlags.Dump | this.#flags(options);
    const want = this.dumpReply;
    // One scope for the whole dump: its replies' copies share slabs.
    const cx = new DecodeScope();
    const decode = (b: Uint8Array, o: number, n: number): Reply =>
      this.#decode(b, o, n, "reply", cx) as Reply;
    const mapError = (e: unknown): unknown => this.#rename(e, "dump");
    const signal = options.signal;
    if (this.family.genl) {
      return mapStream(
        async (): Promise<AsyncIterator<GenlMessage>> => {
          const genl = this.#dumpConn(conn, type, GenlConn);
          const f = await this.family.resolve(genl, options);
          return genl.dump(
            this.#writtenGenl(type!, request),
            f.id,
            flags,
            options,
          );
        },
        (m: GenlMessage) =>
          want !== undefined && m.header.command !== want
            ? undefined
            : decode(m.data, 0, m.data.length),
        { signal, mapError },
      );
    }
    return mapStream(
      () =>
        dumpMapped(
          this.#dumpConn(conn, type, Conn),
          this.#written(type!, flags, request),
          (v) =>
            want !== undefined && v.header.type !== want
              ? undefined
              : decode(v.bytes, v.offset, v.length),
          options,
        ),
      (r: Reply) => r,
      { signal, mapError },
    );
  }

  #noDump(): TypeError {
    return new TypeError(
      `Cannot dump ${this.#what("request")}: the spec defines no dump`,
    );
  }

  /** Checks a dump's operation and connection kind (thrown from the first `next()`, as before the stream existed). */
  #dumpConn<C extends Conn | GenlConn>(
    conn: Conn | GenlConn,
    type: number | undefined,
    kind: new (...args: never[]) => C,
  ): C {
    if (type === undefined) throw this.#noDump();
    if (!(conn instanceof kind)) {
      throw new TypeError(
        `Cannot dump ${this.#what("request")}: conn must be a ${kind.name}`,
      );
    }
    return conn;
  }

  /**
   * Sends the `dump` request and calls `visitor` with each decoded reply as
   * it is read from the receive buffer (`Conn.visit`): the fastest way
   * through a big dump.
   *
   * @param conn The connection (`Conn` or `GenlConn`).
   * @param request The dump request, `{}` for none.
   * @param visitor Called once per reply; a throw stops the dump and rejects.
   * @param options Extra flags, an abort signal, a timeout.
   * @returns The number of replies.
   * @throws {PolicyError} When the request breaks the spec's checks.
   * @throws {NetlinkError} When the kernel answers with an error.
   *
   * @example Count routes (simulated kernel)
   * ```ts
   * import { getroute } from "@nlkit/netlink/families/rt-route";
   * import { dial, multipart } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * const route = getroute.encodeReply({ rtmFamily: 2, rtmDstLen: 8, rtmTable: 254, rtmType: "unicast", dst: "10.0.0.0" });
   * using conn = dial(() => multipart([route, route, route]));
   * let tables = 0;
   * const n = await getroute.visit(conn, { rtmFamily: 2 }, (r) => { tables += r.rtmTable; });
   * assert.equal(n, 3);
   * assert.equal(tables, 3 * 254);
   * ```
   */
  async visit(
    conn: Conn | GenlConn,
    request: Request,
    visitor: (reply: Reply) => void,
    options: DoOptions = {},
  ): Promise<number> {
    const type = this.dumpRequest;
    if (type === undefined) throw this.#noDump();
    if (typeof visitor !== "function") {
      throw new TypeError(
        `Cannot dump ${this.#what("request")}: visitor must be a function`,
      );
    }
    const flags = HeaderFlags.Request | HeaderFlags.Dump | this.#flags(options);
    const want = this.dumpReply;
    // One scope for the whole dump: its replies' copies share slabs.
    const cx = new DecodeScope();
    let count = 0;
    try {
      if (this.family.genl) {
        const genl = this.#dumpConn(conn, type, GenlConn);
        const f = await this.family.resolve(genl, options);
        await genl.visit(
          this.#writtenGenl(type!, request),
          f.id,
          (v: GenlMessageView) => {
            if (want !== undefined && v.header.command !== want) return;
            count++;
            visitor(
              this.#decode(v.bytes, v.offset, v.length, "reply", cx) as Reply,
            );
          },
          flags,
          options,
        );
        return count;
      }
      await this.#dumpConn(conn, type, Conn).visit(
        this.#written(type!, flags, request),
        (v) => {
          if (want !== undefined && v.header.type !== want) return;
          count++;
          visitor(
            this.#decode(v.bytes, v.offset, v.length, "reply", cx) as Reply,
          );
        },
        options,
      );
      return count;
    } catch (e) {
      throw this.#rename(e, "dump");
    }
  }
}

/**
 * Decodes any message of a family, replies and notifications alike: the
 * operation is found by message type (netlink-raw) or generic netlink
 * command ({@linkcode YnlFamily.operationFor}).
 *
 * @param family The family (`family` of a generated module).
 * @param message A received message: a netlink `Message` (from `Conn`), or a `GenlMessage` or `GenlNotification` (from `GenlConn`, its genl header decoded).
 * @returns The operation's name and the decoded value, or `undefined` for a message of no operation of the family (an ACK, `NLMSG_DONE`, another family's type).
 * @throws {RangeError} When the bytes are malformed.
 *
 * @example Decode link notifications (simulated kernel)
 * ```ts
 * import { decode } from "@nlkit/netlink/families";
 * import { family, newlinkNtf } from "@nlkit/netlink/families/rt-link";
 * import assert from "node:assert/strict";
 *
 * const m = newlinkNtf.encodeReply({ ifiIndex: 3, ifname: "veth0", operstate: 6 });
 * const d = decode(family, m);
 * assert.equal(d?.op, "newlinkNtf");
 * assert.equal(d?.value.ifname, "veth0");
 * ```
 */
export function decode(
  family: YnlFamily,
  message: Message | GenlMessage,
): Decoded | undefined {
  if (!(family instanceof YnlFamily)) {
    throw new TypeError("Cannot decode: family must be a YnlFamily");
  }
  let type: number;
  if (isGenlMessage(message)) {
    type = message.header.command;
  } else if (family.genl) {
    if (message.data.length < GENL_HEADER) return undefined;
    type = message.data[0]!;
  } else {
    type = message.header.type;
  }
  const operation = family.operationFor(type);
  if (operation === undefined) return undefined;
  return {
    op: operation.name,
    operation,
    value: operation.decode(message) as FamilyValue,
  };
}
