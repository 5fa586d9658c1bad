// Type-only checks of the runtime seam, run by `deno check` (deno task check); never executed.
import type { Libc, Poller } from "../../src/ffi/mod.ts";
import type { Socket } from "../../src/netlink/_socket.ts";

export function typeChecks(libc: Libc, socket: Socket): void {
  // @ts-expect-error: data crosses the seam as Uint8Array, not number[]
  libc.sendto(3, [1, 2, 3], 0, new Uint8Array(12));
  // @ts-expect-error: recv() always takes a 12-byte sockaddr_nl buffer for the sender
  libc.recv(3, new Uint8Array(64), 0, null);
  // @ts-expect-error: lengths are numbers on both runtimes (no bigint leaks out of _deno.ts)
  libc.poll(new Uint8Array(8), 0n);
  // @ts-expect-error: descriptors are numbers, never pointers or objects
  libc.close({ fd: 3 });
  const fd: number = libc.socket(16, 3, 0);
  const n: number = libc.recv(fd, new Uint8Array(64), 0, new Uint8Array(12));
  const p: Poller = libc.poller(fd, fd);
  const revents: Promise<number> = p.poll();
  void [n, revents];
  // @ts-expect-error: the seam's pid is read-only
  socket.pid = 1;
  // @ts-expect-error: receive() is synchronous; only wait() is async
  const later: Promise<Uint8Array> = socket.receive();
  void later;
}
