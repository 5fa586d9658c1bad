/**
 * The simulated ethtool family's devices as requests reach them: the
 * declared devices by link, the request header resolved as Linux resolves
 * it, and a get operation answered for one device (do) or every device
 * that supports it (dump) (internal to `nltest/ethtool.ts`).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import type { ExtendedAck } from "../netlink/errors.ts";
import { family as ethtoolFamily, type Header } from "../families/ethtool.ts";
import { compiled } from "../families/family.ts";
import type { SimKernel } from "./kernel.ts";
import { KernelError } from "./kernel_handler.ts";
import type { SimLink } from "./rtnetlink.ts";
import type { YnlRequestContext } from "./ynl_family.ts";
import type { SimDevice } from "./ethtool.ts";
import { bareState, type DeviceState, deviceState } from "./_ethtool_state.ts";

/** The type of attribute `key` of the ethtool spec's attribute set `set`. */
export const attrId = (set: string, key: string): number =>
  compiled(ethtoolFamily).sets.get(set)!.byKey.get(key)!.id;

/**
 * The extended ACK pointing at the request attribute reached by `path`
 * (spec names), or none when the request lacks it.
 */
export function ackAt(
  context: YnlRequestContext,
  path: readonly (string | number)[],
): ExtendedAck {
  const offset = context.offsetOf(path);
  return offset === undefined ? {} : { offset };
}

/** The attribute set a request of this operation uses (for the header's type). */
function setOf(context: YnlRequestContext): string {
  return compiled(ethtoolFamily).ops.get(context.operation.specName)!.set!.name;
}

/** The declared devices of one simulated kernel, by link index. */
export class Devices {
  #kernel: SimKernel;
  #devices = new Map<number, DeviceState>();

  /** The devices of `kernel`'s links. */
  constructor(kernel: SimKernel) {
    this.#kernel = kernel;
  }

  /**
   * Declares a device, creating a link when none has the name.
   *
   * @throws {TypeError} For bad device data.
   */
  add(spec: SimDevice): void {
    const kernel = this.#kernel;
    let link = kernel.rtnetlink.links().find((l) => l.name === spec.name);
    if (link === undefined) {
      // A plain link: what the driver answers is the device's data here.
      const linkSpec: Parameters<SimKernel["rtnetlink"]["addLink"]>[0] = {
        name: spec.name,
      };
      if (spec.index !== undefined) linkSpec.index = spec.index;
      link = kernel.rtnetlink.addLink(linkSpec);
    }
    this.#devices.set(link.index, deviceState(spec, link));
  }

  /** The state of a link: declared, or a link without ethtool data. */
  state(link: SimLink): DeviceState {
    const d = this.#devices.get(link.index);
    if (d !== undefined && d.link.name === link.name) {
      d.link = link;
      return d;
    }
    if (d !== undefined) d.link = link; // renamed
    return d ?? bareState(link);
  }

  /**
   * Resolves the request header as `ethnl_parse_header_dev_get` does.
   *
   * @param required Whether the header must name a device.
   * @returns The device, or `undefined` when none is named.
   * @throws {KernelError} EINVAL or ENODEV, pointing at the attribute.
   */
  resolve(
    request: { header?: Header },
    context: YnlRequestContext,
    required: boolean,
  ): DeviceState | undefined {
    const headerType = attrId(setOf(context), "header");
    const h = request.header;
    if (h === undefined) {
      throw new KernelError(Errno.EINVAL, { missingType: headerType });
    }
    const at = (key: string): ExtendedAck =>
      ackAt(context, key === "" ? ["header"] : ["header", key]);
    for (const f of h.flags ?? []) {
      if (typeof f === "number") {
        throw new KernelError(Errno.EINVAL, {
          message: "reserved bit set",
          ...at("flags"),
        });
      }
    }
    const links = this.#kernel.rtnetlink.links();
    let link: SimLink | undefined;
    if (h.devIndex !== undefined) {
      link = links.find((l) => l.index === h.devIndex);
      if (link === undefined) {
        throw new KernelError(Errno.ENODEV, {
          message: "no device matches ifindex",
          ...at("devIndex"),
        });
      }
      if (h.devName !== undefined && link.name !== h.devName) {
        throw new KernelError(Errno.ENODEV, {
          message: "ifindex and name do not match",
          ...at(""),
        });
      }
    } else if (h.devName !== undefined) {
      link = links.find((l) => l.name === h.devName);
      if (link === undefined) {
        throw new KernelError(Errno.ENODEV, {
          message: "no device matches name",
          ...at("devName"),
        });
      }
    } else if (required) {
      throw new KernelError(Errno.EINVAL, {
        message: "neither ifindex nor name specified",
        ...at(""),
      });
    }
    return link === undefined ? undefined : this.state(link);
  }

  /**
   * A get operation: one device (do), or every device that supports it
   * (dump: a device in the header is checked, not used as a filter; a
   * device whose driver lacks the operation is skipped).
   *
   * @param reply Builds the reply for a device; throws EOPNOTSUPP when its
   * driver lacks the operation.
   */
  get(
    request: { header?: Header },
    context: YnlRequestContext,
    reply: (d: DeviceState, compact: boolean) => object,
  ): object | object[] {
    const compact = (request.header?.flags ?? []).includes("compact-bitsets");
    const d = this.resolve(request, context, !context.dump);
    if (!context.dump) return reply(d!, compact);
    const out: object[] = [];
    for (const link of this.#kernel.rtnetlink.links()) {
      try {
        out.push(reply(this.state(link), compact));
      } catch (e) {
        if (!(e instanceof KernelError && e.errno === Errno.EOPNOTSUPP)) {
          throw e;
        }
      }
    }
    return out;
  }
}
