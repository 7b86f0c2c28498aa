/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TCP analysis scenarios (DESIGN.md §4a): short conversations, segment by segment with their
 * times, and what each of their flows must hold after them (gaps, retransmissions, round trips)
 * and what the TCP counters must have gained. Written by hand from the segments, never computed
 * by the code under test. test_tcp_analysis.c runs them through both engines; nothing here runs.
 */
#ifndef BPFIX_TCP_SCENARIOS_H
#define BPFIX_TCP_SCENARIOS_H

#include <linux/types.h>

/* Where a segment goes: plain IP, or GTP-U through one of two gNBs (other outer addresses) */
enum tcp_path {
	PATH_V4,
	PATH_V6,
	PATH_GTPU_GNB1,	/* uplink TEID 0x100 to the UPF, downlink TEID 0x200 to gNB 1 */
	PATH_GTPU_GNB2,	/* the same inner addresses and ports behind gNB 2: 0x101 / 0x201 */
	PATH_MAX,
};

struct tcp_seg_spec {
	__u32 at_us;		/* after the scenario's start */
	__u8 path;		/* enum tcp_path */
	__u8 from_server;	/* 0: client to server */
	__u8 flags;
	__u32 seq;
	__u32 ack;
	__u16 payload;		/* octets of data */
};

/* One flow of the scenario after its last segment: the record it would give now. */
struct tcp_flow_expect {
	__u8 path;
	__u8 from_server;
	__u32 gaps;
	__u32 retrans;
	__u32 rtt_flags;	/* BPFIX_TCP_RTT_* bits; 0: no round trip measured */
	__u32 rtt_server_us;
	__u32 rtt_client_us;
};

/* What the TCP counters gain from one scenario */
struct tcp_counts {
	__u32 handshakes;
	__u32 ended;
	__u32 measured;
	__u32 resyncs;
};

#define TCP_SCENARIO_SEGS 24
#define TCP_SCENARIO_FLOWS 4

struct tcp_scenario {
	const char *name;
	struct tcp_seg_spec segs[TCP_SCENARIO_SEGS];
	unsigned int n_segs;
	struct tcp_flow_expect flows[TCP_SCENARIO_FLOWS];
	unsigned int n_flows;
	struct tcp_counts counts;
};

extern const struct tcp_scenario tcp_scenarios[];
extern const unsigned int tcp_scenario_count;

#define TCP_SERVER_PORT 80
#define TCP_CLIENT_PORT(scenario) ((__u16)(41000 + (scenario))) /* one conversation each */
#define TCP_GTPU_TEID_UL(path) ((path) == PATH_GTPU_GNB1 ? 0x100u : 0x101u)
#define TCP_GTPU_TEID_DL(path) ((path) == PATH_GTPU_GNB1 ? 0x200u : 0x201u)

/* Addresses, network order octets; the client is the UE of the GTP-U paths */
extern const __u8 tcp_client_v4[4], tcp_server_v4[4];
extern const __u8 tcp_client_v6[16], tcp_server_v6[16];
extern const __u8 tcp_ue_v4[4], tcp_internet_v4[4];
extern const __u8 tcp_upf_v4[4], tcp_gnb1_v4[4], tcp_gnb2_v4[4];

#endif /* BPFIX_TCP_SCENARIOS_H */
