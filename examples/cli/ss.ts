/**
 * `nlkit ss`: sockets, like `ss -tuxan`, from `NETLINK_SOCK_DIAG`.
 *
 * @module
 */

import { Family } from "../../src/netlink/mod.ts";
import {
  type InetProtocol,
  type InetSocket,
  SockDiag,
  type SocketState,
  type StateName,
  type UnixSocket,
} from "../../src/sockdiag/mod.ts";
import { SimSockDiag } from "../../src/nltest/mod.ts";
import { type Command, toJSON } from "./_common.ts";

/** State names as `ss` prints them. */
const SS_STATES: Readonly<Record<string, string>> = {
  "established": "ESTAB",
  "syn-sent": "SYN-SENT",
  "syn-recv": "SYN-RECV",
  "fin-wait-1": "FIN-WAIT-1",
  "fin-wait-2": "FIN-WAIT-2",
  "time-wait": "TIME-WAIT",
  "close": "UNCONN",
  "close-wait": "CLOSE-WAIT",
  "last-ack": "LAST-ACK",
  "listen": "LISTEN",
  "closing": "CLOSING",
  "new-syn-recv": "SYN-RECV",
  "bound-inactive": "BOUND-INACTIVE",
};

/** `ss`'s default: connected sockets (not listening, unconnected, TIME-WAIT or SYN-RECV). */
const CONNECTED: readonly SocketState[] = [
  "established",
  "syn-sent",
  "fin-wait-1",
  "fin-wait-2",
  "close-wait",
  "last-ack",
  "closing",
];
/** `ss -l`: listening, and unconnected datagram sockets. */
const LISTENING: readonly SocketState[] = ["listen", "close"];

/** One row of `ss` output. */
export interface SsRow {
  /** `tcp`, `udp`, `u_str`, `u_dgr`, `u_seq`. */
  netid: string;
  /** `ss`'s state name, such as `ESTAB`. */
  state: string;
  /** Recv-Q. */
  recvQ: number;
  /** Send-Q. */
  sendQ: number;
  /** Local address (or path, `*` for none). */
  localAddress: string;
  /** Local port (UNIX: the inode). */
  localPort: string;
  /** Peer address (`*` for none). */
  peerAddress: string;
  /** Peer port (`*` for none; UNIX: the peer's inode or 0). */
  peerPort: string;
  /** Between address and port: `:` (a space for UNIX sockets, as ss prints them). */
  separator: string;
}

function ssState(s: StateName): string {
  return SS_STATES[s] ?? s.toUpperCase();
}

function inetAddress(s: InetSocket, address: string): string {
  return s.family === 6 ? `[${address}]` : address;
}

/** A row for an IPv4/IPv6 socket. */
export function inetRow(s: InetSocket): SsRow {
  return {
    netid: s.protocol,
    state: ssState(s.state),
    recvQ: s.receiveQueue,
    sendQ: s.sendQueue,
    localAddress: inetAddress(s, s.localAddress),
    localPort: s.localPort === 0 ? "*" : String(s.localPort),
    peerAddress: inetAddress(s, s.remoteAddress),
    peerPort: s.remotePort === 0 ? "*" : String(s.remotePort),
    separator: ":",
  };
}

/** A row for a UNIX socket, as `ss -x` shows it. */
export function unixRow(s: UnixSocket): SsRow {
  const netid = s.type === "stream"
    ? "u_str"
    : s.type === "dgram"
    ? "u_dgr"
    : s.type === "seqpacket"
    ? "u_seq"
    : "u_???";
  return {
    netid,
    state: ssState(s.state),
    recvQ: s.receiveQueue ?? 0,
    sendQ: s.sendQueue ?? 0,
    localAddress: s.path ?? "*",
    localPort: String(s.inode),
    peerAddress: "*",
    peerPort: String(s.peer ?? 0),
    separator: " ",
  };
}

/**
 * Formats rows as `ss` does: columns padded to their widest entry, the
 * address right-aligned against its `:port`.
 *
 * @param rows The rows.
 * @param netid Show the Netid column (more than one protocol, or UNIX sockets).
 * @returns The table with its header.
 */
