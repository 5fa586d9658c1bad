import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = `${root}node_modules/.bin/deno`;

/** Runs `code` as a module (from stdin) in a Deno child with only the given flags; returns its stdout. */
function denoEval(flags: string[], code: string): string {
  return execFileSync(deno, ["run", "--no-prompt", ...flags, "-"], {
    input: code,
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
}

describe("openLibc() without FFI permission", {
  skip: process.platform !== "linux" && "needs Linux",
}, () => {
  it("imports fine, then the first socket call throws UnsupportedPlatformError naming --allow-ffi", () => {
    const out = denoEval(
      [],
      `
      import { Conn, Family, UnsupportedPlatformError } from "./src/netlink/mod.ts";
      try {
        await Conn.dial(Family.Route);
        console.log("opened");
      } catch (e) {
        console.log(e instanceof UnsupportedPlatformError, e.name, e.message);
      }`,
    );
    assert.match(
      out,
      /^true UnsupportedPlatformError Cannot open libc: .*--allow-ffi/,
    );
  });

  it("works once --allow-ffi is given", () => {
    const out = denoEval(
      ["--allow-ffi"],
      `
      import { Conn, Family } from "./src/netlink/mod.ts";
      const conn = await Conn.dial(Family.Route);
      console.log(conn.pid > 0);
      await conn.close();`,
    );
    assert.equal(out.trim(), "true");
  });
});
