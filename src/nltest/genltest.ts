/**
 * genltest: a simulated generic netlink kernel for tests, in the shape of
 * mdlayher's `genltest`. A {@linkcode GenlKernel} is a function from one
 * decoded request to its replies; {@linkcode dial} runs a real
 * {@linkcode GenlConn} over it; {@linkcode serveFamily} adds the controller
 * (`nlctrl`: family lookups by name and id, the family list, policy dumps)
 * and {@linkcode checkRequest} asserts what was sent.
 *
 * Replies are stamped like the kernel's: type = the request's family id,
 * the request's sequence and port id; a dump request gets a multipart
 * reply ending in `NLMSG_DONE`; a request with `Acknowledge` gets an ACK
 * after its replies (added by nltest's `dial`). Throw an error with a
 * numeric `errno` (such as `KernelError`) to answer with `NLMSG_ERROR` and
 * its extended ACK.
 *
 * @example Compose a test kernel
 * ```ts
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const family = {
 *   id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 1,
 *   operations: [{ id: 1, flags: 0x6 }], groups: [],
 * };
 * await using conn = genltest.dial(
 *   genltest.serveFamily(family,
 *     genltest.checkRequest(family.id, 1, HeaderFlags.Request | HeaderFlags.Dump,
 *       () => [{ header: { command: 1, version: 1 }, data: new Uint8Array([4, 0, 1, 0]) }])),
 * );
 * const f = await conn.getFamily("demo");
 * const replies = await Array.fromAsync(conn.dump({ header: { command: 1, version: 1 }, data: new Uint8Array() }, f.id));
 * assert.equal(replies.length, 1);
 * ```
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import { HEADER_LENGTH, HeaderFlags, HeaderType } from "../netlink/header.ts";
import { formatFlags, type Message } from "../netlink/message.ts";
import type { ConnOptions } from "../netlink/options.ts";
import type { Family } from "../genetlink/family.ts";
import {
  decodeGenlMessage,
  encodeGenlMessage,
  GENL_HEADER_LENGTH,
  GENL_ID_CTRL,
  type GenlMessage,
} from "../genetlink/message.ts";
import {
  type OperationPolicy,
  type PolicyTable,
  validateRequest,
} from "../genetlink/policy.ts";
import { GenlConn, type GenlOptions } from "../genetlink/conn.ts";
import { dial as nltestDial, notify as nltestNotify } from "./dial.ts";
import { error } from "./error.ts";
import { UnexpectedRequestError } from "./unexpected_request.ts";
import {
  answerController,
  NLCTRL,
  NLCTRL_FAMILY,
  policyFailure,
} from "./_nlctrl.ts";

/**
 * A simulated generic netlink kernel: gets one request, decoded, and the
 * netlink message it came in; returns the replies. Generic netlink replies
 * are wrapped in netlink messages stamped like the kernel's; netlink
 * messages (such as `nltest.error(...)`) are passed through, with sequence
 * and port id filled in when 0. Throw an error with a numeric `errno` (and
 * optional `extAck`), such as `KernelError`, to answer with `NLMSG_ERROR`.
 *
 * @example Answer command 1, refuse the others with EOPNOTSUPP
 * ```ts
 * import { Errno, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { genltest, KernelError } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const kernel: genltest.GenlKernel = (request) => {
 *   if (request.header.command !== 1) throw new KernelError(Errno.EOPNOTSUPP);
 *   return [{ header: { command: 1, version: 1 }, data: request.data }];
 * };
 * await using conn = genltest.dial(kernel);
 * const ask = (command: number) => conn.execute({ header: { command, version: 1 }, data: new Uint8Array([9]) }, 0x20, HeaderFlags.Request);
 * const [reply] = await ask(1);
 * assert.deepEqual([...reply!.data], [9]);
 * await assert.rejects(ask(2), { code: "EOPNOTSUPP" });
 * ```
 */
export type GenlKernel = (
  request: GenlMessage,
  message: Message,
) => (GenlMessage | Message)[] | Promise<(GenlMessage | Message)[]>;

