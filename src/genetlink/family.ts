/**
 * Generic netlink family descriptions: the attributes of a
 * `CTRL_CMD_NEWFAMILY` message from the controller, decoded and encoded.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import {
  ControllerAttribute,
  MulticastGroupAttribute,
  OperationAttribute,
} from "./message.ts";

/**
 * One command a family implements (an entry of `CTRL_ATTR_OPS`).
 *
 * @example Which commands can dump
 * ```ts
 * import { decodeFamily, encodeFamily, type Operation, OperationFlags } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const operations: Operation[] = [{ id: 1, flags: OperationFlags.CanDo }, { id: 2, flags: OperationFlags.CanDump }];
 * const family = decodeFamily(encodeFamily({ id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 0, operations, groups: [] }));
 * const dumps = family.operations.filter((op) => op.flags & OperationFlags.CanDump).map((op) => op.id);
 * assert.deepEqual(dumps, [2]);
 * ```
 */
export interface Operation {
  /** `CTRL_ATTR_OP_ID`: the command number. */
  id: number;
  /** `CTRL_ATTR_OP_FLAGS`: a bit set of `OperationFlags` (`GENL_CMD_CAP_*`, `GENL_ADMIN_PERM`...). */
  flags: number;
}

/**
 * One multicast group of a family (an entry of `CTRL_ATTR_MCAST_GROUPS`).
 *
 * @example Join a group found by name
 * ```ts
 * import type { MulticastGroup } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const events: MulticastGroup = { id: 5, name: "events" };
 * await using conn = genltest.dial(genltest.serveFamily({ id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2, operations: [{ id: 1, flags: 0xa }], groups: [events] }, () => []));
 * const group = (await conn.getFamily("demo")).groups.find((g) => g.name === "events");
 * assert.deepEqual(group, events);
 * conn.joinGroup(group!.id);
 * ```
 */
export interface MulticastGroup {
  /** `CTRL_ATTR_MCAST_GRP_ID`: the group id, for `GenlConn.joinGroup`. */
  id: number;
  /** `CTRL_ATTR_MCAST_GRP_NAME`: the group name, such as `"notify"`. */
  name: string;
}

/**
 * A generic netlink family as the controller (`nlctrl`) describes it.
 *
 * @example Serve a family and look it up by id
 * ```ts
 * import type { Family } from "@nlkit/netlink/genetlink";
 * import { genltest } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * const demo: Family = { id: 0x20, name: "demo", version: 1, headerSize: 0, maxAttribute: 2, operations: [{ id: 1, flags: 0xa }], groups: [] };
 * await using conn = genltest.dial(genltest.serveFamily(demo, () => []));
 * assert.deepEqual(await conn.getFamily(0x20), demo);
 * ```
 */
export interface Family {
  /** `CTRL_ATTR_FAMILY_ID`: the netlink message type of the family's messages. */
  id: number;
  /** `CTRL_ATTR_FAMILY_NAME`: the family name, such as `"nl80211"`. */
  name: string;
  /** `CTRL_ATTR_VERSION`: the family's protocol version (0-255). */
  version: number;
  /** `CTRL_ATTR_HDRSIZE`: the size of the family header after `struct genlmsghdr`, in bytes. */
  headerSize: number;
  /** `CTRL_ATTR_MAXATTR`: the family's highest attribute type. */
  maxAttribute: number;
  /** `CTRL_ATTR_OPS`: the commands, in the kernel's order. */
  operations: Operation[];
  /** `CTRL_ATTR_MCAST_GROUPS`: the multicast groups, in the kernel's order. */
  groups: MulticastGroup[];
}

function decodeOperation(d: AttributeDecoder): Operation {
  const op: Operation = { id: 0, flags: 0 };
  while (d.next()) {
    switch (d.type) {
      case OperationAttribute.Id:
        op.id = d.uint32();
        break;
      case OperationAttribute.Flags:
        op.flags = d.uint32();
        break;
    }
  }
  return op;
}

function decodeGroup(d: AttributeDecoder): MulticastGroup {
  const group: MulticastGroup = { id: 0, name: "" };
  while (d.next()) {
    switch (d.type) {
      case MulticastGroupAttribute.Id:
        group.id = d.uint32();
        break;
      case MulticastGroupAttribute.Name:
        group.name = d.string();
        break;
    }
  }
  return group;
}

