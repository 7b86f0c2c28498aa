// SPDX-License-Identifier: GPL-2.0-only
/*
 * The named packet cases on a real link (DESIGN.md §8): each selected row's frame, built by the
 * table (packet_case_frame), sent as is with an AF_PACKET/SOCK_RAW socket on an interface, so it
 * arrives at the peer veth's ingress; for each row, one TSV line with what the row expects there,
 * taken from its meta and counters (nothing re-typed). tests/netns/cases_veth.py runs it in a
 * namespace and checks bpfix's records and summary against these lines.
 *
 * A GSO row (gso_segs/gso_size) is sent whole, as the super-packet it describes: its frame with
 * the payload filled up to the row's wire_len, through a PACKET_VNET_HDR socket that gives the
 * skb the row's gso_size (the kernel then counts the segments itself). Whether the peer sees that
 * super-packet or its segments is the sending veth's TSO setting; the row's packets and octets
 * are the same either way. It does not set up the link: cases_veth.py does.
 *
 *     inject_cases [-n] IFNAME all | all-metered | ROW...
 *     inject_cases --counters
 *
 * all-metered: every metered row that survives a veth; all: the not-metered ones too. A row that
 * cannot be used live is not sent: a "skip" line says why. -n: print, send nothing (IFNAME is not
 * looked at). --counters: the counter names, as bpfix's summary prints them.
 *
 * Output, tab-separated, one line per row (and a "#" header naming the columns):
 *   case  ROW  metered|not-metered  gtpu_off  sent_as sent_len  packets octets  ip_version src
 *         dst protocol sport dport ip_len tun_version tun_src tun_dst teid has_pdu_session qfi
 *         pdu_type vlan_id tos ttl tcp_flags  counters
 *   skip  ROW  reason
 *   counter  INDEX  NAME
 * sent_as is "frame" or "gso" (a super-packet, sent_len octets). packets and octets are what
 * the row adds to its flow on the wire (a GSO row: its segments), "-" for a row that is not
 * metered, as are the flow columns; tunnel columns are "-" unless the row is decapsulated
 * (tun_version != 0), qfi and pdu_type unless it has a PDU Session Container. Ports and the TEID
 * are decimal, tcp_flags and tos hex; counters is NAME=AMOUNT for each counter the row's packet
 * hits alone (enum bpfix_counter's, as bpfix names them; the amount as bpfix_count_amount adds
 * it), separated by ';'.
 *
 * Exit 0 done, 1 a send failed, 2 bad command line (an unknown row among them).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "bpfix_account.h"
#include "meter/counters.h"
#include "packet_cases.h"

#define ETH_HEADER 14
#define VLAN_TAG 4
#define VETH_MTU 1500 /* the veth's default, which the test leaves */
#define VETH_BACKLOG 1000 /* net.core.netdev_max_backlog's default: a veth's peer drops beyond */
#define COUNTER_SEP ";"	/* between counter names, some of which hold commas */
#define TCP_DOFF_OCTET 12  /* RFC 9293: where the TCP header holds its data offset... */
#define TCP_CSUM_OFFSET 16 /* ...and its checksum */

/* The two sockets: frames as they are, and super-packets behind a virtio_net_hdr */
struct link {
	int ifindex;
	int plain_fd;
	int gso_fd;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: inject_cases [-n] IFNAME all | all-metered | ROW...\n"
		     "       inject_cases --counters\n");
}

static __u16 get_be16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static bool is_gso_row(const struct packet_case *pc)
{
	return pc->gso_segs || pc->gso_size;
}

/* The octets of @f up to the end of its TCP header (at the row's l4_off); 0: not in the frame. */
static __u32 tcp_headers_end(const struct packet_case *pc, const struct frame *f)
{
	__u32 l4 = pc->meta.l4_off, end;

	if (l4 + TCP_DOFF_OCTET >= f->len)
		return 0;
	end = l4 + (f->bytes[l4 + TCP_DOFF_OCTET] >> 4) * 4u; /* data offset, 4-octet words */
	return end <= f->len ? end : 0;
}

