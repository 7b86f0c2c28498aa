/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One exported flow record, as the flow table hands it to the IPFIX layer: the flow key, the
 * counters of this record only (a delta for flows that go on), epoch times in milliseconds and,
 * for GTP-U flows, the tunnel attributes.
 */
#ifndef BPFIX_RECORD_H
#define BPFIX_RECORD_H

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

#endif /* BPFIX_RECORD_H */
