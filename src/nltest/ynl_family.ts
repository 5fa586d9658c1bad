/**
 * Serve any generated generic netlink family inside a {@linkcode SimKernel}:
 * {@linkcode serveYnlFamily} registers the family with the simulated
 * `nlctrl` (its id, operations, multicast groups and the spec's attribute
 * policy, so `CTRL_CMD_GETPOLICY` answers too), then for every request:
 *
 * 1. refuses an operation the requester may not run (the spec's
 *    `admin-perm` or `uns-admin-perm` flags, unprivileged requester):
 *    EPERM, before anything else is read, as `genl_family_rcv_msg` does;
 * 2. checks the attributes against the spec's checks as a kernel policy
 *    (`validateRequest`; strict unless the spec's `dont-validate` says
 *    otherwise): EINVAL or ERANGE with the
 *    extended ACK Linux gives ("Attribute failed policy validation",
 *    "integer out of range", ...), the attribute's offset and the policy;
 * 3. decodes the request with the generated codec and calls your handler
 *    for the operation (by its export name, `devGet`, `linkinfoGet`);
 * 4. encodes what the handler returns with the same codec: one reply for
 *    a do, a multipart reply for a dump, an ACK when it returns nothing.
 *
 * An operation without a handler answers EOPNOTSUPP, as a kernel op the
 * driver does not implement. Handlers throw `KernelError` for an errno,
 * with the extended ACK they want; {@linkcode YnlRequestContext.offsetOf}
 * finds the offset of an attribute of the request by its spec names.
 *
 * @example A devlink tool's test, with the kernel's validation and no device
 * ```ts
 * import { family, getDevice } from "@nlkit/netlink/families/wireguard";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Errno, Family } from "@nlkit/netlink/netlink";
 * import { KernelError, serveYnlFamily, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * serveYnlFamily(kernel, family, {
 *   getDevice: (request) => {
 *     if (request.ifname !== "wg0") throw new KernelError(Errno.ENODEV);
 *     return [{ ifname: "wg0", ifindex: 7, listenPort: 51820 }];
 *   },
 * });
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * const [dev] = await Array.fromAsync(getDevice.dump(genl, { ifname: "wg0" }));
 * assert.equal(dev?.listenPort, 51820);
 * await assert.rejects(Array.fromAsync(getDevice.dump(genl, { ifname: "wg1" })), { code: "ENODEV" });
 * ```
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { Family as NetlinkFamily, HEADER_LENGTH } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import type { Family as GenlFamily } from "../genetlink/family.ts";
import {
  GENL_HEADER_LENGTH,
  type GenlMessage,
  OperationFlags,
} from "../genetlink/message.ts";
import {
  type OperationPolicy,
  type PolicyTable,
  validateRequest,
} from "../genetlink/policy.ts";
import {
  compiled,
  type FamilyValue,
  type Operation,
  YnlFamily,
} from "../families/family.ts";
import { specTable } from "../families/_checks.ts";
import { K, type RtSet } from "../families/_schema.ts";
import type { SimKernel } from "./kernel.ts";
import type { GenlReply, GenlRequestContext } from "./kernel_genl.ts";
import { KernelError } from "./kernel_handler.ts";
import { policyFailure } from "./_nlctrl.ts";
import { type NlaRules, parseAttributes, walk } from "./_nla_parse.ts";

/**
 * What a {@linkcode YnlHandler} sees besides the decoded request: the
 * simulated kernel's request context, the operation, whether the request
 * is a dump, and helpers to point at attributes and to notify.
 *
 * @example Point the extended ACK at the attribute that is wrong
 * ```ts
 * import { family, getDevice } from "@nlkit/netlink/families/wireguard";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { Errno, Family, type NetlinkError } from "@nlkit/netlink/netlink";
 * import { KernelError, serveYnlFamily, SimKernel, type YnlRequestContext } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * serveYnlFamily(kernel, family, {
 *   getDevice: (_request, context: YnlRequestContext) => {
 *     const offset = context.offsetOf(["ifname"]);
 *     throw new KernelError(Errno.ENODEV, offset === undefined ? { message: "no such device" } : { message: "no such device", offset });
 *   },
 * });
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * const err: NetlinkError = await Array.fromAsync(getDevice.dump(genl, { ifname: "x" })).then(() => assert.fail(), (e) => e);
 * assert.equal(err.extAck?.offset, 20); // the netlink header, the genl header, then ifname
 * ```
 */
