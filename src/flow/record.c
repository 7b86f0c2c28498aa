// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records from flow statistics: what a record of a flow says (its own packets beyond what
 * was exported, epoch times, tunnel and TCP analysis fields), and the order records go out in.
 * It keeps no state: which flows end and when is the flow table's.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flow/record.h"
#include "meter/flow_key_hash.h"

static __u64 to_epoch_ms(__s64 clock_to_epoch_ns, __u64 clock_ns)
{
	return (__u64)((__s64)clock_ns + clock_to_epoch_ns) / 1000000;
}

bool bpfix_record_from_stats(struct bpfix_record *rec, const struct bpfix_flow_key *key,
			     const struct bpfix_flow_stats *stats, __u64 exported_packets,
			     __u64 exported_octets, enum bpfix_end_reason reason,
			     __s64 clock_to_epoch_ns)
{
	__u32 tcp_state = BPFIX_TCP_STATE(stats->tcp_seq);

	*rec = (struct bpfix_record){
		.key = *key,
		.packets = stats->packets - exported_packets,
		.octets = stats->octets - exported_octets,
		.vlan_id = stats->vlan_id,
		.tcp_flags = (__u8)stats->tcp_flags,
		.tos = stats->tos,
		.ttl_min = BPFIX_TTL_MIN(stats->ttl_range),
		.ttl_max = BPFIX_TTL_MAX(stats->ttl_range),
		.end_reason = reason,
		.has_pdu_session = stats->has_pdu_session,
		.qfi = stats->qfi,
		.pdu_type = stats->pdu_type,
		.tcp_gaps = BPFIX_TCP_LOSS_GAPS(stats->tcp_loss),
		.tcp_retransmissions = BPFIX_TCP_LOSS_RETRANS(stats->tcp_loss),
		.rtt_flags = tcp_state & BPFIX_TCP_RTT_BITS,
		.tcp_first_flags = (__u8)(tcp_state & BPFIX_TCP_FIRST_FLAGS),
	};
	/* a value without its bit is an earlier connection's, or nothing */
	if (tcp_state & BPFIX_TCP_RTT_SERVER)
		rec->rtt_server_us = stats->rtt_server_us;
	if (tcp_state & BPFIX_TCP_RTT_CLIENT)
		rec->rtt_client_us = stats->rtt_client_us;
	memcpy(rec->tun_src_addr, stats->tun_src_addr, sizeof(rec->tun_src_addr));
	if (stats->packets < exported_packets || stats->octets < exported_octets) {
		/* not the life exported from, whatever its id says: it goes out whole, never as a
		 * wrapped delta */
		rec->packets = stats->packets;
		rec->octets = stats->octets;
	}
	/* a closed record restarts at the next packet, which a racing CPU may not have set yet */
	rec->start_ms = to_epoch_ms(clock_to_epoch_ns,
				    stats->first_ns ? stats->first_ns : stats->last_ns);
	rec->end_ms = to_epoch_ms(clock_to_epoch_ns, stats->last_ns);
	return rec->packets != 0;
}

/* What records are sorted by, with where each is: sorting these moves far less than records. */
struct record_order {
	__u64 start_ms, end_ms;
	unsigned int key_hash;		/* ties: mostly told apart without reaching the record */
	const struct bpfix_record *rec;
};

static int by_time(const void *a, const void *b)
{
	const struct record_order *x = a, *y = b;

	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	if (x->end_ms != y->end_ms)
		return x->end_ms < y->end_ms ? -1 : 1;
	/* ties by key: the same flows give the same messages whatever order the source had */
	if (x->key_hash != y->key_hash)
		return x->key_hash < y->key_hash ? -1 : 1;
	return memcmp(&x->rec->key, &y->rec->key, sizeof(x->rec->key));
}

void bpfix_records_in_time_order(const struct bpfix_record *recs, size_t n,
				 const struct bpfix_record **order)
{
	struct record_order *keyed = g_new(struct record_order, n);
	size_t i;

	for (i = 0; i < n; i++)
		keyed[i] = (struct record_order){ recs[i].start_ms, recs[i].end_ms,
						  bpfix_flow_key_hash(&recs[i].key), &recs[i] };
	qsort(keyed, n, sizeof(*keyed), by_time);
	for (i = 0; i < n; i++)
		order[i] = keyed[i].rec;
	g_free(keyed);
}
