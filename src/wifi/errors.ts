/**
 * Errors of the wifi client that callers catch by class or name.
 *
 * @module
 */

/**
 * The kernel aborted a scan (`NL80211_CMD_SCAN_ABORTED` for the interface),
 * for example because the interface went down or another operation took
 * the radio. Check with `err.name === "ScanAbortedError"` across copies of
 * this package.
 *
 * @example A simulated device whose scans are aborted
 * ```ts
 * import { Client, ScanAbortedError } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ interfaces: [{ name: "wlan0" }], scan: { outcome: "aborted" } }),
 * });
 * const [ifi] = await client.interfaces();
 * await assert.rejects(client.scan(ifi!), ScanAbortedError);
 * ```
 */
export class ScanAbortedError extends Error {
  /**
   * The interface index whose scan was aborted.
   *
   * @example Which interface's scan was aborted
   * ```ts
   * import { Client, type ScanAbortedError } from "@nlkit/netlink/wifi";
   * import { nl80211 } from "@nlkit/netlink/nltest";
   * import assert from "node:assert/strict";
   *
   * await using client = await Client.open({
   *   conn: nl80211.dial({ interfaces: [{ name: "wlan0", index: 3 }], scan: { outcome: "aborted" } }),
   * });
   * const err: ScanAbortedError = await client.scan({ index: 3 }).then(() => assert.fail(), (e) => e);
   * assert.equal(err.interfaceIndex, 3);
   * ```
   */
  readonly interfaceIndex: number;

  /**
   * Creates the error for an interface.
   *
   * @param interfaceIndex The interface whose scan was aborted.
   */
  constructor(interfaceIndex: number) {
    super(
      `Cannot scan: the kernel aborted the scan on interface ${interfaceIndex}`,
    );
    this.name = "ScanAbortedError";
    this.interfaceIndex = interfaceIndex;
  }
}

/**
 * The device or the kernel lacks something an operation needs, such as the
 * 4-way handshake offload for `Client.connectWPAPSK` or the
 * nl80211 "scan" multicast group. Check with `err.name === "NotSupportedError"`.
 *
 * @example A device without 4-way handshake offload
 * ```ts
 * import { Client, NotSupportedError } from "@nlkit/netlink/wifi";
 * import { nl80211 } from "@nlkit/netlink/nltest";
 * import assert from "node:assert/strict";
 *
 * await using client = await Client.open({
 *   conn: nl80211.dial({ phys: [{ extFeatures: [] }], interfaces: [{ name: "wlan0" }] }),
 * });
 * const [ifi] = await client.interfaces();
 * await assert.rejects(client.connectWPAPSK(ifi!, "home", "correct horse"), NotSupportedError);
 * ```
 */
export class NotSupportedError extends Error {
  /**
   * Creates the error with its message.
   *
   * @param message What is not supported, in "Cannot X: detail" style.
   */
  constructor(message: string) {
    super(message);
    this.name = "NotSupportedError";
  }
}
