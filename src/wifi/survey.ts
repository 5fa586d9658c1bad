/**
 * Channel surveys (`NL80211_CMD_NEW_SURVEY_RESULTS` replies): noise and
 * channel busy times.
 *
 * @module
 */

import { AttributeDecoder, AttributeEncoder } from "../netlink/attribute.ts";
import { readCounter } from "./_attr.ts";
import { Nl80211Attribute as A, Nl80211SurveyInfo as S } from "./nl80211.ts";

/**
 * One channel's survey, as `iw dev X survey dump` shows it. Times are in
 * milliseconds. The Go reference's `ChannelTimeActive` was never filled: the
 * kernel's `NL80211_SURVEY_INFO_TIME` *is* the active time, here `channelTimeMs`.
 *
 * @example The survey of a simulated device
 * ```ts
 * import { Client } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({
 *     interfaces: [{ name: "wlan0", survey: [{ frequency: 2412, noise: -95, inUse: true, channelTimeMs: 100 }] }],
 *   }),
 * });
 * const [ifi] = await client.interfaces();
 * const [s] = await client.surveyInfo(ifi!);
 * assert.equal(s?.noise, -95);
 * assert.equal(s?.inUse, true);
 * ```
 */
export interface SurveyInfo {
  /** `NL80211_ATTR_IFINDEX`. */
  interfaceIndex: number;
  /** `FREQUENCY`: MHz. */
  frequency: number;
  /** `NOISE`: dBm (0 when not reported). */
  noise: number;
  /** `IN_USE`: the channel the interface is on. */
  inUse: boolean;
  /** `TIME`: time the radio was on this channel. */
  channelTimeMs: number;
  /** `TIME_BUSY`: time the channel was sensed busy. */
  channelTimeBusyMs: number;
  /** `TIME_EXT_BUSY`: time the extension channel was sensed busy. */
  channelTimeExtBusyMs: number;
  /** `TIME_BSS_RX`: time receiving frames of the own BSS. */
  channelTimeBssRxMs: number;
  /** `TIME_RX`: time receiving. */
  channelTimeRxMs: number;
  /** `TIME_TX`: time transmitting. */
  channelTimeTxMs: number;
  /** `TIME_SCAN`: time spent scanning. */
  channelTimeScanMs: number;
  /** `FREQUENCY_OFFSET`: kHz offset of `frequency` (S1G channels). */
  frequencyOffsetKHz?: number;
}

/**
 * Decodes a survey message (`NL80211_CMD_NEW_SURVEY_RESULTS`). Returns
 * undefined when the message has no `NL80211_ATTR_SURVEY_INFO`.
 *
 * @param data The generic netlink payload after the 4-byte genl header.
 * @returns The survey, or undefined.
 * @throws {RangeError} If an attribute is truncated or has the wrong size.
 *
 * @example Using decodeSurveyInfo
 * ```ts
 * import { decodeSurveyInfo, Nl80211Attribute, Nl80211SurveyInfo } from "@nlkit/netlink/wifi";
 * import { AttributeEncoder } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const data = new AttributeEncoder().nested(Nl80211Attribute.SurveyInfo, (e) => {
 *   e.uint32(Nl80211SurveyInfo.Frequency, 2412).uint8(Nl80211SurveyInfo.Noise, 0xa1);
 * }).encode();
 * assert.equal(decodeSurveyInfo(data)?.noise, -95);
 * ```
 */
export function decodeSurveyInfo(data: Uint8Array): SurveyInfo | undefined {
  const s: SurveyInfo = {
    interfaceIndex: 0,
    frequency: 0,
    noise: 0,
    inUse: false,
    channelTimeMs: 0,
    channelTimeBusyMs: 0,
    channelTimeExtBusyMs: 0,
    channelTimeBssRxMs: 0,
    channelTimeRxMs: 0,
    channelTimeTxMs: 0,
    channelTimeScanMs: 0,
  };
  let found = false;
  const d = new AttributeDecoder(data);
  while (d.next()) {
    if (d.type === A.Ifindex) s.interfaceIndex = d.uint32();
    else if (d.type === A.SurveyInfo) {
      found = true;
      const c = d.decoder();
      while (c.next()) {
        switch (c.type) {
          case S.Frequency:
            s.frequency = c.uint32();
            break;
          case S.FrequencyOffset:
            s.frequencyOffsetKHz = c.uint32();
            break;
          case S.Noise:
            s.noise = (c.uint8() << 24) >> 24;
            break;
          case S.InUse:
            s.inUse = true;
            break;
          case S.Time:
            s.channelTimeMs = readCounter(c);
            break;
          case S.TimeBusy:
            s.channelTimeBusyMs = readCounter(c);
            break;
          case S.TimeExtBusy:
            s.channelTimeExtBusyMs = readCounter(c);
            break;
          case S.TimeBSSRX:
            s.channelTimeBssRxMs = readCounter(c);
            break;
          case S.TimeRX:
            s.channelTimeRxMs = readCounter(c);
            break;
          case S.TimeTX:
            s.channelTimeTxMs = readCounter(c);
            break;
          case S.TimeScan:
            s.channelTimeScanMs = readCounter(c);
            break;
        }
      }
    }
  }
  return found ? s : undefined;
}

/**
 * Encodes a survey entry as the kernel sends it
 * (`NL80211_CMD_NEW_SURVEY_RESULTS`), the inverse of
 * {@linkcode decodeSurveyInfo}: the interface, then `NL80211_ATTR_SURVEY_INFO`
 * with the frequency, the noise (when not 0), the in-use flag and the
 * channel times (each when not 0, as u64 milliseconds).
 *
 * @internal Used by nltest's simulated nl80211.
 * @param s The survey entry.
 * @returns The attributes (the genl payload after the 4-byte header).
 */
export function encodeSurveyInfo(s: SurveyInfo): Uint8Array<ArrayBuffer> {
  return new AttributeEncoder()
    .uint32(A.Ifindex, s.interfaceIndex)
    .nested(A.SurveyInfo, (e) => {
      e.uint32(S.Frequency, s.frequency);
      if (s.noise !== 0) e.uint8(S.Noise, s.noise & 0xff);
      if (s.inUse) e.flag(S.InUse);
      const times: [number, number][] = [
        [S.Time, s.channelTimeMs],
        [S.TimeBusy, s.channelTimeBusyMs],
        [S.TimeExtBusy, s.channelTimeExtBusyMs],
        [S.TimeRX, s.channelTimeRxMs],
        [S.TimeTX, s.channelTimeTxMs],
        [S.TimeScan, s.channelTimeScanMs],
        [S.TimeBSSRX, s.channelTimeBssRxMs],
      ];
      for (const [t, v] of times) if (v !== 0) e.uint64(t, BigInt(v));
      if (s.frequencyOffsetKHz !== undefined) {
        e.uint32(S.FrequencyOffset, s.frequencyOffsetKHz);
      }
    })
    .encode();
}
