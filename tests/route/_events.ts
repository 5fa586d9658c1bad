/**
 * The rtnetlink event scenarios recorded on the real kernel
 * (tests/integration/route_events_test.ts, fixture
 * tests/fixtures/route/events_6.18.json) and replayed on the simulated one
 * (tests/route/events_test.ts): each step is a Route call, and the
 * notifications it causes on the link, IPv4 address and IPv4 route groups
 * are normalized so that runs compare across machines: link indexes and
 * link-layer addresses are named after the scenario's links, the message
 * header reduced to its flags and who caused it.
 */

import type { Route, RouteEvent } from "../../src/route/mod.ts";

/** One step: a label and the Route calls. */
export interface Step {
  label: string;
  run(route: Route): Promise<unknown>;
}

/** A scenario: steps run in order on fresh links. */
export interface Scenario {
  name: string;
  /** The links it creates (deleted after it, whatever happened). */
  links: string[];
  steps: Step[];
}

/** What the fixture holds per event. */
export type NormalEvent = Record<string, unknown>;

/** What one scenario recorded. */
export interface Recording {
  name: string;
  /** The scenario's links, by index (creation order of the kernel). */
  indexOrder: string[];
  steps: { label: string; events: NormalEvent[] }[];
}

/** The fixture file. */
export interface Fixture {
  kernel: string;
  recordedWith: string;
  groups: string[];
  scenarios: Recording[];
}

/** The groups the scenarios watch. */
export const GROUPS = ["link", "ipv4-address", "ipv4-route"] as const;

export const SCENARIOS: Scenario[] = [
  {
    name: "bridge, veth pair, enslave, up, address, route, teardown",
    links: ["rteb0", "rtev0", "rtev1"],
    steps: [
      {
        label: "add bridge rteb0",
        run: (r) => r.links.add({ name: "rteb0", kind: "bridge" }),
      },
      {
        label: "add veth rtev0 peer rtev1",
        run: (r) => r.links.add({ name: "rtev0", kind: "veth", peer: "rtev1" }),
      },
      {
        label: "set rtev0 master rteb0",
        run: (r) => r.links.set("rtev0", { master: "rteb0" }),
      },
      { label: "set rteb0 up", run: (r) => r.links.set("rteb0", { up: true }) },
      { label: "set rtev0 up", run: (r) => r.links.set("rtev0", { up: true }) },
      { label: "set rtev1 up", run: (r) => r.links.set("rtev1", { up: true }) },
      {
        label: "add address 10.1.2.3/24 to rteb0",
        run: (r) => r.addresses.add("rteb0", "10.1.2.3/24"),
      },
      {
        label: "add route 10.9.0.0/16 via 10.1.2.1",
        run: (r) => r.routes.add({ dst: "10.9.0.0/16", gateway: "10.1.2.1" }),
      },
      {
        label: "delete route 10.9.0.0/16 via 10.1.2.1",
        run: (r) =>
          r.routes.delete({ dst: "10.9.0.0/16", gateway: "10.1.2.1" }),
      },
      {
        label: "delete address 10.1.2.3/24 from rteb0",
        run: (r) => r.addresses.delete("rteb0", "10.1.2.3/24"),
      },
      {
        label: "set rtev1 down",
        run: (r) => r.links.set("rtev1", { up: false }),
      },
      { label: "delete rtev0", run: (r) => r.links.delete("rtev0") },
      { label: "delete rteb0", run: (r) => r.links.delete("rteb0") },
    ],
  },
  {
    name:
      "veth pair: address while down, up, mtu, rename, routes, down, delete",
    links: ["rtea0", "rteb1", "rtec1"],
    steps: [
      {
        label: "add veth rtea0 peer rteb1",
        run: (r) => r.links.add({ name: "rtea0", kind: "veth", peer: "rteb1" }),
      },
      {
        label: "add address 10.3.0.1/30 to rtea0",
        run: (r) => r.addresses.add("rtea0", "10.3.0.1/30"),
      },
      { label: "set rtea0 up", run: (r) => r.links.set("rtea0", { up: true }) },
      { label: "set rteb1 up", run: (r) => r.links.set("rteb1", { up: true }) },
      {
        label: "set rtea0 mtu 1400",
        run: (r) => r.links.set("rtea0", { mtu: 1400 }),
      },
      {
        label: "set rteb1 name rtec1",
        run: (r) => r.links.set("rteb1", { name: "rtec1" }),
      },
      {
        label: "add address 10.3.0.9/32 label rtea0:1",
        run: (r) =>
          r.addresses.add("rtea0", "10.3.0.9/32", { label: "rtea0:1" }),
      },
      {
        label: "add blackhole route 10.4.0.0/16",
        run: (r) => r.routes.add({ dst: "10.4.0.0/16", type: "blackhole" }),
      },
      {
        label: "add route 10.5.0.0/16 dev rtea0 metric 7 table 100",
        run: (r) =>
          r.routes.add({
            dst: "10.5.0.0/16",
            dev: "rtea0",
            metric: 7,
            table: 100,
          }),
      },
      {
        label: "set rtea0 down",
        run: (r) => r.links.set("rtea0", { up: false }),
      },
      {
        label: "delete blackhole route 10.4.0.0/16",
        run: (r) => r.routes.delete({ dst: "10.4.0.0/16", type: "blackhole" }),
      },
      { label: "delete rtec1", run: (r) => r.links.delete("rtec1") },
    ],
  },
  {
    name:
      "bridge created up, port added up, nomaster, bridge down and up, bridge deleted under its port",
    links: ["rtfb0", "rtfv0", "rtfv1"],
    steps: [
      {
        label: "add bridge rtfb0 up",
        run: (r) => r.links.add({ name: "rtfb0", kind: "bridge", up: true }),
      },
      {
        label: "add veth rtfv0 peer rtfv1 master rtfb0 up",
        run: (r) =>
          r.links.add({
            name: "rtfv0",
            kind: "veth",
            peer: "rtfv1",
            master: "rtfb0",
            up: true,
          }),
      },
      { label: "set rtfv1 up", run: (r) => r.links.set("rtfv1", { up: true }) },
      {
        label: "set rtfb0 down",
        run: (r) => r.links.set("rtfb0", { up: false }),
      },
      { label: "set rtfb0 up", run: (r) => r.links.set("rtfb0", { up: true }) },
      {
        label: "set rtfv0 nomaster",
        run: (r) => r.links.set("rtfv0", { master: null }),
      },
      {
        label: "set rtfv0 master rtfb0",
        run: (r) => r.links.set("rtfv0", { master: "rtfb0" }),
      },
      { label: "delete rtfb0", run: (r) => r.links.delete("rtfb0") },
      { label: "delete rtfv1", run: (r) => r.links.delete("rtfv1") },
    ],
  },
];

