/**
 * Linux errno numbers, names and messages: the one table the library, the
 * FFI layer and the simulated kernel share. Pure data, no imports.
 *
 * Numbers and names are from `asm-generic/errno-base.h` and
 * `asm-generic/errno.h` (x86_64, arm64 and most other architectures), plus
 * the kernel-internal codes from `linux/errno.h` (512 and up) that netlink
 * can leak to user space (`ENOTSUPP` 524); messages are glibc's
 * `strerror()` text.
 *
 * @example Name an errno and explain it
 * ```ts
 * import { Errno, errnoMessage, errnoName } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(Errno.EEXIST, 17);
 * assert.equal(errnoName(17), "EEXIST");
 * assert.equal(errnoMessage(17), "File exists");
 * ```
 *
 * @module
 */

/**
 * Errno numbers by name (`EPERM` 1 ... `EHWPOISON` 133, and the
 * kernel-internal 512–530), `as const` so each is a literal type.
 *
 * @example Compare an error's errno
 * ```ts
 * import { Errno, NetlinkError } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const err = new NetlinkError("execute", Errno.EBUSY);
 * assert.equal(err.code, "EBUSY");
 * ```
 */
export const Errno = {
  /** `EPERM`: Operation not permitted. */
  EPERM: 1,
  /** `ENOENT`: No such file or directory. */
  ENOENT: 2,
  /** `ESRCH`: No such process. */
  ESRCH: 3,
  /** `EINTR`: Interrupted system call. */
  EINTR: 4,
  /** `EIO`: Input/output error. */
  EIO: 5,
  /** `ENXIO`: No such device or address. */
  ENXIO: 6,
  /** `E2BIG`: Argument list too long. */
  E2BIG: 7,
  /** `ENOEXEC`: Exec format error. */
  ENOEXEC: 8,
  /** `EBADF`: Bad file descriptor. */
  EBADF: 9,
  /** `ECHILD`: No child processes. */
  ECHILD: 10,
  /** `EAGAIN`: Resource temporarily unavailable. */
  EAGAIN: 11,
  /** `ENOMEM`: Cannot allocate memory. */
  ENOMEM: 12,
  /** `EACCES`: Permission denied. */
  EACCES: 13,
  /** `EFAULT`: Bad address. */
  EFAULT: 14,
  /** `ENOTBLK`: Block device required. */
  ENOTBLK: 15,
  /** `EBUSY`: Device or resource busy. */
  EBUSY: 16,
  /** `EEXIST`: File exists. */
  EEXIST: 17,
  /** `EXDEV`: Invalid cross-device link. */
  EXDEV: 18,
  /** `ENODEV`: No such device. */
  ENODEV: 19,
  /** `ENOTDIR`: Not a directory. */
  ENOTDIR: 20,
  /** `EISDIR`: Is a directory. */
  EISDIR: 21,
  /** `EINVAL`: Invalid argument. */
  EINVAL: 22,
  /** `ENFILE`: Too many open files in system. */
  ENFILE: 23,
  /** `EMFILE`: Too many open files. */
  EMFILE: 24,
  /** `ENOTTY`: Inappropriate ioctl for device. */
  ENOTTY: 25,
  /** `ETXTBSY`: Text file busy. */
  ETXTBSY: 26,
  /** `EFBIG`: File too large. */
  EFBIG: 27,
  /** `ENOSPC`: No space left on device. */
  ENOSPC: 28,
  /** `ESPIPE`: Illegal seek. */
  ESPIPE: 29,
  /** `EROFS`: Read-only file system. */
  EROFS: 30,
  /** `EMLINK`: Too many links. */
  EMLINK: 31,
  /** `EPIPE`: Broken pipe. */
  EPIPE: 32,
  /** `EDOM`: Numerical argument out of domain. */
  EDOM: 33,
  /** `ERANGE`: Numerical result out of range. */
  ERANGE: 34,
  /** `EDEADLK`: Resource deadlock avoided. */
  EDEADLK: 35,
  /** `ENAMETOOLONG`: File name too long. */
  ENAMETOOLONG: 36,
  /** `ENOLCK`: No locks available. */
  ENOLCK: 37,
  /** `ENOSYS`: Function not implemented. */
  ENOSYS: 38,
  /** `ENOTEMPTY`: Directory not empty. */
  ENOTEMPTY: 39,
  /** `ELOOP`: Too many levels of symbolic links. */
  ELOOP: 40,
  /** `ENOMSG`: No message of desired type. */
  ENOMSG: 42,
  /** `EIDRM`: Identifier removed. */
  EIDRM: 43,
  /** `ECHRNG`: Channel number out of range. */
  ECHRNG: 44,
  /** `EL2NSYNC`: Level 2 not synchronized. */
  EL2NSYNC: 45,
  /** `EL3HLT`: Level 3 halted. */
  EL3HLT: 46,
  /** `EL3RST`: Level 3 reset. */
  EL3RST: 47,
  /** `ELNRNG`: Link number out of range. */
  ELNRNG: 48,
  /** `EUNATCH`: Protocol driver not attached. */
  EUNATCH: 49,
  /** `ENOCSI`: No CSI structure available. */
  ENOCSI: 50,
  /** `EL2HLT`: Level 2 halted. */
  EL2HLT: 51,
  /** `EBADE`: Invalid exchange. */
  EBADE: 52,
  /** `EBADR`: Invalid request descriptor. */
  EBADR: 53,
  /** `EXFULL`: Exchange full. */
  EXFULL: 54,
  /** `ENOANO`: No anode. */
  ENOANO: 55,
  /** `EBADRQC`: Invalid request code. */
  EBADRQC: 56,
  /** `EBADSLT`: Invalid slot. */
  EBADSLT: 57,
  /** `EBFONT`: Bad font file format. */
  EBFONT: 59,
  /** `ENOSTR`: Device not a stream. */
  ENOSTR: 60,
  /** `ENODATA`: No data available. */
  ENODATA: 61,
  /** `ETIME`: Timer expired. */
  ETIME: 62,
  /** `ENOSR`: Out of streams resources. */
  ENOSR: 63,
  /** `ENONET`: Machine is not on the network. */
  ENONET: 64,
  /** `ENOPKG`: Package not installed. */
  ENOPKG: 65,
  /** `EREMOTE`: Object is remote. */
  EREMOTE: 66,
  /** `ENOLINK`: Link has been severed. */
  ENOLINK: 67,
  /** `EADV`: Advertise error. */
  EADV: 68,
  /** `ESRMNT`: Srmount error. */
  ESRMNT: 69,
  /** `ECOMM`: Communication error on send. */
  ECOMM: 70,
  /** `EPROTO`: Protocol error. */
  EPROTO: 71,
  /** `EMULTIHOP`: Multihop attempted. */
  EMULTIHOP: 72,
  /** `EDOTDOT`: RFS specific error. */
  EDOTDOT: 73,
  /** `EBADMSG`: Bad message. */
  EBADMSG: 74,
  /** `EOVERFLOW`: Value too large for defined data type. */
  EOVERFLOW: 75,
  /** `ENOTUNIQ`: Name not unique on network. */
  ENOTUNIQ: 76,
  /** `EBADFD`: File descriptor in bad state. */
  EBADFD: 77,
  /** `EREMCHG`: Remote address changed. */
  EREMCHG: 78,
  /** `ELIBACC`: Can not access a needed shared library. */
  ELIBACC: 79,
  /** `ELIBBAD`: Accessing a corrupted shared library. */
  ELIBBAD: 80,
  /** `ELIBSCN`: .lib section in a.out corrupted. */
  ELIBSCN: 81,
  /** `ELIBMAX`: Attempting to link in too many shared libraries. */
  ELIBMAX: 82,
  /** `ELIBEXEC`: Cannot exec a shared library directly. */
  ELIBEXEC: 83,
  /** `EILSEQ`: Invalid or incomplete multibyte or wide character. */
  EILSEQ: 84,
  /** `ERESTART`: Interrupted system call should be restarted. */
  ERESTART: 85,
  /** `ESTRPIPE`: Streams pipe error. */
  ESTRPIPE: 86,
  /** `EUSERS`: Too many users. */
  EUSERS: 87,
  /** `ENOTSOCK`: Socket operation on non-socket. */
  ENOTSOCK: 88,
  /** `EDESTADDRREQ`: Destination address required. */
  EDESTADDRREQ: 89,
  /** `EMSGSIZE`: Message too long. */
  EMSGSIZE: 90,
  /** `EPROTOTYPE`: Protocol wrong type for socket. */
  EPROTOTYPE: 91,
  /** `ENOPROTOOPT`: Protocol not available. */
  ENOPROTOOPT: 92,
  /** `EPROTONOSUPPORT`: Protocol not supported. */
  EPROTONOSUPPORT: 93,
  /** `ESOCKTNOSUPPORT`: Socket type not supported. */
  ESOCKTNOSUPPORT: 94,
  /** `EOPNOTSUPP`: Operation not supported. */
  EOPNOTSUPP: 95,
  /** `EPFNOSUPPORT`: Protocol family not supported. */
  EPFNOSUPPORT: 96,
  /** `EAFNOSUPPORT`: Address family not supported by protocol. */
  EAFNOSUPPORT: 97,
  /** `EADDRINUSE`: Address already in use. */
  EADDRINUSE: 98,
  /** `EADDRNOTAVAIL`: Cannot assign requested address. */
  EADDRNOTAVAIL: 99,
  /** `ENETDOWN`: Network is down. */
  ENETDOWN: 100,
  /** `ENETUNREACH`: Network is unreachable. */
  ENETUNREACH: 101,
  /** `ENETRESET`: Network dropped connection on reset. */
  ENETRESET: 102,
  /** `ECONNABORTED`: Software caused connection abort. */
  ECONNABORTED: 103,
  /** `ECONNRESET`: Connection reset by peer. */
  ECONNRESET: 104,
  /** `ENOBUFS`: No buffer space available. */
  ENOBUFS: 105,
  /** `EISCONN`: Transport endpoint is already connected. */
  EISCONN: 106,
  /** `ENOTCONN`: Transport endpoint is not connected. */
  ENOTCONN: 107,
  /** `ESHUTDOWN`: Cannot send after transport endpoint shutdown. */
  ESHUTDOWN: 108,
  /** `ETOOMANYREFS`: Too many references: cannot splice. */
  ETOOMANYREFS: 109,
  /** `ETIMEDOUT`: Connection timed out. */
  ETIMEDOUT: 110,
  /** `ECONNREFUSED`: Connection refused. */
  ECONNREFUSED: 111,
  /** `EHOSTDOWN`: Host is down. */
  EHOSTDOWN: 112,
  /** `EHOSTUNREACH`: No route to host. */
  EHOSTUNREACH: 113,
  /** `EALREADY`: Operation already in progress. */
  EALREADY: 114,
  /** `EINPROGRESS`: Operation now in progress. */
  EINPROGRESS: 115,
  /** `ESTALE`: Stale file handle. */
  ESTALE: 116,
  /** `EUCLEAN`: Structure needs cleaning. */
  EUCLEAN: 117,
  /** `ENOTNAM`: Not a XENIX named type file. */
  ENOTNAM: 118,
  /** `ENAVAIL`: No XENIX semaphores available. */
  ENAVAIL: 119,
  /** `EISNAM`: Is a named type file. */
  EISNAM: 120,
  /** `EREMOTEIO`: Remote I/O error. */
  EREMOTEIO: 121,
  /** `EDQUOT`: Disk quota exceeded. */
  EDQUOT: 122,
  /** `ENOMEDIUM`: No medium found. */
  ENOMEDIUM: 123,
  /** `EMEDIUMTYPE`: Wrong medium type. */
  EMEDIUMTYPE: 124,
  /** `ECANCELED`: Operation canceled. */
  ECANCELED: 125,
  /** `ENOKEY`: Required key not available. */
  ENOKEY: 126,
  /** `EKEYEXPIRED`: Key has expired. */
  EKEYEXPIRED: 127,
  /** `EKEYREVOKED`: Key has been revoked. */
  EKEYREVOKED: 128,
  /** `EKEYREJECTED`: Key was rejected by service. */
  EKEYREJECTED: 129,
  /** `EOWNERDEAD`: Owner died. */
  EOWNERDEAD: 130,
  /** `ENOTRECOVERABLE`: State not recoverable. */
  ENOTRECOVERABLE: 131,
  /** `ERFKILL`: Operation not possible due to RF-kill. */
  ERFKILL: 132,
  /** `EHWPOISON`: Memory page has hardware error. */
  EHWPOISON: 133,
  /** `ERESTARTSYS` (kernel-internal, `linux/errno.h`). */
  ERESTARTSYS: 512,
  /** `ERESTARTNOINTR` (kernel-internal, `linux/errno.h`). */
  ERESTARTNOINTR: 513,
  /** `ERESTARTNOHAND` (kernel-internal, `linux/errno.h`). */
  ERESTARTNOHAND: 514,
  /** `ENOIOCTLCMD` (kernel-internal, `linux/errno.h`). */
  ENOIOCTLCMD: 515,
  /** `ERESTART_RESTARTBLOCK` (kernel-internal, `linux/errno.h`). */
  ERESTART_RESTARTBLOCK: 516,
  /** `EPROBE_DEFER` (kernel-internal, `linux/errno.h`). */
  EPROBE_DEFER: 517,
  /** `EOPENSTALE` (kernel-internal, `linux/errno.h`). */
  EOPENSTALE: 518,
  /** `ENOPARAM` (kernel-internal, `linux/errno.h`). */
  ENOPARAM: 519,
  /** `EBADHANDLE` (kernel-internal, `linux/errno.h`). */
  EBADHANDLE: 521,
  /** `ENOTSYNC` (kernel-internal, `linux/errno.h`). */
  ENOTSYNC: 522,
  /** `EBADCOOKIE` (kernel-internal, `linux/errno.h`). */
  EBADCOOKIE: 523,
  /** `ENOTSUPP` (kernel-internal, `linux/errno.h`). */
  ENOTSUPP: 524,
  /** `ETOOSMALL` (kernel-internal, `linux/errno.h`). */
  ETOOSMALL: 525,
  /** `ESERVERFAULT` (kernel-internal, `linux/errno.h`). */
  ESERVERFAULT: 526,
  /** `EBADTYPE` (kernel-internal, `linux/errno.h`). */
  EBADTYPE: 527,
  /** `EJUKEBOX` (kernel-internal, `linux/errno.h`). */
  EJUKEBOX: 528,
  /** `EIOCBQUEUED` (kernel-internal, `linux/errno.h`). */
  EIOCBQUEUED: 529,
  /** `ERECALLCONFLICT` (kernel-internal, `linux/errno.h`). */
  ERECALLCONFLICT: 530,
} as const;

