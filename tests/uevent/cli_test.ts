// `nlkit uevent` on the simulated machine its `simulate` seeds.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runNlkit } from "../examples/_nlkit.ts";
import { formatUevent } from "../../examples/cli/uevent.ts";

async function nlkit(...argv: string[]): Promise<string[]> {
  const { text, lines } = await runNlkit(argv, {
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(text, "");
  return lines;
}

describe("nlkit uevent", () => {
  it("streams the simulated device's add and remove like udevadm monitor", async () => {
    const lines = await nlkit("uevent", "--count", "2");
    assert.equal(lines.length, 2);
    assert.match(
      lines[0]!,
      /^KERNEL\[\d+\] add {6}\/devices\/virtual\/net\/dummy7 \(net\)$/,
    );
    assert.match(
      lines[1]!,
      /^KERNEL\[\d+\] remove {3}\/devices\/virtual\/net\/dummy7 \(net\)$/,
    );
  });

  it("-p adds the properties; --json prints one object per line", async () => {
    const [p] = await nlkit("uevent", "-p", "--count", "1");
    assert.match(
      p!,
      /\nSUBSYSTEM=net\nINTERFACE=dummy7\nIFINDEX=\d+\nSEQNUM=\d+\n$/,
    );
    const [j] = await nlkit("uevent", "--json", "--count", "1");
    const e = JSON.parse(j!) as {
      action: string;
      env: Record<string, string>;
      seqnum: string;
    };
    assert.equal(e.action, "add");
    assert.equal(e.env.INTERFACE, "dummy7");
    assert.match(e.seqnum, /^\d+$/);
  });

  it("formats a udev event with its source", () => {
    assert.equal(
      formatUevent({
        action: "bind",
        devpath: "/devices/pci0000:00/0000:00:1f.2",
        subsystem: "pci",
        seqnum: 7n,
        env: {},
        source: "udev",
      }),
      "UDEV[7] bind     /devices/pci0000:00/0000:00:1f.2 (pci)",
    );
  });
});
