/**
 * Audit constants from `linux/audit.h`: message and record types, status
 * mask bits, feature bits, rule lists, actions, fields and operators.
 *
 * @module
 */

/**
 * Audit control and user message types (`AUDIT_*` in `linux/audit.h`,
 * 1000 to 1099 control, 1100 to 1199 and 2100 to 2999 user messages).
 *
 * @example The status request
 * ```ts
 * import { AuditType } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(AuditType.Get, 1000); // AUDIT_GET
 * assert.equal(AuditType.UserAvc, 1107); // AUDIT_USER_AVC
 * ```
 */
export const AuditType = {
  /** `AUDIT_GET`: get the status (`struct audit_status`). */
  Get: 1000,
  /** `AUDIT_SET`: set status fields chosen by `mask`. */
  Set: 1001,
  /** `AUDIT_LIST`: list syscall rules (deprecated; EOPNOTSUPP). */
  List: 1002,
  /** `AUDIT_ADD`: add a syscall rule (deprecated; EOPNOTSUPP). */
  Add: 1003,
  /** `AUDIT_DEL`: delete a syscall rule (deprecated; EOPNOTSUPP). */
  Del: 1004,
  /** `AUDIT_USER`: a message from user space (the first user message type). */
  User: 1005,
  /** `AUDIT_LOGIN`: the login id and information. */
  Login: 1006,
  /** `AUDIT_SIGNAL_INFO`: who last signalled the audit daemon. */
  SignalInfo: 1010,
  /** `AUDIT_ADD_RULE`: add a filter rule (`struct audit_rule_data`). */
  AddRule: 1011,
  /** `AUDIT_DEL_RULE`: delete a filter rule. */
  DelRule: 1012,
  /** `AUDIT_LIST_RULES`: list the filter rules (a multipart reply). */
  ListRules: 1013,
  /** `AUDIT_TRIM`: trim junk from watched trees. */
  Trim: 1014,
  /** `AUDIT_MAKE_EQUIV`: append to a watched tree. */
  MakeEquiv: 1015,
  /** `AUDIT_TTY_GET`: get TTY auditing status. */
  TtyGet: 1016,
  /** `AUDIT_TTY_SET`: set TTY auditing status. */
  TtySet: 1017,
  /** `AUDIT_SET_FEATURE`: turn an audit feature on or off. */
  SetFeature: 1018,
  /** `AUDIT_GET_FEATURE`: get which features are enabled (`struct audit_features`). */
  GetFeature: 1019,
  /** `AUDIT_FIRST_USER_MSG`: the first of the user message types 1100 to 1199. */
  FirstUserMessage: 1100,
  /** `AUDIT_USER_AVC`: a user-space AVC message (logged even while audit is disabled). */
  UserAvc: 1107,
  /** `AUDIT_USER_TTY`: non-ICANON TTY input. */
  UserTty: 1124,
  /** `AUDIT_LAST_USER_MSG`. */
  LastUserMessage: 1199,
  /** `AUDIT_FIRST_USER_MSG2`: the first of the user message types 2100 to 2999. */
  FirstUserMessage2: 2100,
  /** `AUDIT_LAST_USER_MSG2`. */
  LastUserMessage2: 2999,
} as const;

/**
 * Record and message type names by number, as auditd prints them
 * (`type=USER_AVC`): the `AUDIT_*` macro without its prefix.
 *
 * @example Name a record type
 * ```ts
 * import { AUDIT_TYPE_NAMES } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(AUDIT_TYPE_NAMES[1300], "SYSCALL");
 * assert.equal(AUDIT_TYPE_NAMES[1320], "EOE");
 * ```
 */
