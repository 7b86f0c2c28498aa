/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The named packet cases every parser path is tested with (DESIGN.md §8): a table of rows, each
 * a frame (built with frame_builder.h) with its expected parse result, metadata and counters,
 * written once. Running the rows is up to the tests (host parser, BPF_PROG_TEST_RUN, later a
 * veth); nothing here parses or accounts.
 */
#ifndef BPFIX_PACKET_CASES_H
#define BPFIX_PACKET_CASES_H

#include <stdbool.h>

#include "bpfix_flow.h"
#include "frame_builder.h"

/* Bit of enum bpfix_counter @idx in packet_case.counters. */
#define PACKET_CASE_CNT(idx) (1u << (idx))
_Static_assert(BPFIX_CNT_MAX <= 32, "packet_case.counters is a 32-bit mask");

struct packet_case {
	const char *name;
	void (*build)(struct frame *f);	/* appends the headers; lengths are fixed afterwards */
	__u32 snap_len;			/* keep only this many octets of the frame, 0 = all */
	bool gtpu_off;			/* GTP-U decapsulation off: gtpu_port 0 */
	/*
	 * The packet the frame is the start of, when it is longer than the frame: its octets from
	 * the frame's start (skb->len, or the length a capture recorded; the test run gets it in
	 * ctx cb[0], the host parser in the cursor), 0 = the frame's own length.
	 */
	__u32 wire_len;
	/* A GSO super-packet (skb gso_segs and gso_size, ctx in the test run), 0 = one packet */
	__u16 gso_segs;
	__u16 gso_size;
	/* GSO rows: the IP octets of its gso_segs segments on the wire (one packet: meta.ip_len) */
	__u64 wire_octets;
	enum bpfix_parse_rc rc;
	/*
	 * Expected metadata when rc is BPFIX_PARSE_OK; not compared otherwise. It includes the
	 * tunnel (tun_version, tun_src/dst_addr, teid, has_pdu_session, qfi, pdu_type) of a
	 * decapsulated G-PDU and the gtp_diag of a GTP-U packet metered as its outer flow.
	 */
	struct bpfix_pkt_meta meta;
	/* the counters this frame alone hits on its way into an empty flow table, GTP_* included */
	__u32 counters;
	/*
	 * TCP rows that spell out the new flow's TCP analysis state (DESIGN.md §4a): the state half
	 * of bpfix_flow_stats.tcp_seq (first packet's flags and BPFIX_TCP_* bits) and the highest
	 * sequence end; tcp_state 0: not checked.
	 */
	__u32 tcp_state;
	__u32 tcp_seq_end;
};

/*
 * The whole table as one array: the IP/L2 rows (packet_cases.c), then the GTP-U rows
 * (packet_cases_gtpu.c), then the TCP analysis rows (packet_cases_tcp.c), then the rows whose
 * headers run past the TC program's first copy (packet_cases_window.c). Joined on the first
 * call; it stays until the program exits.
 */
const struct packet_case *packet_case_table(void);
unsigned int packet_case_table_len(void);

/* Packets and IP octets a metered row's frame adds to its flow and counters, as written in it. */
__u32 packet_case_packets(const struct packet_case *pc);
__u64 packet_case_octets(const struct packet_case *pc);
/* The length of the packet the row's frame @f starts (wire_len, or the frame's own). */
__u32 packet_case_pkt_len(const struct packet_case *pc, const struct frame *f);

/* The row's frame: built, finished and cut to its snap length. */
void packet_case_frame(const struct packet_case *pc, struct frame *f);
/* The row named @name, or NULL. */
const struct packet_case *packet_case_find(const char *name);

#endif /* BPFIX_PACKET_CASES_H */