export function formatSs(rows: readonly SsRow[], netid: boolean): string {
  const header: SsRow = {
    netid: "Netid",
    state: "State",
    recvQ: 0,
    sendQ: 0,
    localAddress: "Local Address",
    localPort: "Port",
    peerAddress: "Peer Address",
    peerPort: "Port",
    separator: ":",
  };
  const w = (f: (r: SsRow) => string): number =>
    Math.max(...[header, ...rows].map((r) => f(r).length));
  const wNetid = w((r) => r.netid);
  const wState = w((r) => r.state);
  const wLocalA = w((r) => r.localAddress);
  const wLocalP = w((r) => r.localPort);
  const wPeerA = w((r) => r.peerAddress);
  const wRecv = Math.max(6, ...rows.map((r) => String(r.recvQ).length));
  const wSend = Math.max(6, ...rows.map((r) => String(r.sendQ).length));
  const line = (r: SsRow, q: [string, string]): string =>
    [
      ...(netid ? [r.netid.padEnd(wNetid)] : []),
      r.state.padEnd(wState),
      q[0].padEnd(wRecv),
      q[1].padEnd(wSend),
      `${r.localAddress.padStart(wLocalA)}${r.separator}${
        r.localPort.padEnd(wLocalP)
      }`,
      `${r.peerAddress.padStart(wPeerA)}${r.separator}${r.peerPort}`,
    ].join(" ").trimEnd();
  return [
    line(header, ["Recv-Q", "Send-Q"]),
    ...rows.map((r) => line(r, [String(r.recvQ), String(r.sendQ)])),
  ].join("\n") + "\n";
}

/** What `nlkit ss` lists. */
export interface SsOptions {
  /** TCP sockets. */
  tcp: boolean;
  /** UDP sockets. */
  udp: boolean;
  /** UNIX sockets. */
  unix: boolean;
  /** The states, or undefined for all (`-a`). */
  states?: readonly SocketState[];
}

/**
 * Lists the sockets `ss` would, as decoded entries.
 *
 * @param diag The client.
 * @param o What to list.
 * @returns IPv4/IPv6 sockets (TCP, then UDP) and UNIX sockets.
 */
export async function listSockets(
  diag: SockDiag,
  o: SsOptions,
): Promise<{ inet: InetSocket[]; unix: UnixSocket[] }> {
  const inet: InetSocket[] = [];
  const protocols: InetProtocol[] = [
    ...(o.tcp ? ["tcp" as const] : []),
    ...(o.udp ? ["udp" as const] : []),
  ];
  for (const protocol of protocols) {
    for (const family of [4, 6] as const) {
      await diag.visitInet(
        { family, protocol, ...(o.states ? { states: o.states } : {}) },
        (s) => {
          inet.push(s);
        },
      );
    }
  }
  const unix = o.unix
    ? await diag.unix(o.states ? { states: o.states } : {})
    : [];
  return { inet, unix };
}

/** `nlkit ss`. */
export const ss: Command = {
  name: "ss",
  usage: "ss [-t] [-u] [-x] [-l|-a] [-n]",
  summary:
    "sockets (like `ss -tuxan`): -t TCP, -u UDP, -x UNIX, -l listening, -a all",
  flags: ["-t", "-u", "-x", "-l", "-a", "-n"],
  simulate(kernel) {
    new SimSockDiag({
      inet: [
        {
          protocol: "tcp",
          state: "listen",
          localAddress: "0.0.0.0",
          localPort: 22,
          sendQueue: 128,
        },
        {
          protocol: "tcp",
          state: "listen",
          localAddress: "::",
          localPort: 22,
          sendQueue: 128,
        },
        {
          protocol: "tcp",
          localAddress: "10.0.0.1",
          localPort: 22,
          remoteAddress: "10.0.0.7",
          remotePort: 51000,
          sendQueue: 36,
        },
        { protocol: "udp", localAddress: "127.0.0.53", localPort: 53 },
        {
          protocol: "udp",
          localAddress: "10.0.0.1",
          localPort: 40123,
          remoteAddress: "10.0.0.254",
          remotePort: 123,
        },
      ],
      unix: [
        {
          type: "stream",
          state: "listen",
          path: "/run/dbus/system_bus_socket",
          inode: 1001,
          sendQueue: 4096,
        },
        {
          type: "stream",
          path: "/run/dbus/system_bus_socket",
          inode: 1002,
          peer: 1003,
        },
        { type: "stream", inode: 1003, peer: 1002 },
        { type: "dgram", path: "@/org/nlkit/demo", inode: 1004 },
      ],
    }).register(kernel);
  },
  async run({ args, backend }) {
    const f = args.flags;
    let tcp = f.has("-t");
    let udp = f.has("-u");
    let unix = f.has("-x");
    if (!tcp && !udp && !unix) tcp = udp = unix = true;
    const states = f.has("-a")
      ? undefined
      : f.has("-l")
      ? LISTENING
      : CONNECTED;
    const conn = await backend.conn(Family.SockDiag);
    await using diag = await SockDiag.open({ conn });
    const list = await listSockets(diag, {
      tcp,
      udp,
      unix,
      ...(states ? { states } : {}),
    });
    if (args.json) {
      return toJSON([
        ...list.inet.map((s) => ({ netid: s.protocol, ...s })),
        ...list.unix.map((s) => ({ netid: unixRow(s).netid, ...s })),
      ]);
    }
    const rows = [...list.inet.map(inetRow), ...list.unix.map(unixRow)];
    return formatSs(rows, unix || (tcp && udp));
  },
};
