/**
 * Pure types shared by the runtime bindings: errno names, the errors thrown
 * by libc calls, and the {@linkcode Libc} interface. Nothing here touches a
 * runtime.
 *
 * @module
 */

/**
 * Linux errno names by number, from `asm-generic/errno-base.h` and
 * `asm-generic/errno.h` (x86_64, arm64 and most other architectures).
 */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  7: "E2BIG",
  8: "ENOEXEC",
  9: "EBADF",
  10: "ECHILD",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  15: "ENOTBLK",
  16: "EBUSY",
  17: "EEXIST",
  18: "EXDEV",
  19: "ENODEV",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  25: "ENOTTY",
  26: "ETXTBSY",
  27: "EFBIG",
  28: "ENOSPC",
  29: "ESPIPE",
  30: "EROFS",
  31: "EMLINK",
  32: "EPIPE",
  33: "EDOM",
  34: "ERANGE",
  35: "EDEADLK",
  36: "ENAMETOOLONG",
  37: "ENOLCK",
  38: "ENOSYS",
  39: "ENOTEMPTY",
  40: "ELOOP",
  42: "ENOMSG",
  43: "EIDRM",
  44: "ECHRNG",
  45: "EL2NSYNC",
  46: "EL3HLT",
  47: "EL3RST",
  48: "ELNRNG",
  49: "EUNATCH",
  50: "ENOCSI",
  51: "EL2HLT",
  52: "EBADE",
  53: "EBADR",
  54: "EXFULL",
  55: "ENOANO",
  56: "EBADRQC",
  57: "EBADSLT",
  59: "EBFONT",
  60: "ENOSTR",
  61: "ENODATA",
  62: "ETIME",
  63: "ENOSR",
  64: "ENONET",
  65: "ENOPKG",
  66: "EREMOTE",
  67: "ENOLINK",
  68: "EADV",
  69: "ESRMNT",
  70: "ECOMM",
  71: "EPROTO",
  72: "EMULTIHOP",
  73: "EDOTDOT",
  74: "EBADMSG",
  75: "EOVERFLOW",
  76: "ENOTUNIQ",
  77: "EBADFD",
  78: "EREMCHG",
  79: "ELIBACC",
  80: "ELIBBAD",
  81: "ELIBSCN",
  82: "ELIBMAX",
  83: "ELIBEXEC",
  84: "EILSEQ",
  85: "ERESTART",
  86: "ESTRPIPE",
  87: "EUSERS",
  88: "ENOTSOCK",
  89: "EDESTADDRREQ",
  90: "EMSGSIZE",
  91: "EPROTOTYPE",
  92: "ENOPROTOOPT",
  93: "EPROTONOSUPPORT",
  94: "ESOCKTNOSUPPORT",
  95: "EOPNOTSUPP",
  96: "EPFNOSUPPORT",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  100: "ENETDOWN",
  101: "ENETUNREACH",
  102: "ENETRESET",
  103: "ECONNABORTED",
  104: "ECONNRESET",
  105: "ENOBUFS",
  106: "EISCONN",
  107: "ENOTCONN",
  108: "ESHUTDOWN",
  109: "ETOOMANYREFS",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  112: "EHOSTDOWN",
  113: "EHOSTUNREACH",
  114: "EALREADY",
  115: "EINPROGRESS",
  116: "ESTALE",
  117: "EUCLEAN",
  118: "ENOTNAM",
  119: "ENAVAIL",
  120: "EISNAM",
  121: "EREMOTEIO",
  122: "EDQUOT",
  123: "ENOMEDIUM",
  124: "EMEDIUMTYPE",
  125: "ECANCELED",
  126: "ENOKEY",
  127: "EKEYEXPIRED",
  128: "EKEYREVOKED",
  129: "EKEYREJECTED",
  130: "EOWNERDEAD",
  131: "ENOTRECOVERABLE",
  132: "ERFKILL",
  133: "EHWPOISON",
};

/** Errno numbers by name, the inverse of {@linkcode ERRNO_NAMES}. */
export const Errno: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(ERRNO_NAMES).map(([n, name]) => [name, Number(n)]),
);

/**
 * Returns the name of an errno number, such as `"ENOENT"` for 2, or
 * `"E123"` style `"errno N"` when it is unknown.
 *
 * @param errno A positive errno number.
 * @returns The kernel's macro name for it.
 */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/**
 * A libc call failed; carries the call, the errno number and its name.
 *
 * @example Inspect a failed call
 * ```ts
 * import { SyscallError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new SyscallError("recvfrom", 11);
 * assert.equal(err.code, "EAGAIN");
 * assert.equal(err.message, "Cannot recvfrom: EAGAIN (errno 11)");
 * ```
 */
export class SyscallError extends Error {
  /** The libc function that failed, such as `"recvfrom"`. */
  readonly syscall: string;
  /** The positive errno number. */
  readonly errno: number;
  /** The errno name, such as `"EAGAIN"`. */
  readonly code: string;

  /**
   * @param syscall The libc function that failed.
   * @param errno The positive errno number read right after the call.
   * @param options Standard error options (`cause`).
   */
  constructor(syscall: string, errno: number, options?: ErrorOptions) {
    const code = errnoName(errno);
    super(`Cannot ${syscall}: ${code} (errno ${errno})`, options);
    this.name = "SyscallError";
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * Netlink sockets are not available here: not Linux, no FFI in this runtime,
 * or FFI not permitted (Deno without `--allow-ffi`). The message says what to do.
 *
 * @example
 * ```ts
 * import { UnsupportedPlatformError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new UnsupportedPlatformError("Cannot open libc: netlink needs Linux");
 * assert.equal(err.name, "UnsupportedPlatformError");
 * ```
 */
export class UnsupportedPlatformError extends Error {
  /**
   * @param message What is missing and what to do about it.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnsupportedPlatformError";
  }
}