/** An errno name known to {@linkcode Errno}. */
export type ErrnoName = keyof typeof Errno;

/**
 * Linux errno names by number, the inverse of {@linkcode Errno}.
 *
 * @example Look a name up
 * ```ts
 * import { ERRNO_NAMES } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ERRNO_NAMES[95], "EOPNOTSUPP");
 * ```
 */
export const ERRNO_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Errno).map(([name, n]) => [n, name]),
);

/** glibc's `strerror()` text for the numbers it knows. */
const MESSAGES: Readonly<Record<number, string>> = {
  1: "Operation not permitted",
  2: "No such file or directory",
  3: "No such process",
  4: "Interrupted system call",
  5: "Input/output error",
  6: "No such device or address",
  7: "Argument list too long",
  8: "Exec format error",
  9: "Bad file descriptor",
  10: "No child processes",
  11: "Resource temporarily unavailable",
  12: "Cannot allocate memory",
  13: "Permission denied",
  14: "Bad address",
  15: "Block device required",
  16: "Device or resource busy",
  17: "File exists",
  18: "Invalid cross-device link",
  19: "No such device",
  20: "Not a directory",
  21: "Is a directory",
  22: "Invalid argument",
  23: "Too many open files in system",
  24: "Too many open files",
  25: "Inappropriate ioctl for device",
  26: "Text file busy",
  27: "File too large",
  28: "No space left on device",
  29: "Illegal seek",
  30: "Read-only file system",
  31: "Too many links",
  32: "Broken pipe",
  33: "Numerical argument out of domain",
  34: "Numerical result out of range",
  35: "Resource deadlock avoided",
  36: "File name too long",
  37: "No locks available",
  38: "Function not implemented",
  39: "Directory not empty",
  40: "Too many levels of symbolic links",
  42: "No message of desired type",
  43: "Identifier removed",
  44: "Channel number out of range",
  45: "Level 2 not synchronized",
  46: "Level 3 halted",
  47: "Level 3 reset",
  48: "Link number out of range",
  49: "Protocol driver not attached",
  50: "No CSI structure available",
  51: "Level 2 halted",
  52: "Invalid exchange",
  53: "Invalid request descriptor",
  54: "Exchange full",
  55: "No anode",
  56: "Invalid request code",
  57: "Invalid slot",
  59: "Bad font file format",
  60: "Device not a stream",
  61: "No data available",
  62: "Timer expired",
  63: "Out of streams resources",
  64: "Machine is not on the network",
  65: "Package not installed",
  66: "Object is remote",
  67: "Link has been severed",
  68: "Advertise error",
  69: "Srmount error",
  70: "Communication error on send",
  71: "Protocol error",
  72: "Multihop attempted",
  73: "RFS specific error",
  74: "Bad message",
  75: "Value too large for defined data type",
  76: "Name not unique on network",
  77: "File descriptor in bad state",
  78: "Remote address changed",
  79: "Can not access a needed shared library",
  80: "Accessing a corrupted shared library",
  81: ".lib section in a.out corrupted",
  82: "Attempting to link in too many shared libraries",
  83: "Cannot exec a shared library directly",
  84: "Invalid or incomplete multibyte or wide character",
  85: "Interrupted system call should be restarted",
  86: "Streams pipe error",
  87: "Too many users",
  88: "Socket operation on non-socket",
  89: "Destination address required",
  90: "Message too long",
  91: "Protocol wrong type for socket",
  92: "Protocol not available",
  93: "Protocol not supported",
  94: "Socket type not supported",
  95: "Operation not supported",
  96: "Protocol family not supported",
  97: "Address family not supported by protocol",
  98: "Address already in use",
  99: "Cannot assign requested address",
  100: "Network is down",
  101: "Network is unreachable",
  102: "Network dropped connection on reset",
  103: "Software caused connection abort",
  104: "Connection reset by peer",
  105: "No buffer space available",
  106: "Transport endpoint is already connected",
  107: "Transport endpoint is not connected",
  108: "Cannot send after transport endpoint shutdown",
  109: "Too many references: cannot splice",
  110: "Connection timed out",
  111: "Connection refused",
  112: "Host is down",
  113: "No route to host",
  114: "Operation already in progress",
  115: "Operation now in progress",
  116: "Stale file handle",
  117: "Structure needs cleaning",
  118: "Not a XENIX named type file",
  119: "No XENIX semaphores available",
  120: "Is a named type file",
  121: "Remote I/O error",
  122: "Disk quota exceeded",
  123: "No medium found",
  124: "Wrong medium type",
  125: "Operation canceled",
  126: "Required key not available",
  127: "Key has expired",
  128: "Key has been revoked",
  129: "Key was rejected by service",
  130: "Owner died",
  131: "State not recoverable",
  132: "Operation not possible due to RF-kill",
  133: "Memory page has hardware error",
};

/**
 * Returns the name of an errno number, such as `"ENOENT"` for 2, or
 * `"errno N"` when it is unknown.
 *
 * @param errno A positive errno number.
 * @returns The kernel's macro name for it.
 *
 * @example Name an errno
 * ```ts
 * import { errnoName } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errnoName(2), "ENOENT");
 * assert.equal(errnoName(4000), "errno 4000");
 * ```
 */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/**
 * Returns glibc's `strerror()` text for an errno number, such as
 * `"File exists"` for 17, or `"Unknown error N"` as glibc says for numbers it
 * has no text for.
 *
 * @param errno A positive errno number.
 * @returns The human-readable explanation.
 *
 * @example Explain an errno
 * ```ts
 * import { errnoMessage } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errnoMessage(16), "Device or resource busy");
 * assert.equal(errnoMessage(524), "Unknown error 524");
 * ```
 */
export function errnoMessage(errno: number): string {
  return MESSAGES[errno] ?? `Unknown error ${errno}`;
}
