"""pyroute2 reference for bench/real_kernel, same cases and output as nlbench.c.

usage: nlbench_pyroute2.py ack|routes|links ROUNDS N
"""
import statistics
import sys
import time

from pyroute2 import IPRoute
from pyroute2.netlink import NLM_F_ACK, NLM_F_REQUEST, NLMSG_NOOP, nlmsg

case, rounds, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ipr = IPRoute()
count = 1
means = []
for r in range(-1, rounds):
    t0 = time.perf_counter()
    for _ in range(n):
        if case == "ack":
            ipr.nlm_request(nlmsg(), msg_type=NLMSG_NOOP, msg_flags=NLM_F_REQUEST | NLM_F_ACK)
        elif case == "routes":
            count = len(ipr.get_routes(family=2))
        else:
            count = len(ipr.get_links())
    if r >= 0:
        means.append((time.perf_counter() - t0) / n * 1e6)
print(f"RESULT {case} {statistics.median(means):.3f} {min(means):.3f} {count}")
