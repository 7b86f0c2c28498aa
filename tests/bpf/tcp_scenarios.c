// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TCP analysis scenarios (tcp_scenarios.h). Each expectation follows from the segments
 * above it by DESIGN.md §4a: the server side is t2 - t1 (SYN to SYN-ACK), the client side
 * t3 - t2 (SYN-ACK to the client's next segment), in µs; a gap is a segment starting beyond the
 * highest sequence end seen in its direction, a retransmission one starting below it.
 */
#include "bpfix_flow.h"
#include "tcp_scenarios.h"

const __u8 tcp_client_v4[4] = { 192, 0, 2, 10 }, tcp_server_v4[4] = { 198, 51, 100, 20 };
const __u8 tcp_client_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
const __u8 tcp_server_v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 };
const __u8 tcp_ue_v4[4] = { 10, 45, 0, 2 }, tcp_internet_v4[4] = { 203, 0, 113, 5 };
const __u8 tcp_upf_v4[4] = { 198, 51, 100, 200 };
const __u8 tcp_gnb1_v4[4] = { 192, 0, 2, 100 }, tcp_gnb2_v4[4] = { 192, 0, 2, 101 };

#define S 0x02
#define A 0x10
#define SA (S | A)
#define PA (0x08 | A)
#define FA (0x01 | A)
#define RA (0x04 | A)

/* a segment: at µs, path, from the server?, flags, seq, ack, octets of data */
#define C4(t, fl, seq, ack, len) { (t), PATH_V4, 0, (fl), (seq), (ack), (len) }
#define S4(t, fl, seq, ack, len) { (t), PATH_V4, 1, (fl), (seq), (ack), (len) }
#define SEG(t, path, srv, fl, seq, ack, len) { (t), (path), (srv), (fl), (seq), (ack), (len) }

/* a flow: path, the server's?, gaps, retransmissions, round-trip bits and values */
#define CLIENT4(gaps, retrans, bits, server_us, client_us)                                    \
	{ PATH_V4, 0, (gaps), (retrans), (bits), (server_us), (client_us) }
#define SERVER4(gaps, retrans, bits, server_us)                                               \
	{ PATH_V4, 1, (gaps), (retrans), (bits), (server_us), 0 }

#define RTT_S BPFIX_TCP_RTT_SERVER
#define RTT_SC (BPFIX_TCP_RTT_SERVER | BPFIX_TCP_RTT_CLIENT)
#define AMB_S BPFIX_TCP_RTT_SERVER_AMBIGUOUS
#define AMB_C BPFIX_TCP_RTT_CLIENT_AMBIGUOUS

#define N(array) (sizeof(array) / sizeof((array)[0]))
#define SEGS(...) .segs = { __VA_ARGS__ }, .n_segs = N(((struct tcp_seg_spec[]){ __VA_ARGS__ }))
#define FLOWS(...) .flows = { __VA_ARGS__ }, .n_flows = N(((struct tcp_flow_expect[]){ __VA_ARGS__ }))

#define B 0x20001u /* the server's first data octet in "gaps-and-retransmissions" */

