/**
 * The regulatory domain (`NL80211_CMD_GET_REG` replies and regulatory
 * change notifications).
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import {
  Nl80211Attribute as A,
  Nl80211RegulatoryRuleAttribute as RR,
} from "./nl80211.ts";

/**
 * One rule of a regulatory domain (an entry of `NL80211_ATTR_REG_RULES`).
 *
 * @example The first rule of the world domain
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({}) });
 * const [rule] = (await client.regulatoryDomain()).rules;
 * assert.equal(rule?.startKHz, 2402000);
 * assert.equal(rule?.maxEIRPDbm, 20);
 * ```
 */
export interface RegulatoryRule {
  /** `FREQ_RANGE_START` in kHz. */
  startKHz: number;
  /** `FREQ_RANGE_END` in kHz. */
  endKHz: number;
  /** `FREQ_RANGE_MAX_BW`: the largest channel width in kHz. */
  maxBandwidthKHz: number;
  /** `POWER_RULE_MAX_ANT_GAIN` in dBi (the kernel reports mBi). */
  maxAntennaGainDbi: number;
  /** `POWER_RULE_MAX_EIRP` in dBm (the kernel reports mBm). */
  maxEIRPDbm: number;
  /** `REG_RULE_FLAGS` (`Nl80211RegulatoryRuleFlags`, such as `NoIR` or `DFS`). */
  flags: number;
  /** `DFS_CAC_TIME` in ms, when set. */
  dfsCACTimeMs?: number;
}

/**
 * A regulatory domain, as `iw reg get` shows it.
 *
 * @example The regulatory domain of a simulated world
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({ conn: nl80211.dial({ regulatory: { region: "DE" } }) });
 * const reg = await client.regulatoryDomain();
 * assert.equal(reg.region, "DE");
 * ```
 */
export interface RegulatoryDomain {
  /** `NL80211_ATTR_REG_ALPHA2`: ISO 3166 alpha2, `"00"` for the world domain. */
  region: string;
  /** `NL80211_ATTR_DFS_REGION` (`Nl80211DFSRegion`), when set. */
  dfsRegion?: number;
  /** `NL80211_ATTR_REG_RULES`. */
  rules: RegulatoryRule[];
  /** `NL80211_ATTR_WIPHY`: set for a self-managed wiphy's own domain. */
  wiphy?: number;
}

/**
 * Decodes a regulatory domain message (`NL80211_CMD_GET_REG` reply).
 *
 * @param data The generic netlink payload after the 4-byte genl header.
 * @returns The regulatory domain.
 * @throws {RangeError} If an attribute is truncated or has the wrong size.
 *
 * @example Using decodeRegulatoryDomain
 * ```ts
 * import { decodeRegulatoryDomain, Nl80211Attribute } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().string(Nl80211Attribute.RegAlpha2, "GB").encode();
 * assert.deepEqual(decodeRegulatoryDomain(data), { region: "GB", rules: [] });
 * ```
 */
export function decodeRegulatoryDomain(data: Uint8Array): RegulatoryDomain {
  const reg: RegulatoryDomain = { region: "", rules: [] };
  const d = new AttributeDecoder(data);
  while (d.next()) {
    switch (d.type) {
      case A.RegAlpha2:
        reg.region = d.string();
        break;
      case A.DFSRegion:
        reg.dfsRegion = d.uint8();
        break;
      case A.Wiphy:
        reg.wiphy = d.uint32();
        break;
      case A.RegRules: {
        const c = d.decoder();
        while (c.next()) reg.rules.push(decodeRule(c.decoder()));
        break;
      }
    }
  }
  return reg;
}

function decodeRule(d: AttributeDecoder): RegulatoryRule {
  const r: RegulatoryRule = {
    startKHz: 0,
    endKHz: 0,
    maxBandwidthKHz: 0,
    maxAntennaGainDbi: 0,
    maxEIRPDbm: 0,
    flags: 0,
  };
  while (d.next()) {
    switch (d.type) {
      case RR.RegRuleFlags:
        r.flags = d.uint32();
        break;
      case RR.FreqRangeStart:
        r.startKHz = d.uint32();
        break;
      case RR.FreqRangeEnd:
        r.endKHz = d.uint32();
        break;
      case RR.FreqRangeMaxBW:
        r.maxBandwidthKHz = d.uint32();
        break;
      case RR.PowerRuleMaxAntGain:
        r.maxAntennaGainDbi = d.uint32() / 100;
        break;
      case RR.PowerRuleMaxEirp:
        r.maxEIRPDbm = d.uint32() / 100;
        break;
      case RR.DFSCACTime:
        r.dfsCACTimeMs = d.uint32();
        break;
    }
  }
  return r;
}

/**
 * Encodes a regulatory domain as the kernel sends it (`NL80211_CMD_GET_REG`
 * reply), the inverse of {@linkcode decodeRegulatoryDomain}: the country,
 * the DFS region and wiphy when set, then one nest per rule (flags, the
 * frequency range and bandwidth in kHz, antenna gain and EIRP sent as
 * mBi/mBm, the CAC time when set).
 *
 * @internal Used by nltest's simulated nl80211.
 * @param d The domain.
 * @returns The attributes (the genl payload after the 4-byte header).
 */
export function encodeRegulatoryDomain(
  d: RegulatoryDomain,
): Uint8Array<ArrayBuffer> {
  const e = new AttributeEncoder().string(A.RegAlpha2, d.region);
  if (d.dfsRegion !== undefined) e.uint8(A.DFSRegion, d.dfsRegion);
  if (d.wiphy !== undefined) e.uint32(A.Wiphy, d.wiphy);
  e.nested(
    A.RegRules,
    (rs) =>
      d.rules.forEach((r, i) =>
        rs.nested(i + 1, (x) => {
          x.uint32(RR.RegRuleFlags, r.flags)
            .uint32(RR.FreqRangeStart, r.startKHz)
            .uint32(RR.FreqRangeEnd, r.endKHz)
            .uint32(RR.FreqRangeMaxBW, r.maxBandwidthKHz)
            .uint32(
              RR.PowerRuleMaxAntGain,
              Math.round(r.maxAntennaGainDbi * 100),
            )
            .uint32(RR.PowerRuleMaxEirp, Math.round(r.maxEIRPDbm * 100));
          if (r.dfsCACTimeMs !== undefined) {
            x.uint32(RR.DFSCACTime, r.dfsCACTimeMs);
          }
        })
      ),
  );
  return e.encode();
}
