// SPDX-License-Identifier: GPL-2.0-only
/*
 * The accounting decisions of bpfix_account.h that both engines take: wire packets and octets
 * of a GSO super-packet (against numbers worked out by hand from segment sizes, not from the
 * formula), the counters a parse outcome and a flow-map outcome add to, and by how much. The key
 * and statistics updates are tested with the packet cases in test_parse.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bpfix_account.h"

struct gso_row {
	const char *name;
	__u32 skb_len;	   /* frame octets from the first header, as skb->len */
	__u32 gso_segs;
	__u16 l3_off, l4_off;
	__u8 l4_hdr_len;
	__u32 ip_len;	   /* the IP total length in the (first) header */
	__u32 packets;	   /* expected */
	__u64 octets;	   /* expected: the segments' IP octets added up by hand */
};

static const struct gso_row gso_rows[] = {
	/* not GSO: one packet, its IP total length, whatever the frame's length */
	{ "single, gso_segs 0", 74, 0, 14, 34, 20, 60, 1, 60 },
	{ "single, gso_segs 1", 74, 1, 14, 34, 20, 60, 1, 60 },
	{ "single, padded frame", 9000, 1, 14, 34, 20, 60, 1, 60 },
	/* IPv4 TCP with timestamps (20 + 32), MSS 1448: 3 segments of 1500 */
	{ "ipv4 tcp 3 full segments", 14 + 20 + 32 + 3 * 1448, 3, 14, 34, 32, 65535, 3,
	  1500 + 1500 + 1500 },
	/* the last segment shorter: 1500 + 1500 + (52 + 100) */
	{ "ipv4 tcp short last segment", 14 + 52 + 1448 + 1448 + 100, 3, 14, 34, 32, 65535, 3,
	  1500 + 1500 + 152 },
	/* a VLAN tag, IPv6 (40) and TCP without options (20), MSS 1440: 2 segments of 1500 */
	{ "vlan ipv6 tcp 2 segments", 18 + 40 + 20 + 2 * 1440, 2, 18, 58, 20, 65535, 2,
	  1500 + 1500 },
	/* UDP GSO: 4 datagrams of 1000 payload octets, 1028 each on the wire */
	{ "ipv4 udp gso 4 datagrams", 14 + 20 + 8 + 4 * 1000, 4, 14, 34, 8, 4028, 4,
	  4 * 1028 },
	/* decapsulated GTP-U: only the inner IP packets count; outer 14 + 20 + 8 + GTP-U 16 */
	{ "gtpu inner ipv4 tcp 2 segments", 58 + 20 + 20 + 2 * 1400, 2, 58, 78, 20, 65535, 2,
	  1440 + 1440 },
	/* segments but no L4 header reached (a fragment): nothing to repeat, the IP length */
	{ "gso without l4", 4410, 3, 14, 0, 0, 1500, 3, 1500 },
	/* a frame shorter than its IP offset cannot be measured: the IP length */
	{ "skb shorter than l3_off", 10, 3, 14, 34, 32, 1500, 3, 1500 },
	/* the largest gso_segs the test run takes: 65535 segments of 60 + 1 */
	{ "65535 segments", 14 + 20 + 40 + 65535, 65535, 14, 34, 40, 65535, 65535,
	  65535ull * 61 },
};

