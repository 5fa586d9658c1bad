/**
 * What the Prometheus exporters among the examples share
 * (`wifi_exporter.ts`, `wireguard_exporter.ts`): the text format
 * (version 0.0.4) and an HTTP server for `/metrics` on `Deno.serve` or
 * `Bun.serve`, whichever runtime runs it.
 *
 * @module
 */

/** The labels of one sample. */
export type Labels = Record<string, string | number>;

/**
 * Escapes a Prometheus label value (backslash, double quote, newline).
 *
 * @param v The value.
 * @returns The escaped value.
 */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Collects samples per metric family, then renders the Prometheus text format (version 0.0.4). */
export class Metrics {
  #families = new Map<
    string,
    { help: string; type: string; samples: string[] }
  >();

  /**
   * Adds one sample; the first sample of a family gives its help and type.
   *
   * @param name The metric name.
   * @param type `gauge` or `counter`.
   * @param help The family's help text.
   * @param labels The sample's labels.
   * @param value The value: a bigint as it is, a number that is not finite as `NaN`.
   */
  add(
    name: string,
    type: "gauge" | "counter",
    help: string,
    labels: Labels,
    value: number | bigint,
  ): void {
    let f = this.#families.get(name);
    if (!f) this.#families.set(name, f = { help, type, samples: [] });
    const l = Object.entries(labels).map(([k, v]) =>
      `${k}="${escapeLabel(String(v))}"`
    ).join(",");
    const text = typeof value === "bigint" || Number.isFinite(value)
      ? String(value)
      : "NaN";
    f.samples.push(`${name}${l ? `{${l}}` : ""} ${text}`);
  }

  /** The text format: `# HELP`, `# TYPE` and the samples of each family, in the order added. */
  render(): string {
    let out = "";
    for (const [name, f] of this.#families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n${
        f.samples.join("\n")
      }\n`;
    }
    return out;
  }
}

/** What {@linkcode serveCollector} returns. */
export interface MetricsServer {
  /** The URL of the metrics endpoint. */
  url: string;
  /** Resolves when the server has stopped (after one request with `once`, or after `stop()`). */
  finished: Promise<void>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** The part of the `Bun` global the examples' servers use (typed locally: no Bun types needed). */
export interface BunLike {
  serve(options: {
    port: number;
    hostname: string;
    fetch(req: Request): Response | Promise<Response>;
  }): { port: number; stop(closeActive?: boolean): void };
}

/**
 * Serves `/metrics` with `Deno.serve` or `Bun.serve`, whichever runtime
 * runs this: each request renders what `collect` returns (a failure is a
 * 500 saying what failed).
 *
 * @param collect Renders the metrics text.
 * @param options Port (0 for a free one), hostname (default 127.0.0.1),
 * `once` to stop after one request, and what is collected (for the error text).
 * @returns The server.
 */
export function serveCollector(
  collect: () => Promise<string>,
  options: { port: number; hostname?: string; once?: boolean; what: string },
): MetricsServer {
  const hostname = options.hostname ?? "127.0.0.1";
  let stopServer: () => Promise<void> = () => Promise.resolve();
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => resolveFinished = r);
  const handler = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    let res: Response;
    if (path !== "/metrics" && path !== "/") {
      res = new Response("Not found\n", { status: 404 });
    } else {
      try {
        res = new Response(await collect(), {
          headers: {
            "content-type": "text/plain; version=0.0.4; charset=utf-8",
          },
        });
      } catch (e) {
        res = new Response(
          `Cannot collect ${options.what}: ${
            e instanceof Error ? e.message : e
          }\n`,
          { status: 500 },
        );
      }
    }
    if (options.once) setTimeout(() => void stopServer(), 0);
    return res;
  };
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  let port: number;
  if (bun) {
    const server = bun.serve({ port: options.port, hostname, fetch: handler });
    port = server.port;
    stopServer = () => {
      server.stop(true);
      resolveFinished();
      return Promise.resolve();
    };
  } else {
    const server = Deno.serve({
      port: options.port,
      hostname,
      onListen: () => {},
    }, handler);
    port = server.addr.port;
    stopServer = async () => {
      await server.shutdown();
      resolveFinished();
    };
  }
  return {
    url: `http://${hostname}:${port}/metrics`,
    finished,
    stop: () => stopServer(),
  };
}