/**
 * A family served by {@linkcode serveFamily}: its description and, optionally, its attribute policy.
 *
 * @example A family with a policy: requests are validated against it
 * ```ts
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { PolicyError, PolicyType } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const demo: genltest.ServedFamily = {
 *   id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 1,
 *   operations: [{ id: 1, flags: 0xa }], groups: [],
 *   policy: new Map([[1, { do: new Map([[1, { type: PolicyType.U32 }]]) }]]), // attribute 1: u32
 * };
 * await using conn = genltest.dial(genltest.serveFamily(demo, () => []), { validate: true });
 * const send = (e: AttributeEncoder) => conn.execute({ header: { command: 1, version: 1 }, data: e.encode() }, demo.id, HeaderFlags.Request | HeaderFlags.Acknowledge);
 * assert.deepEqual(await send(new AttributeEncoder().uint32(1, 7)), []);
 * await assert.rejects(send(new AttributeEncoder().uint8(1, 7)), PolicyError);
 * ```
 */
export interface ServedFamily extends Family {
  /** Command number to the tables of its handlers, answered to `CTRL_CMD_GETPOLICY`. */
  policy?: ReadonlyMap<number, OperationPolicy>;
}

/**
 * Options for {@linkcode dial}: request checking and connection options applied to the simulated socket.
 *
 * @example Choose the port id and turn off extended ACKs
 * ```ts
 * import { ConnOption } from "@nlkit/netlink/netlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const options: genltest.DialOptions = { pid: 77, extendedAck: false };
 * await using conn = genltest.dial(() => [], options);
 * assert.equal(conn.conn.pid, 77);
 * assert.equal(conn.conn.getOption(ConnOption.ExtendedAcknowledge), false);
 * ```
 */
export interface DialOptions extends GenlOptions, ConnOptions {}

function isNetlinkMessage(m: GenlMessage | Message): m is Message {
  return "type" in m.header;
}

function errnoOf(
  e: unknown,
): { errno: number; extAck?: ExtendedAck } | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const x = e as { errno?: unknown; extAck?: unknown };
  if (typeof x.errno !== "number" || x.errno <= 0) return undefined;
  return typeof x.extAck === "object" && x.extAck !== null
    ? { errno: x.errno, extAck: x.extAck as ExtendedAck }
    : { errno: x.errno };
}

function isDump(flags: number): boolean {
  return (flags & HeaderFlags.Dump) === HeaderFlags.Dump;
}

function stamp(
  req: Message,
  replies: readonly (GenlMessage | Message)[],
): Message[] {
  const h = req.header;
  const out: Message[] = [];
  let raw = false;
  for (const r of replies) {
    if (isNetlinkMessage(r)) {
      raw = true;
      out.push(r);
    } else {
      out.push({
        header: {
          length: 0,
          type: h.type,
          flags: 0,
          sequence: h.sequence,
          pid: h.pid,
        },
        data: encodeGenlMessage(r),
      });
    }
  }
  // A dump is answered with a multipart reply ending in NLMSG_DONE (nltest
  // adds the ACK of other requests that asked for one).
  if (!raw && isDump(h.flags)) {
    for (const m of out) m.header.flags |= HeaderFlags.Multi;
    out.push({
      header: {
        length: 0,
        type: HeaderType.Done,
        flags: HeaderFlags.Multi,
        sequence: h.sequence,
        pid: h.pid,
      },
      data: new Uint8Array(4),
    });
  }
  return out;
}

function failure(req: Message, e: unknown): Message[] {
  const k = errnoOf(e);
  if (k === undefined) throw e;
  return error(k.errno, req, k.extAck);
}

/** Answers one request: synchronously when the genl kernel does, as Linux answers before `send` returns. */
function answer(
  kernel: GenlKernel,
  req: Message,
): Message[] | Promise<Message[]> {
  let g: GenlMessage;
  try {
    g = decodeGenlMessage(req.data);
  } catch {
    return error(Errno.EINVAL, req);
  }
  let replies: ReturnType<GenlKernel>;
  try {
    replies = kernel(g, req);
  } catch (e) {
    return failure(req, e);
  }
  if (replies instanceof Promise) {
    return replies.then((r) => stamp(req, r), (e: unknown) => failure(req, e));
  }
  return stamp(req, replies);
}