export const AUDIT_TYPE_NAMES: Readonly<Record<number, string>> = {
  1000: "GET",
  1001: "SET",
  1002: "LIST",
  1003: "ADD",
  1004: "DEL",
  1005: "USER",
  1006: "LOGIN",
  1007: "WATCH_INS",
  1008: "WATCH_REM",
  1009: "WATCH_LIST",
  1010: "SIGNAL_INFO",
  1011: "ADD_RULE",
  1012: "DEL_RULE",
  1013: "LIST_RULES",
  1014: "TRIM",
  1015: "MAKE_EQUIV",
  1016: "TTY_GET",
  1017: "TTY_SET",
  1018: "SET_FEATURE",
  1019: "GET_FEATURE",
  1107: "USER_AVC",
  1124: "USER_TTY",
  1200: "DAEMON_START",
  1201: "DAEMON_END",
  1202: "DAEMON_ABORT",
  1203: "DAEMON_CONFIG",
  1300: "SYSCALL",
  1302: "PATH",
  1303: "IPC",
  1304: "SOCKETCALL",
  1305: "CONFIG_CHANGE",
  1306: "SOCKADDR",
  1307: "CWD",
  1309: "EXECVE",
  1311: "IPC_SET_PERM",
  1312: "MQ_OPEN",
  1313: "MQ_SENDRECV",
  1314: "MQ_NOTIFY",
  1315: "MQ_GETSETATTR",
  1316: "KERNEL_OTHER",
  1317: "FD_PAIR",
  1318: "OBJ_PID",
  1319: "TTY",
  1320: "EOE",
  1321: "BPRM_FCAPS",
  1322: "CAPSET",
  1323: "MMAP",
  1324: "NETFILTER_PKT",
  1325: "NETFILTER_CFG",
  1326: "SECCOMP",
  1327: "PROCTITLE",
  1328: "FEATURE_CHANGE",
  1329: "REPLACE",
  1330: "KERN_MODULE",
  1331: "FANOTIFY",
  1332: "TIME_INJOFFSET",
  1333: "TIME_ADJNTPVAL",
  1334: "BPF",
  1335: "EVENT_LISTENER",
  1336: "URINGOP",
  1337: "OPENAT2",
  1338: "DM_CTRL",
  1339: "DM_EVENT",
  1400: "AVC",
  1401: "SELINUX_ERR",
  1402: "AVC_PATH",
  1403: "MAC_POLICY_LOAD",
  1404: "MAC_STATUS",
  1405: "MAC_CONFIG_CHANGE",
  1406: "MAC_UNLBL_ALLOW",
  1407: "MAC_CIPSOV4_ADD",
  1408: "MAC_CIPSOV4_DEL",
  1409: "MAC_MAP_ADD",
  1410: "MAC_MAP_DEL",
  1411: "MAC_IPSEC_ADDSA",
  1412: "MAC_IPSEC_DELSA",
  1413: "MAC_IPSEC_ADDSPD",
  1414: "MAC_IPSEC_DELSPD",
  1415: "MAC_IPSEC_EVENT",
  1416: "MAC_UNLBL_STCADD",
  1417: "MAC_UNLBL_STCDEL",
  1418: "MAC_CALIPSO_ADD",
  1419: "MAC_CALIPSO_DEL",
  1700: "ANOM_PROMISCUOUS",
  1701: "ANOM_ABEND",
  1702: "ANOM_LINK",
  1703: "ANOM_CREAT",
  1800: "INTEGRITY_DATA",
  1801: "INTEGRITY_METADATA",
  1802: "INTEGRITY_STATUS",
  1803: "INTEGRITY_HASH",
  1804: "INTEGRITY_PCR",
  1805: "INTEGRITY_RULE",
  1806: "INTEGRITY_EVM_XATTR",
  1807: "INTEGRITY_POLICY_RULE",
  2000: "KERNEL",
};

/**
 * The name of an audit message type, or `UNKNOWN[N]` as auditd prints an
 * unknown one.
 *
 * @param type The message type.
 * @returns The name.
 *
 * @example Known and unknown types
 * ```ts
 * import { auditTypeName } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(auditTypeName(1107), "USER_AVC");
 * assert.equal(auditTypeName(1999), "UNKNOWN[1999]");
 * ```
 */
export function auditTypeName(type: number): string {
  return AUDIT_TYPE_NAMES[type] ?? `UNKNOWN[${type}]`;
}

/**
 * Reports whether `type` is a user message type the kernel accepts from
 * user space (`AUDIT_USER`, 1100 to 1199, 2100 to 2999).
 *
 * @param type The message type.
 * @returns True for a user message type.
 *
 * @example User message types
 * ```ts
 * import { isUserMessageType } from "@nlkit/netlink/audit";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isUserMessageType(1005));
 * assert.ok(isUserMessageType(2100));
 * assert.ok(!isUserMessageType(1300)); // SYSCALL is a kernel record
 * ```
 */
export function isUserMessageType(type: number): boolean {
  return type === AuditType.User ||
    (type >= AuditType.FirstUserMessage && type <= AuditType.LastUserMessage) ||
    (type >= AuditType.FirstUserMessage2 && type <= AuditType.LastUserMessage2);
}

/**
 * Audit multicast groups (`enum audit_nlgrps` in `linux/audit.h`).
 */
export const AuditGroup = {
  /** `AUDIT_NLGRP_READLOG`: a best-effort copy of every record (needs `CAP_AUDIT_READ`). */
  ReadLog: 1,
} as const;

/**
 * Which fields of `struct audit_status` an `AUDIT_SET` changes
 * (`AUDIT_STATUS_*` in `linux/audit.h`).
 */
export const AuditStatusMask = {
  /** `AUDIT_STATUS_ENABLED`. */
  Enabled: 0x0001,
  /** `AUDIT_STATUS_FAILURE`. */
  Failure: 0x0002,
  /** `AUDIT_STATUS_PID`. */
  Pid: 0x0004,
  /** `AUDIT_STATUS_RATE_LIMIT`. */
  RateLimit: 0x0008,
  /** `AUDIT_STATUS_BACKLOG_LIMIT`. */
  BacklogLimit: 0x0010,
  /** `AUDIT_STATUS_BACKLOG_WAIT_TIME`. */
  BacklogWaitTime: 0x0020,
  /** `AUDIT_STATUS_LOST`: reset the lost counter. */
  Lost: 0x0040,
  /** `AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL`: reset the wait time counter. */
  BacklogWaitTimeActual: 0x0080,
} as const;

