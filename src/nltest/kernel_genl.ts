/**
 * Generic netlink inside {@linkcode SimKernel}: a family registry with ids
 * and multicast group ids allocated as the kernel does, and the `nlctrl`
 * controller answering family lookups, family lists and policy dumps from
 * the registered data.
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { Family, Operation } from "../genetlink/family.ts";
import type { OperationPolicy } from "../genetlink/policy.ts";
import {
  ControllerCommand,
  decodeGenlMessage,
  encodeGenlMessage,
  GENL_HEADER_LENGTH,
  GENL_ID_CTRL,
  type GenlMessage,
  OperationFlags,
} from "../genetlink/message.ts";
import {
  type HandlerResult,
  KernelError,
  type RequestContext,
} from "./kernel_handler.ts";
import {
  answerController,
  type ControlledFamily,
  familyMessage,
  NLCTRL,
} from "./_nlctrl.ts";

/** `GENL_START_ALLOC`: the first id handed to a dynamically registered family. */
const GENL_START_ALLOC = 0x13;
/** nlctrl's "notify" group id (`GENL_ID_CTRL`). */
const CTRL_NOTIFY_GROUP = 0x10;

/**
 * What a generic netlink handler returns: genl messages (wrapped in netlink
 * messages of the family's type), netlink messages (passed through), or a
 * dump of them.
 *
 * @example Answer a dump request with several objects
 * ```ts
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { type GenlReply, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const { id } = kernel.registerFamily({
 *   name: "items",
 *   operations: [{ id: 1 }],
 *   handler: (): GenlReply => ({ dump: [1, 2, 3].map((i) => ({ header: { command: 1, version: 1 }, data: new Uint8Array([i]) })) }),
 * });
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * const items = await genl.execute({ header: { command: 1, version: 1 }, data: new Uint8Array() }, id, HeaderFlags.Request | HeaderFlags.Dump);
 * assert.deepEqual(items.map((m) => m.data[0]), [1, 2, 3]);
 * ```
 */
export type GenlReply = (GenlMessage | Message)[] | {
  dump: (GenlMessage | Message)[];
  filtered?: boolean;
};

/**
 * What a generic netlink handler sees besides the decoded request. It is
 * also the request's netlink `Message` (`header`, `data`), so a genltest
 * `GenlKernel` (`(request, message) => replies`) works as a handler as is.
 *
 * @example Announce a change on the family's multicast group
 * ```ts
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const family = kernel.registerFamily({
 *   name: "demo",
 *   operations: [{ id: 1 }],
 *   groups: ["events"],
 *   handler: (request, context) => {
 *     assert.equal(context.message.header.type, context.genlFamily.id);
 *     context.notifyGenl("events", [{ header: { command: 9, version: 1 }, data: request.data }]);
 *     return [];
 *   },
 * });
 * await using listener = GenlConn.from(kernel.dial(Family.Generic));
 * listener.joinGroup(family.groups[0]!.id);
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * await genl.execute({ header: { command: 1, version: 1 }, data: new Uint8Array() }, family.id, HeaderFlags.Request | HeaderFlags.Acknowledge);
 * for await (const n of listener.notifications()) {
 *   assert.equal(n.header.command, 9);
 *   break;
 * }
 * ```
 */
export interface GenlRequestContext extends RequestContext, Message {
  /** The request as received (netlink header and payload). */
  readonly message: Message;
  /** The family the request was sent to. */
  readonly genlFamily: Family;
  /** Multicasts genl messages on one of the family's groups, by name or id. */
  notifyGenl(group: string | number, messages: GenlMessage[]): void;
}

/**
 * Serves the commands of a registered family. Throw `KernelError` (or any
 * error with a numeric `errno`) for an errno. An array answered to a dump
 * request becomes a multipart reply.
 *
 * @example A handler that reports the requester's port id
 * ```ts
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { type GenlHandler, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const handler: GenlHandler = (request, context) => {
 *   const data = new Uint8Array(4);
 *   new DataView(data.buffer).setUint32(0, context.pid, true);
 *   return [{ header: { command: request.header.command, version: 1 }, data }];
 * };
 * const kernel = new SimKernel();
 * const { id } = kernel.registerFamily({ name: "whoami", operations: [{ id: 1 }], handler });
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * const [reply] = await genl.execute({ header: { command: 1, version: 1 }, data: new Uint8Array() }, id, HeaderFlags.Request);
 * assert.equal(new DataView(reply!.data.buffer, reply!.data.byteOffset).getUint32(0, true), genl.conn.pid);
 * ```
 */
