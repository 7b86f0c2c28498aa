// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host side of the packet case table: every row through bpfix_parse_frame on an exact-size heap
 * copy of its parse window, so ASan reports any read past what the kernel would have copied.
 * Also the accounting rule of bpfix_account.h (key building, stats init and add). The same rows
 * run through the real TC program in tests/bpf/test_bpf_cases.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfix_account.h"
#include "bpfix_parse.h"
#include "packet_cases.h"

/* Report one differing field; returns 1 so callers can count failures. */
static int field_differs(const char *row, const char *field, unsigned long got,
			 unsigned long expected)
{
	print_error("%s: %s is %lu (0x%lx), expected %lu (0x%lx)\n", row, field, got, got,
		    expected, expected);
	return 1;
}

static int addr_differs(const char *row, const char *field, const __u8 *got, const __u8 *expected,
			__u8 ip_version)
{
	char g[INET6_ADDRSTRLEN], e[INET6_ADDRSTRLEN];
	int family = ip_version == 4 ? AF_INET : AF_INET6;

	if (!memcmp(got, expected, 16))
		return 0;
	/* the octets after an IPv4 address must be zero too: they are part of the flow key */
	inet_ntop(family, got, g, sizeof(g));
	inet_ntop(family, expected, e, sizeof(e));
	print_error("%s: %s is %s, expected %s (all 16 octets compared)\n", row, field, g, e);
	return 1;
}

#define CHECK_FIELD(row, got, want, field)                                                      \
	((got)->field == (want)->field                                                           \
		 ? 0                                                                             \
		 : field_differs((row), #field, (unsigned long)(got)->field,                     \
				 (unsigned long)(want)->field))

static int meta_differs(const char *row, const struct bpfix_pkt_meta *got,
			const struct bpfix_pkt_meta *want)
{
	int n = 0;

	n += CHECK_FIELD(row, got, want, ip_version);
	n += addr_differs(row, "src_addr", got->src_addr, want->src_addr, want->ip_version);
	n += addr_differs(row, "dst_addr", got->dst_addr, want->dst_addr, want->ip_version);
	n += CHECK_FIELD(row, got, want, protocol);
	n += CHECK_FIELD(row, got, want, src_port);
	n += CHECK_FIELD(row, got, want, dst_port);
	n += CHECK_FIELD(row, got, want, ip_len);
	n += CHECK_FIELD(row, got, want, l3_off);
	n += CHECK_FIELD(row, got, want, l4_off);
	n += CHECK_FIELD(row, got, want, vlan_id);
	n += CHECK_FIELD(row, got, want, tos);
	n += CHECK_FIELD(row, got, want, ttl);
	n += CHECK_FIELD(row, got, want, tcp_flags);
	n += CHECK_FIELD(row, got, want, tcp_seq);
	n += CHECK_FIELD(row, got, want, tcp_ack);
	n += CHECK_FIELD(row, got, want, more_fragments);
	n += CHECK_FIELD(row, got, want, diag);
	/* the tunnel: set for a decapsulated G-PDU, zero for anything else */
	n += CHECK_FIELD(row, got, want, tun_version);
	n += addr_differs(row, "tun_src_addr", got->tun_src_addr, want->tun_src_addr,
			  want->tun_version);
	n += addr_differs(row, "tun_dst_addr", got->tun_dst_addr, want->tun_dst_addr,
			  want->tun_version);
	n += CHECK_FIELD(row, got, want, teid);
	n += CHECK_FIELD(row, got, want, has_pdu_session);
	n += CHECK_FIELD(row, got, want, qfi);
	n += CHECK_FIELD(row, got, want, pdu_type);
	n += CHECK_FIELD(row, got, want, gtp_diag);
	return n;
}

/*
 * The row's counters must follow from its parse result by the ABI's mapping: seen, then either
 * one not-metered reason, or metered + a new flow + the diagnostic of what was not read + the
 * GTP-U outcome (decapsulated, or why not) of a packet on the GTP-U port + a TCP handshake
 * started by a SYN whose header was read (into an empty connection map).
 */
