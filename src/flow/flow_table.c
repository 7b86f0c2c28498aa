// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow lifecycle over a flow source. The source keeps running totals; this table remembers, per
 * flow, what was already exported and what was last seen of it, so a record carries only its own
 * packets and a flow that vanished from the source (LRU eviction) still gets the part seen of it.
 * A sweep decides which flows end or close a record, on a walk of the whole source or on the due
 * flows only (deadlines.c), and has the source do it in one batch (the kernel's close program);
 * the records come from what that returned (answers.c). A sweep may be given a budget of
 * records (the export's pace, budget.c): what ended beyond it stays in the source. It never
 * touches packets and never talks IPFIX.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_proto.h"
#include "flow/flow_table_impl.h"

/* 2^14 slots of 2^28 ns (0.27 s): a rotation is 73 minutes, past the usual active timeouts */
#define WHEEL_SLOTS_LOG2 14
#define WHEEL_TICK_SHIFT 28

struct bpfix_flow_table *bpfix_flow_table__new(const struct bpfix_flow_table_opts *opts,
					       struct bpfix_flow_source *source,
					       bpfix_record_fn emit, void *emit_arg)
{
	struct bpfix_flow_table *ft = calloc(1, sizeof(*ft));

	if (!ft)
		return NULL;
	ft->opts = *opts;
	ft->source = source;
	ft->emit = emit;
	ft->emit_arg = emit_arg;
	if (bpfix_wheel_init(&ft->wheel, WHEEL_SLOTS_LOG2, WHEEL_TICK_SHIFT)) {
		free(ft);
		return NULL;
	}
	bpfix_flow_store_init(&ft->flows);
	ft->closes = g_array_new(FALSE, FALSE, sizeof(struct bpfix_close));
	ft->endings = g_array_new(FALSE, FALSE, sizeof(struct ending));
	ft->peeks = g_array_new(FALSE, FALSE, sizeof(struct bpfix_close));
	ft->news = g_array_new(FALSE, FALSE, sizeof(struct bpfix_close));
	ft->records = g_array_new(FALSE, FALSE, sizeof(struct bpfix_record));
	/* lives are the keys themselves: nothing allocated per life */
	ft->gone_lives[0] = g_hash_table_new(g_direct_hash, g_direct_equal);
	ft->gone_lives[1] = g_hash_table_new(g_direct_hash, g_direct_equal);
	return ft;
}

void bpfix_flow_table__free(struct bpfix_flow_table *ft)
{
	if (!ft)
		return;
	bpfix_wheel_fini(&ft->wheel); /* its links are in the store's entries */
	bpfix_flow_store_fini(&ft->flows);
	g_array_free(ft->closes, TRUE);
	g_array_free(ft->endings, TRUE);
	g_array_free(ft->peeks, TRUE);
	g_array_free(ft->news, TRUE);
	g_array_free(ft->records, TRUE);
	g_hash_table_destroy(ft->gone_lives[0]);
	g_hash_table_destroy(ft->gone_lives[1]);
	free(ft);
}

void bpfix_flow_table__set_clock_to_epoch(struct bpfix_flow_table *ft, __s64 clock_to_epoch_ns)
{
	ft->opts.clock_to_epoch_ns = clock_to_epoch_ns;
}

void bpfix_flow_table__set_timeouts(struct bpfix_flow_table *ft,
				    const struct bpfix_flow_table_opts *opts)
{
	__s64 clock_to_epoch_ns = ft->opts.clock_to_epoch_ns;

	ft->opts = *opts;
	ft->opts.clock_to_epoch_ns = clock_to_epoch_ns;
	ft->walk_next = true; /* the deadlines were of the old timeouts */
}

void bpfix_flow_table__get_stats(const struct bpfix_flow_table *ft,
				 struct bpfix_flow_table_stats *stats)
{
	*stats = ft->stats;
	stats->flows_active = ft->flows.count;
}

void bpfix_ft_reserve(GArray *a, guint more)
{
	guint len = a->len;

	g_array_set_size(a, len + more); /* a GArray keeps its allocation when it shrinks */
	g_array_set_size(a, len);
}

void bpfix_ft_record(struct bpfix_flow_table *ft, struct flow_entry *e,
			const struct bpfix_flow_stats *stats, enum bpfix_end_reason reason)
{
	struct bpfix_record rec;

	if (!bpfix_record_from_stats(&rec, &e->key, stats, e->exported_packets, e->exported_octets,
				     reason, ft->opts.clock_to_epoch_ns))
		return;
	e->exported_packets = stats->packets;
	e->exported_octets = stats->octets;
	g_array_append_val(ft->records, rec);
}

#define SEND_AHEAD 6 /* records fetched ahead of the one sent */

static void prefetch_record(const struct bpfix_record *rec)
{
	const char *p = (const char *)rec;
	size_t off;

	for (off = 0; off < sizeof(*rec); off += 64)
		__builtin_prefetch(p + off);
}

/* Hand a walk's records to the sink, oldest first. */
static void send_records(struct bpfix_flow_table *ft)
{
	const struct bpfix_record **order;
	guint i, n = ft->records->len;

	if (!n)
		return;
	order = g_new(const struct bpfix_record *, n);
	bpfix_records_in_time_order((const struct bpfix_record *)ft->records->data, n, order);
	for (i = 0; i < n; i++) {
		const struct bpfix_record *rec = order[i];

		/* time order is no memory order: fetch the records a few ahead (a mass expiry's
		 * go to the sink at the speed of its cache misses otherwise) */
		if (i + SEND_AHEAD < n)
			prefetch_record(order[i + SEND_AHEAD]);

		ft->stats.records++;
		ft->stats.packets += rec->packets;
		ft->stats.octets += rec->octets;
		/* a sink that failed said why and counts its losses; the rest still go out */
		if (ft->emit(rec, ft->emit_arg))
			ft->stats.records_failed++;
	}
	g_free(order);
	g_array_set_size(ft->records, 0);
}

__u64 bpfix_ft_age(__u64 now, __u64 then)
{
	return now > then ? now - then : 0; /* pcap time may step backwards */
}

static enum bpfix_proto_class proto_class(__u8 protocol)
{
	switch (protocol) {
	case BPFIX_IPPROTO_TCP:
		return BPFIX_PROTO_TCP;
	case BPFIX_IPPROTO_UDP:
	case BPFIX_IPPROTO_UDPLITE:
		return BPFIX_PROTO_UDP;
	case BPFIX_IPPROTO_ICMP:
	case BPFIX_IPPROTO_ICMPV6:
		return BPFIX_PROTO_ICMP;
	default:
		return BPFIX_PROTO_OTHER;
	}
}

__u64 bpfix_ft_idle_timeout(const struct bpfix_flow_table *ft, const struct bpfix_flow_key *key)
{
	__u64 t = ft->opts.idle_timeout_proto_ns[proto_class(key->protocol)];

	return t ? t : ft->opts.idle_timeout_ns;
}

__u64 bpfix_ft_active_timeout(const struct bpfix_flow_table *ft, const struct bpfix_flow_key *key)
{
	__u64 t = ft->opts.active_timeout_proto_ns[proto_class(key->protocol)];

	return t ? t : ft->opts.active_timeout_ns;
}

enum bpfix_end_reason bpfix_ft_ending(const struct bpfix_flow_table *ft,
				      const struct flow_entry *e, const struct bpfix_flow_stats *s)
{
	__u64 idle = bpfix_ft_age(ft->now_ns, s->last_ns);

	if (idle >= bpfix_ft_idle_timeout(ft, &e->key))
		return BPFIX_END_IDLE;
	/* a closing TCP flow ends once silent for the linger, not while it keeps sending */
	if (e->closing && idle >= ft->opts.tcp_linger_ns)
		return BPFIX_END_DETECTED;
	if (s->packets > e->exported_packets && s->first_ns &&
	    bpfix_ft_age(ft->now_ns, s->first_ns) >= bpfix_ft_active_timeout(ft, &e->key))
		return BPFIX_END_ACTIVE;
	return 0;
}

void bpfix_ft_saw(struct flow_entry *e, const struct bpfix_flow_stats *stats)
{
	e->seen = *stats;
	if (stats->tcp_flags & (BPFIX_TCP_FIN | BPFIX_TCP_RST))
		e->closing = true;
}

/*
 * The source's flow is not the life @e saw: the map evicted it and the key came back (another
 * life id, or counters that went down). Export what was seen of the old life, start anew.
 */
static void end_old_life(struct bpfix_flow_table *ft, struct flow_entry *e,
			 const struct bpfix_flow_stats *stats)
{
	if (stats->life == e->seen.life && stats->packets >= e->seen.packets &&
	    stats->octets >= e->seen.octets)
		return;
	ft->stats.flows_evicted++;
	ft->stats.flows_ended++;
	bpfix_ft_record(ft, e, &e->seen, BPFIX_END_LACK_OF_RESOURCES);
	if (!e->noticed)
		bpfix_ft_gone(ft, e->seen.life);
	e->exported_packets = 0;
	e->exported_octets = 0;
	e->closing = false;
	e->noticed = false; /* the new life's notice may still come */
}

void bpfix_ft_finish(struct bpfix_flow_table *ft, const struct flow_entry *e,
		     enum bpfix_end_reason reason, bool from_seen)
{
	struct bpfix_close c = {
		.key = e->key,
		.op = reason == BPFIX_END_ACTIVE ? BPFIX_CLOSE_RECORD : BPFIX_CLOSE_REMOVE,
		.status = BPFIX_CLOSE_PENDING,
		.stats = e->seen,
	};
	struct ending end = {
		.exported_packets = e->exported_packets,
		.exported_octets = e->exported_octets,
		.held_since_ns = e->held_since_ns,
		.reason = reason,
		.hash = e->stored ? e->hash : bpfix_flow_store_hash(&e->key),
		.closing = e->closing,
		.from_seen = from_seen,
		.noticed = e->noticed,
	};

	g_array_append_val(ft->closes, c);
	g_array_append_val(ft->endings, end);
}

/* Remember a flow the table does not have yet (first seen in this sweep) that goes on. */
struct flow_entry *bpfix_ft_insert(struct bpfix_flow_table *ft, const struct flow_entry *fresh)
{
	return bpfix_flow_store_add(&ft->flows, fresh);
}

struct flow_entry *bpfix_ft_lookup(const struct bpfix_flow_table *ft,
				   const struct bpfix_flow_key *key)
{
	return bpfix_flow_store_find(&ft->flows, key, bpfix_flow_store_hash(key));
}

void bpfix_ft_forget(struct bpfix_flow_table *ft, struct flow_entry *e)
{
	bpfix_wheel_unlink(&e->due);
	bpfix_flow_store_remove(&ft->flows, e);
}

void bpfix_ft_gone(struct bpfix_flow_table *ft, __u64 life)
{
	if (ft->source->ops->drain_notices)
		g_hash_table_add(ft->gone_lives[ft->gone_now], GSIZE_TO_POINTER(life));
}

struct flow_entry *bpfix_ft_tabled(struct bpfix_flow_table *ft, const struct flow_entry *entry)
{
	struct flow_entry *e = bpfix_ft_lookup(ft, &entry->key);

	return e ? e : bpfix_ft_insert(ft, entry);
}

/* The walk's step for the flow @e (the table's, or @fresh: one it has not) read as @stats. */
static void step(struct bpfix_flow_table *ft, struct flow_entry *e,
		 const struct bpfix_flow_stats *stats, struct flow_entry *fresh)
{
	enum bpfix_end_reason reason;

	if (e != fresh)
		end_old_life(ft, e, stats);
	bpfix_ft_saw(e, stats);
	e->sweep = ft->sweep;
	e->peek = false;
	reason = bpfix_ft_ending(ft, e, stats);
	if (reason) {
		/* a fresh flow whose record closes is kept after the close */
		bpfix_ft_finish(ft, e, reason, false);
		return;
	}
	e->held_since_ns = 0; /* held while it ended, it came back to life: it goes on */
	if (e == fresh)
		e = bpfix_ft_insert(ft, fresh);
	bpfix_ft_schedule(ft, e);
}

void bpfix_ft_review(struct bpfix_flow_table *ft, struct flow_entry *e,
		     const struct bpfix_flow_stats *stats)
{
	step(ft, e, stats, NULL);
}

static void walk_step(void *arg, const struct bpfix_flow_key *key,
		      const struct bpfix_flow_stats *stats, __u32 hash)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh, *e = bpfix_flow_store_find(&ft->flows, key, hash);

	ft->walked++;
	/* kept in the table only if it goes on: a flow that ends in its first sweep (a mass of
	 * short flows) costs no insert and removal */
	fresh = (struct flow_entry){ .key = *key };
	step(ft, e ? e : &fresh, stats, &fresh);
}

static int visit(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats, void *arg)
{
	struct bpfix_flow_table *ft = arg;

	bpfix_walk_ahead_push(&ft->ahead, &ft->flows, key, stats, walk_step, ft);
	return 0;
}

void bpfix_ft_evicted(struct bpfix_flow_table *ft, struct flow_entry *e)
{
	ft->stats.flows_evicted++;
	ft->stats.flows_ended++;
	bpfix_ft_record(ft, e, &e->seen, BPFIX_END_LACK_OF_RESOURCES);
	if (!e->noticed)
		bpfix_ft_gone(ft, e->seen.life);
}

/* Flows gone from the source without an ending of ours were evicted: export what we saw. */
static bool reap_evicted(struct flow_entry *e, void *arg)
{
	struct bpfix_flow_table *ft = arg;

	if (e->sweep == ft->sweep)
		return false;
	bpfix_ft_evicted(ft, e);
	bpfix_wheel_unlink(&e->due); /* the store forgets it */
	return true;
}

/* The table's entry for @key, or @fresh made for it: a flow the table never saw. */
static struct flow_entry *entry_or(struct bpfix_flow_table *ft, const struct bpfix_flow_key *key,
				   struct flow_entry *fresh)
{
	struct flow_entry *e = bpfix_ft_lookup(ft, key);

	*fresh = (struct flow_entry){ .key = *key };
	return e ? e : fresh;
}

/* A flow the source evicted and told us about: its last record, nothing lost. */
static int visit_evicted(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			 void *arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh, *e;

	ft->walked++;

	ft->stats.flows_evicted++;
	ft->stats.flows_ended++;
	e = entry_or(ft, key, &fresh);
	bpfix_ft_record(ft, e, stats, BPFIX_END_LACK_OF_RESOURCES);
	if (e != &fresh)
		bpfix_ft_forget(ft, e);
	bpfix_ft_gone(ft, stats->life); /* its notices, taken after, must not bring it back */
	return 0;
}

/* A flow the forced end removed, with its final totals. */
static void drained_step(void *arg, const struct bpfix_flow_key *key,
			 const struct bpfix_flow_stats *stats, __u32 hash)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh = { .key = *key }, *e = bpfix_flow_store_find(&ft->flows, key, hash);

	if (!e)
		e = &fresh;
	ft->walked++;

	if (e != &fresh)
		end_old_life(ft, e, stats);
	bpfix_ft_record(ft, e, stats, BPFIX_END_FORCED);
	if (e != &fresh)
		bpfix_ft_forget(ft, e);
	ft->stats.flows_ended++;
}

