/**
 * `nlkit ethtool DEV`: a device's link settings, like `ethtool DEV`; with
 * `-k` its features (`ethtool -k`), `-g` rings, `-l` channels, `-a` pause,
 * `-c` coalescing, `-S` standard statistics (`ethtool -S --all-groups`).
 *
 * @module
 */

import {
  type Coalesce,
  Ethtool,
  type Features,
  type LinkInfo,
  type LinkModes,
  type LinkState,
  type Stats,
} from "../../src/ethtool/mod.ts";
import { ethtool as simulated } from "../../src/nltest/mod.ts";
import { type Command, toJSON, UsageError } from "./_common.ts";

/** Mode names that are ports, pause or autonegotiation bits, not link speeds. */
const PORT_MODES = ["TP", "AUI", "MII", "FIBRE", "BNC", "Backplane"];
const OTHER_MODES = [
  "Autoneg",
  "Pause",
  "Asym_Pause",
  "None",
  "RS",
  "BASER",
  "LLRS",
];
const PORT_TEXT: Record<string, string> = {
  tp: "Twisted Pair",
  aui: "AUI",
  mii: "MII",
  fibre: "FIBRE",
  bnc: "BNC",
  da: "Direct Attach Copper",
  none: "None",
  other: "Other",
};
const MDI_TEXT: Record<string, string> = {
  invalid: "Unknown",
  mdi: "off",
  "mdi-x": "on",
  auto: "auto",
};

function modeList(modes: string[]): string {
  const speeds = modes.filter((m) =>
    !PORT_MODES.includes(m) && !OTHER_MODES.includes(m)
  );
  return speeds.length === 0
    ? "Not reported"
    : speeds.join("\n\t                        ");
}

function pauseUse(modes: string[]): string {
  const p = modes.includes("Pause"), a = modes.includes("Asym_Pause");
  return p && a
    ? "Symmetric Receive-only"
    : p
    ? "Symmetric"
    : a
    ? "Transmit-only"
    : "No";
}

/**
 * `ethtool DEV`'s text for what the client read.
 *
 * @param name The device.
 * @param info Link info, or undefined when the driver has none.
 * @param modes Link modes, or undefined.
 * @param state Link state.
 * @returns The text.
 */
export function formatSettings(
  name: string,
  info: LinkInfo | undefined,
  modes: LinkModes | undefined,
  state: LinkState,
): string {
  let out = `Settings for ${name}:\n`;
  if (modes !== undefined) {
    const ports = modes.supported.filter((m) => PORT_MODES.includes(m));
    out += `\tSupported ports: [ ${ports.join(" ")}${
      ports.length ? " " : ""
    }]\n`;
    out += `\tSupported link modes:   ${modeList(modes.supported)}\n`;
    out += `\tSupported pause frame use: ${pauseUse(modes.supported)}\n`;
    out += `\tSupports auto-negotiation: ${
      modes.supported.includes("Autoneg") ? "Yes" : "No"
    }\n`;
    out += `\tAdvertised link modes:  ${modeList(modes.advertised)}\n`;
    out += `\tAdvertised pause frame use: ${pauseUse(modes.advertised)}\n`;
    out += `\tAdvertised auto-negotiation: ${
      modes.advertised.includes("Autoneg") ? "Yes" : "No"
    }\n`;
    if (modes.peer.length > 0) {
      out += `\tLink partner advertised link modes:  ${modeList(modes.peer)}\n`;
    }
    out += `\tSpeed: ${
      modes.speed === undefined ? "Unknown!" : `${modes.speed}Mb/s`
    }\n`;
    out += `\tDuplex: ${
      modes.duplex === "unknown"
        ? "Unknown! (255)"
        : modes.duplex[0]!.toUpperCase() + modes.duplex.slice(1)
    }\n`;
    out += `\tAuto-negotiation: ${modes.autoneg ? "on" : "off"}\n`;
  }
  if (info !== undefined) {
    out += `\tPort: ${PORT_TEXT[info.port] ?? info.port}\n`;
    out += `\tPHYAD: ${info.phyAddress}\n`;
    out += `\tTransceiver: ${info.transceiver}\n`;
    out += `\tMDI-X: ${MDI_TEXT[info.mdix] ?? info.mdix}\n`;
  }
  if (state.extState !== undefined) {
    out += `\tLink detected: ${
      state.link ? "yes" : "no"
    } (${state.extState})\n`;
  } else {
    out += `\tLink detected: ${
      state.link === undefined ? "unknown" : state.link ? "yes" : "no"
    }\n`;
  }
  return out;
}