/**
 * Opens a {@linkcode GenlConn} over a simulated generic netlink kernel:
 * the real `Conn` code runs over nltest's in-memory socket, so requests are
 * encoded, sequence-numbered and validated exactly as against the kernel.
 *
 * @param kernel Answers each request.
 * @param options Request checking (`validate`) and connection options.
 * @returns The connection.
 *
 * @example Using dial
 * ```ts
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial((req) => [{ header: req.header, data: new Uint8Array([7, 0, 0, 0]) }]);
 * const [reply] = await conn.execute({ header: { command: 3, version: 1 }, data: new Uint8Array() }, 0x20, HeaderFlags.Request);
 * assert.equal(reply!.header.command, 3);
 * ```
 */
export function dial(kernel: GenlKernel, options: DialOptions = {}): GenlConn {
  const { validate, ...connOptions } = options;
  const conn = nltestDial((requests) => {
    const answers = requests.map((req) => answer(kernel, req));
    if (answers.some((a) => a instanceof Promise)) {
      return Promise.all(answers).then((a) => a.flat());
    }
    return (answers as Message[][]).flat();
  }, connOptions);
  return GenlConn.from(conn, validate === undefined ? {} : { validate });
}

/**
 * Pushes multicast generic netlink messages of a family to a connection,
 * as the kernel does for a group it joined.
 *
 * @param conn The connection (from {@linkcode dial}).
 * @param group The multicast group id.
 * @param familyId The family id (netlink message type).
 * @param messages The notifications.
 * @returns True when delivered, false when `conn` is not in `group`.
 *
 * @example Using notify
 * ```ts
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(() => []);
 * conn.joinGroup(7);
 * genltest.notify(conn, 7, 0x20, [{ header: { command: 2, version: 1 }, data: new Uint8Array() }]);
 * for await (const n of conn.notifications()) {
 *   assert.equal(n.header.command, 2);
 *   break;
 * }
 * ```
 */
export function notify(
  conn: GenlConn,
  group: number,
  familyId: number,
  messages: readonly GenlMessage[],
): boolean {
  return nltestNotify(
    conn.conn,
    group,
    messages.map((m) => ({
      header: { length: 0, type: familyId, flags: 0, sequence: 0, pid: 0 },
      data: encodeGenlMessage(m),
    })),
  );
}

export { NLCTRL_FAMILY };

/**
 * Serves the generic netlink controller (`nlctrl`, family id 0x10) for
 * one or more families, and passes every other request to `kernel`:
 *
 * - `CTRL_CMD_GETFAMILY` by name or id (a name wins over an id, as in the
 *   kernel): the family as the kernel encodes it; an unknown family:
 *   ENOENT, with no extended ACK text, exactly as Linux answers; neither
 *   name nor id: EINVAL.
 * - `CTRL_CMD_GETFAMILY` dump: `nlctrl` then the served families, multipart
 *   (attributes are ignored, as by Linux).
 * - `CTRL_CMD_GETPOLICY` dump, for a family that declares `policy` (and
 *   for `nlctrl` itself), by id or name (an id wins over a name, as in the
 *   kernel): the kernel's policy dump, for all commands or the one in
 *   `CTRL_ATTR_OP`; an unknown command: ENOENT with the attribute's offset
 *   in the extended ACK; no policy: ENODATA; neither id nor name: EINVAL;
 *   as a do request: EOPNOTSUPP.
 *
 * The controller is the same one `SimKernel` runs; its answers are checked
 * against Linux by an integration test. Other controller commands go to
 * `kernel` (to simulate, say, a `CTRL_CMD_NEWFAMILY` reply of your own).
 *
 * @param families The family or families to serve.
 * @param kernel Answers everything else.
 * @returns The combined kernel.
 *
 * @example Look up by name and by id, list, and miss
 * ```ts
 * import { isNotExist } from "@nlkit/netlink/netlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const demo = { id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 0, operations: [], groups: [] };
 * await using conn = genltest.dial(genltest.serveFamily(demo, () => []));
 * assert.deepEqual(await conn.getFamily("demo"), demo);
 * assert.deepEqual(await conn.getFamily(0x20), demo);
 * assert.deepEqual((await conn.listFamilies()).map((f) => f.id), [0x10, 0x20]);
 * await assert.rejects(conn.getFamily("nope"), (e) => isNotExist(e));
 * ```
 */
