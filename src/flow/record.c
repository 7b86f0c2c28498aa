// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records from flow statistics: what a record of a flow says (its own packets beyond what
 * was exported, epoch times, tunnel and TCP analysis fields), and the order records go out in.
 * It keeps no state: which flows end and when is the flow table's.
 */
#include <stdbool.h>
#include <stdint.h>
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

/*
 * Records in time order: an LSD radix sort (stable) on start, end and key hash, then the rare
 * runs with all three equal put in key order. The order is that of a stable sort by by_time()
 * below; a comparison sort of a million records took 0.4 s, most of a sweep's export.
 */
struct record_order {
	__u64 start_ms, end_ms;		/* less the smallest of the batch: their high digits are
					 * mostly 0, and passes over a digit that never varies are
					 * skipped */
	unsigned int key_hash;
	__u32 index;			/* of the record in the batch (a sweep's records: far
					 * fewer than 2^32) */
};

#define DIGIT_BITS 11
#define DIGIT_VALUES (1u << DIGIT_BITS)
#define HASH_DIGITS ((32 + DIGIT_BITS - 1) / DIGIT_BITS)
#define TIME_DIGITS ((64 + DIGIT_BITS - 1) / DIGIT_BITS)
#define N_DIGITS (HASH_DIGITS + 2 * TIME_DIGITS) /* least significant first: hash, end, start */

static unsigned int digit(const struct record_order *o, unsigned int d)
{
	if (d < HASH_DIGITS)
		return (o->key_hash >> (d * DIGIT_BITS)) & (DIGIT_VALUES - 1);
	d -= HASH_DIGITS;
	if (d < TIME_DIGITS)
		return (unsigned int)(o->end_ms >> (d * DIGIT_BITS)) & (DIGIT_VALUES - 1);
	d -= TIME_DIGITS;
	return (unsigned int)(o->start_ms >> (d * DIGIT_BITS)) & (DIGIT_VALUES - 1);
}

/* Sort @n entries of @a by every digit that varies, @tmp as much room; where they ended up. */
static struct record_order *radix_sort(struct record_order *a, struct record_order *tmp,
				       size_t n)
{
	__u32 (*count)[DIGIT_VALUES] = g_malloc0(sizeof(__u32[N_DIGITS][DIGIT_VALUES]));
	struct record_order *swap;
	__u32 sum, c;
	unsigned int d, v;
	size_t i;

	for (i = 0; i < n; i++) /* a pass does not change how often each digit value occurs */
		for (d = 0; d < N_DIGITS; d++)
			count[d][digit(&a[i], d)]++;
	for (d = 0; d < N_DIGITS; d++) {
		if (count[d][digit(&a[0], d)] == n)
			continue; /* every entry has the same digit here */
		for (v = 0, sum = 0; v < DIGIT_VALUES; v++) {
			c = count[d][v];
			count[d][v] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[d][digit(&a[i], d)]++] = a[i];
		swap = a;
		a = tmp;
		tmp = swap;
	}
	g_free(count);
	return a;
}

static int by_time(const struct record_order *x, const struct record_order *y,
		   const struct bpfix_record *recs)
{
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	if (x->end_ms != y->end_ms)
		return x->end_ms < y->end_ms ? -1 : 1;
	/* ties by key: the same flows give the same messages whatever order the source had */
	if (x->key_hash != y->key_hash)
		return x->key_hash < y->key_hash ? -1 : 1;
	return memcmp(&recs[x->index].key, &recs[y->index].key, sizeof(recs->key));
}

static bool same_time_and_hash(const struct record_order *x, const struct record_order *y)
{
	return x->start_ms == y->start_ms && x->end_ms == y->end_ms && x->key_hash == y->key_hash;
}

/* Runs of @n sorted entries equal in start, end and hash: into key order (insertion, stable). */
static void order_hash_ties(struct record_order *a, size_t n, const struct bpfix_record *recs)
{
	struct record_order moving;
	size_t run = 0, i, j;

	for (i = 1; i < n; i++) {
		if (!same_time_and_hash(&a[i - 1], &a[i])) {
			run = i;
			continue;
		}
		moving = a[i];
		for (j = i; j > run && by_time(&a[j - 1], &moving, recs) > 0; j--)
			a[j] = a[j - 1];
		a[j] = moving;
	}
}

void bpfix_records_in_time_order(const struct bpfix_record *recs, size_t n,
				 const struct bpfix_record **order)
{
	struct record_order *keyed, *sorted;
	__u64 min_start = UINT64_MAX, min_end = UINT64_MAX;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		min_start = recs[i].start_ms < min_start ? recs[i].start_ms : min_start;
		min_end = recs[i].end_ms < min_end ? recs[i].end_ms : min_end;
	}
	keyed = g_new(struct record_order, 2 * n);
	for (i = 0; i < n; i++)
		keyed[i] = (struct record_order){ recs[i].start_ms - min_start,
						  recs[i].end_ms - min_end,
						  bpfix_flow_key_hash(&recs[i].key), (__u32)i };
	sorted = radix_sort(keyed, keyed + n, n);
	order_hash_ties(sorted, n, recs);
	for (i = 0; i < n; i++)
		order[i] = &recs[sorted[i].index];
	g_free(keyed);
}
