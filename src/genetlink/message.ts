/**
 * Generic netlink message codec and controller constants from
 * `linux/genetlink.h`: the 4-byte `struct genlmsghdr` in front of a generic
 * netlink payload, and the numbers of the `nlctrl` family.
 *
 * @module
 */

/**
 * `GENL_HDRLEN`: the size of `struct genlmsghdr` in bytes (already aligned).
 *
 * @example The attributes start after the generic header
 * ```ts
 * import { encodeGenlMessage, GENL_HEADER_LENGTH } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeGenlMessage({ header: { command: 1, version: 1 }, data: new Uint8Array([8, 0, 1, 0, 42, 0, 0, 0]) });
 * assert.equal(b.length, GENL_HEADER_LENGTH + 8);
 * assert.equal(b[GENL_HEADER_LENGTH], 8); // nla_len of the first attribute
 * ```
 */
export const GENL_HEADER_LENGTH = 4;

/**
 * `GENL_NAMSIZ`: the size of a family name buffer, NUL included (names have at most 15 characters).
 *
 * @example The longest family name
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, GENL_NAME_SIZE } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const name = "x".repeat(GENL_NAME_SIZE - 1); // 15 characters and the NUL
 * const b = new AttributeEncoder().string(ControllerAttribute.FamilyName, name).encode();
 * assert.equal(b.length, 4 + GENL_NAME_SIZE);
 * ```
 */
export const GENL_NAME_SIZE = 16;

/**
 * `GENL_ID_CTRL` (`NLMSG_MIN_TYPE`): the fixed family id of the generic netlink controller, `nlctrl`.
 *
 * @example The controller's id is fixed
 * ```ts
 * import { GENL_ID_CTRL } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(genltest.serveFamily([], () => [])); // serves nlctrl only
 * assert.equal((await conn.getFamily("nlctrl")).id, GENL_ID_CTRL);
 * ```
 */
export const GENL_ID_CTRL = 0x10;

/**
 * `GENL_MAX_ID`: the highest family id the kernel assigns.
 *
 * @example Family ids lie between the controller's and GENL_MAX_ID
 * ```ts
 * import { GENL_ID_CTRL, GENL_MAX_ID } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(genltest.serveFamily({ id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2, operations: [{ id: 1, flags: 0xa }], groups: [] }, () => []));
 * const ids = (await conn.listFamilies()).map((f) => f.id);
 * assert.ok(ids.length > 0 && ids.every((id) => id >= GENL_ID_CTRL && id <= GENL_MAX_ID));
 * ```
 */
export const GENL_MAX_ID = 1023;

/**
 * Controller commands (`CTRL_CMD_*` in `linux/genetlink.h`), sent to family {@linkcode GENL_ID_CTRL}.
 *
 * @example Ask the controller by hand
 * ```ts
 * import { AttributeEncoder, HeaderFlags } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, ControllerCommand, decodeFamily, GENL_ID_CTRL } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(genltest.serveFamily([], () => [])); // serves nlctrl only
 * const data = new AttributeEncoder().string(ControllerAttribute.FamilyName, "nlctrl").encode();
 * const [reply] = await conn.execute({ header: { command: ControllerCommand.GetFamily, version: 2 }, data }, GENL_ID_CTRL, HeaderFlags.Request);
 * assert.equal(reply!.header.command, ControllerCommand.NewFamily);
 * assert.equal(decodeFamily(reply!.data).name, "nlctrl");
 * ```
 */