const struct tcp_scenario tcp_scenarios[] = {
	{
		.name = "handshake",
		SEGS(C4(0, S, 100, 0, 0), S4(40000, SA, 5000, 101, 0), C4(50000, A, 101, 5001, 0),
		     C4(60000, PA, 101, 5001, 200), S4(100000, A, 5001, 301, 0)),
		FLOWS(CLIENT4(0, 0, RTT_SC, 40000, 10000), SERVER4(0, 0, RTT_S, 40000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* t1 is the SYN again: 1.030 - 1.000 s, marked ambiguous; the SYN was a retransmission */
		.name = "syn-retransmitted",
		SEGS(C4(0, S, 100, 0, 0), C4(1000000, S, 100, 0, 0), S4(1030000, SA, 5000, 101, 0),
		     C4(1045000, A, 101, 5001, 0)),
		FLOWS(CLIENT4(0, 1, RTT_SC | AMB_S, 30000, 15000), SERVER4(0, 0, RTT_S | AMB_S, 30000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* t2 is the SYN-ACK again for the client side; the server side stays the first's */
		.name = "synack-retransmitted",
		SEGS(C4(0, S, 100, 0, 0), S4(20000, SA, 5000, 101, 0), S4(1020000, SA, 5000, 101, 0),
		     C4(1025000, A, 101, 5001, 0)),
		FLOWS(CLIENT4(0, 0, RTT_SC | AMB_C, 20000, 5000), SERVER4(0, 1, RTT_S, 20000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* the SYN-ACK lost after the observer: the client sends its SYN again, the server
		 * answers again; both sides measured from the second SYN, ambiguous */
		.name = "synack-lost-downstream",
		SEGS(C4(0, S, 100, 0, 0), S4(10000, SA, 5000, 101, 0), C4(1000000, S, 100, 0, 0),
		     S4(1010000, SA, 5000, 101, 0), C4(1015000, A, 101, 5001, 0)),
		FLOWS(CLIENT4(0, 1, RTT_SC | AMB_S, 10000, 5000), SERVER4(0, 1, RTT_S | AMB_S, 10000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* the port again a minute later, new ISNs: a new handshake, no sequence jump */
		.name = "port-reuse-new-isn",
		SEGS(C4(0, S, 100, 0, 0), S4(10000, SA, 5000, 101, 0), C4(12000, A, 101, 5001, 0),
		     C4(13000, PA, 101, 5001, 100), C4(14000, FA, 201, 5001, 0),
		     S4(15000, FA, 5001, 202, 0), C4(16000, A, 202, 5002, 0),
		     C4(60000000, S, 900000, 0, 0), S4(60030000, SA, 7000000, 900001, 0),
		     C4(60031000, A, 900001, 7000001, 0), C4(60032000, PA, 900001, 7000001, 10)),
		FLOWS(CLIENT4(0, 0, RTT_SC, 30000, 1000), SERVER4(0, 0, RTT_S, 30000)),
		.counts = { 2, 2, 2, 0 },
	},
	{
		/* refused, then the port again with a new ISN: the new SYN takes the old's place */
		.name = "rst-then-new-isn",
		SEGS(C4(0, S, 100, 0, 0), S4(5000, RA, 0, 101, 0), C4(3000000, S, 77777, 0, 0),
		     S4(3008000, SA, 4000, 77778, 0), C4(3009000, A, 77778, 4001, 0)),
		FLOWS(CLIENT4(0, 0, RTT_SC, 8000, 1000), SERVER4(0, 0, RTT_S, 8000)),
		.counts = { 2, 2, 1, 0 },
	},
	{
		/* both send a SYN, then each a SYN-ACK repeating its SYN: nothing to measure */
		.name = "simultaneous-open",
		SEGS(C4(0, S, 100, 0, 0), S4(1000, S, 5000, 0, 0), C4(2000, SA, 100, 5001, 0),
		     S4(3000, SA, 5000, 101, 0), C4(4000, A, 101, 5001, 0), S4(5000, A, 5001, 101, 0)),
		FLOWS(CLIENT4(0, 1, 0, 0, 0), SERVER4(0, 1, 0, 0)),
		.counts = { 1, 1, 0, 0 },
	},
	{
		/* TCP Fast Open: 100 octets on the SYN, acknowledged by the SYN-ACK */
		.name = "fast-open",
		SEGS(C4(0, S, 1000, 0, 100), S4(25000, SA, 8000, 1101, 0), C4(27000, A, 1101, 8001, 0),
		     C4(28000, PA, 1101, 8001, 50)),
		FLOWS(CLIENT4(0, 0, RTT_SC, 25000, 2000), SERVER4(0, 0, RTT_S, 25000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* the client's next segment carries data: it is t3 */
		.name = "data-on-ack",
		SEGS(C4(0, S, 300, 0, 0), S4(11000, SA, 600, 301, 0), C4(11500, PA, 301, 601, 500),
		     S4(20000, A, 601, 801, 0)),
		FLOWS(CLIENT4(0, 0, RTT_SC, 11000, 500), SERVER4(0, 0, RTT_S, 11000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* the client's next segment does not acknowledge the server's ISN + 1 */
		.name = "ack-not-of-the-synack",
		SEGS(C4(0, S, 100, 0, 0), S4(5000, SA, 5000, 101, 0), C4(6000, A, 101, 4000, 0)),
		FLOWS(CLIENT4(0, 0, 0, 0, 0), SERVER4(0, 0, RTT_S, 5000)),
		.counts = { 1, 1, 0, 0 },
	},
	{
		/* a download: a hole and its fill, a duplicate, a partial overlap, a FIN twice */
		.name = "gaps-and-retransmissions",
		SEGS(C4(0, S, 0x10, 0, 0), S4(1000, SA, 0x20000, 0x11, 0), C4(2000, A, 0x11, B, 0),
		     S4(3000, PA, B, 0x11, 1000), C4(3050, A, 0x11, B + 1000, 0),
		     S4(3100, PA, B + 1000, 0x11, 1000),
		     S4(3200, PA, B + 3000, 0x11, 1000),	/* gap 1: B + 2000 is missing */
		     S4(3300, PA, B + 4000, 0x11, 1000),
		     S4(3400, PA, B + 2000, 0x11, 1000),	/* the fill: retransmission 1 */
		     S4(3500, PA, B + 4000, 0x11, 1000),	/* a duplicate: 2 */
		     S4(3600, PA, B + 4500, 0x11, 1000),	/* partial overlap: 3 */
		     S4(3700, PA, B + 7500, 0x11, 500),		/* gap 2 */
		     S4(3800, FA, B + 8000, 0x11, 0), S4(3900, FA, B + 8000, 0x11, 0)), /* 4 */
		FLOWS(CLIENT4(0, 0, RTT_SC, 1000, 1000), SERVER4(2, 4, RTT_S, 1000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* keep-alives below the highest end and zero-window probes at one place count
		 * nothing; the data that follows the probes re-sends the probe's octet: once */
		.name = "keep-alives-and-probes",
		SEGS(C4(0, S, 50, 0, 0), S4(1000, SA, 90, 51, 0), C4(2000, A, 51, 91, 0),
		     C4(3000, PA, 51, 91, 100), C4(75000000, A, 150, 91, 0),
		     C4(150000000, A, 150, 91, 1), C4(225000000, A, 150, 91, 1),
		     C4(300000000, A, 150, 91, 1), C4(301000000, A, 151, 91, 1),
		     C4(302000000, A, 151, 91, 1), C4(304000000, A, 151, 91, 1),
		     C4(308000000, A, 151, 91, 1), C4(310000000, PA, 151, 91, 1000),
		     C4(310100000, PA, 1151, 91, 1000)),
		FLOWS(CLIENT4(0, 1, RTT_SC, 1000, 1000), SERVER4(0, 0, RTT_S, 1000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* sequence numbers wrap past 2^32 in the middle of the data */
		.name = "sequence-wrap",
		SEGS(C4(0, S, 0xFFFFFA00u, 0, 0), S4(1000, SA, 0x300, 0xFFFFFA01u, 0),
		     C4(2000, A, 0xFFFFFA01u, 0x301, 0), C4(3000, PA, 0xFFFFFA01u, 0x301, 1535),
		     C4(3100, PA, 0, 0x301, 1000), C4(3200, PA, 2000, 0x301, 1000),
		     C4(3300, PA, 1000, 0x301, 1000)),
		FLOWS(CLIENT4(1, 1, RTT_SC, 1000, 1000), SERVER4(0, 0, RTT_S, 1000)),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* a jump of more than 2^30 is no loss: counted apart, and the highest end follows */
		.name = "sequence-jump",
		SEGS(C4(0, S, 5000, 0, 0), S4(1000, SA, 9000, 5001, 0), C4(2000, A, 5001, 9001, 0),
		     C4(3000, PA, 5001, 9001, 100), C4(3100, PA, 5101 + 0x50000000u, 9001, 100),
		     C4(3200, PA, 5201 + 0x50000000u, 9001, 100)),
		FLOWS(CLIENT4(0, 0, RTT_SC, 1000, 1000), SERVER4(0, 0, RTT_S, 1000)),
		.counts = { 1, 1, 1, 1 },
	},
	{
		.name = "ipv6-handshake",
		SEGS(SEG(0, PATH_V6, 0, S, 100, 0, 0), SEG(123456, PATH_V6, 1, SA, 5000, 101, 0),
		     SEG(131346, PATH_V6, 0, A, 101, 5001, 0)),
		FLOWS({ PATH_V6, 0, 0, 0, RTT_SC, 123456, 7890 }, { PATH_V6, 1, 0, 0, RTT_S, 123456, 0 }),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* uplink and downlink in their own tunnels (TEIDs differ): one handshake */
		.name = "gtpu-two-tunnels",
		SEGS(SEG(0, PATH_GTPU_GNB1, 0, S, 100, 0, 0),
		     SEG(35000, PATH_GTPU_GNB1, 1, SA, 5000, 101, 0),
		     SEG(47000, PATH_GTPU_GNB1, 0, A, 101, 5001, 0)),
		FLOWS({ PATH_GTPU_GNB1, 0, 0, 0, RTT_SC, 35000, 12000 },
		      { PATH_GTPU_GNB1, 1, 0, 0, RTT_S, 35000, 0 }),
		.counts = { 1, 1, 1, 0 },
	},
	{
		/* the same inner conversation behind two gNBs (overlapping UE pools) at once: two
		 * handshakes, each measured on its own */
		.name = "gtpu-two-gnbs",
		SEGS(SEG(0, PATH_GTPU_GNB1, 0, S, 100, 0, 0), SEG(1000, PATH_GTPU_GNB2, 0, S, 200, 0, 0),
		     SEG(20000, PATH_GTPU_GNB2, 1, SA, 7000, 201, 0),
		     SEG(30000, PATH_GTPU_GNB1, 1, SA, 5000, 101, 0),
		     SEG(33000, PATH_GTPU_GNB2, 0, A, 201, 7001, 0),
		     SEG(36000, PATH_GTPU_GNB1, 0, A, 101, 5001, 0)),
		FLOWS({ PATH_GTPU_GNB1, 0, 0, 0, RTT_SC, 30000, 6000 },
		      { PATH_GTPU_GNB1, 1, 0, 0, RTT_S, 30000, 0 },
		      { PATH_GTPU_GNB2, 0, 0, 0, RTT_SC, 19000, 13000 },
		      { PATH_GTPU_GNB2, 1, 0, 0, RTT_S, 19000, 0 }),
		.counts = { 2, 2, 2, 0 },
	},
};

const unsigned int tcp_scenario_count = N(tcp_scenarios);