export interface YnlRequestContext extends GenlRequestContext {
  /** The operation the request is for. */
  readonly operation: Operation;
  /** True for a dump request (`NLM_F_DUMP`). */
  readonly dump: boolean;
  /**
   * The offset, from the start of the request's netlink header, of the
   * attribute reached by spec names (`["header", "devName"]`), as the
   * kernel reports it in `NLMSGERR_ATTR_OFFS`; `undefined` when the
   * request lacks it. A number in the path picks that element of a
   * multi-attr or indexed-array attribute.
   */
  offsetOf(path: readonly (string | number)[]): number | undefined;
  /**
   * Multicasts a notification of the family, encoded by the operation
   * named `op` (a notify or event operation), on `group` (default: the
   * operation's group, or the family's only one).
   */
  notifyOp(op: string, value: object, group?: string): void;
}

/**
 * Serves one operation. Returns the reply value of a do (or `undefined`
 * for an ACK only), the reply values of a dump; throws `KernelError` for
 * an errno.
 */
export type YnlHandler = (
  request: FamilyValue,
  context: YnlRequestContext,
) => YnlAnswer | Promise<YnlAnswer>;

/**
 * What a {@linkcode YnlHandler} returns: a reply value (do), the reply
 * values (dump, or several replies to a do), or nothing (an ACK only).
 */
export type YnlAnswer = object | readonly object[] | void;

/**
 * Handlers by operation export name (`getDevice`, `linkinfoGet`,
 * `devGet`). Operations without one answer EOPNOTSUPP.
 */
export type YnlHandlers = Readonly<Record<string, YnlHandler>>;

/** The permission flags of generic netlink operations (`GENL_ADMIN_PERM`, `GENL_UNS_ADMIN_PERM`). */
export type YnlPermission = "admin-perm" | "uns-admin-perm";

/**
 * Options of {@linkcode serveYnlFamily}.
 */
export interface ServeYnlOptions {
  /**
   * Whether the requester has `CAP_NET_ADMIN` (default true), or a function
   * deciding per request (by the requester's port id, say).
   */
  privileged?: boolean | ((context: GenlRequestContext) => boolean);
  /**
   * Permission flags per operation export name, over the spec's `flags`
   * (`admin-perm`, `uns-admin-perm`): without privilege such an operation
   * answers EPERM. `null` clears the spec's.
   */
  permissions?: Readonly<Record<string, YnlPermission | null>>;
  /**
   * How requests are validated, over what the spec says: `"strict"` (the
   * kernel's rule for operations since Linux 5.2: unknown attributes and
   * nests without `NLA_F_NESTED` are refused), `"liberal"` (a spec's
   * `dont-validate: [strict]`, or operations older than the family's
   * `resv_start_op`), or `"none"` (`dont-validate: [dump]` for a dump). A
   * record sets it per operation export name.
   */
  validation?:
    | YnlValidation
    | Readonly<Record<string, YnlValidation>>;
  /**
   * Policy tables to validate an operation's requests with, by export name,
   * instead of the spec's attribute set (when the kernel's policy differs,
   * such as a nest it checks only later, in the handler).
   */
  policies?: Readonly<Record<string, PolicyTable>>;
  /** `CTRL_ATTR_MAXATTR` reported by nlctrl; default 0, as families with per-operation policies report. */
  maxAttribute?: number;
}

/** How {@linkcode serveYnlFamily} validates requests. */
export type YnlValidation = "strict" | "liberal" | "none";

/**
 * What {@linkcode serveYnlFamily} returns: the family as registered, and a
 * way to send notifications outside a request.
 *
 * @example Notify from the test, as the kernel does on a change
 * ```ts
 * import { family } from "@nlkit/netlink/families/ethtool";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { decode } from "@nlkit/netlink/families";
 * import { Family } from "@nlkit/netlink/netlink";
 * import { serveYnlFamily, SimKernel, type ServedYnlFamily } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const served: ServedYnlFamily = serveYnlFamily(kernel, family, {});
 * await using listener = GenlConn.from(kernel.dial(Family.Generic));
 * await family.joinGroup(listener, "monitor");
 * served.notify("linkinfoNtf", { header: { devIndex: 2, devName: "eth0" }, port: 0 });
 * for await (const m of listener.notifications()) {
 *   const d = decode(family, { header: { length: 0, type: served.family.id, flags: 0, sequence: 0, pid: 0 }, data: new Uint8Array([m.header.command, m.header.version, 0, 0, ...m.data]) });
 *   assert.equal(d?.op, "linkinfoNtf");
 *   break;
 * }
 * ```
 */
