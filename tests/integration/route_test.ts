// integration: the Route client against the real kernel in the CI namespace:
// the bodies of tests/route/_bodies.ts (also run against the simulated kernel
// by tests/route/route_test.ts), each result compared with `ip -j`. Links are
// named rt<tag><n> and removed; the namespace for link moves is rtroute<pid>.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import process from "node:process";
import { openLibc, Sys } from "../../src/ffi/mod.ts";
import { Route } from "../../src/route/mod.ts";
import { BODIES, type Env } from "../route/_bodies.ts";
import { assertBothWaysAgree } from "../route/_fast_check.ts";
import { Conn, Family, HeaderFlags } from "../../src/netlink/mod.ts";
import { getlink } from "../../src/families/rt_link.ts";
import { getroute } from "../../src/families/rt_route.ts";
import { gate, newTag } from "./_gate.ts";

const skip = await gate(import.meta.url);

const tag = newTag();

function ipJSON(...args: string[]): unknown[] {
  const out = execFileSync("ip", ["-j", ...args], { encoding: "utf8" });
  return out.trim() === "" ? [] : JSON.parse(out) as unknown[];
}

function cleanupLinks(prefix: string): void {
  for (const l of ipJSON("link", "show") as { ifname: string }[]) {
    if (l.ifname.startsWith(prefix)) {
      try {
        execFileSync("ip", ["link", "del", l.ifname], { stdio: "ignore" });
      } catch {
        // Gone with its peer.
      }
    }
  }
}

describe("integration: the Route client agrees with `ip -j`", { skip }, () => {
  for (const [i, body] of BODIES.entries()) {
    it(`integration: ${body.name}`, async () => {
      const prefix = `rt${tag}${i}`;
      let n = 0;
      await using route = await Route.open();
      const env: Env = {
        route,
        ip: ipJSON,
        name: (t) => `${prefix}${t}${n++}`.slice(0, 15),
        otherNamespace: async () => {
          const ns = `rtroute${process.pid}`;
          execFileSync("ip", ["netns", "add", ns]);
          const path = `/run/netns/${ns}`;
          const libc = await openLibc();
          const fd = libc.open(path, Sys.O_RDONLY | Sys.O_CLOEXEC);
          const sleeper = spawn("ip", ["netns", "exec", ns, "sleep", "60"], {
            stdio: "ignore",
          });
          await new Promise((r) => setTimeout(r, 100)); // exec'd into the namespace
          return {
            refs: [ns, path, fd, { pid: sleeper.pid! }],
            links: () =>
              Promise.resolve(
                (ipJSON("-n", ns, "link", "show") as { ifname: string }[]).map((
                  l,
                ) => l.ifname),
              ),
            back: async (name) => {
              await using there = await Route.open({ netns: ns });
              await there.links.set(name, { netns: { pid: process.pid } });
            },
            close: () => {
              sleeper.kill();
              libc.close(fd);
              execFileSync("ip", ["netns", "del", ns]);
              return Promise.resolve();
            },
          };
        },
      };
      try {
        await body.run(env);
      } finally {
        cleanupLinks(prefix);
      }
    });
  }

  it("integration: the list hot paths read the kernel's links and routes as the generated decoder does", async () => {
    const br = `rt${tag}fb`;
    execFileSync("ip", ["-batch", "-"], {
      input: [
        `link add ${br} type bridge`,
        `link add ${br}v type veth peer name ${br}p`,
        `link set ${br}v master ${br} up`,
        `link set ${br} up alias hello`,
        `address add 10.71.0.1/24 dev ${br}`,
        `route add 10.72.0.0/16 nexthop via 10.71.0.2 nexthop via 10.71.0.3 weight 2`,
        `route add 2001:db8:71::/48 dev ${br}`,
      ].join("\n") + "\n",
    });
    try {
      await using conn = await Conn.dial(Family.Route);
      const dump = (m: { header: { type: number } }) =>
        conn.execute({
          ...m,
          header: {
            ...m.header,
            length: 0,
            flags: HeaderFlags.Request | HeaderFlags.Dump,
            sequence: 0,
            pid: 0,
          },
        });
      const links = await dump(getlink.encode({}, { dump: true }));
      const routes = await dump(getroute.encode({}, { dump: true }));
      assert.ok(links.length >= 4 && routes.length >= 8);
      assertBothWaysAgree(links, routes);
    } finally {
      cleanupLinks(br);
    }
  });

  it("integration: a missing namespace's error names its path; a name, a path or a descriptor opens one", async () => {
    await assert.rejects(Route.open({ netns: "rtroute-nope" }), {
      name: "NetlinkError",
      code: "ENOENT",
      message:
        "Cannot dial: open /run/netns/rtroute-nope: ENOENT (No such file or directory)",
    });
    const ns = `rtroute${process.pid}b`;
    execFileSync("ip", ["netns", "add", ns]);
    const libc = await openLibc();
    const fd = libc.open(`/run/netns/${ns}`, Sys.O_RDONLY | Sys.O_CLOEXEC);
    try {
      for (const netns of [ns, `/run/netns/${ns}`, fd]) {
        await using there = await Route.open({ netns });
        assert.deepEqual((await there.links.list()).map((l) => l.name), ["lo"]);
      }
    } finally {
      libc.close(fd);
      execFileSync("ip", ["netns", "del", ns]);
    }
  });
});