static int counters_differ(const struct packet_case *pc)
{
	__u32 want = PACKET_CASE_CNT(BPFIX_CNT_SEEN);
	enum bpfix_counter diag, gtp;

	if (pc->rc != BPFIX_PARSE_OK) {
		want |= PACKET_CASE_CNT(bpfix_counter_for_rc(pc->rc));
	} else {
		want |= PACKET_CASE_CNT(BPFIX_CNT_METERED) |
			PACKET_CASE_CNT(BPFIX_CNT_FLOWS_CREATED) |
			PACKET_CASE_CNT(BPFIX_CNT_OCTETS_METERED);
		diag = bpfix_counter_for_diag(pc->meta.diag);
		if (pc->meta.diag != BPFIX_DIAG_NONE && diag == BPFIX_CNT_SEEN) {
			print_error("%s: diag %u has no counter\n", pc->name, pc->meta.diag);
			return 1;
		}
		want |= PACKET_CASE_CNT(diag);
		if (pc->meta.tun_version && pc->meta.gtp_diag) {
			print_error("%s: both decapsulated and gtp_diag %u\n", pc->name,
				    pc->meta.gtp_diag);
			return 1;
		}
		gtp = bpfix_counter_for_gtp(&pc->meta);
		if ((pc->meta.tun_version || pc->meta.gtp_diag) && gtp == BPFIX_CNT_SEEN) {
			print_error("%s: gtp_diag %u has no counter\n", pc->name,
				    pc->meta.gtp_diag);
			return 1;
		}
		want |= PACKET_CASE_CNT(gtp);
		/* a G-PDU from a first fragment (the cursor says so, not the meta): decapsulated */
		if (pc->meta.tun_version)
			want |= pc->counters & PACKET_CASE_CNT(BPFIX_CNT_GTP_FRAGMENTED);
		if (pc->meta.protocol == BPFIX_IPPROTO_TCP && pc->meta.l4_off &&
		    (pc->meta.tcp_flags & (BPFIX_TCP_SYN | BPFIX_TCP_ACK)) == BPFIX_TCP_SYN)
			want |= PACKET_CASE_CNT(BPFIX_CNT_TCP_HANDSHAKES);
	}
	if (pc->counters == want)
		return 0;
	print_error("%s: counters 0x%x, but rc %u / diag %u map to 0x%x\n", pc->name, pc->counters,
		    pc->rc, pc->meta.diag, want);
	return 1;
}

static void test_case_row(void **state)
{
	const struct packet_case *pc = *state;
	struct bpfix_pkt_meta got;
	struct bpfix_cursor cursor = { 0 };
	enum bpfix_parse_rc rc;
	struct frame *f;
	__u8 *window;
	__u32 len;
	int failures = 0;

	f = malloc(sizeof(*f));
	assert_non_null(f);
	packet_case_frame(pc, f);
	/* what the kernel copies: the frame's start, at most the parse window */
	len = f->len < BPFIX_PARSE_WINDOW ? f->len : BPFIX_PARSE_WINDOW;
	window = malloc(len);
	assert_non_null(window);
	memcpy(window, f->bytes, len);
	cursor.buf = window;
	cursor.len = len;
	/* what the engines know of the packet: its length, GSO */
	cursor.pkt_len = packet_case_pkt_len(pc, f);
	cursor.gso = pc->gso_segs > 1 || pc->gso_size;

	memset(&got, 0xA5, sizeof(got)); /* the parser must set every field itself */
	cursor.gtpu_fragmented = 0xA5;
	rc = bpfix_parse_frame(&cursor, &got, pc->gtpu_off ? 0 : BPFIX_GTPU_PORT);
	if (rc != pc->rc)
		failures += field_differs(pc->name, "rc", rc, pc->rc);
	else if (rc == BPFIX_PARSE_OK)
		failures += meta_differs(pc->name, &got, &pc->meta);
	/* the octets the accounting rule makes of it, as the row writes them */
	if (rc == BPFIX_PARSE_OK &&
	    bpfix_wire_octets(cursor.pkt_len, pc->gso_segs, &got) != packet_case_octets(pc))
		failures += field_differs(pc->name, "wire octets",
					  bpfix_wire_octets(cursor.pkt_len, pc->gso_segs, &got),
					  packet_case_octets(pc));
	if (cursor.gtpu_fragmented != !!(pc->counters & PACKET_CASE_CNT(BPFIX_CNT_GTP_FRAGMENTED)))
		failures += field_differs(pc->name, "cursor.gtpu_fragmented", cursor.gtpu_fragmented,
					  !!(pc->counters &
					     PACKET_CASE_CNT(BPFIX_CNT_GTP_FRAGMENTED)));
	failures += counters_differ(pc);

	free(window);
	free(f);
	if (failures)
		fail_msg("%s: %d mismatch(es), see above", pc->name, failures);
}