/**
 * Turns events into the fixture's form, learning link names and
 * link-layer addresses as they come.
 */
export class Normalizer {
  readonly #names = new Map<number, string>();
  readonly #first = new Map<number, string>();
  readonly #macs = new Map<string, string>();
  readonly #pid: number;

  constructor(requesterPid: number) {
    this.#pid = requesterPid;
  }

  #name(index: number | undefined): string | number | undefined {
    if (index === undefined) return undefined;
    return this.#names.get(index) ?? index;
  }

  #mac(name: string, mac: string | undefined): string | undefined {
    if (mac === undefined) return undefined;
    if (!this.#macs.has(name)) this.#macs.set(name, mac);
    if (mac === "00:00:00:00:00:00") return "zero";
    for (const [owner, m] of this.#macs) if (m === mac) return owner;
    return "other";
  }

  /** The scenario's links by index, as far as seen. */
  order(names: readonly string[]): string[] {
    return [...this.#first].filter(([, n]) => names.includes(n))
      .sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  }

  /** Whether the event is about one of `names` (link, port, route or address of one). */
  concerns(e: RouteEvent, names: readonly string[]): boolean {
    if (e.type === "link" || e.type === "bridge-port") {
      if (!this.#names.has(e.link.index) && names.includes(e.link.name)) {
        this.#names.set(e.link.index, e.link.name);
      }
      return names.includes(e.link.name) ||
        names.includes(String(this.#name(e.link.index)));
    }
    const index = e.type === "address"
      ? e.address.index
      : e.type === "route"
      ? e.route.oif ?? e.route.nexthops?.[0]?.oif
      : undefined;
    if (e.type === "route" && index === undefined) {
      return e.route.dst.startsWith("10."); // blackhole and friends
    }
    return index !== undefined && names.includes(String(this.#name(index)));
  }

  normalize(e: RouteEvent): NormalEvent {
    const h = e.header;
    const origin = h.sequence === 0 && h.pid === 0
      ? "kernel"
      : h.pid === this.#pid
      ? "request"
      : "other";
    if (e.type === "link" || e.type === "bridge-port") {
      const l = e.link;
      if (e.action === "new" || !this.#names.has(l.index)) {
        this.#names.set(l.index, l.name);
      }
      if (!this.#first.has(l.index)) this.#first.set(l.index, l.name);
      const out: NormalEvent = {
        type: e.type,
        action: e.action,
        name: l.name,
        index: this.#name(l.index),
        flags: l.flags,
        operstate: l.operstate,
        mtu: l.mtu,
        address: this.#mac(l.name, l.address),
        origin,
        headerFlags: h.flags,
      };
      if (e.type === "link") out.change = e.change.toString(16);
      if (l.carrier !== undefined) out.carrier = l.carrier;
      if (l.master !== undefined) out.master = this.#name(l.master);
      if (l.attrs.link !== undefined) out.link = this.#name(l.attrs.link) ?? 0;
      if (l.kind !== undefined) out.kind = l.kind;
      if (l.portKind !== undefined) out.portKind = l.portKind;
      const port = l.attrs.linkinfo?.slaveData as
        | { state?: number }
        | undefined;
      if (port?.state !== undefined) out.portState = port.state;
      if (l.attrs.event !== undefined) out.event = l.attrs.event;
      return out;
    }
    if (e.type === "address") {
      const a = e.address;
      const out: NormalEvent = {
        type: "address",
        action: e.action,
        family: a.family,
        address: `${a.address}/${a.prefixLength}`,
        index: this.#name(a.index),
        scope: a.scope,
        flags: a.flags,
        origin,
        headerFlags: h.flags,
      };
      if (a.label !== undefined) out.label = a.label;
      if (a.broadcast !== undefined) out.broadcast = a.broadcast;
      return out;
    }
    if (e.type === "route") {
      const r = e.route;
      const out: NormalEvent = {
        type: "route",
        action: e.action,
        family: r.family,
        dst: r.dst,
        table: r.table,
        protocol: r.protocol,
        scope: r.scope,
        routeType: r.type,
        flags: r.flags,
        origin,
        headerFlags: h.flags,
      };
      if (r.oif !== undefined) out.oif = this.#name(r.oif);
      if (r.gateway !== undefined) out.gateway = r.gateway;
      if (r.prefsrc !== undefined) out.prefsrc = r.prefsrc;
      if (r.priority !== undefined) out.priority = r.priority;
      return out;
    }
    return { type: e.type, action: e.action, origin };
  }
}

/** How long to wait for a step's events. */
export interface Timing {
  /** Quiet time after the last event (or after the step, if none came). */
  quietMs: number;
  /** Longest wait for the expected number of events. */
  timeoutMs: number;
}

/**
 * Runs a scenario on a Route, collecting each step's events: waits until
 * `expected(step)` events came (if given) and then `quietMs` without one.
 */
export async function runScenario(
  route: Route,
  scenario: Scenario,
  timing: Timing,
  expected?: (step: number) => number | undefined,
): Promise<Recording> {
  const normalizer = new Normalizer(route.conn.pid);
  const events = route.monitor([...GROUPS]);
  const got: NormalEvent[] = [];
  const waiter: { wake: (() => void) | null } = { wake: null };
  let failure: unknown = undefined;
  const pump = (async () => {
    try {
      for await (const e of events) {
        if (!normalizer.concerns(e, scenario.links)) continue;
        got.push(normalizer.normalize(e));
        waiter.wake?.();
      }
    } catch (e) {
      failure = e;
      waiter.wake?.();
    }
  })();
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        waiter.wake = null;
        resolve();
      }, ms);
      waiter.wake = () => {
        clearTimeout(t);
        waiter.wake = null;
        resolve();
      };
    });
  const out: Recording = { name: scenario.name, indexOrder: [], steps: [] };
  try {
    for (const [i, step] of scenario.steps.entries()) {
      await step.run(route);
      const want = expected?.(i);
      const deadline = Date.now() + timing.timeoutMs;
      while (want !== undefined && got.length < want && Date.now() < deadline) {
        await wait(deadline - Date.now());
      }
      let before = -1;
      while (before !== got.length) {
        before = got.length;
        await wait(timing.quietMs);
      }
      // RTM_GETLINK runs the link's pending linkwatch work (linkwatch_sync_dev),
      // which Linux may otherwise defer by up to a second: the next step then
      // starts from the settled state, as on the simulated kernel.
      for (const name of [...scenario.links, ...scenario.links]) {
        await route.links.get(name).catch(() => {}); // twice: a port's work can queue its bridge's
      }
      before = -1;
      while (before !== got.length) {
        before = got.length;
        await wait(Math.min(timing.quietMs, 300));
      }
      if (failure !== undefined) throw failure;
      out.steps.push({ label: step.label, events: got.splice(0) });
    }
  } finally {
    await events.return?.();
    await pump;
  }
  out.indexOrder = normalizer.order(scenario.links);
  return out;
}