/**
 * `ethtool -k`'s text: each feature the kernel names, on or off, `[fixed]`
 * when it cannot change (the kernel's names; `ethtool` also groups some
 * under older names).
 *
 * @param f The features.
 * @returns The text.
 */
export function formatFeatures(f: Features): string {
  let out = `Features for ${f.name}:\n`;
  for (const name of f.all) {
    const on = f.active.includes(name);
    const fixed = f.fixed.includes(name);
    const requested = f.wanted.includes(name);
    out += `${name}: ${on ? "on" : "off"}${
      fixed
        ? " [fixed]"
        : requested !== on
        ? ` [requested ${requested ? "on" : "off"}]`
        : ""
    }\n`;
  }
  return out;
}

/** `ethtool -g`/`-l` style: maximums, then current values. */
function formatPairs(
  title: string,
  rows: [string, number | undefined, number | undefined][],
): string {
  const v = (n: number | undefined) =>
    n === undefined || n === 0 ? "n/a" : String(n);
  let out = `${title}\nPre-set maximums:\n`;
  for (const [k, max] of rows) out += `${k}:\t\t${v(max)}\n`;
  out += "Current hardware settings:\n";
  for (const [k, , cur] of rows) out += `${k}:\t\t${v(cur)}\n`;
  return out;
}

function formatCoalesce(c: Coalesce): string {
  let out = `Coalesce parameters for ${c.name}:\n`;
  for (const [k, v] of Object.entries(c)) {
    if (k === "index" || k === "name") continue;
    out += `${k.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)}: ${
      typeof v === "object" ? JSON.stringify(v) : v
    }\n`;
  }
  return out;
}

function formatStats(s: Stats): string {
  let out = `Standard stats for ${s.name}:\n`;
  for (const [group, g] of Object.entries(s.groups)) {
    for (const [k, v] of Object.entries(g.counters)) {
      out += `${group}-${k}: ${v}\n`;
    }
    for (const [dir, list] of [["rx", g.histRx], ["tx", g.histTx]] as const) {
      for (const b of list) {
        out += `${group}-${dir}-${b.low}-to-${b.high}: ${b.value}\n`;
      }
    }
  }
  return out;
}

/** A NIC for the simulated machine's `eth0`. */
const DEMO: simulated.SimDevice = {
  name: "eth0",
  link: true,
  linkModes: {
    autoneg: true,
    speed: 1000,
    duplex: "full",
    supported: [
      "10baseT/Half",
      "10baseT/Full",
      "100baseT/Half",
      "100baseT/Full",
      "1000baseT/Full",
      "Autoneg",
      "TP",
      "Pause",
    ],
    advertised: [
      "10baseT/Half",
      "10baseT/Full",
      "100baseT/Half",
      "100baseT/Full",
      "1000baseT/Full",
      "Autoneg",
      "TP",
      "Pause",
    ],
    peer: ["100baseT/Full", "1000baseT/Full", "Autoneg", "Pause"],
  },
  rings: {
    rxMax: 4096,
    rxMiniMax: 0,
    rxJumboMax: 0,
    txMax: 4096,
    rx: 256,
    tx: 256,
  },
  channels: {
    rxMax: 0,
    txMax: 0,
    otherMax: 1,
    combinedMax: 8,
    otherCount: 1,
    combinedCount: 4,
  },
  pause: { autoneg: 1, rx: 1, tx: 1 },
  coalesce: {
    rxUsecs: 3,
    rxMaxFrames: 0,
    txUsecs: 0,
    txMaxFrames: 0,
    useAdaptiveRx: 1,
    useAdaptiveTx: 0,
  },
  stats: {
    "eth-mac": {
      FramesTransmittedOK: 1_204_331n,
      FramesReceivedOK: 2_009_117n,
      FrameCheckSequenceErrors: 0n,
      OctetsTransmittedOK: 98_304_551n,
      OctetsReceivedOK: 2_870_113_002n,
    },
    "eth-ctrl": {
      MACControlFramesTransmitted: 0n,
      MACControlFramesReceived: 12n,
    },
    rmon: { etherStatsUndersizePkts: 0n, etherStatsOversizePkts: 0n },
  },
};