/*
 * The rows written to run past the TC program's first copy of 128 octets must make the parser
 * ask for the rest (else the BPF test of their second parse tests nothing), and the row whose
 * frame ends inside a header past 128 must not: the frame has no more to give.
 */
static void test_first_copy_rows(void **state)
{
	static const struct {
		const char *row;
		__u8 beyond;
	} rows[] = {
		{ "ipv6-ext-tcp-across-first-copy", 1 },
		{ "ipv6-ext-header-across-first-copy", 1 },
		{ "qinq-mpls-ipv6-ports-across-first-copy", 1 },
		{ "gpdu-inner-tcp-across-first-copy", 1 },
		{ "gpdu-ext-across-first-copy", 1 },
		{ "ipv6-ext-tcp-cut-after-first-copy", 0 },
	};
	struct bpfix_cursor cursor = { 0 };
	struct bpfix_pkt_meta m;
	struct frame *f;
	unsigned int i;

	(void)state;
	f = malloc(sizeof(*f));
	assert_non_null(f);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct packet_case *pc = packet_case_find(rows[i].row);

		if (!pc)
			fail_msg("no row named %s", rows[i].row);
		packet_case_frame(pc, f);
		assert_true(f->len > 128 && f->len <= BPFIX_PARSE_WINDOW);
		cursor.buf = f->bytes;
		cursor.len = 128;
		cursor.frame_len = f->len;
		cursor.pkt_len = f->len;
		bpfix_parse_frame(&cursor, &m, BPFIX_GTPU_PORT);
		if (cursor.beyond != rows[i].beyond)
			fail_msg("%s: beyond %u after the first 128 octets, expected %u", rows[i].row,
				 cursor.beyond, rows[i].beyond);
	}
	free(f);
}

/* Rows are found by name in reports and in the BPF test's output: names must be unique. */
static void test_case_names_unique(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < packet_case_table_len(); i++)
		for (j = i + 1; j < packet_case_table_len(); j++)
			if (!strcmp(packet_case_table()[i].name, packet_case_table()[j].name))
				fail_msg("two rows are named %s", packet_case_table()[i].name);
}

/*
 * The builders against the verified bytes of reference/ipfix-gtp-collectors.md §2.4 (scapy,
 * decoded by tshark): the GTP-U header, optional word and PDU Session Container, then the first
 * octet of the T-PDU, at offset 42 (Ethernet, IPv4, UDP).
 */
static void check_reference_bytes(const char *row, const __u8 *want, size_t n)
{
	const struct packet_case *pc = packet_case_find(row);
	struct frame *f;

	if (!pc)
		fail_msg("no row named %s", row);
	f = malloc(sizeof(*f));
	assert_non_null(f);
	packet_case_frame(pc, f);
	assert_true(f->len >= 42 + n);
	if (memcmp(f->bytes + 42, want, n)) {
		for (size_t i = 0; i < n; i++)
			print_error("%s: octet %zu of GTP-U is 0x%02x, the reference has 0x%02x\n",
				    row, i, f->bytes[42 + i], want[i]);
		free(f);
		fail_msg("%s: GTP-U bytes differ from the reference", row);
	}
	free(f);
}