/** The command that runs an example file under this runtime. */
function runtime(file: string, ...args: string[]): [string, string[]] {
  const path = new URL(`../../examples/${file}`, import.meta.url).pathname;
  return "Bun" in globalThis
    ? [process.execPath, [path, ...args]]
    : [process.execPath, ["run", "-A", path, ...args]];
}

function example(file: string, ...args: string[]): string {
  const [cmd, argv] = runtime(file, ...args);
  return execFileSync(cmd, argv, { encoding: "utf8" });
}

describe(
  "integration: the route examples run on the real kernel",
  { skip },
  () => {
    it("integration: bridge_veth.ts builds the bridge, the veth pair, the address and the route", () => {
      const [br, v, p] = [`rt${tag}xb`, `rt${tag}xv`, `rt${tag}xp`];
      try {
        assert.equal(example("bridge_veth.ts", br, v, p), "10.1.2.1\n");
        const links = ipJSON("link", "show") as {
          ifname: string;
          master?: string;
          operstate: string;
        }[];
        assert.equal(links.find((l) => l.ifname === v)?.master, br);
        assert.deepEqual(
          links.filter((l) => [br, v, p].includes(l.ifname)).map((l) =>
            l.operstate
          ),
          ["UP", "UP", "UP"],
        );
        const [addr] = ipJSON("-4", "addr", "show", "dev", br) as {
          addr_info: { local: string; prefixlen: number }[];
        }[];
        assert.deepEqual(
          addr!.addr_info.map((a) => `${a.local}/${a.prefixlen}`),
          ["10.1.2.3/24"],
        );
        const [route] = ipJSON("route", "show", "10.9.0.0/16") as {
          gateway: string;
          dev: string;
        }[];
        assert.deepEqual([route!.gateway, route!.dev], ["10.1.2.1", br]);
      } finally {
        cleanupLinks(`rt${tag}x`);
      }
    });

    it("integration: ip_br_addr.ts prints what `ip -br addr` prints", () => {
      const [br, v, p] = [`rt${tag}yb`, `rt${tag}yv`, `rt${tag}yp`];
      try {
        example("bridge_veth.ts", br, v, p);
        const want = execFileSync("ip", ["-br", "addr"], { encoding: "utf8" })
          .split("\n").map((l) => l.trimEnd()).join("\n");
        assert.equal(example("ip_br_addr.ts"), want);
      } finally {
        cleanupLinks(`rt${tag}y`);
      }
    });

    it("integration: watch_links.ts and monitor.ts print a link's creation and deletion", async () => {
      const name = `rt${tag}zw`;
      const watchers = [runtime("watch_links.ts", "2"), runtime("monitor.ts")]
        .map(([cmd, argv]) => {
          const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          child.stdout!.on("data", (d) => out += d);
          const done = new Promise<string>((resolve) =>
            child.on("exit", () => resolve(out))
          );
          return { child, done, out: () => out };
        });
      try {
        await new Promise((r) => setTimeout(r, 1500)); // both listening
        execFileSync("ip", ["link", "add", name, "type", "bridge"]);
        execFileSync("ip", ["link", "del", name]);
        const watch = await watchers[0]!.done;
        assert.match(
          watch,
          new RegExp(`^new \\d+ ${name} down\\ndelete \\d+ ${name} down\\n$`),
        );
        for (
          let i = 0;
          i < 50 && !watchers[1]!.out().includes(`Deleted`);
          i++
        ) {
          await new Promise((r) => setTimeout(r, 50));
        }
        watchers[1]!.child.kill("SIGINT");
        const mon = await watchers[1]!.done;
        assert.match(
          mon,
          new RegExp(
            `^\\d+: ${name}: <BROADCAST,MULTICAST> mtu 1500 state DOWN\\n`,
          ),
        );
        assert.match(mon, new RegExp(`Deleted \\d+: ${name}: `));
      } finally {
        for (const w of watchers) w.child.kill();
        cleanupLinks(name);
      }
    });

    it("integration: links.ts lists what `ip -j link` lists; the nlkit route commands run", () => {
      const ours = JSON.parse(example("links.ts")) as {
        ifname: string;
        ifindex: number;
      }[];
      const theirs = ipJSON("link", "show") as {
        ifname: string;
        ifindex: number;
      }[];
      assert.deepEqual(
        ours.map((l) => [l.ifindex, l.ifname]),
        theirs.map((l) => [l.ifindex, l.ifname]),
      );
      const br = `rt${tag}nb`;
      try {
        example("nlkit.ts", "link", "add", br, "type", "bridge", "up");
        example("nlkit.ts", "addr", "add", "10.1.7.1/24", "dev", br);
        example(
          "nlkit.ts",
          "route",
          "add",
          "10.7.0.0/16",
          "via",
          "10.1.7.2",
          "metric",
          "7",
        );
        assert.match(
          example("nlkit.ts", "link", "show", br),
          new RegExp(`^${br} +\\w+ +[0-9a-f:]{17} <`),
        );
        assert.match(
          example("nlkit.ts", "addr"),
          new RegExp(`\\n${br} .* 10\\.1\\.7\\.1/24`),
        );
        assert.match(
          example("nlkit.ts", "route"),
          /^10\.7\.0\.0\/16 via 10\.1\.7\.2 dev \S+ metric 7$/m,
        );
        assert.match(
          example("nlkit.ts", "route", "get", "10.7.1.1"),
          /^10\.7\.1\.1 via 10\.1\.7\.2 /,
        );
        assert.ok(
          Array.isArray(JSON.parse(example("nlkit.ts", "rule", "--json"))),
        );
        example("nlkit.ts", "neigh");
        example(
          "nlkit.ts",
          "route",
          "del",
          "10.7.0.0/16",
          "via",
          "10.1.7.2",
          "metric",
          "7",
        );
        example("nlkit.ts", "addr", "del", "10.1.7.1/24", "dev", br);
        example("nlkit.ts", "link", "del", br);
        assert.ok(
          !(ipJSON("link", "show") as { ifname: string }[]).some((l) =>
            l.ifname === br
          ),
        );
      } finally {
        cleanupLinks(br);
      }
    });

    it("integration: the demo shows links, addresses and routes", () => {
      const out = example("demo.ts");
      for (const section of ["== Links", "== Addresses", "== Routes"]) {
        assert
          .ok(out.includes(section), section);
      }
    });
  },
);