static void test_wire_packets_and_octets(void **state)
{
	const struct gso_row *r;
	struct bpfix_pkt_meta m;
	unsigned int i;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(gso_rows) / sizeof(gso_rows[0]); i++) {
		r = &gso_rows[i];
		memset(&m, 0, sizeof(m));
		m.l3_off = r->l3_off;
		m.l4_off = r->l4_off;
		m.l4_hdr_len = r->l4_hdr_len;
		m.ip_len = r->ip_len;
		if (bpfix_wire_packets(r->gso_segs) != r->packets) {
			print_error("%s: %u packets, expected %u\n", r->name,
				    bpfix_wire_packets(r->gso_segs), r->packets);
			failures++;
		}
		if (bpfix_wire_octets(r->skb_len, r->gso_segs, &m) != r->octets) {
			print_error("%s: %llu octets, expected %llu\n", r->name,
				    (unsigned long long)bpfix_wire_octets(r->skb_len, r->gso_segs, &m),
				    (unsigned long long)r->octets);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void expect_counts(const enum bpfix_counter *got, int n, const enum bpfix_counter *want,
			  int n_want)
{
	int i;

	assert_int_equal(n, n_want);
	for (i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static void test_parse_counts_metered(void **state)
{
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_pkt_meta m;

	(void)state;
	memset(&m, 0, sizeof(m));
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_OK, &m, idx), NULL, 0);

	m.diag = BPFIX_DIAG_FRAGMENT;
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_OK, &m, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_DIAG_FRAGMENT }, 1);

	/* a G-PDU whose inner L4 header is cut: both diagnostics */
	m.diag = BPFIX_DIAG_L4_TRUNC;
	m.tun_version = 4;
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_OK, &m, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_DIAG_L4_TRUNC, BPFIX_CNT_GTP_DECAPSULATED },
		      2);

	/* not decapsulated: metered as outer UDP, why in the GTP-U counter */
	m.diag = BPFIX_DIAG_NONE;
	m.tun_version = 0;
	m.gtp_diag = BPFIX_GTP_DIAG_NOT_GPDU;
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_OK, &m, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_GTP_NOT_GPDU }, 1);
	m.gtp_diag = BPFIX_GTP_DIAG_INNER_BAD;
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_OK, &m, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_GTP_INNER_BAD }, 1);
}

/* Every failed parse goes to exactly one not-metered counter, whatever the meta says. */
static void test_parse_counts_not_metered(void **state)
{
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];
	struct bpfix_pkt_meta m;
	int rc, n;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.diag = BPFIX_DIAG_L4_TRUNC;
	m.gtp_diag = BPFIX_GTP_DIAG_TRUNC;
	for (rc = BPFIX_PARSE_OK + 1; rc < BPFIX_PARSE_RC_MAX; rc++) {
		n = bpfix_parse_counts((enum bpfix_parse_rc)rc, &m, idx);
		assert_int_equal(n, 1);
		assert_int_equal(idx[0], bpfix_counter_for_rc((enum bpfix_parse_rc)rc));
		assert_true(idx[0] >= BPFIX_CNT_NOT_METERED_NON_IP &&
			    idx[0] <= BPFIX_CNT_NOT_METERED_INTERNAL);
	}
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_NOT_IP, &m, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_NOT_METERED_NON_IP }, 1);
	expect_counts(idx, bpfix_parse_counts(BPFIX_PARSE_MPLS_NOT_IP, &m, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_NOT_METERED_UNSUPPORTED }, 1);
}

static void test_flow_counts(void **state)
{
	enum bpfix_counter idx[BPFIX_COUNTS_MAX];

	(void)state;
	expect_counts(idx, bpfix_flow_counts(BPFIX_FLOW_CREATED, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_FLOWS_CREATED, BPFIX_CNT_METERED,
					      BPFIX_CNT_OCTETS_METERED }, 3);
	expect_counts(idx, bpfix_flow_counts(BPFIX_FLOW_ADDED, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_METERED, BPFIX_CNT_OCTETS_METERED }, 2);
	expect_counts(idx, bpfix_flow_counts(BPFIX_FLOW_REFUSED, idx),
		      (enum bpfix_counter[]){ BPFIX_CNT_NOT_METERED_MAP_FULL }, 1);
}

/* A GSO super-packet of 3 segments, 4500 IP octets: a flow is one, counters count segments. */
static void test_count_amount(void **state)
{
	(void)state;
	assert_int_equal(bpfix_count_amount(BPFIX_CNT_FLOWS_CREATED, 3, 4500), 1);
	assert_int_equal(bpfix_count_amount(BPFIX_CNT_METERED, 3, 4500), 3);
	assert_int_equal(bpfix_count_amount(BPFIX_CNT_OCTETS_METERED, 3, 4500), 4500);
	assert_int_equal(bpfix_count_amount(BPFIX_CNT_NOT_METERED_MAP_FULL, 3, 4500), 3);
	assert_int_equal(bpfix_count_amount(BPFIX_CNT_DIAG_FRAGMENT, 3, 4500), 3);
	assert_int_equal(bpfix_count_amount(BPFIX_CNT_GTP_DECAPSULATED, 3, 4500), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_packets_and_octets),
		cmocka_unit_test(test_parse_counts_metered),
		cmocka_unit_test(test_parse_counts_not_metered),
		cmocka_unit_test(test_flow_counts),
		cmocka_unit_test(test_count_amount),
	};

	return cmocka_run_group_tests_name("accounting rule", tests, NULL, NULL);
}