static void test_gtpu_reference_bytes(void **state)
{
	static const __u8 ul[17] = { 0x34, 0xff, 0x00, 0x30, 0x12, 0x34, 0xab, 0xcd, 0x00,
				     0x00, 0x00, 0x85, 0x01, 0x10, 0x09, 0x00, 0x45 };
	static const __u8 dl[17] = { 0x34, 0xff, 0x00, 0x30, 0xde, 0xad, 0xbe, 0xef, 0x00,
				     0x00, 0x00, 0x85, 0x01, 0x00, 0x45, 0x00, 0x45 };
	static const __u8 echo[12] = { 0x32, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0x07, 0x00, 0x00 };

	(void)state;
	check_reference_bytes("gpdu-e-pdu-session-ul", ul, sizeof(ul));
	check_reference_bytes("gpdu-e-pdu-session-dl", dl, sizeof(dl));
	check_reference_bytes("gtpu-echo-request", echo, sizeof(echo));
}

static const struct bpfix_pkt_meta account_meta = {
	.src_addr = { 192, 0, 2, 1 },
	.dst_addr = { 198, 51, 100, 2 },
	.ip_len = 60,
	.l3_off = 14,
	.l4_off = 34,
	.src_port = 40000,
	.dst_port = 443,
	.vlan_id = 7,
	.ip_version = 4,
	.protocol = 6,
	.tos = 0x28,
	.ttl = 64,
	.tcp_flags = 0x02,
};

/*
 * Live VLAN offload: the device takes the outer tag out of the bytes into skb->vlan_tci. Parsing
 * the row's frame with its outer tag removed that way must give the same VLAN id and the same
 * depth verdict as parsing the frame with the tag in the bytes.
 */
static enum bpfix_parse_rc parse_with_outer_tag_stripped(const char *row, struct bpfix_pkt_meta *m)
{
	const struct packet_case *pc = packet_case_find(row);
	struct bpfix_cursor cursor = { 0 };
	struct frame *f = malloc(sizeof(*f));
	enum bpfix_parse_rc rc;
	__u8 *stripped;

	assert_non_null(pc);
	assert_non_null(f);
	packet_case_frame(pc, f);
	/* MACs (12), then the outer tag's TPID (2) and TCI (2) go: the next TPID/EtherType stays */
	stripped = malloc(f->len - 4);
	assert_non_null(stripped);
	memcpy(stripped, f->bytes, 12);
	memcpy(stripped + 12, f->bytes + 16, f->len - 16);
	cursor.buf = stripped;
	cursor.len = f->len - 4 < BPFIX_PARSE_WINDOW ? f->len - 4 : BPFIX_PARSE_WINDOW;
	cursor.tag_stripped = 1;
	cursor.stripped_tci = (__u16)(f->bytes[14] << 8 | f->bytes[15]);
	rc = bpfix_parse_frame(&cursor, m, BPFIX_GTPU_PORT);
	free(stripped);
	free(f);
	return rc;
}

static void test_vlan_offload(void **state)
{
	static const char *const rows[] = { "vlan-8021q", "qinq-88a8-8100", "triple-tag",
					    "four-tags", "gtpu-qinq-outside" };
	struct bpfix_pkt_meta m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(parse_with_outer_tag_stripped(rows[i], &m), BPFIX_PARSE_OK);
		assert_int_equal(m.vlan_id, packet_case_find(rows[i])->meta.vlan_id);
	}
	/* four tags left in the bytes plus the stripped one: over the bound, as in the bytes */
	assert_int_equal(parse_with_outer_tag_stripped("five-tags", &m), BPFIX_PARSE_VLAN_DEPTH);
}

static void test_account_key_zeroes_padding(void **state)
{
	struct bpfix_flow_key got, want;

	(void)state;
	memset(&want, 0, sizeof(want));
	memcpy(want.src_addr, account_meta.src_addr, 16);
	memcpy(want.dst_addr, account_meta.dst_addr, 16);
	want.ifindex = 3;
	want.src_port = 40000;
	want.dst_port = 443;
	want.ip_version = 4;
	want.protocol = 6;
	want.direction = BPFIX_DIR_EGRESS;

	/* garbage first: tunnel fields and any padding must come out zero, they are hashed */
	memset(&got, 0xA5, sizeof(got));
	bpfix_flow_key_from_meta(&got, &account_meta, 3, BPFIX_DIR_EGRESS);
	assert_memory_equal(&got, &want, sizeof(want));
}

