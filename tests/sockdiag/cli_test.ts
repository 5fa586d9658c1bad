// `nlkit ss` on the simulated machine its `simulate` seeds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nlkit } from "../examples/_nlkit.ts";
import { formatSs, unixRow } from "../../examples/cli/ss.ts";

describe("nlkit ss", () => {
  it("shows connected sockets by default, like ss", async () => {
    assert.equal(
      await nlkit("ss"),
      [
        "Netid State Recv-Q Send-Q               Local Address:Port  Peer Address:Port",
        "tcp   ESTAB 0      36                        10.0.0.1:22        10.0.0.7:51000",
        "udp   ESTAB 0      0                         10.0.0.1:40123   10.0.0.254:123",
        "u_str ESTAB 0      0      /run/dbus/system_bus_socket 1002             * 1003",
        "u_str ESTAB 0      0                                * 1003             * 1002",
        "",
      ].join("\n"),
    );
  });

  it("-tl: listening TCP sockets without the Netid column, IPv6 in brackets", async () => {
    assert.equal(
      await nlkit("ss", "-tl"),
      [
        "State  Recv-Q Send-Q Local Address:Port Peer Address:Port",
        "LISTEN 0      128          0.0.0.0:22        0.0.0.0:*",
        "LISTEN 0      128             [::]:22           [::]:*",
        "",
      ].join("\n"),
    );
  });

  it("-xa: every UNIX socket, abstract names with @, as ss -xa prints them", async () => {
    assert.equal(
      await nlkit("ss", "-xa"),
      [
        "Netid State  Recv-Q Send-Q               Local Address:Port Peer Address:Port",
        "u_str LISTEN 0      4096   /run/dbus/system_bus_socket 1001            * 0",
        "u_str ESTAB  0      0      /run/dbus/system_bus_socket 1002            * 1003",
        "u_str ESTAB  0      0                                * 1003            * 1002",
        "u_dgr UNCONN 0      0                 @/org/nlkit/demo 1004            * 0",
        "",
      ].join("\n"),
    );
  });

  it("-u -a --json: UDP sockets as decoded entries", async () => {
    const list = JSON.parse(await nlkit("ss", "-ua", "--json")) as {
      netid: string;
      localPort: number;
      state: string;
      cookie: string;
    }[];
    assert.deepEqual(list.map((s) => [s.netid, s.localPort, s.state]), [
      ["udp", 53, "close"],
      ["udp", 40123, "established"],
    ]);
    assert.equal(typeof list[0]?.cookie, "string"); // bigint as text
  });

  it("refuses an unknown flag", async () => {
    await assert.rejects(nlkit("ss", "-z"), { name: "UsageError" });
  });

  it("formats an empty table as just the header", () => {
    assert.equal(
      formatSs([], false),
      "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n",
    );
    assert.equal(
      unixRow({ type: "unknown-9", state: "close", inode: 1, cookie: 0n })
        .netid,
      "u_???",
    );
  });
});
