// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfix report's definitions on rows made here (src/report/report.h): percentiles by nearest
 * rank, and the order worst first: rates compared exactly, a group without the measure last,
 * ties to the next key, then the name. The whole report runs in tests/replay/report.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "report/report.h"

static void percentiles(void **state)
{
	static const uint32_t one[] = { 7 }, two[] = { 1, 2 }, twenty[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

	(void)state;
	assert_int_equal(bpfix_report_percentile(one, 1, 50), 7);
	assert_int_equal(bpfix_report_percentile(one, 1, 95), 7);
	assert_int_equal(bpfix_report_percentile(two, 2, 50), 1); /* the lower middle */
	assert_int_equal(bpfix_report_percentile(two, 2, 95), 2);
	assert_int_equal(bpfix_report_percentile(twenty, 20, 50), 10);
	assert_int_equal(bpfix_report_percentile(twenty, 20, 95), 19); /* rank 19 of 20 */
	assert_int_equal(bpfix_report_percentile(twenty, 19, 95), 19); /* rank ceil(18.05) */
}

static struct bpfix_report_row row(uint8_t last_octet, uint64_t tcp, uint64_t gaps, uint64_t re)
{
	struct bpfix_report_row r;

	memset(&r, 0, sizeof(r));
	r.view = BPFIX_VIEW_SERVER;
	r.addr[0] = 192;
	r.addr[3] = last_octet;
	r.qfi = -1;
	r.packets = r.tcp_packets = tcp;
	r.gaps = gaps;
	r.retransmissions = re;
	return r;
}

static void order(void **state)
{
	struct bpfix_report_row a = row(1, 300, 100, 0), b = row(2, 100, 33, 0), c = row(3, 0, 0, 0);

	(void)state;
	/* 1/3 is worse than 33/100, however close */
	assert_true(bpfix_report_compare(&a, &b, BPFIX_SORT_LOSS) < 0);
	assert_true(bpfix_report_compare(&b, &a, BPFIX_SORT_LOSS) > 0);
	/* no TCP packet: no rate, last */
	assert_true(bpfix_report_compare(&c, &b, BPFIX_SORT_GAPS) > 0);
	/* by retransmissions both are 0: the tie goes to loss */
	assert_true(bpfix_report_compare(&a, &b, BPFIX_SORT_RETRANSMISSIONS) < 0);
	/* a measured round trip before none; the larger 95th percentile first */
	b.server_rtt = (struct bpfix_rtt_summary){ .median_us = 5, .p95_us = 9, .count = 2 };
	assert_true(bpfix_report_compare(&b, &a, BPFIX_SORT_SERVER_RTT) < 0);
	a.server_rtt = (struct bpfix_rtt_summary){ .median_us = 1, .p95_us = 10, .count = 1 };
	assert_true(bpfix_report_compare(&a, &b, BPFIX_SORT_SERVER_RTT) < 0);
	/* equal in everything: the name decides, and only it */
	b = a;
	b.addr[3] = 9;
	assert_true(bpfix_report_compare(&a, &b, BPFIX_SORT_PACKETS) < 0);
	assert_int_equal(bpfix_report_compare(&a, &a, BPFIX_SORT_PACKETS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles),
		cmocka_unit_test(order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
