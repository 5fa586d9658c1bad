// isNetlinkError() and isNotExist() over every error class of the library
// (DESIGN 3.1: by name and shape, not instanceof): the netlink ones and the
// clients' subclasses answer true, errors of another kind (system calls,
// argument checks, sentinels without an errno) false, and a look-alike from
// another copy of the package is recognised.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DumpInterruptedError,
  Errno,
  isNetlinkError,
  isNotExist,
  NetlinkError,
  OverrunError,
  SyscallError,
  UnsupportedPlatformError,
} from "../../src/netlink/mod.ts";
import { PolicyError } from "../../src/genetlink/mod.ts";
import { ConfigureError, WireGuard } from "../../src/wireguard/mod.ts";
import { NotSupportedError, ScanAbortedError } from "../../src/wifi/mod.ts";
import { KernelError, wireguard } from "../../src/nltest/mod.ts";

const SUMMARY = { device: ["listenPort"], peers: [] };

function configureError(errno: number): ConfigureError {
  return new ConfigureError(
    "wg0",
    new NetlinkError("execute", errno),
    [SUMMARY],
    0,
  );
}

describe("isNetlinkError()", () => {
  it("answers true for NetlinkError and every subclass, by shape", () => {
    const errors: [string, unknown][] = [
      ["NetlinkError", new NetlinkError("execute", Errno.EINVAL)],
      ["DumpInterruptedError", new DumpInterruptedError("dump", [])],
      ["OverrunError", new OverrunError("receive")],
      ["ConfigureError", configureError(Errno.ENOMEM)],
    ];
    for (const [name, e] of errors) {
      assert.equal((e as Error).name, name);
      assert.ok(isNetlinkError(e), name);
    }
  });

  it("answers true for a NetlinkError of another copy of the package", () => {
    // Another copy: another class, the same name and fields.
    class CopiedNetlinkError extends Error {
      op = "execute";
      errno = 2;
      code = "ENOENT";
      override name = "NetlinkError";
    }
    class CopiedSubclass extends CopiedNetlinkError {
      override name = "SomeClientError";
    }
    assert.ok(isNetlinkError(new CopiedNetlinkError("x")));
    assert.ok(isNetlinkError(new CopiedSubclass("x")));
  });

  it("answers false for other errors and for look-alikes that are not errors", () => {
    const others: [string, unknown][] = [
      ["SyscallError", new SyscallError("recvfrom", Errno.EAGAIN)],
      ["UnsupportedPlatformError", new UnsupportedPlatformError("no FFI")],
      ["PolicyError", new PolicyError([1], "U8", "too long")],
      ["ScanAbortedError", new ScanAbortedError(3)],
      ["NotSupportedError", new NotSupportedError("Cannot connect: no")],
      ["KernelError", new KernelError(Errno.ENOENT)],
      ["TypeError", new TypeError("x")],
      ["plain object", { op: "execute", errno: 2, code: "ENOENT" }],
      [
        "negative errno",
        Object.assign(new Error("x"), { op: "x", errno: -2, code: "ENOENT" }),
      ],
      [
        "string errno",
        Object.assign(new Error("x"), { op: "x", errno: "2", code: "ENOENT" }),
      ],
      ["undefined", undefined],
    ];
    for (const [name, e] of others) assert.ok(!isNetlinkError(e), name);
  });
});

describe("isNotExist()", () => {
  it("answers by the errno at any layer, whatever the class", () => {
    const yes: [string, unknown][] = [
      ["NetlinkError ENOENT", new NetlinkError("getFamily", Errno.ENOENT)],
      [
        "ConfigureError of ENODEV (reported as ENOENT)",
        configureError(Errno.ENODEV),
      ],
      ["SyscallError ENOENT", new SyscallError("open", Errno.ENOENT)],
      ["KernelError ENOENT", new KernelError(Errno.ENOENT)],
      [
        "an Error caused by one",
        new Error("Cannot open", {
          cause: new NetlinkError("dial", Errno.ENOENT),
        }),
      ],
    ];
    for (const [name, e] of yes) assert.ok(isNotExist(e), name);
    const no: [string, unknown][] = [
      ["ConfigureError ENOMEM", configureError(Errno.ENOMEM)],
      ["NetlinkError EINVAL", new NetlinkError("execute", Errno.EINVAL)],
      ["PolicyError", new PolicyError([1], "U8", "too long")],
      ["ScanAbortedError", new ScanAbortedError(3)],
    ];
    for (const [name, e] of no) assert.ok(!isNotExist(e), name);
  });

  it("sees the ConfigureError of the wireguard client as a netlink error that does not exist", async () => {
    await using wg = await WireGuard.open(wireguard.dial());
    const err = await wg.configure("wg5", { listenPort: 1 }).then(
      () => assert.fail("configured a device that is not there"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigureError);
    assert.ok(isNetlinkError(err));
    assert.ok(isNotExist(err));
    assert.equal(err.code, "ENOENT");
  });
});