export interface ServedYnlFamily {
  /** The family as registered with the simulated controller (id, group ids). */
  readonly family: GenlFamily;
  /** Multicasts a notification, as {@linkcode YnlRequestContext.notifyOp}. */
  notify(op: string, value: object, group?: string): void;
}

/**
 * Registers a generated generic netlink family with a simulated kernel and
 * serves its operations with `handlers`, applying the spec's checks first
 * (see the module documentation for the order of the checks).
 *
 * @param kernel The simulated kernel.
 * @param family The generated family (`family` of `@nlkit/netlink/families/<name>`).
 * @param handlers Handlers by operation export name.
 * @param options Privilege, permission flags, validation, policies.
 * @returns The registered family and a notifier.
 * @throws {TypeError} For a netlink-raw family, or a handler named after no operation.
 * @throws {KernelError} EEXIST when the kernel already has a family of that name.
 *
 * @example Refuse an over-long name with the kernel's answer
 * ```ts
 * import { family, getDevice } from "@nlkit/netlink/families/wireguard";
 * import { GenlConn } from "@nlkit/netlink/genetlink";
 * import { AttributeEncoder, Family, HeaderFlags, type NetlinkError } from "@nlkit/netlink/netlink";
 * import { serveYnlFamily, SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * const { family: registered } = serveYnlFamily(kernel, family, { getDevice: () => [] });
 * await using genl = GenlConn.from(kernel.dial(Family.Generic));
 * // Bytes a careless tool might send: the codec itself would refuse them.
 * const data = new AttributeEncoder().string(2, "a-name-far-too-long").encode();
 * const err: NetlinkError = await genl.execute({ header: { command: getDevice.dumpRequest!, version: 1 }, data }, registered.id, HeaderFlags.Request | HeaderFlags.Dump)
 *   .then(() => assert.fail(), (e) => e);
 * assert.equal(err.code, "EINVAL");
 * assert.equal(err.extAck?.message, "Attribute failed policy validation");
 * ```
 */
