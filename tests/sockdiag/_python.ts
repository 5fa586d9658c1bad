// Helpers for the sock_diag and audit integration tests: a Python process
// that holds sockets for the test, and a one-shot netlink probe that can run
// under another identity (setpriv, unshare -U). Not a test file.
import { execFileSync, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

/**
 * Holds sockets for the test. One JSON command per line on stdin, one JSON
 * answer per line on stdout: `setup` (TCP, UDP and UNIX sockets of every
 * kind, answered with their inodes), `errors` (what recv() says on the named
 * sockets), `tcpinfo` (getsockopt(TCP_INFO) of the named sockets, as
 * hex: the kernel's whole struct), `many` (N UDP sockets, raising
 * RLIMIT_NOFILE), `closemany`,
 * `quit`.
 */
export const HELPER = `
import socket, os, sys, json, tempfile, errno, resource
S = {}
def ino(s): return os.fstat(s.fileno()).st_ino
def out(x):
    sys.stdout.write(json.dumps(x) + "\\n"); sys.stdout.flush()
tmp = tempfile.mkdtemp(prefix="nlkit-sd-")
for line in sys.stdin:
    cmd = json.loads(line); op = cmd["op"]
    try:
        if op == "setup":
            tag = cmd["tag"]
            l4 = socket.socket(); l4.bind(("127.0.0.1", 0)); l4.listen(16); S["l4"] = l4
            l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 0)); l6.listen(8); S["l6"] = l6
            S["c4"] = socket.create_connection(l4.getsockname()); S["a4"], _ = l4.accept()
            S["q4"] = socket.create_connection(l4.getsockname()); S["b4"], _ = l4.accept()
            S["q4"].sendall(b"x" * 100)
            S["c6"] = socket.create_connection(l6.getsockname()[:2]); S["a6"], _ = l6.accept()
            S["p4"] = socket.create_connection(l4.getsockname())
            u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4.bind(("127.0.0.1", 0)); S["u4"] = u4
            uc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); uc.connect(u4.getsockname()); S["uc"] = uc
            uc.send(b"y" * 10)
            u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::1", 0)); S["u6"] = u6
            path = os.path.join(tmp, "l.sock")
            xl = socket.socket(socket.AF_UNIX); xl.bind(path); xl.listen(4); S["xl"] = xl
            S["xc"] = socket.socket(socket.AF_UNIX); S["xc"].connect(path)
            xa = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); xa.bind("\\0nlkit-" + tag); S["xa"] = xa
            S["xp"], S["xq"] = socket.socketpair()
            S["xq"].send(b"z" * 7)
            S["xu"] = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            out({"path": path, "sockets": {k: ino(s) for k, s in S.items()}})
        elif op == "errors":
            res = {}
            for n in cmd["names"]:
                s = S[n]; s.settimeout(2)
                try:
                    d = s.recv(10); res[n] = "data" if d else "eof"
                except OSError as e:
                    res[n] = errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout"
            out(res)
        elif op == "tcpinfo":
            out({n: S[n].getsockopt(socket.SOL_TCP, socket.TCP_INFO, 512).hex() for n in cmd["names"]})
        elif op == "many":
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            want = cmd["count"] + 200
            if soft < want:
                if hard != resource.RLIM_INFINITY and hard < want:
                    out({"error": f"RLIMIT_NOFILE hard limit {hard} is below {want}"}); continue
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            ports = []
            for i in range(cmd["count"]):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
                S["m%d" % i] = s; ports.append(s.getsockname()[1])
            out({"ports": ports})
        elif op == "closemany":
            for k in [k for k in S if k.startswith("m")]: S.pop(k).close()
            out({})
        elif op == "quit":
            break
    except Exception as e:
        out({"error": repr(e)})
for s in S.values(): s.close()
try:
    os.unlink(os.path.join(tmp, "l.sock"))
except OSError: pass
os.rmdir(tmp)
`;

/**
 * Sends one netlink message (protocol, type, flags, payload in hex) and
 * prints the replies' types, flags and errnos as JSON.
 */
export const PROBE = `
import socket, struct, sys, json, errno
proto, typ, flags, payload = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), bytes.fromhex(sys.argv[4])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto); s.bind((0, 0)); s.settimeout(2)
s.send(struct.pack("=IHHII", 16 + len(payload), typ, flags, 1, 0) + payload)
out = []
try:
    while True:
        d = s.recv(65536); off = 0; end = False
        while off + 16 <= len(d):
            l, t, f, sq, pid = struct.unpack_from("=IHHII", d, off)
            e = -struct.unpack_from("=i", d, off + 16)[0] if t in (2, 3) and l >= 20 else None
            out.append({"type": t, "flags": f, "length": l, "errno": e})
            if t in (2, 3): end = True
            off += (l + 3) & ~3
        if end: break
except socket.timeout:
    out.append({"timeout": True})
print(json.dumps(out))
`;

/** A Python every user can run (for probes under another uid), or undefined. */
export function systemPython(): string | undefined {
  for (const p of ["/usr/bin/python3", "/usr/local/bin/python3"]) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/** One reply message as the probe reports it. */
export interface ProbeReply {
  type?: number;
  flags?: number;
  length?: number;
  errno?: number | null;
  timeout?: boolean;
}

/**
 * Runs the probe, optionally under a wrapper such as
 * `["setpriv", "--reuid=65534", ...]`.
 */
export function probe(
  wrapper: string[],
  python: string,
  protocol: number,
  type: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
): ProbeReply[] {
  const hex = Array.from(payload, (b) => b.toString(16).padStart(2, "0"))
    .join("");
  const argv = [
    ...wrapper,
    python,
    "-c",
    PROBE,
    String(protocol),
    String(type),
    String(flags),
    hex,
  ];
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  return JSON.parse(out) as ProbeReply[];
}

/** `setpriv` arguments that run a command as nobody with no capabilities. */
export const NOBODY: string[] = [
  "setpriv",
  "--reuid=65534",
  "--regid=65534",
  "--clear-groups",
  "--inh-caps=-all",
];

/** The socket-holding Python process. */
export class Helper {
  #child;
  #buffer = "";
  #waiting: ((line: string) => void)[] = [];
  #lines: string[] = [];

  constructor(python = "python3") {
    this.#child = spawn(python, ["-c", HELPER], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.#child.stdout!.setEncoding("utf8");
    this.#child.stdout!.on("data", (chunk: string) => {
      this.#buffer += chunk;
      for (;;) {
        const i = this.#buffer.indexOf("\n");
        if (i < 0) break;
        const line = this.#buffer.slice(0, i);
        this.#buffer = this.#buffer.slice(i + 1);
        const w = this.#waiting.shift();
        if (w) w(line);
        else this.#lines.push(line);
      }
    });
  }

  /** Sends a command and waits for its answer (at most `ms`). */
  async ask<T = Record<string, unknown>>(
    command: Record<string, unknown>,
    ms = 20000,
  ): Promise<T> {
    this.#child.stdin!.write(JSON.stringify(command) + "\n");
    const line = this.#lines.shift() ?? await new Promise<string>(
      (resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`helper: no answer to ${command.op} in ${ms} ms`)),
          ms,
        );
        this.#waiting.push((l) => {
          clearTimeout(timer);
          resolve(l);
        });
      },
    );
    const answer = JSON.parse(line) as T & { error?: string };
    if (answer.error !== undefined) {
      throw new Error(`helper: ${command.op}: ${answer.error}`);
    }
    return answer;
  }

  /** Tells the helper to close everything and exit; kills it if it does not. */
  async quit(): Promise<void> {
    const exited = new Promise<void>((resolve) =>
      this.#child.once("exit", () => resolve())
    );
    if (this.#child.exitCode !== null) return;
    this.#child.stdin!.write(JSON.stringify({ op: "quit" }) + "\n");
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