export const ControllerCommand = {
  /** `CTRL_CMD_UNSPEC`: unused. */
  Unspec: 0,
  /** `CTRL_CMD_NEWFAMILY`: a family description (the reply to `GetFamily`, and a notification). */
  NewFamily: 1,
  /** `CTRL_CMD_DELFAMILY`: a family was unregistered (notification). */
  DelFamily: 2,
  /** `CTRL_CMD_GETFAMILY`: look a family up by name or id, or dump them all. */
  GetFamily: 3,
  /** `CTRL_CMD_NEWOPS`: unused by the kernel. */
  NewOps: 4,
  /** `CTRL_CMD_DELOPS`: unused by the kernel. */
  DelOps: 5,
  /** `CTRL_CMD_GETOPS`: unused by the kernel. */
  GetOps: 6,
  /** `CTRL_CMD_NEWMCAST_GRP`: a multicast group was registered (notification). */
  NewMulticastGroup: 7,
  /** `CTRL_CMD_DELMCAST_GRP`: a multicast group was unregistered (notification). */
  DelMulticastGroup: 8,
  /** `CTRL_CMD_GETMCAST_GRP`: unused by the kernel. */
  GetMulticastGroup: 9,
  /** `CTRL_CMD_GETPOLICY`: dump the attribute policies of a family's operations. */
  GetPolicy: 10,
} as const;

/**
 * Controller attributes (`CTRL_ATTR_*` in `linux/genetlink.h`).
 *
 * @example Decode a family description
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, decodeFamily } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder()
 *   .uint16(ControllerAttribute.FamilyId, 0x15)
 *   .string(ControllerAttribute.FamilyName, "ethtool")
 *   .uint32(ControllerAttribute.MaxAttribute, 6)
 *   .encode();
 * const f = decodeFamily(data);
 * assert.deepEqual([f.id, f.name, f.maxAttribute], [0x15, "ethtool", 6]);
 * ```
 */
export const ControllerAttribute = {
  /** `CTRL_ATTR_UNSPEC`: unused. */
  Unspec: 0,
  /** `CTRL_ATTR_FAMILY_ID`: the family id (u16). */
  FamilyId: 1,
  /** `CTRL_ATTR_FAMILY_NAME`: the family name (NUL-terminated string, at most 15 characters). */
  FamilyName: 2,
  /** `CTRL_ATTR_VERSION`: the family's protocol version (u32). */
  Version: 3,
  /** `CTRL_ATTR_HDRSIZE`: the size of the family's own header after `struct genlmsghdr` (u32). */
  HeaderSize: 4,
  /** `CTRL_ATTR_MAXATTR`: the family's highest attribute type (u32). */
  MaxAttribute: 5,
  /** `CTRL_ATTR_OPS`: nested array of operations ({@linkcode OperationAttribute}). */
  Operations: 6,
  /** `CTRL_ATTR_MCAST_GROUPS`: nested array of multicast groups ({@linkcode MulticastGroupAttribute}). */
  MulticastGroups: 7,
  /** `CTRL_ATTR_POLICY`: nested policy tables, by index then attribute type (`GetPolicy` replies). */
  Policy: 8,
  /** `CTRL_ATTR_OP_POLICY`: nested, by command, the policy indexes of its do and dump handlers ({@linkcode OperationPolicyAttribute}). */
  OperationPolicy: 9,
  /** `CTRL_ATTR_OP`: the command to dump the policy of (u32, `GetPolicy` requests). */
  Operation: 10,
} as const;

/**
 * Attributes of one operation inside `CTRL_ATTR_OPS` (`CTRL_ATTR_OP_*` in `linux/genetlink.h`).
 *
 * @example One entry of CTRL_ATTR_OPS
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, decodeFamily, OperationAttribute, OperationFlags } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().nested(ControllerAttribute.Operations, (ops) =>
 *   ops.nested(1, (op) => op.uint32(OperationAttribute.Id, 3).uint32(OperationAttribute.Flags, OperationFlags.CanDump))
 * ).encode();
 * assert.deepEqual(decodeFamily(data).operations, [{ id: 3, flags: OperationFlags.CanDump }]);
 * ```
 */
export const OperationAttribute = {
  /** `CTRL_ATTR_OP_UNSPEC`: unused. */
  Unspec: 0,
  /** `CTRL_ATTR_OP_ID`: the command number (u32). */
  Id: 1,
  /** `CTRL_ATTR_OP_FLAGS`: the operation's {@linkcode OperationFlags} (u32). */
  Flags: 2,
} as const;