export function serveYnlFamily(
  kernel: SimKernel,
  family: YnlFamily,
  handlers: YnlHandlers,
  options: ServeYnlOptions = {},
): ServedYnlFamily {
  if (!(family instanceof YnlFamily) || !family.genl) {
    throw new TypeError(
      "Cannot serve family: it must be a generated generic netlink family",
    );
  }
  if (handlers === null || typeof handlers !== "object") {
    throw new TypeError("Cannot serve family: handlers must be an object");
  }
  for (const [name, h] of Object.entries(handlers)) {
    if (!family.operations.has(name)) {
      throw new TypeError(
        `Cannot serve ${family.name}: it has no operation ${name}`,
      );
    }
    if (typeof h !== "function") {
      throw new TypeError(
        `Cannot serve ${family.name}: the handler of ${name} is not a function`,
      );
    }
  }
  const rt = compiled(family);
  const opInfo = (op: Operation): { set: RtSet | null; header: number } => {
    const r = rt.ops.get(op.specName)!;
    return { set: r.set, header: r.header?.size ?? 0 };
  };
  const headerSize = Math.max(
    0,
    ...[...family.operations.values()].map((op) => opInfo(op).header),
  );

  // The controller's view: one entry per command, do and dump merged.
  const commands = new Map<number, number>();
  const policy = new Map<number, OperationPolicy>();
  const byRequest = new Map<string, Operation>();
  for (const op of family.operations.values()) {
    const perm = permissionOf(op);
    const permFlag = perm === "admin-perm"
      ? OperationFlags.AdminPerm
      : perm === "uns-admin-perm"
      ? OperationFlags.UnsAdminPerm
      : 0;
    const table = tableOf(op);
    for (
      const [cmd, cap, dump] of [
        [op.doRequest, OperationFlags.CanDo, false],
        [op.dumpRequest, OperationFlags.CanDump, true],
      ] as const
    ) {
      if (cmd === undefined) continue;
      byRequest.set(`${dump ? "dump" : "do"}:${cmd}`, op);
      commands.set(
        cmd,
        (commands.get(cmd) ?? 0) | cap | permFlag |
          (table ? OperationFlags.HasPolicy : 0),
      );
      if (table) {
        const p = policy.get(cmd) ?? {};
        if (dump) p.dump = table;
        else p.do = table;
        policy.set(cmd, p);
      }
    }
  }

  function tableOf(op: Operation): PolicyTable | undefined {
    const given = options.policies?.[op.name];
    if (given !== undefined) return given;
    const set = opInfo(op).set;
    return set === null ? undefined : specTable(set);
  }

  function permissionOf(op: Operation): YnlPermission | undefined {
    const given = options.permissions?.[op.name];
    if (given !== undefined) return given ?? undefined;
    if (op.flags.includes("admin-perm")) return "admin-perm";
    if (op.flags.includes("uns-admin-perm")) return "uns-admin-perm";
    return undefined;
  }

  /** As genetlink does: `dont-validate` flags first, the options over them. */
  function validationOf(op: Operation, dump: boolean): YnlValidation {
    const v = options.validation;
    const given = typeof v === "string" ? v : v?.[op.name];
    if (given !== undefined) return given;
    const skip = op.dontValidate;
    if (dump && skip.includes("dump")) return "none";
    if (dump && skip.includes("dump-strict")) return "liberal";
    return skip.includes("strict") ? "liberal" : "strict";
  }

  const registered = kernel.registerFamily({
    name: family.name,
    version: family.version,
    headerSize,
    maxAttribute: options.maxAttribute ?? 0,
    operations: [...commands].map(([id, flags]) => ({ id, flags })),
    groups: family.groups.map((g) => g.name),
    policy,
    handler: (req, ctx) => serve(req, ctx),
  });

  const groupOf = (op: Operation, group: string | undefined): string => {
    const name = group ?? op.mcgrp ??
      (family.groups.length === 1 ? family.groups[0]!.name : undefined);
    if (name === undefined) {
      throw new TypeError(
        `Cannot notify ${op.name}: say which group of ${family.name} (${
          family.groups.map((g) => g.name).join(", ")
        })`,
      );
    }
    return name;
  };
  const notification = (
    opName: string,
    value: object,
    group: string | undefined,
  ): [string, GenlMessage] => {
    const op = family.operations.get(opName);
    if (op === undefined) {
      throw new TypeError(
        `Cannot notify: ${family.name} has no operation ${opName}`,
      );
    }
    const m = op.encodeReply(value as FamilyValue, {
      familyId: registered.id,
    });
    return [groupOf(op, group), {
      header: { command: m.data[0]!, version: m.data[1]! },
      data: m.data.subarray(GENL_HEADER_LENGTH),
    }];
  };

  function serve(
    req: GenlMessage,
    ctx: GenlRequestContext,
  ): GenlReply | Promise<GenlReply> {
    const dump = (ctx.message.header.flags & 0x300) === 0x300;
    const op = byRequest.get(`${dump ? "dump" : "do"}:${req.header.command}`);
    // The controller let the command through, so the operation exists.
    if (op === undefined) throw new KernelError(Errno.EOPNOTSUPP);
    const perm = permissionOf(op);
    if (perm !== undefined) {
      const p = options.privileged ?? true;
      if (!(typeof p === "function" ? p(ctx) : p)) {
        throw new KernelError(Errno.EPERM);
      }
    }
    const header = opInfo(op).header;
    if (req.data.length < header) throw new KernelError(Errno.EINVAL);
    const attrsAt = HEADER_LENGTH + GENL_HEADER_LENGTH + header;
    const validation = validationOf(op, dump);
    const table = tableOf(op);
    if (validation !== "none" && table !== undefined) {
      try {
        validateRequest(table, req.data.subarray(header), {
          strict: validation === "strict",
        });
      } catch (e) {
        throw policyFailure(e, attrsAt);
      }
    }
    let request: FamilyValue;
    try {
      request = op.decodeRequest(
        table === undefined ? ctx.message : asParsed(ctx.message, header, {
          table,
          set: opInfo(op).set,
        }),
      ) as FamilyValue;
    } catch {
      throw new KernelError(Errno.EINVAL);
    }
    const handler = handlers[op.name];
    if (handler === undefined) throw new KernelError(Errno.EOPNOTSUPP);
    const context: YnlRequestContext = {
      ...ctx,
      operation: op,
      dump,
      offsetOf: (path) => {
        const at = offsetOf(
          opInfo(op).set,
          ctx.message.data,
          GENL_HEADER_LENGTH + header,
          path,
        );
        return at === undefined ? undefined : HEADER_LENGTH + at;
      },
      notifyOp: (opName, value, group) => {
        const [g, m] = notification(opName, value, group);
        ctx.notifyGenl(g, [m]);
      },
    };
    const encode = (answer: YnlAnswer): GenlReply => {
      const values =
        (answer === undefined
          ? []
          : Array.isArray(answer)
          ? answer
          : [answer]) as FamilyValue[];
      const messages: Message[] = values.map((v) =>
        op.encodeReply(v, { dump, familyId: registered.id })
      );
      return dump ? { dump: messages } : messages;
    };
    const answer = handler(request, context);
    return answer instanceof Promise ? answer.then(encode) : encode(answer);
  }

  return {
    family: registered,
    notify: (opName, value, group) => {
      const [g, m] = notification(opName, value, group);
      const id = registered.groups.find((x) => x.name === g)?.id;
      if (id === undefined) {
        throw new TypeError(`Cannot notify: ${family.name} has no group ${g}`);
      }
      kernel.notify(NetlinkFamily.Generic, id, [{
        header: {
          length: 0,
          type: registered.id,
          flags: 0,
          sequence: 0,
          pid: 0,
        },
        data: new Uint8Array([
          m.header.command,
          m.header.version,
          0,
          0,
          ...m.data,
        ]),
      }]);
    },
  };
}