static int visit_drained(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			 void *arg)
{
	struct bpfix_flow_table *ft = arg;

	bpfix_walk_ahead_push(&ft->ahead, &ft->flows, key, stats, drained_step, ft);
	return 0;
}

/* Sweep: every flow visited, then what ended closed or removed by the source in one batch. */
static int walk_pass(struct bpfix_flow_table *ft)
{
	int err = ft->source->ops->for_each(ft->source->ctx, visit, ft);

	bpfix_walk_ahead_flush(&ft->ahead, walk_step, ft);
	bpfix_ft_close_ended(ft);
	return err;
}

/* Forced end: everything out of the source in one pass, each flow with its final totals. */
static int drain_pass(struct bpfix_flow_table *ft)
{
	int err = ft->source->ops->drain(ft->source->ctx, visit_drained, ft);

	bpfix_walk_ahead_flush(&ft->ahead, drained_step, ft);
	return err;
}

/*
 * One sweep: evictions the source reported, its notices, then every flow (a walk, or the forced
 * end's drain: then flows it lost silently are found too) or only the flows due.
 */
static int sweep(struct bpfix_flow_table *ft, bool forced_end)
{
	bool whole = true;
	int err = 0;

	ft->err = 0;
	ft->sweep++;
	ft->walked = 0;
	ft->stats.flows_held = 0;
	if (ft->source->ops->drain_evicted)
		err = ft->source->ops->drain_evicted(ft->source->ctx, visit_evicted, ft);
	if (!err)
		whole = bpfix_ft_take_notices(ft);
	ft->gone_now ^= 1; /* the set before the last is forgotten */
	g_hash_table_remove_all(ft->gone_lives[ft->gone_now]);
	if (!err)
		err = forced_end ? drain_pass(ft) : whole ? walk_pass(ft) : bpfix_ft_due_pass(ft);
	if (!err && (forced_end || whole))
		bpfix_flow_store_filter(&ft->flows, reap_evicted, ft);
	if (ft->walked > ft->stats.flows_peak)
		ft->stats.flows_peak = ft->walked;
	send_records(ft);

	return err ? err : ft->err;
}

int bpfix_flow_table__sweep_within(struct bpfix_flow_table *ft, __u64 now_ns, __u64 max_records)
{
	ft->now_ns = now_ns;
	ft->budget = max_records;
	return sweep(ft, false);
}

int bpfix_flow_table__sweep(struct bpfix_flow_table *ft, __u64 now_ns)
{
	return bpfix_flow_table__sweep_within(ft, now_ns, UINT64_MAX);
}

int bpfix_flow_table__flush(struct bpfix_flow_table *ft)
{
	ft->budget = UINT64_MAX;
	return sweep(ft, true);
}