export function serveFamily(
  families: ServedFamily | readonly ServedFamily[],
  kernel: GenlKernel,
): GenlKernel {
  const served: ServedFamily[] = [
    NLCTRL,
    ...(Array.isArray(families) ? families : [families as ServedFamily]),
  ];
  return (g, req) => {
    if (req.header.type !== GENL_ID_CTRL) return kernel(g, req);
    const answer = answerController(served, g, isDump(req.header.flags));
    if (answer === undefined) return kernel(g, req);
    // The dump's multipart framing is added by stamp().
    return Array.isArray(answer) ? answer : answer.dump;
  };
}

/**
 * Checks each request's family id, command and flags before calling
 * `kernel`; a value of 0 skips that check. A mismatch throws, which fails
 * the waiting call on the connection with that error.
 *
 * @param familyId The expected family id (netlink message type), or 0.
 * @param command The expected generic netlink command, or 0.
 * @param flags The expected netlink flags (compared exactly), or 0.
 * @param kernel Answers requests that pass.
 * @returns The checking kernel.
 *
 * @example A wrong command fails the call
 * ```ts
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(genltest.checkRequest(0x20, 1, HeaderFlags.Request, () => []));
 * await assert.rejects(
 *   conn.execute({ header: { command: 2, version: 1 }, data: new Uint8Array() }, 0x20, HeaderFlags.Request),
 *   /command 2, want 1/,
 * );
 * ```
 */
export function checkRequest(
  familyId: number,
  command: number,
  flags: number,
  kernel: GenlKernel,
): GenlKernel {
  return (g, req) => {
    const h = req.header;
    if (familyId !== 0 && h.type !== familyId) {
      throw new UnexpectedRequestError(
        `Cannot check request: family id ${h.type}, want ${familyId}`,
      );
    }
    if (command !== 0 && g.header.command !== command) {
      throw new UnexpectedRequestError(
        `Cannot check request: command ${g.header.command}, want ${command}`,
      );
    }
    if (flags !== 0 && h.flags !== flags) {
      throw new UnexpectedRequestError(
        `Cannot check request: flags ${formatFlags(h.flags, h.type)}, want ${
          formatFlags(flags, h.type)
        }`,
      );
    }
    return kernel(g, req);
  };
}

/**
 * Checks a request against a policy table the way the kernel does before
 * calling `kernel` (strict validation), answering as Linux does when it
 * breaks it: EINVAL or ERANGE with the kernel's extended ACK text (such as
 * "integer out of range"), the attribute's offset and the policy broken.
 * Useful to test code that builds requests without a real kernel.
 *
 * @param table The policy of the command (`policyFor(policy, command, dump)`).
 * @param kernel Answers requests that pass.
 * @returns The checking kernel.
 *
 * @example Using checkPolicy
 * ```ts
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { PolicyType } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const table = new Map([[1, { type: PolicyType.U8, minValue: 1n, maxValue: 3n }]]);
 * await using conn = genltest.dial(genltest.checkPolicy(table, () => []));
 * await assert.rejects(
 *   conn.execute({ header: { command: 1, version: 1 }, data: new AttributeEncoder().uint8(1, 9).encode() }, 0x20, HeaderFlags.Request),
 *   (e: Error & { code?: string }) => e.code === "ERANGE" && /integer out of range/.test(e.message),
 * );
 * ```
 */
export function checkPolicy(
  table: PolicyTable,
  kernel: GenlKernel,
): GenlKernel {
  return (g, req) => {
    try {
      validateRequest(table, g.data);
    } catch (e) {
      throw policyFailure(e, HEADER_LENGTH + GENL_HEADER_LENGTH);
    }
    return kernel(g, req);
  };
}
