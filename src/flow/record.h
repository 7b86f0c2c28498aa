/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One exported flow record, as the flow table hands it to the IPFIX layer: the flow key, the
 * counters of this record only (a delta for flows that go on), epoch times in milliseconds, for
 * GTP-U flows the tunnel attributes, and for TCP flows the analysis of DESIGN.md §4a.
 */
#ifndef BPFIX_RECORD_H
#define BPFIX_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "bpfix_flow.h"

/* IE 136 flowEndReason values (IANA "flowEndReason" registry). */
enum bpfix_end_reason {
	BPFIX_END_IDLE = 1,
	BPFIX_END_ACTIVE = 2,
	BPFIX_END_DETECTED = 3,
	BPFIX_END_FORCED = 4,
	BPFIX_END_LACK_OF_RESOURCES = 5,
};

struct bpfix_record {
	struct bpfix_flow_key key;
	__u64 start_ms;
	__u64 end_ms;
	__u64 packets;
	__u64 octets;
	/*
	 * TCP (zero for other protocols). Gaps and retransmissions are this record's, like the
	 * counters: segments starting beyond the highest sequence end seen in this direction (loss
	 * before the observer, or reordering) and segments at or below it (loss after the observer,
	 * or a hole being filled; a GSO super-packet counts its segments). The round-trip times are
	 * the connection's, in every record once measured; a value holds only if its bit is in
	 * rtt_flags (not measured is not 0): the client's flow (it sent the SYN) gets both, the
	 * server's flow the server side.
	 */
	__u32 tcp_gaps;
	__u32 tcp_retransmissions;
	__u32 rtt_server_us;	/* SYN to SYN-ACK at the observer (server network and server) */
	__u32 rtt_client_us;	/* SYN-ACK to the client's next segment (client network) */
	__u32 rtt_flags;	/* BPFIX_TCP_RTT_SERVER, _CLIENT: measured; _AMBIGUOUS: the SYN
				 * (server side) or SYN-ACK (client side) came more than once */
	__u8 tcp_first_flags;	/* TCP flags of the flow's first packet (SYN: its start was seen) */
	__u8 pad[3];
	__u16 vlan_id;
	__u8 tcp_flags;
	__u8 tos;
	__u8 ttl_min;
	__u8 ttl_max;
	__u8 end_reason;
	__u8 has_pdu_session;	/* GTP-U: qfi and pdu_type are known */
	__u8 qfi;
	__u8 pdu_type;
	__u8 tun_src_addr[16];	/* GTP-U outer source (the outer destination is key.tun_addr) */
};

/* Where the flow table sends records; returns 0 or a negative errno. */
typedef int (*bpfix_record_fn)(const struct bpfix_record *rec, void *arg);

/*
 * The record of what @stats show beyond what was exported of the flow @key (its own packets and
 * octets; the whole flow when the totals went back, another life), times on the epoch clock
 * (@clock_to_epoch_ns added). false: it has no packet, nothing to send.
 */
bool bpfix_record_from_stats(struct bpfix_record *rec, const struct bpfix_flow_key *key,
			     const struct bpfix_flow_stats *stats, __u64 exported_packets,
			     __u64 exported_octets, enum bpfix_end_reason reason,
			     __s64 clock_to_epoch_ns);
/* Where each of @n records is, oldest first, into @order (start, end, then key: deterministic). */
void bpfix_records_in_time_order(const struct bpfix_record *recs, size_t n,
				 const struct bpfix_record **order);

#endif /* BPFIX_RECORD_H */
