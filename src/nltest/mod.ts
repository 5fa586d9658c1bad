/**
 * nltest: test netlink code without a kernel. `dial(kernel)` returns a real
 * `Conn` (the same class as in production) over an in-memory socket; the
 * kernel is a function from requests to replies, and small helpers build
 * the replies the way Linux does (`multipart`, `error`, `ack`), check
 * requests (`checkRequest`) and push multicast (`notify`).
 *
 * Beyond that: `genltest` for generic netlink families; `SimKernel`, a
 * stateful kernel many connections share (port ids, multicast fan-out,
 * rtnetlink links/addresses/routes, registered genl families answered by
 * `nlctrl`, socket options honoured, BPF filters run); fault injection
 * (`SimKernel.inject`: interrupted dumps, overruns, truncated or misaligned
 * datagrams, wrong sequence or pid, foreign senders, errors, delays); record
 * and replay of real traffic (`record`, `replay`, nlmon pcap files); and
 * `nl80211`, a simulated wifi device.
 *
 * @example A dump answered by a simulated kernel
 * ```ts
 * import { checkRequest, dial, multipart } from "@nlkit/netlink/nltest";
 * import { HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const RTM_GETLINK = 18, RTM_NEWLINK = 16;
 * using conn = dial(checkRequest(
 *   [{ type: RTM_GETLINK, flags: HeaderFlags.Request | HeaderFlags.Dump }],
 *   () => multipart([1, 2].map((i) => ({
 *     header: { length: 0, type: RTM_NEWLINK, flags: 0, sequence: 0, pid: 0 },
 *     data: new Uint8Array([0, 0, 0, 0, i, 0, 0, 0]),
 *   }))),
 * ));
 * const links = await conn.execute({
 *   header: { length: 0, type: RTM_GETLINK, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16),
 * });
 * assert.deepEqual(links.map((m) => m.data[4]), [1, 2]);
 * ```
 *
 * @example A fault: an interrupted dump, then the same Conn works again
 * ```ts
 * import { SimKernel } from "@nlkit/netlink/nltest";
 * import { DumpInterruptedError, Family, HeaderFlags } from "@nlkit/netlink/netlink";
 * import assert from "node:assert/strict";
 *
 * const kernel = new SimKernel();
 * kernel.rtnetlink.addLink({ name: "eth0", up: true });
 * await using conn = kernel.dial(Family.Route);
 * const dump = {
 *   header: { length: 0, type: 18, flags: HeaderFlags.Request | HeaderFlags.Dump, sequence: 0, pid: 0 },
 *   data: new Uint8Array(16), // RTM_GETLINK, struct ifinfomsg
 * };
 * kernel.inject({ type: "dumpInterrupted", at: 1 }, { times: 1 });
 * await assert.rejects(conn.execute(dump), DumpInterruptedError);
 * assert.equal((await conn.execute(dump)).length, 2);
 * ```
 *
 * @module
 */

export { dial, type Kernel, notify, PID } from "./dial.ts";
export { multipart } from "./multipart.ts";
export { ack, error } from "./error.ts";
export { checkRequest, type RequestCheck } from "./check_request.ts";
export { UnexpectedRequestError } from "./unexpected_request.ts";
export * as genltest from "./genltest.ts";
export * as nl80211 from "./nl80211.ts";
export * as uevent from "./uevent.ts";
export * as taskstats from "./taskstats.ts";
export {
  type SimFamily,
  SimKernel,
  type SimKernelOptions,
  type TraceEntry,
} from "./kernel.ts";
export {
  type DumpReply,
  dumpReply,
  type HandlerResult,
  KernelError,
  type ProtocolHandler,
  type RequestContext,
} from "./kernel_handler.ts";
export type {
  GenlHandler,
  GenlReply,
  GenlRequestContext,
} from "./kernel_genl.ts";
export {
  DEFAULT_LINK_KINDS,
  type LinkKind,
  type LinkSpec,
  type RouteNotifier,
  type RouteSpec,
  type SimAddress,
  type SimLink,
  type SimRoute,
  SimRtnetlink,
} from "./rtnetlink.ts";
export type {
  DelayFault,
  DumpInterruptedFault,
  ErrorFault,
  Fault,
  FaultHandle,
  FaultMatch,
  FaultOptions,
  FaultRule,
  ForeignSenderFault,
  MisalignFault,
  OverrunFault,
  TruncateFault,
  WrongPidFault,
  WrongSequenceFault,
} from "./faults.ts";
export { LINKTYPE_NETLINK, type PcapPacket, readPcap } from "./pcap.ts";
export {
  type MessageSummary,
  parseRecording,
  record,
  type RecordedDatagram,
  type Recorder,
  recordingFromPcap,
  type RecordOptions,
  replay,
  type Replayer,
  summarizeDatagram,
} from "./replay.ts";
export { runBPF } from "./kernel_bpf.ts";
export {
  type SimInetSocket,
  SimSockDiag,
  type SimSockDiagOptions,
  type SimUnixSocket,
} from "./sockdiag.ts";
export { SimAudit, type SimAuditOptions } from "./audit.ts";
export {
  type ServedYnlFamily,
  serveYnlFamily,
  type ServeYnlOptions,
  type YnlAnswer,
  type YnlHandler,
  type YnlHandlers,
  type YnlPermission,
  type YnlRequestContext,
  type YnlValidation,
} from "./ynl_family.ts";
export * as wireguard from "./wireguard.ts";
export * as ethtool from "./ethtool.ts";
