/**
 * The runtime every generated family shares. Each kernel YNL spec has its
 * own module, `@nlkit/netlink/families/<spec-name>` (`rt-link`,
 * `rt-route`, `ethtool`, `nl80211`, ...), exporting its types, its
 * `family` and one {@linkcode Operation} per operation; this module holds
 * what they have in common: {@linkcode YnlFamily}, {@linkcode Operation}
 * and {@linkcode decode} for any message of a family.
 *
 * Values are plain objects, the fixed header's members and the attributes
 * side by side with camelCase keys: enum values as the spec's names,
 * flags as arrays of names, addresses as text, 64-bit integers as
 * `bigint`, repeated and indexed attributes as arrays. Attributes the spec
 * does not know are kept in `unknownAttributes`, so decoding and encoding
 * again gives the same bytes. The spec's `checks` refuse a bad request
 * with a `PolicyError` before anything is sent.
 *
 * @example Create a bridge, list links, decode a notification (simulated kernel)
 * ```ts
 * import { decode } from "@nlkit/netlink/families";
 * import { family, getlink, newlink } from "@nlkit/netlink/families/rt-link";
 * import { Family } from "@nlkit/netlink/netlink";
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using conn = new SimKernel().dial(Family.Route);
 * await newlink.do(conn, { ifname: "br0", linkinfo: { kind: "bridge" } }, { create: true, excl: true });
 * const names: string[] = [];
 * for await (const link of getlink.dump(conn, {})) names.push(link.ifname!);
 * assert.deepEqual(names, ["lo", "br0"]);
 *
 * const m = getlink.encodeReply({ ifiIndex: 2, ifname: "br0", linkinfo: { kind: "bridge" } });
 * assert.equal(decode(family, m)?.value.ifname, "br0");
 * ```
 *
 * @module
 */

export {
  decode,
  type Decoded,
  type DoOptions,
  type EncodeOptions,
  type FamilyValue,
  type McastGroup,
  Operation,
  type PayloadView,
  YnlFamily,
  type YnlProtocol,
} from "./family.ts";
export type {
  AttrDesc,
  AttrOptions,
  ChecksDesc,
  EnumTable,
  FamilyDesc,
  FastDecoder,
  FormatDesc,
  HintName,
  IntName,
  MemberDesc,
  MemberOptions,
  OpDesc,
  SetDesc,
  StructDesc,
  TypeName,
  ValueOptions,
} from "./_schema.ts";
export type { DecodeScope } from "./_codec.ts";