/**
 * Attributes of one multicast group inside `CTRL_ATTR_MCAST_GROUPS` (`CTRL_ATTR_MCAST_GRP_*` in `linux/genetlink.h`).
 *
 * @example One entry of CTRL_ATTR_MCAST_GROUPS
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, decodeFamily, MulticastGroupAttribute } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().nested(ControllerAttribute.MulticastGroups, (groups) =>
 *   groups.nested(1, (g) => g.string(MulticastGroupAttribute.Name, "config").uint32(MulticastGroupAttribute.Id, 4))
 * ).encode();
 * assert.deepEqual(decodeFamily(data).groups, [{ id: 4, name: "config" }]);
 * ```
 */
export const MulticastGroupAttribute = {
  /** `CTRL_ATTR_MCAST_GRP_UNSPEC`: unused. */
  Unspec: 0,
  /** `CTRL_ATTR_MCAST_GRP_NAME`: the group name (string). */
  Name: 1,
  /** `CTRL_ATTR_MCAST_GRP_ID`: the group id to join (u32). */
  Id: 2,
} as const;

/**
 * Attributes of one command inside `CTRL_ATTR_OP_POLICY` (`CTRL_ATTR_POLICY_*` in `linux/genetlink.h`).
 *
 * @example Find the policy index of a command's do handler
 * ```ts
 * import { AttributeDecoder } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, encodePolicy, OperationPolicyAttribute, PolicyType } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const [first] = encodePolicy(0x20, new Map([[7, { do: new Map([[1, { type: PolicyType.Flag }]]) }]]));
 * const d = new AttributeDecoder(first!.data);
 * while (d.next() && d.type !== ControllerAttribute.OperationPolicy);
 * const command = d.decoder();
 * assert.ok(command.next() && command.type === 7);
 * const index = command.decoder();
 * assert.ok(index.next() && index.type === OperationPolicyAttribute.Do);
 * assert.equal(index.uint32(), 0); // table 0
 * ```
 */
export const OperationPolicyAttribute = {
  /** `CTRL_ATTR_POLICY_UNSPEC`: unused. */
  Unspec: 0,
  /** `CTRL_ATTR_POLICY_DO`: index of the policy of the do (single request) handler (u32). */
  Do: 1,
  /** `CTRL_ATTR_POLICY_DUMP`: index of the policy of the dump handler (u32). */
  Dump: 2,
} as const;

/**
 * Capabilities of a family operation (`GENL_*` flags in `linux/genetlink.h`), in `CTRL_ATTR_OP_FLAGS`.
 *
 * @example What the controller's own commands can do
 * ```ts
 * import { ControllerCommand, OperationFlags } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = genltest.dial(genltest.serveFamily([], () => [])); // serves nlctrl only
 * const { operations } = await conn.getFamily("nlctrl");
 * const getPolicy = operations.find((op) => op.id === ControllerCommand.GetPolicy)!;
 * assert.ok(getPolicy.flags & OperationFlags.CanDump);
 * assert.equal(getPolicy.flags & OperationFlags.CanDo, 0);
 * ```
 */
export const OperationFlags = {
  /** `GENL_ADMIN_PERM`: needs `CAP_NET_ADMIN` in the initial user namespace. */
  AdminPerm: 0x01,
  /** `GENL_CMD_CAP_DO`: has a do (single request) handler. */
  CanDo: 0x02,
  /** `GENL_CMD_CAP_DUMP`: has a dump handler. */
  CanDump: 0x04,
  /** `GENL_CMD_CAP_HASPOL`: has an attribute policy (see `GenlConn.getPolicy`). */
  HasPolicy: 0x08,
  /** `GENL_UNS_ADMIN_PERM`: needs `CAP_NET_ADMIN` in the netns's user namespace. */
  UnsAdminPerm: 0x10,
} as const;