/**
 * Decodes a family description from the attributes of a
 * `CTRL_CMD_NEWFAMILY` message (the generic netlink payload after its
 * 4-byte header). Absent attributes leave their defaults (0, `""`, `[]`);
 * unknown ones are skipped.
 *
 * @param attributes The attribute bytes.
 * @returns The family.
 * @throws {RangeError} When an attribute is truncated or has the wrong
 * length, or the version is larger than 255.
 *
 * @example Decode what the controller says about itself
 * ```ts
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import { ControllerAttribute, decodeFamily } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const attrs = new AttributeEncoder()
 *   .uint16(ControllerAttribute.FamilyId, 0x10)
 *   .string(ControllerAttribute.FamilyName, "nlctrl")
 *   .uint32(ControllerAttribute.Version, 2)
 *   .encode();
 * const f = decodeFamily(attrs);
 * assert.equal(f.name, "nlctrl");
 * assert.equal(f.id, 0x10);
 * assert.deepEqual(f.groups, []);
 * ```
 */
export function decodeFamily(attributes: Uint8Array): Family {
  const f: Family = {
    id: 0,
    name: "",
    version: 0,
    headerSize: 0,
    maxAttribute: 0,
    operations: [],
    groups: [],
  };
  const d = new AttributeDecoder(attributes);
  while (d.next()) {
    switch (d.type) {
      case ControllerAttribute.FamilyId:
        f.id = d.uint16();
        break;
      case ControllerAttribute.FamilyName:
        f.name = d.string();
        break;
      case ControllerAttribute.Version: {
        const v = d.uint32();
        if (v > 255) {
          throw new RangeError(
            `Cannot decode family: version ${v} is larger than 255 at offset ${d.offset}`,
          );
        }
        f.version = v;
        break;
      }
      case ControllerAttribute.HeaderSize:
        f.headerSize = d.uint32();
        break;
      case ControllerAttribute.MaxAttribute:
        f.maxAttribute = d.uint32();
        break;
      case ControllerAttribute.Operations: {
        const ops = d.decoder();
        while (ops.next()) f.operations.push(decodeOperation(ops.decoder()));
        break;
      }
      case ControllerAttribute.MulticastGroups: {
        const groups = d.decoder();
        while (groups.next()) f.groups.push(decodeGroup(groups.decoder()));
        break;
      }
    }
  }
  return f;
}

/**
 * Encodes a family description as the kernel does in a
 * `CTRL_CMD_NEWFAMILY` message: name, id, version, header size, max
 * attribute, then operations and groups (each only when not empty) as
 * arrays indexed from 1, without `NLA_F_NESTED`, like `ctrl_fill_info()`.
 * Used by `genltest` to answer family lookups byte for byte like the kernel.
 *
 * @param f The family.
 * @returns The attribute bytes (the payload after the genl header).
 * @throws {RangeError} When a number does not fit its attribute.
 *
 * @example Round trip
 * ```ts
 * import { decodeFamily, encodeFamily, type Family } from "@nlkit/netlink/genetlink";
 * import assert from "node:assert/strict";
 *
 * const f: Family = {
 *   id: 0x15, name: "ethtool", version: 1, headerSize: 0, maxAttribute: 0,
 *   operations: [{ id: 1, flags: 0xe }], groups: [{ id: 6, name: "monitor" }],
 * };
 * assert.deepEqual(decodeFamily(encodeFamily(f)), f);
 * ```
 */
export function encodeFamily(f: Family): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder()
    .string(ControllerAttribute.FamilyName, f.name)
    .uint16(ControllerAttribute.FamilyId, f.id)
    .uint32(ControllerAttribute.Version, f.version)
    .uint32(ControllerAttribute.HeaderSize, f.headerSize)
    .uint32(ControllerAttribute.MaxAttribute, f.maxAttribute);
  if (f.operations.length > 0) {
    const ops = new AttributeEncoder();
    f.operations.forEach((op, i) => {
      ops.bytes(
        i + 1,
        new AttributeEncoder()
          .uint32(OperationAttribute.Id, op.id)
          .uint32(OperationAttribute.Flags, op.flags)
          .encode(),
      );
    });
    e.bytes(ControllerAttribute.Operations, ops.encode());
  }
  if (f.groups.length > 0) {
    const groups = new AttributeEncoder();
    f.groups.forEach((g, i) => {
      groups.bytes(
        i + 1,
        new AttributeEncoder()
          .uint32(MulticastGroupAttribute.Id, g.id)
          .string(MulticastGroupAttribute.Name, g.name)
          .encode(),
      );
    });
    e.bytes(ControllerAttribute.MulticastGroups, groups.encode());
  }
  return e.encode();
}