/** `nlkit ethtool DEV`. */
export const ethtool: Command = {
  name: "ethtool",
  usage: "ethtool [-k|-g|-l|-a|-c|-S] DEV",
  summary:
    "a device's link settings (like `ethtool DEV`); -k features, -g rings, -l channels, -a pause, -c coalescing, -S statistics",
  flags: ["-k", "-g", "-l", "-a", "-c", "-S"],
  simulate(kernel) {
    new simulated.Simulator({ devices: [DEMO] }).register(kernel);
  },
  async run({ args, backend }) {
    const dev = args.operands[0];
    if (dev === undefined) {
      throw new UsageError("ethtool needs a device, e.g. `ethtool eth0`");
    }
    const ref = /^[0-9]+$/.test(dev) ? Number(dev) : dev;
    const views = ["-k", "-g", "-l", "-a", "-c", "-S"].filter((f) =>
      args.flags.has(f)
    );
    if (views.length > 1) {
      throw new UsageError("ethtool takes one of -k, -g, -l, -a, -c, -S");
    }
    await using et = await Ethtool.open({ conn: await backend.genl() });
    switch (views[0]) {
      case "-k": {
        const f = await et.features(ref);
        return args.json ? toJSON(f, 2) : formatFeatures(f);
      }
      case "-g": {
        const r = await et.rings(ref);
        return args.json
          ? toJSON(r, 2)
          : formatPairs(`Ring parameters for ${r.name}:`, [
            ["RX", r.rxMax, r.rx],
            ["RX Mini", r.rxMiniMax, r.rxMini],
            ["RX Jumbo", r.rxJumboMax, r.rxJumbo],
            ["TX", r.txMax, r.tx],
          ]);
      }
      case "-l": {
        const c = await et.channels(ref);
        return args.json
          ? toJSON(c, 2)
          : formatPairs(`Channel parameters for ${c.name}:`, [
            ["RX", c.rxMax, c.rxCount],
            ["TX", c.txMax, c.txCount],
            ["Other", c.otherMax, c.otherCount],
            ["Combined", c.combinedMax, c.combinedCount],
          ]);
      }
      case "-a": {
        const p = await et.pause(ref);
        const on = (b: boolean) => b ? "on" : "off";
        return args.json
          ? toJSON(p, 2)
          : `Pause parameters for ${p.name}:\nAutonegotiate:\t${
            on(p.autoneg)
          }\nRX:\t\t${on(p.rx)}\nTX:\t\t${on(p.tx)}\n`;
      }
      case "-c": {
        const c = await et.coalesce(ref);
        return args.json ? toJSON(c, 2) : formatCoalesce(c);
      }
      case "-S": {
        const s = await et.stats(ref);
        return args.json ? toJSON(s, 2) : formatStats(s);
      }
    }
    // Like `ethtool DEV`: what the driver does not report is left out.
    const opt = <T>(p: Promise<T>): Promise<T | undefined> =>
      p.catch((e) => {
        if ((e as { code?: string }).code === "EOPNOTSUPP") return undefined;
        throw e;
      });
    const [info, modes, state] = await Promise.all([
      opt(et.linkInfo(ref)),
      opt(et.linkModes(ref)),
      et.linkState(ref),
    ]);
    return args.json
      ? toJSON({ linkInfo: info, linkModes: modes, linkState: state }, 2)
      : formatSettings(state.name, info, modes, state);
  },
};
