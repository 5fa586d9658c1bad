/**
 * `nlkit wifi`: wifi interfaces, link and stations, like `iw dev`.
 *
 * @module
 */

import { wifiInfo } from "../wifi_info.ts";
import { type Command, toJSON } from "./_common.ts";

/** `nlkit wifi`. */
export const wifi: Command = {
  name: "wifi",
  usage: "wifi",
  summary: "wifi interfaces, link and stations (like `iw dev`)",
  async run({ args, backend }) {
    const { client, simulated } = await backend.wifi();
    await using _client = client;
    if (args.json) {
      const interfaces = await client.interfaces();
      const stations = [];
      for (const ifi of interfaces) {
        if (ifi.index !== 0) stations.push(...await client.stationInfo(ifi));
      }
      return toJSON({ simulated: simulated ?? null, interfaces, stations }, 2);
    }
    const note = simulated ? `# Simulated nl80211 device: ${simulated}.\n` : "";
    return `${note}$ iw dev\n${await wifiInfo(client)}`;
  },
};
