/**
 * rtnetlink address requests (`RTM_NEWADDR`, `RTM_DELADDR`, `RTM_GETADDR`) of the simulated kernel.
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import { HeaderFlags } from "../netlink/header.ts";
import type { Message } from "../netlink/message.ts";
import {
  type HandlerResult,
  KernelError,
  type RequestContext,
} from "./kernel_handler.ts";
import {
  type AddressRecord,
  attrString,
  attrU32,
  decodeIfAddr,
  encodeAddress,
  parseRequestAttributes,
  requireHeader,
} from "./rtnl_codec.ts";
import {
  AddressAttribute,
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IFA_F_PERMANENT,
  IFADDRMSG_LENGTH,
  RouteType,
} from "./rtnl_constants.ts";
import { bytesEqual } from "./rtnl_ip.ts";
import {
  EADDRNOTAVAIL,
  EEXIST,
  EINVAL,
  ENODEV,
  EOPNOTSUPP,
  IFNAMSIZ,
  type Origin,
  type RtnlState,
} from "./rtnl_state.ts";

/** Decodes `struct ifaddrmsg` and the addresses of a NEWADDR/DELADDR request. */
function addressArgs(m: Message) {
  requireHeader(m, IFADDRMSG_LENGTH);
  const h = decodeIfAddr(m.data);
  if (h.family !== AF_INET && h.family !== AF_INET6) {
    throw new KernelError(EOPNOTSUPP);
  }
  const v4 = h.family === AF_INET;
  const attrs = parseRequestAttributes(m, IFADDRMSG_LENGTH);
  const size = v4 ? 4 : 16;
  const get = (t: number): Uint8Array | undefined => {
    const a = attrs.get(t);
    if (a === undefined) return undefined;
    if (a.data.length < size) {
      throw new KernelError(Errno.ERANGE, {
        message: "Attribute failed policy validation",
        offset: a.offset,
      });
    }
    return a.data.slice(0, size);
  };
  return {
    h,
    v4,
    attrs,
    local: get(AddressAttribute.Local),
    address: get(AddressAttribute.Address),
    get,
  };
}

/**
 * `RTM_NEWADDR`: add (or, with `NLM_F_REPLACE`, change) an address.
 *
 * @internal
 */
export function newAddress(s: RtnlState, m: Message, o: Origin): Message[] {
  const { h, v4, attrs, local, address, get } = addressArgs(m);
  const prefix = v4 ? "ipv4: " : "ipv6: ";
  if (h.prefixLength > (v4 ? 32 : 128)) {
    throw new KernelError(EINVAL, {
      message: `${prefix}Invalid prefix length`,
    });
  }
  if (v4 && !local) {
    throw new KernelError(EINVAL, {
      message: "ipv4: Local address is not supplied",
    });
  }
  const pfx = v4 ? local! : (address ?? local);
  if (!pfx) throw new KernelError(EINVAL);
  const l = s.links.get(h.index);
  if (!l) {
    throw new KernelError(ENODEV, {
      message: v4
        ? "ipv4: Device not found"
        : "ipv6: Unable to find the interface",
    });
  }
  const flags = attrU32(attrs.get(AddressAttribute.Flags)) ?? h.flags;
  const existing = s.addresses.find((a) =>
    a.family === h.family && a.index === h.index &&
    (v4
      ? bytesEqual(a.local, pfx) && a.prefixLength === h.prefixLength
      : bytesEqual(a.address, pfx))
  );
  if (existing) {
    if (
      (m.header.flags & HeaderFlags.Excl) ||
      !(m.header.flags & HeaderFlags.Replace)
    ) {
      throw new KernelError(EEXIST, {
        message: v4
          ? "ipv4: Address already assigned"
          : "ipv6: address already assigned",
      });
    }
    existing.flags = flags | (v4 ? IFA_F_PERMANENT : 0);
    existing.scope = h.scope;
    s.notifyAddress(RouteType.NewAddress, existing, o);
    return [];
  }
  const a: AddressRecord = {
    family: h.family,
    index: h.index,
    prefixLength: h.prefixLength,
    flags: flags | IFA_F_PERMANENT,
    scope: h.scope,
    local: pfx,
    address: v4 ? (address ?? pfx) : pfx,
    broadcast: v4 ? get(AddressAttribute.Broadcast) : undefined,
    label: attrString(attrs.get(AddressAttribute.Label), IFNAMSIZ - 1) ??
      l.name,
  };
  s.addresses.push(a);
  s.notifyAddress(RouteType.NewAddress, a, o);
  s.addKernelRoutes(a, o);
  return [];
}

/**
 * `RTM_DELADDR`: remove an address.
 *
 * @internal
 */
export function delAddress(s: RtnlState, m: Message, o: Origin): Message[] {
  const { h, v4, local, address } = addressArgs(m);
  if (!v4 && !(address ?? local)) throw new KernelError(EINVAL);
  if (!s.links.get(h.index)) {
    throw new KernelError(ENODEV, {
      message: v4
        ? "ipv4: Device not found"
        : "ipv6: Unable to find the interface",
    });
  }
  const i = s.addresses.findIndex((a) =>
    a.family === h.family && a.index === h.index &&
    (v4
      ? (!local || bytesEqual(a.local, local)) &&
        (!address || bytesEqual(a.address, address)) &&
        (h.prefixLength === 0 || a.prefixLength === h.prefixLength)
      : bytesEqual(a.address, address ?? local) &&
        a.prefixLength === h.prefixLength)
  );
  if (i < 0) {
    throw new KernelError(EADDRNOTAVAIL, {
      message: v4 ? "ipv4: Address not found" : "ipv6: address not found",
    });
  }
  const [a] = s.addresses.splice(i, 1);
  s.notifyAddress(RouteType.DelAddress, a!, o);
  s.removeKernelRoutes(a!, o);
  return [];
}

/**
 * `RTM_GETADDR` dump, with the strict header checks of `inet_valid_dump_ifaddr_req`.
 *
 * @internal
 */
export function dumpAddresses(
  s: RtnlState,
  m: Message,
  ctx: RequestContext,
): HandlerResult {
  const h = decodeIfAddr(m.data);
  let index = 0;
  if (ctx.strict) {
    const prefix = h.family === AF_INET6 ? "ipv6: " : "ipv4: ";
    if (m.data.length < IFADDRMSG_LENGTH) {
      throw new KernelError(EINVAL, {
        message: `${prefix}Invalid header for address dump request`,
      });
    }
    if (h.prefixLength || h.flags || h.scope) {
      throw new KernelError(EINVAL, {
        message: `${prefix}Invalid values in header for address dump request`,
      });
    }
    index = h.index;
    if (index && !s.links.get(index)) throw new KernelError(ENODEV);
  }
  const list = s.sortedAddresses().filter((a) =>
    (h.family === AF_UNSPEC || a.family === h.family) &&
    (index === 0 || a.index === index)
  );
  return {
    dump: list.map((a) => encodeAddress(RouteType.NewAddress, a)),
    filtered: index !== 0,
  };
}
