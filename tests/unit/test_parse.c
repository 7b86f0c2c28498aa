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
	n += CHECK_FIELD(row, got, want, diag);
	return n;
}

/*
 * The row's counters must follow from its parse result by the ABI's mapping: seen, then either
 * one not-metered reason, or metered + a new flow + the diagnostic of what was not read.
 */
static int counters_differ(const struct packet_case *pc)
{
	__u32 want = PACKET_CASE_CNT(BPFIX_CNT_SEEN);
	enum bpfix_counter diag;

	if (pc->rc != BPFIX_PARSE_OK) {
		want |= PACKET_CASE_CNT(bpfix_counter_for_rc(pc->rc));
	} else {
		want |= PACKET_CASE_CNT(BPFIX_CNT_METERED) |
			PACKET_CASE_CNT(BPFIX_CNT_FLOWS_CREATED);
		diag = bpfix_counter_for_diag(pc->meta.diag);
		if (pc->meta.diag != BPFIX_DIAG_NONE && diag == BPFIX_CNT_SEEN) {
			print_error("%s: diag %u has no counter\n", pc->name, pc->meta.diag);
			return 1;
		}
		want |= PACKET_CASE_CNT(diag);
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
	struct bpfix_cursor cursor;
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

	memset(&got, 0xA5, sizeof(got)); /* the parser must set every field itself */
	rc = bpfix_parse_frame(&cursor, &got, BPFIX_GTPU_PORT);
	if (rc != pc->rc)
		failures += field_differs(pc->name, "rc", rc, pc->rc);
	else if (rc == BPFIX_PARSE_OK)
		failures += meta_differs(pc->name, &got, &pc->meta);
	failures += counters_differ(pc);

	free(window);
	free(f);
	if (failures)
		fail_msg("%s: %d mismatch(es), see above", pc->name, failures);
}

/* Rows are found by name in reports and in the BPF test's output: names must be unique. */
static void test_case_names_unique(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < packet_case_count; i++)
		for (j = i + 1; j < packet_case_count; j++)
			if (!strcmp(packet_cases[i].name, packet_cases[j].name))
				fail_msg("two rows are named %s", packet_cases[i].name);
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
	assert_int_equal(s.ttl_min, 64);
	assert_int_equal(s.ttl_max, 64);
	assert_int_equal(s.vlan_id, 7);
	assert_int_equal(s.tos, 0x28);
	for (size_t i = 0; i < sizeof(s.pad); i++)
		assert_int_equal(s.pad[i], 0);
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
	assert_int_equal(s.ttl_min, 60);
	assert_int_equal(s.ttl_max, 64);
	assert_int_equal(s.first_ns, 1000);
	assert_int_equal(s.last_ns, 2000);

	/* an older packet (another CPU was late) neither moves last_ns back nor first_ns */
	m.ttl = 70;
	m.tcp_flags = 0;
	bpfix_flow_stats_add(&s, &m, 1500, 1, 40);
	assert_int_equal(s.packets, 5);
	assert_int_equal(s.octets, 400);
	assert_int_equal(s.tcp_flags, 0x13);
	assert_int_equal(s.ttl_min, 60);
	assert_int_equal(s.ttl_max, 70);
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
		cmocka_unit_test(test_account_key_zeroes_padding),
		cmocka_unit_test(test_account_stats_init),
		cmocka_unit_test(test_account_stats_add),
	};
	struct CMUnitTest *rows;
	unsigned int i;
	int failed;

	failed = cmocka_run_group_tests_name("table and accounting", fixed, NULL, NULL);

	/* one named test per row, so a failure report starts with the row's name */
	rows = calloc(packet_case_count, sizeof(*rows));
	if (!rows)
		return 1;
	for (i = 0; i < packet_case_count; i++) {
		rows[i].name = packet_cases[i].name;
		rows[i].test_func = test_case_row;
		rows[i].initial_state = (void *)&packet_cases[i];
	}
	failed += _cmocka_run_group_tests("packet_cases", rows, packet_case_count, NULL, NULL);
	free(rows);
	return failed ? 1 : 0;
}
