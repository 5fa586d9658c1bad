/*
 * C reference for bench/real_kernel: raw netlink sockets, one recv() per
 * datagram into a 64 KiB buffer, routes and links parsed into malloc'd
 * structs (addresses through inet_ntop), as a typical C client would.
 *
 *   nlbench ack ROUNDS N        NOOP+ACK round trips
 *   nlbench routes ROUNDS N     IPv4 route dumps, decoded
 *   nlbench links ROUNDS N      link dumps, decoded
 *
 * Prints "RESULT <case> <median µs per op> <min µs per op> <items per op>":
 * the median and the minimum over ROUNDS of the mean of N operations.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned char buf[65536];
static int fd;
static unsigned seq = 1;

struct route {
	int family, dst_len, table, protocol, scope, type;
	char dst[INET6_ADDRSTRLEN], gateway[INET6_ADDRSTRLEN], prefsrc[INET6_ADDRSTRLEN];
	unsigned oif, priority;
};

struct link {
	int index, type, operstate;
	unsigned flags, mtu, txqlen, master, link;
	char name[IFNAMSIZ];
	char address[64], broadcast[64];
};

static double now_us(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void send_req(int type, int flags, const void *payload, int len) {
	struct {
		struct nlmsghdr h;
		unsigned char p[64];
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | flags;
	req.h.nlmsg_seq = ++seq;
	memcpy(req.p, payload, len);
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
		perror("sendto");
		exit(1);
	}
}

static void ack(void) {
	send_req(NLMSG_NOOP, NLM_F_ACK, NULL, 0);
	ssize_t n = recv(fd, buf, sizeof buf, 0);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (n < (ssize_t)sizeof *h || h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != seq) {
		fprintf(stderr, "bad ack\n");
		exit(1);
	}
}

static void mac(char *out, const unsigned char *p, int n) {
	char *o = out;
	for (int i = 0; i < n && i < 20; i++) o += sprintf(o, i ? ":%02x" : "%02x", p[i]);
	*o = 0;
}

static void *parse_route(struct nlmsghdr *h) {
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct route *r = calloc(1, sizeof *r);
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->type = rtm->rtm_type;
	int len = RTM_PAYLOAD(h);
	for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case RTA_DST: inet_ntop(r->family, RTA_DATA(a), r->dst, sizeof r->dst); break;
		case RTA_GATEWAY: inet_ntop(r->family, RTA_DATA(a), r->gateway, sizeof r->gateway); break;
		case RTA_PREFSRC: inet_ntop(r->family, RTA_DATA(a), r->prefsrc, sizeof r->prefsrc); break;
		case RTA_OIF: r->oif = *(unsigned *)RTA_DATA(a); break;
		case RTA_PRIORITY: r->priority = *(unsigned *)RTA_DATA(a); break;
		case RTA_TABLE: r->table = *(unsigned *)RTA_DATA(a); break;
		}
	}
	return r;
}

static void *parse_link(struct nlmsghdr *h) {
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct link *l = calloc(1, sizeof *l);
	l->index = ifi->ifi_index;
	l->type = ifi->ifi_type;
	l->flags = ifi->ifi_flags;
	int len = IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type & NLA_TYPE_MASK) {
		case IFLA_IFNAME: strncpy(l->name, RTA_DATA(a), IFNAMSIZ - 1); break;
		case IFLA_MTU: l->mtu = *(unsigned *)RTA_DATA(a); break;
		case IFLA_TXQLEN: l->txqlen = *(unsigned *)RTA_DATA(a); break;
		case IFLA_MASTER: l->master = *(unsigned *)RTA_DATA(a); break;
		case IFLA_LINK: l->link = *(unsigned *)RTA_DATA(a); break;
		case IFLA_OPERSTATE: l->operstate = *(unsigned char *)RTA_DATA(a); break;
		case IFLA_ADDRESS: mac(l->address, RTA_DATA(a), RTA_PAYLOAD(a)); break;
		case IFLA_BROADCAST: mac(l->broadcast, RTA_DATA(a), RTA_PAYLOAD(a)); break;
		}
	}
	return l;
}

static void **items;
static int nitems, capitems;

/* One dump, every reply decoded into a malloc'd object; returns the count. */
static int dump(int type, void *(*parse)(struct nlmsghdr *)) {
	unsigned char payload[sizeof(struct ifinfomsg)] = {0};
	payload[0] = type == RTM_GETROUTE ? AF_INET : AF_UNSPEC;
	send_req(type, NLM_F_DUMP, payload, type == RTM_GETROUTE ? sizeof(struct rtmsg) : sizeof(struct ifinfomsg));
	nitems = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			perror("recv");
			exit(1);
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) goto done;
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "dump error\n");
				exit(1);
			}
			if (nitems == capitems) items = realloc(items, (capitems = capitems * 2 + 1024) * sizeof *items);
			items[nitems++] = parse(h);
		}
	}
done:;
	int count = nitems;
	for (int i = 0; i < nitems; i++) free(items[i]);
	return count;
}

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: nlbench ack|routes|links ROUNDS N\n");
		return 2;
	}
	int rounds = atoi(argv[2]), n = atoi(argv[3]);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl me = {.nl_family = AF_NETLINK};
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
		perror("socket");
		return 1;
	}
	double *med = calloc(rounds, sizeof *med);
	int count = 1;
	for (int r = -1; r < rounds; r++) { /* round -1 warms up */
		double t0 = now_us();
		for (int i = 0; i < n; i++) {
			if (!strcmp(argv[1], "ack")) ack();
			else if (!strcmp(argv[1], "routes")) count = dump(RTM_GETROUTE, parse_route);
			else count = dump(RTM_GETLINK, parse_link);
		}
		if (r >= 0) med[r] = (now_us() - t0) / n;
	}
	qsort(med, rounds, sizeof *med, cmp);
	printf("RESULT %s %.3f %.3f %d\n", argv[1], med[rounds / 2], med[0], count);
	return 0;
}