/* Why GSO row @pc cannot go out as the super-packet it describes, or NULL. */
static const char *gso_skip_reason(const struct packet_case *pc, const struct frame *f,
				   char *buf, size_t size)
{
	const struct bpfix_pkt_meta *m = &pc->meta;
	__u32 len = packet_case_pkt_len(pc, f), headers = tcp_headers_end(pc, f), segs;

	if (pc->rc != BPFIX_PARSE_OK || m->protocol != IPPROTO_TCP || m->tun_version ||
	    !pc->gso_size || !headers || len <= headers) {
		snprintf(buf, size, "a GSO row that is not one metered TCP packet with payload: the "
			 "kernel takes only such a packet as a TCP super-packet");
		return buf;
	}
	/* the kernel counts the segments of an untrusted (virtio) super-packet itself */
	segs = (len - headers + pc->gso_size - 1) / pc->gso_size;
	if (segs != packet_case_packets(pc)) {
		snprintf(buf, size, "%u payload octets in segments of %u are %u segments, the row says "
			 "%u", len - headers, pc->gso_size, segs, packet_case_packets(pc));
		return buf;
	}
	if (segs > VETH_BACKLOG) {
		snprintf(buf, size, "%u segments: cut by the sending veth, more than the receiving "
			 "one's backlog (%u) holds at once", segs, VETH_BACKLOG);
		return buf;
	}
	return NULL;
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
	if (is_gso_row(pc))
		return gso_skip_reason(pc, f, buf, size);
	if (pc->wire_len > f->len) {
		snprintf(buf, size, "wire_len %u without GSO: a capture's record of a packet longer "
			 "than a link without GSO carries", pc->wire_len);
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
	printf("#\tname\tmetered\tgtpu_off\tsent_as\tsent_len\tpackets\toctets\tip_version\t"
	       "src\tdst\tprotocol\tsport\tdport\tip_len\ttun_version\ttun_src\ttun_dst\tteid\t"
	       "has_pdu_session\tqfi\tpdu_type\tvlan_id\ttos\tttl\ttcp_flags\tcounters\n");
}

static void print_case(const struct packet_case *pc, __u32 sent_len)
{
	const struct bpfix_pkt_meta *m = &pc->meta;
	__u32 packets = packet_case_packets(pc);
	__u64 octets = packet_case_octets(pc);
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	bool first = true;
	int i;

	printf("case\t%s\t%s\t%d\t%s\t%u\t", pc->name,
	       pc->rc == BPFIX_PARSE_OK ? "metered" : "not-metered", pc->gtpu_off ? 1 : 0,
	       is_gso_row(pc) ? "gso" : "frame", sent_len);
	if (pc->rc != BPFIX_PARSE_OK) {
		printf("-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t");
	} else {
		printf("%u\t%llu\t", packets, (unsigned long long)octets);
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
		printf("%s%s=%llu", first ? "" : COUNTER_SEP, bpfix_counter_name((enum bpfix_counter)i),
		       (unsigned long long)bpfix_count_amount((enum bpfix_counter)i, packets,
							      octets));
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

static int open_link(const char *ifname, struct link *l)
{
	int on = 1;

	l->plain_fd = l->gso_fd = -1;
	l->ifindex = (int)if_nametoindex(ifname);
	if (!l->ifindex) {
		fprintf(stderr, "inject_cases: interface %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	/* protocol 0: these sockets send only, they receive nothing */
	l->plain_fd = socket(AF_PACKET, SOCK_RAW, 0);
	l->gso_fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (l->plain_fd < 0 || l->gso_fd < 0) {
		fprintf(stderr, "inject_cases: AF_PACKET socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(l->gso_fd, SOL_PACKET, PACKET_VNET_HDR, &on, sizeof(on))) {
		fprintf(stderr, "inject_cases: PACKET_VNET_HDR: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void close_link(struct link *l)
{
	if (l->plain_fd >= 0)
		close(l->plain_fd);
	if (l->gso_fd >= 0)
		close(l->gso_fd);
}

/*
 * The bytes of the packet row @pc sends, @len octets: its frame, and for a GSO row that starts a
 * longer packet, zeros up to the row's wire_len (more TCP payload). NULL with errno set.
 */
static __u8 *packet_bytes(const struct packet_case *pc, const struct frame *f, __u32 *len)
{
	__u32 n = is_gso_row(pc) ? packet_case_pkt_len(pc, f) : f->len;
	__u8 *p = calloc(1, n > f->len ? n : f->len);

	if (!p)
		return NULL;
	memcpy(p, f->bytes, f->len);
	*len = n;
	return p;
}

/*
 * A GSO row's super-packet: the virtio_net_hdr asks for TCP segments of gso_size with the
 * checksum left to the kernel (it fills it per segment), as a VM's virtio NIC hands them over.
 */
static void gso_header(const struct packet_case *pc, const struct frame *f,
		       struct virtio_net_hdr *h)
{
	const struct bpfix_pkt_meta *m = &pc->meta;

	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = m->ip_version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->hdr_len = (__u16)tcp_headers_end(pc, f);
	h->gso_size = pc->gso_size;
	h->csum_start = m->l4_off;
	h->csum_offset = TCP_CSUM_OFFSET;
}

static int send_packet(const struct link *l, const struct packet_case *pc, const struct frame *f,
		       const __u8 *bytes, __u32 len)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = l->ifindex,
		.sll_protocol = htons(get_be16(bytes + 12)), /* the frame's own EtherType */
		.sll_halen = ETH_ALEN,
	};
	struct virtio_net_hdr vh;
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { (void *)bytes, len } };
	struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to) };
	size_t want = len;
	ssize_t n;

	memcpy(to.sll_addr, bytes, ETH_ALEN);
	if (is_gso_row(pc)) {
		gso_header(pc, f, &vh);
		msg.msg_iov = iov;
		msg.msg_iovlen = 2;
		want += sizeof(vh);
	} else {
		msg.msg_iov = &iov[1];
		msg.msg_iovlen = 1;
	}
	n = sendmsg(is_gso_row(pc) ? l->gso_fd : l->plain_fd, &msg, 0);
	if (n != (ssize_t)want) {
		fprintf(stderr, "inject_cases: %s: sent %zd of %zu octets: %s\n", pc->name, n, want,
			n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/* Send row @pc (unless @dry_run) and print its line. */
static int send_row(const struct link *l, const struct packet_case *pc, const struct frame *f,
		    bool dry_run)
{
	__u32 len;
	__u8 *bytes = packet_bytes(pc, f, &len);
	int rc;

	if (!bytes) {
		fprintf(stderr, "inject_cases: %s: no memory\n", pc->name);
		return -1;
	}
	rc = dry_run ? 0 : send_packet(l, pc, f, bytes, len);
	if (!rc)
		print_case(pc, len);
	free(bytes);
	return rc;
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
	struct link link = { .plain_fd = -1, .gso_fd = -1 };
	bool dry_run = false, from_table, metered_only;
	int nrows, i, rc = 0;
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
	if (!dry_run && open_link(ifname, &link)) {
		close_link(&link);
		free(rows);
		return 1;
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
		if (send_row(&link, pc, &f, dry_run)) {
			rc = 1;
			break;
		}
	}
	fflush(stdout);
	close_link(&link);
	free(rows);
	return rc;
}