/* A decapsulated packet: the inner flow from 10.0.0.1, through 192.0.2.1 -> 198.51.100.2 */
static const struct bpfix_pkt_meta account_tunnel_meta = {
	.src_addr = { 10, 0, 0, 1 },
	.dst_addr = { 10, 0, 0, 2 },
	.ip_len = 40,
	.l3_off = 58,
	.l4_off = 78,
	.src_port = 40000,
	.dst_port = 80,
	.vlan_id = 7,
	.ip_version = 4,
	.protocol = 6,
	.tos = 0x28,
	.ttl = 32,
	.tcp_flags = 0x02,
	.tun_src_addr = { 192, 0, 2, 1 },
	.tun_dst_addr = { 198, 51, 100, 2 },
	.teid = 0x1234abcd,
	.tun_version = 4,
	.has_pdu_session = 1,
	.qfi = 9,
	.pdu_type = 1,
};

/* DESIGN.md §4: the TEID and the endpoint that owns it (the outer destination) are key */
static void test_account_key_tunnel(void **state)
{
	struct bpfix_flow_key got, want;
	struct bpfix_pkt_meta other = account_tunnel_meta;
	struct bpfix_flow_key other_key;

	(void)state;
	memset(&want, 0, sizeof(want));
	memcpy(want.src_addr, account_tunnel_meta.src_addr, 16);
	memcpy(want.dst_addr, account_tunnel_meta.dst_addr, 16);
	memcpy(want.tun_addr, account_tunnel_meta.tun_dst_addr, 16);
	want.teid = 0x1234abcd;
	want.ifindex = 3;
	want.src_port = 40000;
	want.dst_port = 80;
	want.ip_version = 4;
	want.protocol = 6;
	want.direction = BPFIX_DIR_INGRESS;
	want.tun_version = 4;

	memset(&got, 0xA5, sizeof(got));
	bpfix_flow_key_from_meta(&got, &account_tunnel_meta, 3, BPFIX_DIR_INGRESS);
	assert_memory_equal(&got, &want, sizeof(want));

	/* the same inner flow in another tunnel is another flow; another sender is not */
	other.teid = 0x1234abce;
	bpfix_flow_key_from_meta(&other_key, &other, 3, BPFIX_DIR_INGRESS);
	assert_memory_not_equal(&other_key, &want, sizeof(want));
	other = account_tunnel_meta;
	other.tun_src_addr[3] = 99;
	bpfix_flow_key_from_meta(&other_key, &other, 3, BPFIX_DIR_INGRESS);
	assert_memory_equal(&other_key, &want, sizeof(want));
	/* and the same 5-tuple outside any tunnel is a third */
	other = account_tunnel_meta;
	other.tun_version = 0;
	bpfix_flow_key_from_meta(&other_key, &other, 3, BPFIX_DIR_INGRESS);
	assert_memory_not_equal(&other_key, &want, sizeof(want));
}

static void test_account_stats_init_tunnel(void **state)
{
	struct bpfix_flow_stats s;

	(void)state;
	memset(&s, 0xA5, sizeof(s));
	bpfix_flow_stats_init(&s, &account_tunnel_meta, 1000, 1, 40);
	assert_memory_equal(s.tun_src_addr, account_tunnel_meta.tun_src_addr, 16);
	assert_int_equal(s.has_pdu_session, 1);
	assert_int_equal(s.qfi, 9);
	assert_int_equal(s.pdu_type, 1);
	assert_int_equal(BPFIX_TTL_MIN(s.ttl_range), 32);
	assert_int_equal(s.tos, 0x28);
	assert_int_equal(s.vlan_id, 7);
	assert_int_equal(s.life, 0); /* the engine tags the life after init */
}

