/**
 * What the kernel's errno means for a WireGuard device request (shared by
 * the client's errors and `ConfigureError`).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";

/**
 * What the kernel's errno means for a device request: ENODEV becomes
 * ENOENT (`isNotExist(err)`; the kernel's error stays the `cause`),
 * EOPNOTSUPP says the device is not a WireGuard device.
 */
export function explainDeviceErrno(
  errno: number,
): { errno: number; detail?: string } {
  if (errno === Errno.ENODEV) {
    return {
      errno: Errno.ENOENT,
      detail: "no such device (the kernel answered ENODEV)",
    };
  }
  if (errno === Errno.EOPNOTSUPP) {
    return { errno, detail: "not a WireGuard device" };
  }
  if (errno === Errno.EPERM) {
    return { errno, detail: "this needs CAP_NET_ADMIN" };
  }
  return { errno };
}