/**
 * Features the kernel reports in `feature_bitmap`
 * (`AUDIT_FEATURE_BITMAP_*` in `linux/audit.h`).
 */
export const AuditFeatureBitmap = {
  /** `AUDIT_FEATURE_BITMAP_BACKLOG_LIMIT`. */
  BacklogLimit: 0x01,
  /** `AUDIT_FEATURE_BITMAP_BACKLOG_WAIT_TIME`. */
  BacklogWaitTime: 0x02,
  /** `AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH`. */
  ExecutablePath: 0x04,
  /** `AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND`. */
  ExcludeExtend: 0x08,
  /** `AUDIT_FEATURE_BITMAP_SESSIONID_FILTER`. */
  SessionIdFilter: 0x10,
  /** `AUDIT_FEATURE_BITMAP_LOST_RESET`. */
  LostReset: 0x20,
  /** `AUDIT_FEATURE_BITMAP_FILTER_FS`. */
  FilterFs: 0x40,
} as const;

/**
 * What the kernel does when it cannot log (`AUDIT_FAIL_*` in `linux/audit.h`).
 */
export const AuditFailure = {
  /** `AUDIT_FAIL_SILENT`. */
  Silent: 0,
  /** `AUDIT_FAIL_PRINTK`. */
  Printk: 1,
  /** `AUDIT_FAIL_PANIC`. */
  Panic: 2,
} as const;

/**
 * Rule lists (`AUDIT_FILTER_*` in `linux/audit.h`), named as `auditctl`
 * names them; index = list number.
 */
export const AUDIT_FILTER_NAMES: readonly string[] = [
  "user", // AUDIT_FILTER_USER
  "task", // AUDIT_FILTER_TASK
  "entry", // AUDIT_FILTER_ENTRY
  "watch", // AUDIT_FILTER_WATCH
  "exit", // AUDIT_FILTER_EXIT
  "exclude", // AUDIT_FILTER_EXCLUDE
  "filesystem", // AUDIT_FILTER_FS
  "io_uring", // AUDIT_FILTER_URING_EXIT
];

/** `AUDIT_FILTER_PREPEND`: the rule was added at the front of its list. */
export const AUDIT_FILTER_PREPEND = 0x10;

/**
 * Rule actions (`AUDIT_NEVER`, `AUDIT_POSSIBLE`, `AUDIT_ALWAYS`); index =
 * action number.
 */
export const AUDIT_ACTION_NAMES: readonly string[] = [
  "never",
  "possible",
  "always",
];

/**
 * Rule field names by number (`AUDIT_PID` ... `AUDIT_FILTERKEY` in
 * `linux/audit.h`): the macro in lower case without its prefix.
 */
export const AUDIT_FIELD_NAMES: Readonly<Record<number, string>> = {
  0: "pid",
  1: "uid",
  2: "euid",
  3: "suid",
  4: "fsuid",
  5: "gid",
  6: "egid",
  7: "sgid",
  8: "fsgid",
  9: "loginuid",
  10: "pers",
  11: "arch",
  12: "msgtype",
  13: "subj_user",
  14: "subj_role",
  15: "subj_type",
  16: "subj_sen",
  17: "subj_clr",
  18: "ppid",
  19: "obj_user",
  20: "obj_role",
  21: "obj_type",
  22: "obj_lev_low",
  23: "obj_lev_high",
  24: "loginuid_set",
  25: "sessionid",
  26: "fstype",
  100: "devmajor",
  101: "devminor",
  102: "inode",
  103: "exit",
  104: "success",
  105: "watch",
  106: "perm",
  107: "dir",
  108: "filetype",
  109: "obj_uid",
  110: "obj_gid",
  111: "field_compare",
  112: "exe",
  113: "saddr_fam",
  200: "arg0",
  201: "arg1",
  202: "arg2",
  203: "arg3",
  210: "filterkey",
};

/**
 * Rule operators by their `fieldflags` bits (`AUDIT_EQUAL` ...
 * `AUDIT_BIT_TEST` in `linux/audit.h`).
 */
export const AUDIT_OPERATORS: Readonly<Record<number, string>> = {
  0x08000000: "&", // AUDIT_BIT_MASK
  0x10000000: "<", // AUDIT_LESS_THAN
  0x20000000: ">", // AUDIT_GREATER_THAN
  0x30000000: "!=", // AUDIT_NOT_EQUAL
  0x40000000: "=", // AUDIT_EQUAL
  0x48000000: "&=", // AUDIT_BIT_TEST
  0x50000000: "<=", // AUDIT_LESS_THAN_OR_EQUAL
  0x60000000: ">=", // AUDIT_GREATER_THAN_OR_EQUAL
};

/** `AUDIT_OPERATORS`: the bits of `fieldflags` that hold the operator. */
export const AUDIT_OPERATOR_MASK = 0x78000000;

/** `AUDIT_NEGATE`: the field number's negation bit. */
export const AUDIT_NEGATE = 0x80000000;

/** `AUDIT_UID_UNSET`: a login uid that was never set (`(unsigned int)-1`). */
export const AUDIT_UID_UNSET = 0xffffffff;
