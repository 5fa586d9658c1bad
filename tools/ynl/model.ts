/**
 * The generator's typed model of one spec, after resolving and checking
 * (step 2, `resolve.ts`): every reference points at its object, every
 * value is numbered, every name is mapped (DESIGN §6). The emitters (step
 * 3, `emit.ts`) read only this.
 *
 * @module
 */

/** Fixed-width and variable-width integer types. */
export type IntType =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "uint"
  | "sint";

/** Every attribute type of the three meta-schemas. */
export type AttrType =
  | IntType
  | "unused"
  | "pad"
  | "flag"
  | "binary"
  | "bitfield32"
  | "string"
  | "nest"
  | "indexed-array"
  | "nest-type-value"
  | "sub-message";

/** `display-hint` values. */
export type Hint =
  | "hex"
  | "mac"
  | "fddi"
  | "ipv4"
  | "ipv6"
  | "ipv4-or-v6"
  | "uuid";

/** The spec's own words for a declaration: its `doc:` text, if any. */
export interface Documented {
  doc?: string;
  /** Where it is in the spec file, such as `attribute-sets[link-attrs].attributes[mtu]`. */
  path: string;
}

/** One `enum` or `flags` entry. */
export interface EnumEntry extends Documented {
  name: string;
  /** The value on the wire: the number for an enum, the mask (`1 << bit`) for flags. */
  value: number;
}

/** A `definitions` entry of type `enum` or `flags`. */
export interface EnumModel extends Documented {
  name: string;
  tsName: string;
  kind: "enum" | "flags";
  entries: EnumEntry[];
}

/** A `definitions` entry of type `const`. */
export interface ConstModel extends Documented {
  name: string;
  tsName: string;
  value: number | string;
}

/** A struct member (fixed-header or struct-typed binary). */
export interface MemberModel extends Documented {
  name: string;
  /** The member's key in decoded values (camelCase, renamed when it meets an attribute of the same name). */
  key: string;
  type: IntType | "string" | "binary" | "pad";
  /** Byte offset inside the struct. */
  offset: number;
  /** Size in bytes. */
  size: number;
  bigEndian: boolean;
  enum?: EnumModel;
  asFlags: boolean;
  hint?: Hint;
  struct?: StructModel;
}

/** A `definitions` entry of type `struct`. */
export interface StructModel extends Documented {
  name: string;
  tsName: string;
  members: MemberModel[];
  /** Size in bytes, C layout (natural alignment, trailing padding). */
  size: number;
  /** Alignment in bytes (its largest member's). */
  align: number;
}

/** Validation rules (`checks`), resolved to numbers. */
export interface ChecksModel {
  min?: bigint;
  max?: bigint;
  minLen?: number;
  maxLen?: number;
  exactLen?: number;
  /** The mask of every flag of the named `flags` definition. */
  flagsMask?: { enum: string; mask: bigint };
  unterminatedOk?: boolean;
}

/** One attribute of a set. */
export interface AttrModel extends Documented {
  name: string;
  key: string;
  /** The attribute type number on the wire. */
  value: number;
  type: AttrType;
  multi: boolean;
  bigEndian: boolean;
  enum?: EnumModel;
  asFlags: boolean;
  hint?: Hint;
  /** The set inside a nest, indexed-array of nests or nest-type-value. */
  nested?: SetModel;
  struct?: StructModel;
  /** Element type of an indexed-array, or of a binary array of integers. */
  subType?: AttrType;
  subMessage?: SubMessageModel;
  /** The attribute that selects the sub-message format. */
  selector?: string;
  /** nest-type-value: names for the types of the levels of nesting. */
  typeValue?: string[];
  checks?: ChecksModel;
}

/** An attribute set. */
export interface SetModel extends Documented {
  name: string;
  tsName: string;
  /** The set this one is a subset of (`subset-of`). */
  subsetOf?: SetModel;
  /** The attributes as listed in the spec (for a subset: its own, completed from the main set). */
  attrs: AttrModel[];
  /** Every attribute a decoder meets: a subset's main-set attributes overridden by its own. */
  all: AttrModel[];
}

/** One format of a sub-message. */
export interface FormatModel extends Documented {
  value: string;
  fixedHeader?: StructModel;
  set?: SetModel;
}

/** A `sub-messages` entry. */
export interface SubMessageModel extends Documented {
  name: string;
  tsName: string;
  formats: FormatModel[];
}

/** A request or reply of an operation. */
export interface MessageModel {
  /** Message type (netlink-raw) or generic netlink command. */
  value: number;
  /** The attribute names the spec lists (documentation; decoding accepts the whole set). */
  attrs: string[];
}

/** `do` or `dump` of an operation. */
export interface ModeModel {
  request: MessageModel;
  reply?: MessageModel;
}

/** An operation, notification or event. */
export interface OpModel extends Documented {
  name: string;
  key: string;
  set?: SetModel;
  fixedHeader?: StructModel;
  do?: ModeModel;
  dump?: ModeModel;
  /** Notification or event: its message type or command. */
  notification?: { value: number; notify?: string; attrs: string[] };
  mcgrp?: string;
  /** `flags`: permissions (`admin-perm`, `uns-admin-perm`). */
  flags: string[];
  /** `dont-validate`: validation the kernel skips (`strict`, `dump`, `dump-strict`). */
  dontValidate: string[];
}

/** A multicast group. */
export interface GroupModel extends Documented {
  name: string;
  /** netlink-raw: the group number. */
  value?: number;
}

/** A whole spec, resolved. */
export interface FamilyModel {
  /** Spec file path, for the header of the generated file. */
  file: string;
  /** nlkit's additions merged into the spec (`spec/overlays/rt-link.yaml`), if any. */
  overlay?: string;
  /** Spec file name without `.yaml` (`rt-link`, `ovs_flow`). */
  specName: string;
  /** The module file name (`rt_link.ts`). */
  moduleFile: string;
  /** The `deno.json` export (`./families/rt-link`). */
  exportPath: string;
  name: string;
  protocol: "genetlink" | "genetlink-c" | "genetlink-legacy" | "netlink-raw";
  protonum?: number;
  version: number;
  doc?: string;
  spdx: string;
  uapiHeader?: string;
  consts: ConstModel[];
  enums: EnumModel[];
  structs: StructModel[];
  sets: SetModel[];
  subMessages: SubMessageModel[];
  ops: OpModel[];
  groups: GroupModel[];
}
