// SPDX-License-Identifier: GPL-2.0-only
/*
 * The named packet cases on a real link (DESIGN.md §8): each selected row's frame, built by the
 * table (packet_case_frame), sent as is with an AF_PACKET/SOCK_RAW socket on an interface, so it
 * arrives at the peer veth's ingress; for each row, one TSV line with what the row expects there,
 * taken from its meta and counters (nothing re-typed). tests/netns/cases_veth.py runs it in a
 * namespace and checks bpfix's records and summary against these lines.
 *
 *     inject_cases [-n] IFNAME all | all-metered | ROW...
 *     inject_cases --counters
 *
 * all-metered: every metered row that survives a veth; all: the not-metered ones too. A row that
 * cannot be used live is not sent: a "skip" line says why. -n: print, send nothing (IFNAME is not
 * looked at). --counters: the counter names, as bpfix's summary prints them.
 *
 * Output, tab-separated, one line per row (and a "#" header naming the columns):
 *   case  ROW  metered|not-metered  gtpu_off  frame_len  ip_version src dst protocol sport dport
 *         ip_len tun_version tun_src tun_dst teid has_pdu_session qfi pdu_type vlan_id tos ttl
 *         tcp_flags  counters
 *   skip  ROW  reason
 *   counter  INDEX  NAME
 * Flow columns are "-" for a row that is not metered; tunnel columns are "-" unless the row is
 * decapsulated (tun_version != 0), qfi and pdu_type unless it has a PDU Session Container. Ports
 * and the TEID are decimal, tcp_flags and tos hex; counters is the names of the counters the
 * frame hits alone (enum bpfix_counter's, as bpfix names them), separated by ';'.
 *
 * Exit 0 done, 1 a send failed, 2 bad command line (an unknown row among them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "meter/counters.h"
#include "packet_cases.h"

#define ETH_HEADER 14
#define VLAN_TAG 4
#define VETH_MTU 1500 /* the veth's default, which the test leaves */
#define COUNTER_SEP ";"	/* between counter names, some of which hold commas */

static void usage(FILE *out)
{
	fprintf(out, "usage: inject_cases [-n] IFNAME all | all-metered | ROW...\n"
		     "       inject_cases --counters\n");
}

static __u16 get_be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Why @pc cannot be sent on a veth with the row's expectation holding, or NULL. */
static const char *live_skip_reason(const struct packet_case *pc, const struct frame *f,
				    char *buf, size_t size)
{
	__u32 tags = 0, off = 12;

	if (pc->snap_len) {
		snprintf(buf, size, "snap_len %u: a capture cut short, not a frame a link carries "
			 "(a veth sends the whole frame)", pc->snap_len);
		return buf;
	}
	if (f->len < ETH_HEADER) {
		snprintf(buf, size, "%u octets: shorter than an Ethernet header", f->len);
		return buf;
	}
	/* the receiving veth takes up to MTU + Ethernet header + one tag; count the tags */
	while (off + 2 <= f->len && tags < 8 &&
	       (get_be16(f->bytes + off) == ETH_P_8021Q || get_be16(f->bytes + off) == ETH_P_8021AD)) {
		tags++;
		off += VLAN_TAG;
	}
	if (f->len > ETH_HEADER + VETH_MTU + (tags ? VLAN_TAG : 0)) {
		snprintf(buf, size, "%u octets: longer than the veth's MTU %u allows", f->len,
			 VETH_MTU);
		return buf;
	}
	return NULL;
}

/* An address of the meta: IPv4 in the first 4 octets. */
static const char *addr_text(__u8 version, const __u8 a[16], char *buf)
{
	if (!inet_ntop(version == 4 ? AF_INET : AF_INET6, a, buf, INET6_ADDRSTRLEN))
		return "?";
	return buf;
}

static void print_header(void)
{
	printf("#\tname\tmetered\tgtpu_off\tframe_len\tip_version\tsrc\tdst\tprotocol\tsport\t"
	       "dport\tip_len\ttun_version\ttun_src\ttun_dst\tteid\thas_pdu_session\tqfi\t"
	       "pdu_type\tvlan_id\ttos\tttl\ttcp_flags\tcounters\n");
}

static void print_case(const struct packet_case *pc, const struct frame *f)
{
	const struct bpfix_pkt_meta *m = &pc->meta;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	bool first = true;
	int i;

	printf("case\t%s\t%s\t%d\t%u\t", pc->name,
	       pc->rc == BPFIX_PARSE_OK ? "metered" : "not-metered", pc->gtpu_off ? 1 : 0, f->len);
	if (pc->rc != BPFIX_PARSE_OK) {
		printf("-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t");
	} else {
		printf("%u\t%s\t", m->ip_version, addr_text(m->ip_version, m->src_addr, a));
		printf("%s\t%u\t%u\t%u\t%u\t", addr_text(m->ip_version, m->dst_addr, b),
		       m->protocol, m->src_port, m->dst_port, m->ip_len);
		if (m->tun_version) {
			printf("%u\t%s\t", m->tun_version,
			       addr_text(m->tun_version, m->tun_src_addr, a));
			printf("%s\t%u\t", addr_text(m->tun_version, m->tun_dst_addr, b), m->teid);
		} else {
			printf("0\t-\t-\t-\t");
		}
		if (m->has_pdu_session)
			printf("1\t%u\t%u\t", m->qfi, m->pdu_type);
		else
			printf("0\t-\t-\t");
		printf("%u\t0x%02x\t%u\t0x%02x\t", m->vlan_id, m->tos, m->ttl, m->tcp_flags);
	}
	for (i = 0; i < BPFIX_CNT_MAX; i++) {
		if (!(pc->counters & PACKET_CASE_CNT(i)))
			continue;
		printf("%s%s", first ? "" : COUNTER_SEP, bpfix_counter_name((enum bpfix_counter)i));
		first = false;
	}
	putchar('\n');
}

