/**
 * A Bun server (`Bun.serve`) exporting link and wifi metrics in the
 * Prometheus text format at `/metrics`.
 *
 *   bun examples/bun_server.ts [--port 9121] [--sim]
 *   bun examples/bun_server.ts --self-test     # serve on a free port, fetch /metrics once, exit
 *
 * Links come from this machine's kernel (rtnetlink dump through `Conn.visit`)
 * or the simulated kernel when real sockets are unavailable; wifi from the
 * kernel's nl80211, or the simulated device when there is none.
 *
 * @module
 */

import process from "node:process";
import { dumpLinks, openCliBackend } from "./nlkit.ts";
import { collectMetrics } from "./wifi_exporter.ts";
import { type BunLike, escapeLabel } from "./_prometheus.ts";

const bun = (globalThis as { Bun?: BunLike }).Bun;
if (bun === undefined) {
  console.error(
    "This example uses Bun.serve: run it with `bun examples/bun_server.ts`.",
  );
  process.exit(1);
}

const args = process.argv.slice(2);
const selfTest = args.includes("--self-test");
const portAt = args.indexOf("--port");
const port = selfTest ? 0 : portAt >= 0 ? Number(args[portAt + 1]) : 9121;
const backend = await openCliBackend(args.includes("--sim"));
const { client, simulated } = await backend.wifi();
if (backend.simulated) {
  console.log(`# Links from the simulated kernel: ${backend.simulated}.`);
}
if (simulated) {
  console.log(`# Wifi from the simulated nl80211 device: ${simulated}.`);
}

async function linkMetrics(): Promise<string> {
  await using conn = await backend.route();
  const links = await dumpLinks(conn);
  let out =
    "# HELP nlkit_link_up Whether the link is administratively up (IFF_UP).\n# TYPE nlkit_link_up gauge\n";
  for (const l of links) {
    out += `nlkit_link_up{ifname="${escapeLabel(l.name)}"} ${l.up ? 1 : 0}\n`;
  }
  out +=
    "# HELP nlkit_link_mtu The link's MTU in bytes.\n# TYPE nlkit_link_mtu gauge\n";
  for (const l of links) {
    out += `nlkit_link_mtu{ifname="${escapeLabel(l.name)}"} ${l.mtu}\n`;
  }
  return out;
}

const server = bun.serve({
  port,
  hostname: "127.0.0.1",
  async fetch(req) {
    if (new URL(req.url).pathname !== "/metrics") {
      return new Response("Not found\n", { status: 404 });
    }
    try {
      return new Response(
        (await linkMetrics()) + (await collectMetrics(client)),
        {
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
          },
        },
      );
    } catch (e) {
      return new Response(
        `Cannot collect metrics: ${e instanceof Error ? e.message : e}\n`,
        { status: 500 },
      );
    }
  },
});
const url = `http://127.0.0.1:${server.port}/metrics`;
console.log(`listening on ${url}`);

const stop = async () => {
  server.stop(true);
  await client.close();
};
if (selfTest) {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200 || !text.includes('nlkit_link_up{ifname="lo"} 1')) {
    console.error(`self-test failed: HTTP ${res.status}\n${text}`);
    await stop();
    process.exit(1);
  }
  console.log(
    text.split("\n").filter((l) => !l.startsWith("#")).slice(0, 6).join("\n"),
  );
  console.log(
    `self-test ok: ${
      text.split("\n").filter((l) => l && !l.startsWith("#")).length
    } samples`,
  );
  await stop();
} else {
  process.once("SIGINT", () => void stop());
}
