// SPDX-License-Identifier: GPL-2.0-only
/*
 * The template a flow record goes out in (bpfix_flow_shape_index): for every combination of inner
 * IP version, protocol, GTP-U outer version and PDU Session Container, the shape at the index it
 * gives is the one the rules say (record_layout.h: inner version; ICMP over IPv4 or ICMPv6 over
 * IPv6; TCP; GTP-U with its outer version; the container), written out here from those rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "export/ipfix/record_layout.h"

static uint32_t expected_shape(__u8 ip_version, __u8 protocol, __u8 tun_version, bool pdu)
{
	uint32_t shape = ip_version == 6 ? BPFIX_SHAPE_IPV6 : BPFIX_SHAPE_IPV4;

	if ((ip_version == 4 && protocol == 1) || (ip_version == 6 && protocol == 58))
		shape |= BPFIX_SHAPE_ICMP;
	if (protocol == 6)
		shape |= BPFIX_SHAPE_TCP;
	if (tun_version == 4)
		shape |= BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER4;
	if (tun_version == 6)
		shape |= BPFIX_SHAPE_GTPU | BPFIX_SHAPE_OUTER6;
	if (tun_version && pdu)
		shape |= BPFIX_SHAPE_PDU;
	return shape;
}

static void every_combination_has_its_template(void **state)
{
	static const __u8 versions[] = { 4, 6 }, tunnels[] = { 0, 4, 6 };
	/* UDP, TCP, ICMP, ICMPv6, and another protocol */
	static const __u8 protocols[] = { 17, 6, 1, 58, 132 };
	struct bpfix_record rec;
	size_t v, p, t, pdu, index, seen[BPFIX_N_FLOW_SHAPES] = { 0 };

	(void)state;
	for (v = 0; v < sizeof(versions); v++)
		for (p = 0; p < sizeof(protocols); p++)
			for (t = 0; t < sizeof(tunnels); t++)
				for (pdu = 0; pdu < 2; pdu++) {
					memset(&rec, 0, sizeof(rec));
					rec.key.ip_version = versions[v];
					rec.key.protocol = protocols[p];
					rec.key.tun_version = tunnels[t];
					rec.has_pdu_session = pdu;
					index = bpfix_flow_shape_index(&rec);
					assert_true(index < BPFIX_N_FLOW_SHAPES);
					assert_int_equal(bpfix_flow_shapes[index],
							 expected_shape(versions[v], protocols[p],
									tunnels[t], pdu));
					seen[index]++;
				}
	for (index = 0; index < BPFIX_N_FLOW_SHAPES; index++)
		assert_true(seen[index] > 0); /* every template is some record's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_combination_has_its_template),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
