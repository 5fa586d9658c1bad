/** True when this machine stores numbers little-endian, as netlink's host byte order. */
export const HOST_LITTLE_ENDIAN: boolean =
  new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