/* The rows the arguments name, in order; all/all-metered: the table's, in table order. */
static int select_rows(int argc, char **argv, const struct packet_case ***rows, int *nrows,
		       bool *from_table, bool *metered_only)
{
	unsigned int n = packet_case_table_len(), i;
	int k;

	*from_table = argc == 1 && (!strcmp(argv[0], "all") || !strcmp(argv[0], "all-metered"));
	*metered_only = *from_table && !strcmp(argv[0], "all-metered");
	*rows = calloc(*from_table ? n : (unsigned int)argc, sizeof(**rows));
	if (!*rows) {
		fprintf(stderr, "inject_cases: no memory\n");
		return -1;
	}
	*nrows = 0;
	if (*from_table) {
		for (i = 0; i < n; i++)
			(*rows)[(*nrows)++] = &packet_case_table()[i];
		return 0;
	}
	for (k = 0; k < argc; k++) {
		const struct packet_case *pc = packet_case_find(argv[k]);

		if (!pc) {
			fprintf(stderr, "inject_cases: no row named '%s'\n", argv[k]);
			return -1;
		}
		(*rows)[(*nrows)++] = pc;
	}
	return 0;
}

static int open_socket(const char *ifname, int *ifindex)
{
	int fd;

	*ifindex = (int)if_nametoindex(ifname);
	if (!*ifindex) {
		fprintf(stderr, "inject_cases: interface %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	/* protocol 0: this socket sends only, it receives nothing */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "inject_cases: AF_PACKET socket: %s\n", strerror(errno));
		return -1;
	}
	return fd;
}

static int send_frame(int fd, int ifindex, const struct packet_case *pc, const struct frame *f)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_protocol = htons(get_be16(f->bytes + 12)), /* the frame's own EtherType */
		.sll_halen = ETH_ALEN,
	};
	ssize_t n;

	memcpy(to.sll_addr, f->bytes, ETH_ALEN);
	n = sendto(fd, f->bytes, f->len, 0, (struct sockaddr *)&to, sizeof(to));
	if (n != (ssize_t)f->len) {
		fprintf(stderr, "inject_cases: %s: sent %zd of %u octets: %s\n", pc->name, n, f->len,
			n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/* The counter names must not hold the separator or a tab: they are columns of this output. */
static int check_counter_names(void)
{
	const char *name;
	int i;

	for (i = 0; i < BPFIX_CNT_MAX; i++) {
		name = bpfix_counter_name((enum bpfix_counter)i);
		if (strstr(name, COUNTER_SEP) || strchr(name, '\t')) {
			fprintf(stderr, "inject_cases: counter name '%s' holds '%s' or a tab\n", name,
				COUNTER_SEP);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct packet_case **rows = NULL;
	bool dry_run = false, from_table, metered_only;
	int nrows, i, fd = -1, ifindex = 0, rc = 0;
	const char *ifname;
	char reason[160];
	struct frame f;

	if (check_counter_names())
		return 2;
	if (argc == 2 && !strcmp(argv[1], "--counters")) {
		for (i = 0; i < BPFIX_CNT_MAX; i++)
			printf("counter\t%d\t%s\n", i, bpfix_counter_name((enum bpfix_counter)i));
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	argv++;
	argc--;
	if (argc > 0 && !strcmp(argv[0], "-n")) {
		dry_run = true;
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	ifname = argv[0];
	if (select_rows(argc - 1, argv + 1, &rows, &nrows, &from_table, &metered_only)) {
		free(rows);
		return 2;
	}
	if (!dry_run) {
		fd = open_socket(ifname, &ifindex);
		if (fd < 0) {
			free(rows);
			return 1;
		}
	}
	print_header();
	for (i = 0; i < nrows; i++) {
		const struct packet_case *pc = rows[i];

		if (metered_only && pc->rc != BPFIX_PARSE_OK)
			continue;
		packet_case_frame(pc, &f);
		if (live_skip_reason(pc, &f, reason, sizeof(reason))) {
			printf("skip\t%s\t%s\n", pc->name, reason);
			continue;
		}
		if (!dry_run && send_frame(fd, ifindex, pc, &f)) {
			rc = 1;
			break;
		}
		print_case(pc, &f);
	}
	fflush(stdout);
	if (fd >= 0)
		close(fd);
	free(rows);
	return rc;
}