/** The rules of `nla_parse()` for a level of the spec: its policy table, multi-attrs and nests. */
function rulesOf(level: { table: PolicyTable; set: RtSet | null }): NlaRules {
  const { table, set } = level;
  return {
    table,
    multi: (type) => set?.byId[type]?.multi ?? false,
    inner: (type) => {
      const nested = table.get(type)?.nested;
      return nested === undefined
        ? undefined
        : rulesOf({ table: nested, set: set?.byId[type]?.nested ?? null });
    },
  };
}

/**
 * The request as the kernel's handler reads it: its attributes (after the
 * genl header and the family's fixed header) rewritten by
 * `parseAttributes`, so the generated codec decodes the last of repeated
 * attributes and reads longer integers from their first bytes, as Linux.
 */
function asParsed(
  m: Message,
  header: number,
  level: { table: PolicyTable; set: RtSet | null },
): Message {
  const start = GENL_HEADER_LENGTH + header;
  const { attributes } = parseAttributes(
    m.data,
    start,
    m.data.length,
    rulesOf(level),
  );
  const data = new Uint8Array(start + attributes.length);
  data.set(m.data.subarray(0, start));
  data.set(attributes, start);
  return { header: { ...m.header, length: 0 }, data };
}

/**
 * The offset of the attribute reached by `path` (spec keys; after a
 * multi-attr key, a number picks the occurrence; after an indexed-array
 * key, a number picks the element) inside `bytes`, whose attributes start
 * at `at`. Of a repeated attribute that is not a multi-attr the last one
 * counts, as `nla_parse()` keeps it; attributes are walked as
 * `nla_for_each_attr()` walks them.
 */
function offsetOf(
  set: RtSet | null,
  bytes: Uint8Array,
  at: number,
  path: readonly (string | number)[],
): number | undefined {
  /** The `n`th attribute (of `type`, when given), or the last when `n` is -1. */
  const find = (
    start: number,
    end: number,
    n: number,
    type?: number,
  ): { at: number; n: number; header: number } | undefined => {
    const all = walk(bytes, start, end).seen.filter((s) =>
      type === undefined || (s.raw & 0x3fff) === type
    );
    return n < 0 ? all.at(-1) : all[n];
  };
  let start = at;
  let end = bytes.length;
  let current = set;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const attr = typeof key === "string" ? current?.byKey.get(key) : undefined;
    if (attr === undefined) return undefined;
    let n = -1;
    if (attr.multi && typeof path[i + 1] === "number") {
      n = path[++i] as number;
    } else if (attr.multi) n = 0;
    let found = find(start, end, n, attr.id);
    if (found === undefined) return undefined;
    if (i === path.length - 1) return found.header;
    if (attr.kind === K.INDEXED) {
      const e = path[++i];
      if (typeof e !== "number") return undefined;
      found = find(found.at, found.at + found.n, e);
      if (found === undefined) return undefined;
      if (i === path.length - 1) return found.header;
    }
    start = found.at;
    end = found.at + found.n;
    current = attr.nested;
  }
  return undefined;
}