export type GenlHandler = (
  request: GenlMessage,
  context: GenlRequestContext,
) => GenlReply | Promise<GenlReply>;

/**
 * A family to register with {@linkcode SimKernel.registerFamily}.
 *
 * @example Register a family that answers one command
 * ```ts
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { type SimFamily, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const spec: SimFamily = {
 *   name: "demo",
 *   operations: [{ id: 1 }],
 *   handler: (request) => [{ header: { command: 2, version: 1 }, data: request.data }],
 * };
 * const kernel = new SimKernel();
 * const { id } = kernel.registerFamily(spec);
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * assert.equal((await genl.getFamily("demo")).id, id);
 * const [reply] = await genl.execute({ header: { command: 1, version: 1 }, data: new Uint8Array([5]) }, id, HeaderFlags.Request);
 * assert.equal(reply?.header.command, 2);
 * ```
 */
export interface SimFamily {
  /** The family name (at most 15 bytes). */
  name: string;
  /** `CTRL_ATTR_VERSION`; default 1. */
  version?: number;
  /** `CTRL_ATTR_HDRSIZE`; default 0. */
  headerSize?: number;
  /** `CTRL_ATTR_MAXATTR`; default 0. */
  maxAttribute?: number;
  /** The commands; `flags` default to `CanDo | CanDump` (plus `HasPolicy` when a policy is given). */
  operations?: { id: number; flags?: number }[];
  /** Multicast group names; ids are allocated at registration. */
  groups?: string[];
  /** Command number to the policy tables of its handlers (answers `CTRL_CMD_GETPOLICY`, dumped as Linux does). */
  policy?: ReadonlyMap<number, OperationPolicy>;
  /** Serves the family's commands; without one every command fails with EOPNOTSUPP. */
  handler?: GenlHandler;
}

interface Entry {
  family: Family;
  spec: SimFamily;
}

/** Multicast delivery supplied by the kernel. */
type Multicast = (group: number, messages: Message[]) => void;

function genlMessage(type: number, flags: number, m: GenlMessage): Message {
  return {
    header: { length: 0, type, flags, sequence: 0, pid: 0 },
    data: encodeGenlMessage(m),
  };
}

/**
 * The generic netlink half of a simulated kernel.
 *
 * @internal Reached through `SimKernel.registerFamily` / `SimKernel.families`.
 */
export class GenlRegistry {
  #byId = new Map<number, Entry>();
  #multicast: Multicast;
  #usedGroups = new Set<number>([0, 1, 16, 17, 18]);