/**
 * The generic netlink header (`struct genlmsghdr` in `linux/genetlink.h`), without its reserved bytes.
 *
 * @example The four header bytes
 * ```ts
 * import { ControllerCommand, encodeGenlMessage, type GenlHeader } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const header: GenlHeader = { command: ControllerCommand.GetFamily, version: 2 };
 * assert.deepEqual([...encodeGenlMessage({ header, data: new Uint8Array(0) })], [3, 2, 0, 0]);
 * ```
 */
export interface GenlHeader {
  /** `cmd`: the family-specific command (0-255). */
  command: number;
  /** `version`: the family's protocol version (0-255). */
  version: number;
}

/**
 * A generic netlink message: the payload of a netlink message whose type is a family id.
 *
 * @example Round-trip a message with attributes
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { decodeGenlMessage, encodeGenlMessage, type GenlMessage } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const m: GenlMessage = { header: { command: 1, version: 1 }, data: new AttributeEncoder().uint32(1, 42).encode() };
 * assert.deepEqual(decodeGenlMessage(encodeGenlMessage(m)), m);
 * ```
 */
export interface GenlMessage {
  /** The `struct genlmsghdr`. */
  header: GenlHeader;
  /** Everything after the 4-byte header: usually attributes. */
  data: Uint8Array;
}

function checkByte(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) {
    throw new RangeError(
      `Cannot encode generic netlink message: ${what} ${v} is not a u8`,
    );
  }
}

/**
 * Encodes a generic netlink message: `[command, version, 0, 0]` followed by
 * the data.
 *
 * @param m The message.
 * @returns The payload of a netlink message, `4 + m.data.length` bytes.
 * @throws {RangeError} When the command or version is not a u8.
 *
 * @example Encode a controller request
 * ```ts
 * import { ControllerCommand, encodeGenlMessage } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const b = encodeGenlMessage({
 *   header: { command: ControllerCommand.GetFamily, version: 1 },
 *   data: new Uint8Array([0xaa]),
 * });
 * assert.deepEqual([...b], [3, 1, 0, 0, 0xaa]);
 * ```
 */
export function encodeGenlMessage(m: GenlMessage): Uint8Array<ArrayBuffer> {
  checkByte("command", m.header.command);
  checkByte("version", m.header.version);
  const out = new Uint8Array(GENL_HEADER_LENGTH + m.data.length);
  out[0] = m.header.command;
  out[1] = m.header.version;
  out.set(m.data, GENL_HEADER_LENGTH);
  return out;
}

/**
 * Decodes a generic netlink message from the payload of a netlink message.
 * The returned `data` is a view of `b` (no copy).
 *
 * @param b The netlink message payload.
 * @returns The decoded message.
 * @throws {RangeError} When `b` is shorter than 4 bytes or a reserved byte is not zero.
 *
 * @example Decode a message
 * ```ts
 * import { decodeGenlMessage } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const m = decodeGenlMessage(new Uint8Array([1, 2, 0, 0, 3, 4]));
 * assert.deepEqual(m.header, { command: 1, version: 2 });
 * assert.deepEqual([...m.data], [3, 4]);
 * assert.throws(() => decodeGenlMessage(new Uint8Array([1, 2, 1, 0])), RangeError);
 * ```
 */
export function decodeGenlMessage(b: Uint8Array): GenlMessage {
  if (b.length < GENL_HEADER_LENGTH) {
    throw new RangeError(
      `Cannot decode generic netlink message: ${b.length} bytes is shorter than the 4-byte header at offset 0`,
    );
  }
  if (b[2] !== 0 || b[3] !== 0) {
    const offset = b[2] !== 0 ? 2 : 3;
    throw new RangeError(
      `Cannot decode generic netlink message: reserved header byte is ${
        b[offset]
      }, not 0 at offset ${offset}`,
    );
  }
  return {
    header: { command: b[0]!, version: b[1]! },
    data: b.subarray(GENL_HEADER_LENGTH),
  };
}
