/*
 * libnl-3 reference for bench/real_kernel, same cases and output as nlbench.c:
 * NOOP+ACK with nl_send_simple + nl_wait_for_ack, routes with
 * rtnl_route_alloc_cache (IPv4), links with rtnl_link_alloc_cache.
 */
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
	if (argc != 4) return 2;
	int rounds = atoi(argv[2]), n = atoi(argv[3]);
	struct nl_sock *sk = nl_socket_alloc();
	if (nl_connect(sk, NETLINK_ROUTE) < 0) return 1;
	double *med = calloc(rounds, sizeof *med);
	int count = 1;
	for (int r = -1; r < rounds; r++) {
		double t0 = now_us();
		for (int i = 0; i < n; i++) {
			if (!strcmp(argv[1], "ack")) {
				if (nl_send_simple(sk, NLMSG_NOOP, NLM_F_ACK, NULL, 0) < 0 || nl_wait_for_ack(sk) < 0) return 1;
			} else {
				struct nl_cache *cache;
				int err = !strcmp(argv[1], "routes") ? rtnl_route_alloc_cache(sk, AF_INET, 0, &cache)
								     : rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache);
				if (err < 0) {
					fprintf(stderr, "%s\n", nl_geterror(err));
					return 1;
				}
				count = nl_cache_nitems(cache);
				nl_cache_free(cache);
			}
		}
		if (r >= 0) med[r] = (now_us() - t0) / n;
	}
	qsort(med, rounds, sizeof *med, cmp);
	printf("RESULT %s %.3f %.3f %d\n", argv[1], med[rounds / 2], med[0], count);
	nl_socket_free(sk);
	return 0;
}