  constructor(multicast: Multicast) {
    this.#multicast = multicast;
    const { policy, ...family } = NLCTRL;
    this.#byId.set(GENL_ID_CTRL, {
      family,
      spec: { name: "nlctrl", policy: policy! },
    });
  }

  /** Registers a family, allocating its id and group ids. */
  register(spec: SimFamily): Family {
    if (
      typeof spec.name !== "string" || spec.name === "" ||
      new TextEncoder().encode(spec.name).length > 15
    ) {
      throw new TypeError(
        `Cannot register family: name ${
          JSON.stringify(spec.name)
        } is not 1 to 15 bytes`,
      );
    }
    if (this.find(spec.name)) throw new KernelError(Errno.EEXIST);
    let id = GENL_START_ALLOC;
    while (this.#byId.has(id)) id++;
    const operations: Operation[] = (spec.operations ?? []).map((o) => ({
      id: o.id,
      flags: o.flags ??
        (OperationFlags.CanDo | OperationFlags.CanDump |
          (spec.policy?.has(o.id) ? OperationFlags.HasPolicy : 0)),
    }));
    const groups = (spec.groups ?? []).map((name) => {
      let g = 2;
      while (this.#usedGroups.has(g)) g++;
      this.#usedGroups.add(g);
      return { id: g, name };
    });
    const family: Family = {
      id,
      name: spec.name,
      version: spec.version ?? 1,
      headerSize: spec.headerSize ?? 0,
      maxAttribute: spec.maxAttribute ?? 0,
      operations,
      groups,
    };
    this.#byId.set(id, { family, spec });
    this.#multicast(CTRL_NOTIFY_GROUP, [
      genlMessage(
        GENL_ID_CTRL,
        0,
        familyMessage(family, ControllerCommand.NewFamily),
      ),
    ]);
    return structuredClone(family);
  }

  /** Removes a family; returns false when it was not registered. */
  unregister(name: string): boolean {
    const e = this.find(name);
    if (!e || e.family.id === GENL_ID_CTRL) return false;
    this.#byId.delete(e.family.id);
    for (const g of e.family.groups) this.#usedGroups.delete(g.id);
    this.#multicast(CTRL_NOTIFY_GROUP, [
      genlMessage(
        GENL_ID_CTRL,
        0,
        familyMessage(e.family, ControllerCommand.DelFamily),
      ),
    ]);
    return true;
  }

  /** Finds a family by name. */
  find(name: string): Entry | undefined {
    for (const e of this.#byId.values()) if (e.family.name === name) return e;
    return undefined;
  }

  /** Every registered family, nlctrl first. */
  families(): Family[] {
    return [...this.#byId.values()].sort((a, b) => a.family.id - b.family.id)
      .map((e) => structuredClone(e.family));
  }

  /** The `Family.Generic` protocol handler. */
  handle(
    m: Message,
    ctx: RequestContext,
  ): HandlerResult | Promise<HandlerResult> {
    const entry = this.#byId.get(m.header.type);
    if (!entry) throw new KernelError(Errno.ENOENT);
    if (m.data.length < GENL_HEADER_LENGTH + (entry.family.headerSize ?? 0)) {
      throw new KernelError(Errno.EINVAL);
    }
    const req = decodeGenlMessage(m.data);
    const op = entry.family.operations.find((o) => o.id === req.header.command);
    const dump = (m.header.flags & HeaderFlags.Dump) === HeaderFlags.Dump;
    if (!op) throw new KernelError(Errno.EOPNOTSUPP);
    if (
      dump
        ? !(op.flags & OperationFlags.CanDump)
        : !(op.flags & OperationFlags.CanDo)
    ) {
      throw new KernelError(Errno.EOPNOTSUPP);
    }
    if (entry.family.id === GENL_ID_CTRL) return this.#ctrl(req, dump);
    const handler = entry.spec.handler;
    if (!handler) throw new KernelError(Errno.EOPNOTSUPP);
    const family = entry.family;
    const gctx: GenlRequestContext = {
      header: m.header,
      data: m.data,
      pid: ctx.pid,
      family: ctx.family,
      strict: ctx.strict,
      notify: (g, ms, echo) => ctx.notify(g, ms, echo),
      message: m,
      genlFamily: structuredClone(family),
      notifyGenl: (group, ms) => {
        const g = typeof group === "number"
          ? family.groups.find((x) => x.id === group)
          : family.groups.find((x) => x.name === group);
        if (!g) {
          throw new TypeError(
            `Cannot notify: family "${family.name}" has no group ${
              JSON.stringify(group)
            }`,
          );
        }
        ctx.notify(g.id, ms.map((x) => genlMessage(family.id, 0, x)));
      },
    };
    const wrap = (x: GenlMessage | Message): Message =>
      "type" in x.header
        ? (x as Message)
        : genlMessage(family.id, 0, x as GenlMessage);
    const result = (r: GenlReply): HandlerResult => {
      if (Array.isArray(r) && dump) return { dump: r.map(wrap) };
      if (!Array.isArray(r)) {
        const out: HandlerResult = { dump: r.dump.map(wrap) };
        if (r.filtered) out.filtered = true;
        return out;
      }
      return r.map(wrap);
    };
    // A synchronous handler answers synchronously (as Linux, inside send()).
    const r = handler(req, gctx);
    return r instanceof Promise ? r.then(result) : result(r);
  }

  #ctrl(req: GenlMessage, dump: boolean): HandlerResult {
    const controlled = [...this.#byId.values()]
      .sort((a, b) => a.family.id - b.family.id)
      .map((e): ControlledFamily =>
        e.spec.policy === undefined
          ? e.family
          : { ...e.family, policy: e.spec.policy }
      );
    const answer = answerController(controlled, req, dump);
    // The op check above lets only GETFAMILY and GETPOLICY through.
    if (answer === undefined) throw new KernelError(Errno.EOPNOTSUPP);
    const wrap = (m: GenlMessage): Message => genlMessage(GENL_ID_CTRL, 0, m);
    return Array.isArray(answer)
      ? answer.map(wrap)
      : { dump: answer.dump.map(wrap) };
  }
}