static void test_account_stats_init(void **state)
{
	struct bpfix_flow_stats s;

	(void)state;
	memset(&s, 0xA5, sizeof(s));
	bpfix_flow_stats_init(&s, &account_meta, 1000, 1, 60);
	assert_int_equal(s.packets, 1);
	assert_int_equal(s.octets, 60);
	assert_int_equal(s.first_ns, 1000);
	assert_int_equal(s.last_ns, 1000);
	assert_int_equal(s.tcp_flags, 0x02);
	assert_int_equal(BPFIX_TTL_MIN(s.ttl_range), 64);
	assert_int_equal(BPFIX_TTL_MAX(s.ttl_range), 64);
	assert_int_equal(s.vlan_id, 7);
	assert_int_equal(s.tos, 0x28);
	/* no tunnel: its fields are zero */
	for (size_t i = 0; i < sizeof(s.tun_src_addr); i++)
		assert_int_equal(s.tun_src_addr[i], 0);
	assert_int_equal(s.has_pdu_session, 0);
	assert_int_equal(s.qfi, 0);
	assert_int_equal(s.pdu_type, 0);
	assert_int_equal(s.life, 0); /* the engine tags the life after init */
}

static void test_account_stats_add(void **state)
{
	struct bpfix_pkt_meta m = account_meta;
	struct bpfix_flow_stats s;

	(void)state;
	bpfix_flow_stats_init(&s, &m, 1000, 1, 60);

	/* a GSO packet of 3 segments, lower TTL, other flags */
	m.ttl = 60;
	m.tcp_flags = 0x10 | 0x01;
	bpfix_flow_stats_add(&s, &m, 2000, 3, 300);
	assert_int_equal(s.packets, 4);
	assert_int_equal(s.octets, 360);
	assert_int_equal(s.tcp_flags, 0x13);
	assert_int_equal(BPFIX_TTL_MIN(s.ttl_range), 60);
	assert_int_equal(BPFIX_TTL_MAX(s.ttl_range), 64);
	assert_int_equal(s.first_ns, 1000);
	assert_int_equal(s.last_ns, 2000);

	/* an older packet (another CPU was late) neither moves last_ns back nor first_ns */
	m.ttl = 70;
	m.tcp_flags = 0;
	bpfix_flow_stats_add(&s, &m, 1500, 1, 40);
	assert_int_equal(s.packets, 5);
	assert_int_equal(s.octets, 400);
	assert_int_equal(s.tcp_flags, 0x13);
	assert_int_equal(BPFIX_TTL_MIN(s.ttl_range), 60);
	assert_int_equal(BPFIX_TTL_MAX(s.ttl_range), 70);
	assert_int_equal(s.first_ns, 1000);
	assert_int_equal(s.last_ns, 2000);

	/* user space closed a record (active timeout): the next packet starts the new one */
	s.first_ns = 0;
	bpfix_flow_stats_add(&s, &m, 3000, 1, 40);
	assert_int_equal(s.first_ns, 3000);
	assert_int_equal(s.last_ns, 3000);
	assert_int_equal(s.packets, 6);

	/* the first packet's VLAN and TOS stay */
	assert_int_equal(s.vlan_id, 7);
	assert_int_equal(s.tos, 0x28);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_case_names_unique),
		cmocka_unit_test(test_first_copy_rows),
		cmocka_unit_test(test_gtpu_reference_bytes),
		cmocka_unit_test(test_vlan_offload),
		cmocka_unit_test(test_account_key_zeroes_padding),
		cmocka_unit_test(test_account_key_tunnel),
		cmocka_unit_test(test_account_stats_init),
		cmocka_unit_test(test_account_stats_init_tunnel),
		cmocka_unit_test(test_account_stats_add),
	};
	struct CMUnitTest *rows;
	unsigned int i;
	int failed;

	failed = cmocka_run_group_tests_name("table and accounting", fixed, NULL, NULL);

	/* one named test per row, so a failure report starts with the row's name */
	rows = calloc(packet_case_table_len(), sizeof(*rows));
	if (!rows)
		return 1;
	for (i = 0; i < packet_case_table_len(); i++) {
		rows[i].name = packet_case_table()[i].name;
		rows[i].test_func = test_case_row;
		rows[i].initial_state = (void *)&packet_case_table()[i];
	}
	failed += _cmocka_run_group_tests("packet_cases", rows, packet_case_table_len(), NULL, NULL);
	free(rows);
	return failed ? 1 : 0;
}
