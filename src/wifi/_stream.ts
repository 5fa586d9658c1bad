/**
 * The notification plumbing of `Client` (internal): waiting for a scan's
 * outcome and streaming decoded events, both on `Conn.notifications()`,
 * which listens from the moment it is called (`GenlConn.notifications()`
 * would start only at the first `next()`, after the first events may have
 * arrived).
 *
 * @module
 */

import { Errno } from "../netlink/errno.ts";
import type { Conn } from "../netlink/conn.ts";
import { mapStream } from "../netlink/_conn_stream.ts";
import { NetlinkError } from "../netlink/errors.ts";
import type { Message } from "../netlink/message.ts";
import { decodeGenlMessage, type GenlMessage } from "../genetlink/message.ts";
import { ScanAbortedError } from "./errors.ts";
import { decodeEvent, type WifiEvent } from "./events.ts";
import { Nl80211Command as C } from "./nl80211.ts";

/** The nl80211 messages among a connection's notifications, decoded; other families' are skipped. */
function genl(m: Message, familyId: number): GenlMessage | undefined {
  if (m.header.type !== familyId) return undefined;
  try {
    return decodeGenlMessage(m.data);
  } catch {
    return undefined;
  }
}

/**
 * Waits on `events` (a `Conn.notifications()` iterator opened before the
 * scan was triggered) for `NEW_SCAN_RESULTS` or `SCAN_ABORTED` of one
 * interface; other interfaces' results and aborts are ignored.
 */
export async function waitForScan(
  events: AsyncIterator<Message>,
  familyId: number,
  ifindex: number,
): Promise<void> {
  for (;;) {
    const r = await events.next();
    if (r.done) {
      const err = new NetlinkError("scan", Errno.EBADF);
      err.message =
        "Cannot scan: the connection was closed while waiting for results";
      throw err;
    }
    const g = genl(r.value, familyId);
    const cmd = g?.header.command;
    if (!g || (cmd !== C.NewScanResults && cmd !== C.ScanAborted)) continue;
    const e = decodeEvent(g.header.command, g.data);
    if (
      (e.type !== "newScanResults" && e.type !== "scanAborted") ||
      e.interfaceIndex !== ifindex
    ) continue;
    if (e.type === "scanAborted") throw new ScanAbortedError(ifindex);
    return;
  }
}

/**
 * Streams decoded nl80211 events from `conn`; `onFinish` runs once when the
 * stream ends (return, abort, close or error). A notification whose
 * attributes cannot be decoded is yielded as an `unknown` event.
 */
export function eventStream(
  conn: Conn,
  familyId: number,
  signal: AbortSignal | undefined,
  onFinish: () => void,
): AsyncIterableIterator<WifiEvent> {
  const events = conn.notifications(signal ? { signal } : {});
  return mapStream(events, (m): WifiEvent | undefined => {
    const g = genl(m, familyId);
    if (!g) return undefined;
    const { command } = g.header;
    try {
      return decodeEvent(command, g.data);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return { type: "unknown", command, data: g.data };
    }
  }, { onEnd: onFinish, signal });
}
