/**
 * `ConnOptions.netns` against the running kernel: a namespace by name, by
 * path and by descriptor; paths that are not network namespaces (a FIFO, a
 * regular file, a directory, a mount namespace) fail at once with an error
 * naming the step and the path; a NUL byte is a TypeError; nothing leaks.
 * Opt in with NLKIT_INTEGRATION=1 as root (CI runs this folder inside
 * `unshare -n`, for Deno and Bun). Named namespaces start with `nlkitsim-`.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  Conn,
  Family,
  HeaderFlags,
  isNetlinkError,
  isNotExist,
  type Message,
  NetlinkError,
} from "../../src/netlink/mod.ts";
import { openLibc, Sys } from "../../src/ffi/mod.ts";
import { gate, ip } from "./_gate.ts";

const skip = await gate(import.meta.url);

const NAME = `nlkitsim-${process.pid}`;

const getLinks = (): Message => ({
  header: {
    length: 0,
    type: 18, // RTM_GETLINK
    flags: HeaderFlags.Request | HeaderFlags.Dump,
    sequence: 0,
    pid: 0,
  },
  data: new Uint8Array(16), // struct ifinfomsg
});

/** The interface names a link dump returns (IFLA_IFNAME, type 3). */
async function linkNames(conn: Conn): Promise<string[]> {
  const names: string[] = [];
  for (const m of await conn.execute(getLinks())) {
    const d = m.data;
    for (let p = 16; p + 4 <= d.length;) {
      const len = d[p]! | (d[p + 1]! << 8);
      const type = (d[p + 2]! | (d[p + 3]! << 8)) & 0x3fff;
      if (len < 4) break;
      if (type === 3) {
        names.push(new TextDecoder().decode(d.subarray(p + 4, p + len - 1)));
      }
      p += (len + 3) & ~3;
    }
  }
  return names.sort();
}

/** Our descriptors that dialing could leak: namespaces, and the test's FIFO, file and directory. */
function namespaceFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile (the runtime's own descriptors come and go)
    }
    if (/^(net|mnt):\[/.test(target) || target.includes("nlkitsim-")) {
      out.push(target);
    }
  }
  return out.sort();
}

/** Dials with `netns` and returns the error it fails with (the test fails if it succeeds). */
async function dialError(netns: string | number): Promise<Error> {
  try {
    const conn = await Conn.dial(Family.Route, { netns });
    await conn.close();
  } catch (e) {
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail(`dial with netns ${JSON.stringify(netns)} succeeded`);
}

describe("integration: netns", { skip }, () => {
  let dir = "";
  before(() => {
    ip("netns", "add", NAME);
    ip(
      "-n",
      NAME,
      "link",
      "add",
      "nlkitsim-a",
      "type",
      "veth",
      "peer",
      "name",
      "nlkitsim-b",
    );
    dir = mkdtempSync(join(tmpdir(), "nlkitsim-"));
  });
  after(() => {
    try {
      ip("netns", "del", NAME);
    } catch {
      // already gone
    }
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("integration: opens the socket in a namespace given by name, by path and by descriptor", async () => {
    const inside = ["lo", "nlkitsim-a", "nlkitsim-b"];
    await using byName = await Conn.dial(Family.Route, { netns: NAME });
    assert.deepEqual(await linkNames(byName), inside);
    await using byPath = await Conn.dial(Family.Route, {
      netns: `/run/netns/${NAME}`,
    });
    assert.deepEqual(await linkNames(byPath), inside);
    const libc = await openLibc();
    const fd = libc.open(
      `/run/netns/${NAME}`,
      Sys.O_RDONLY | Sys.O_CLOEXEC,
    );
    try {
      await using byFd = await Conn.dial(Family.Route, { netns: fd });
      assert.deepEqual(await linkNames(byFd), inside);
    } finally {
      libc.close(fd);
    }
    // The JS thread came back: a socket without netns is in our namespace.
    await using here = await Conn.dial(Family.Route);
    assert.ok(!(await linkNames(here)).includes("nlkitsim-a"));
  });

  it("integration: a missing namespace names the step and the path, and is isNotExist", async () => {
    const e = await dialError(`${NAME}-missing`);
    assert.ok(isNetlinkError(e));
    assert.equal(e.code, "ENOENT");
    assert.ok(isNotExist(e));
    assert.equal(
      e.message,
      `Cannot dial: open /run/netns/${NAME}-missing: ENOENT (No such file or directory)`,
    );
    assert.equal((e.cause as { syscall?: string }).syscall, "open");
  });

  it("integration: a FIFO fails at once instead of freezing the process", async () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const t0 = performance.now();
      const e = await dialError(fifo);
      assert.ok(performance.now() - t0 < 1000);
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EINVAL");
      assert.equal(
        e.message,
        `Cannot dial: setns ${fifo}: EINVAL (Invalid argument): a FIFO, not a network namespace`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(ticks > 0, "timers still run");
    } finally {
      clearInterval(timer);
    }
  });

  it("integration: a regular file, a directory and a mount namespace are refused by name", async () => {
    const file = join(dir, "file");
    writeFileSync(file, "not a namespace");
    const cases: [string, string][] = [
      [file, "a regular file"],
      [dir, "a directory"],
      ["/proc/self/ns/mnt", "a mount namespace"],
    ];
    for (const [path, kind] of cases) {
      const e = await dialError(path);
      assert.ok(e instanceof NetlinkError, path);
      assert.equal(
        e.message,
        `Cannot dial: setns ${path}: EINVAL (Invalid argument): ${kind}, not a network namespace`,
      );
    }
  });

  it("integration: a descriptor that is not a namespace is refused, and a bad one names EBADF", async () => {
    const libc = await openLibc();
    const fd = libc.open("/proc/self/ns/mnt", Sys.O_RDONLY | Sys.O_CLOEXEC);
    try {
      const e = await dialError(fd);
      assert.match(
        e.message,
        new RegExp(`^Cannot dial: setns fd ${fd}: EINVAL .*a mount namespace`),
      );
    } finally {
      libc.close(fd);
    }
    const bad = await dialError(0x7ffffff0);
    assert.ok(isNetlinkError(bad));
    assert.equal(bad.code, "EBADF");
    assert.match(bad.message, /^Cannot dial: check fd 2147483632: EBADF/);
  });

  it("integration: NUL bytes, empty strings and dot names are TypeErrors; nothing is opened", async () => {
    // "/run/netns/NAME\0/x" would open NAME if the path were cut at the NUL.
    for (
      const netns of [
        `/run/netns/${NAME}\0/ignored`,
        `${NAME}\0`,
        "",
        ".",
        "..",
      ]
    ) {
      const e = await dialError(netns);
      assert.ok(e instanceof TypeError, JSON.stringify(netns));
    }
    const e = await dialError(`/run/netns/${NAME}\0/ignored`);
    assert.match(e.message, /contains a NUL byte/);
    for (const netns of [-1, 1.5, 2 ** 31]) {
      assert.ok((await dialError(netns)) instanceof TypeError, String(netns));
    }
  });

  it("integration: no descriptor leaks over 200 failed dials", async () => {
    const fifo = join(dir, "leak-fifo");
    execFileSync("mkfifo", [fifo]);
    await dialError(fifo); // warm up libc and the runtime
    const before = namespaceFds();
    for (let i = 0; i < 50; i++) {
      await dialError(fifo);
      await dialError(dir);
      await dialError("/proc/self/ns/mnt");
      await dialError(`${NAME}-missing`);
    }
    assert.deepEqual(namespaceFds(), before);
  });
});
