// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow lifecycle over a flow source. The source keeps running totals; this table remembers, per
 * flow, what was already exported and what the last sweep saw, so a record carries only its own
 * packets and a flow that vanished from the source (LRU eviction) still gets the part seen of it.
 * A sweep walks the source, decides which flows end or close a record, and has the source do it
 * in one batch (the kernel's close program); the records come from what that returned. A sweep
 * may be given a budget of records (the export's pace): what ended beyond it stays in the source.
 * It never touches packets and never talks IPFIX.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_proto.h"
#include "meter/flow_key_hash.h"
#include "flow/flow_table.h"

struct flow_entry {
	struct bpfix_flow_key key; /* first: the hash table's key points here */
	struct bpfix_flow_stats seen; /* totals at the last sweep that saw the flow */
	__u64 exported_packets;
	__u64 exported_octets;
	__u64 sweep;		/* number of the last sweep that saw the flow */
	__u64 held_since_ns;	/* its record or life ended but was held back since; 0: not held */
	bool closing;		/* FIN or RST seen in this life: silent for the linger, it ends */
};

/*
 * A flow whose record or life a walk found ended, beside its request to the source (struct
 * bpfix_close, which holds the key and what the walk saw): the rest of its entry.
 */
struct ending {
	__u64 exported_packets;
	__u64 exported_octets;
	__u64 held_since_ns;
	enum bpfix_end_reason reason;
	bool closing;
};

struct bpfix_flow_table {
	struct bpfix_flow_table_opts opts;
	struct bpfix_flow_source *source;
	bpfix_record_fn emit;
	void *emit_arg;
	GHashTable *flows;	/* struct bpfix_flow_key * -> struct flow_entry * */
	__u64 walked;		/* flows the current walk met: those in the source at once */
	GArray *closes;		/* struct bpfix_close: a walk's requests to the source, after it */
	GArray *endings;	/* struct ending: the rest of each, index for index */
	GArray *records;	/* struct bpfix_record: a walk's records, sent in time order after it */
	__u64 sweep;
	__u64 now_ns;
	__u64 budget;		/* records the current walk may make */
	int err;		/* first error met during a walk */
	struct bpfix_flow_table_stats stats;
};

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
	ft->flows = g_hash_table_new_full(bpfix_flow_key_hash, bpfix_flow_key_equal, NULL, g_free);
	ft->closes = g_array_new(FALSE, FALSE, sizeof(struct bpfix_close));
	ft->endings = g_array_new(FALSE, FALSE, sizeof(struct ending));
	ft->records = g_array_new(FALSE, FALSE, sizeof(struct bpfix_record));
	return ft;
}

void bpfix_flow_table__free(struct bpfix_flow_table *ft)
{
	if (!ft)
		return;
	g_hash_table_destroy(ft->flows);
	g_array_free(ft->closes, TRUE);
	g_array_free(ft->endings, TRUE);
	g_array_free(ft->records, TRUE);
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
}

void bpfix_flow_table__get_stats(const struct bpfix_flow_table *ft,
				 struct bpfix_flow_table_stats *stats)
{
	*stats = ft->stats;
	stats->flows_active = g_hash_table_size(ft->flows);
}

/* Queue the part of @e not exported yet, as @stats show it, for the sink. */
static void emit_record(struct bpfix_flow_table *ft, struct flow_entry *e,
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

static __u64 age(__u64 now, __u64 then)
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

static __u64 idle_timeout(const struct bpfix_flow_table *ft, const struct bpfix_flow_key *key)
{
	__u64 t = ft->opts.idle_timeout_proto_ns[proto_class(key->protocol)];

	return t ? t : ft->opts.idle_timeout_ns;
}

static __u64 active_timeout(const struct bpfix_flow_table *ft, const struct bpfix_flow_key *key)
{
	__u64 t = ft->opts.active_timeout_proto_ns[proto_class(key->protocol)];

	return t ? t : ft->opts.active_timeout_ns;
}

static enum bpfix_end_reason ending(const struct bpfix_flow_table *ft, const struct flow_entry *e,
				    const struct bpfix_flow_stats *s, bool has_news)
{
	__u64 idle = age(ft->now_ns, s->last_ns);

	if (idle >= idle_timeout(ft, &e->key))
		return BPFIX_END_IDLE;
	/* a closing TCP flow ends once silent for the linger, not while it keeps sending */
	if (e->closing && idle >= ft->opts.tcp_linger_ns)
		return BPFIX_END_DETECTED;
	if (has_news && s->first_ns && age(ft->now_ns, s->first_ns) >= active_timeout(ft, &e->key))
		return BPFIX_END_ACTIVE;
	return 0;
}

/* Remember what a sweep or a close saw of the flow's life. */
static void saw(struct flow_entry *e, const struct bpfix_flow_stats *stats)
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
	emit_record(ft, e, &e->seen, BPFIX_END_LACK_OF_RESOURCES);
	e->exported_packets = 0;
	e->exported_octets = 0;
	e->closing = false;
}

/* Ask the source, after the walk, to close @e's record or remove it (@reason). */
static void finish(struct bpfix_flow_table *ft, const struct flow_entry *e,
		   enum bpfix_end_reason reason)
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
		.closing = e->closing,
	};

	g_array_append_val(ft->closes, c);
	g_array_append_val(ft->endings, end);
}

/* Remember a flow the table does not have yet (first seen in this sweep) that goes on. */
static struct flow_entry *insert(struct bpfix_flow_table *ft, const struct flow_entry *fresh)
{
	struct flow_entry *e = g_memdup2(fresh, sizeof(*fresh));

	g_hash_table_insert(ft->flows, &e->key, e);
	return e;
}

/* The table's entry for @entry's key; @entry copied in if there is none (a fresh flow). */
static struct flow_entry *tabled(struct bpfix_flow_table *ft, const struct flow_entry *entry)
{
	struct flow_entry *e = g_hash_table_lookup(ft->flows, &entry->key);

	return e ? e : insert(ft, entry);
}

static int visit(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats, void *arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh, *e = g_hash_table_lookup(ft->flows, key);
	enum bpfix_end_reason reason;

	ft->walked++;

	if (!e) {
		/* kept in the table only if it goes on: a flow that ends in its first sweep (a mass
		 * of short flows) costs no insert and removal */
		fresh = (struct flow_entry){ .key = *key };
		e = &fresh;
	} else {
		end_old_life(ft, e, stats);
	}
	saw(e, stats);
	e->sweep = ft->sweep;
	reason = ending(ft, e, stats, stats->packets > e->exported_packets);
	if (reason) {
		finish(ft, e, reason); /* a fresh flow whose record closes is kept after the close */
		return 0;
	}
	e->held_since_ns = 0; /* held while it ended, it came back to life: it goes on */
	if (e == &fresh)
		insert(ft, &fresh);
	return 0;
}

/* Flows gone from the source without an ending of ours were evicted: export what we saw. */
static gboolean reap_evicted(gpointer key, gpointer value, gpointer arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry *e = value;

	(void)key;
	if (e->sweep == ft->sweep)
		return FALSE;
	ft->stats.flows_evicted++;
	ft->stats.flows_ended++;
	emit_record(ft, e, &e->seen, BPFIX_END_LACK_OF_RESOURCES);
	return TRUE;
}

/* The flow of a request (@c, the rest of its entry in @end) as the walk left it. */
static struct flow_entry entry_of(const struct bpfix_flow_table *ft, const struct bpfix_close *c,
				  const struct ending *end)
{
	return (struct flow_entry){
		.key = c->key,
		.seen = c->stats,
		.exported_packets = end->exported_packets,
		.exported_octets = end->exported_octets,
		.sweep = ft->sweep,
		.held_since_ns = end->held_since_ns,
		.closing = end->closing,
	};
}

/*
 * What the source did with one request (@c, the rest of the flow's entry in @end): export the
 * record it returned, and keep or forget the flow. Under live traffic the answer may differ from
 * the walk: packets came since (alive: it goes on), or the flow left the map (gone, or another
 * life in its place: what the walk saw is exported; a packet after it is lost, and counted).
 */
static void closed(struct bpfix_flow_table *ft, const struct bpfix_close *c,
		   const struct ending *end)
{
	struct flow_entry *e, entry = entry_of(ft, c, end);
	enum bpfix_end_reason reason = end->reason;

	switch (c->status) {
	case BPFIX_CLOSE_DONE:
		if (reason != BPFIX_END_ACTIVE)
			break;
		e = tabled(ft, &entry);
		emit_record(ft, e, &c->stats, BPFIX_END_ACTIVE);
		saw(e, &c->stats);
		e->held_since_ns = 0;
		return;
	case BPFIX_CLOSE_ALIVE:
		e = tabled(ft, &entry);
		saw(e, &c->stats);
		e->held_since_ns = 0;
		return;
	case BPFIX_CLOSE_GONE:
	case BPFIX_CLOSE_OTHER_LIFE:
		/* an active flow left the map: evicted; an ended one had ended all the same */
		if (reason == BPFIX_END_ACTIVE || c->status == BPFIX_CLOSE_OTHER_LIFE) {
			ft->stats.flows_evicted++;
			reason = BPFIX_END_LACK_OF_RESOURCES;
		}
		break;
	default:
		return; /* not done: the source failed, the next sweep sees the flow again */
	}
	emit_record(ft, &entry, &c->stats, reason);
	g_hash_table_remove(ft->flows, &c->key);
	ft->stats.flows_ended++;
}

/* Held back for as long as a flow may be: it ends now, over the budget or not. */
static bool overdue(const struct bpfix_flow_table *ft, const struct bpfix_close *c,
		    const struct ending *end)
{
	return end->held_since_ns && age(ft->now_ns, end->held_since_ns) >= active_timeout(ft, &c->key);
}

/* What a walk's requests are ranked by when not all of them fit in the budget. */
struct close_rank {
	bool overdue;
	guint key_hash;
	const struct bpfix_close *c;
	guint index;
};

/* Overdue first, then the longest silent (the oldest end), then by key: repeatable. */
static gint by_urgency(gconstpointer a, gconstpointer b)
{
	const struct close_rank *x = a, *y = b;

	if (x->overdue != y->overdue)
		return x->overdue ? -1 : 1;
	if (x->c->stats.last_ns != y->c->stats.last_ns)
		return x->c->stats.last_ns < y->c->stats.last_ns ? -1 : 1;
	if (x->key_hash != y->key_hash)
		return x->key_hash < y->key_hash ? -1 : 1;
	return memcmp(&x->c->key, &y->c->key, sizeof(x->c->key));
}

/* Leave the flow of @c in the source for a later sweep, remembering since when. */
static void hold(struct bpfix_flow_table *ft, const struct bpfix_close *c,
		 const struct ending *end)
{
	struct flow_entry entry = entry_of(ft, c, end), *e;

	if (!entry.held_since_ns)
		entry.held_since_ns = ft->now_ns;
	e = tabled(ft, &entry);
	e->held_since_ns = entry.held_since_ns;
	ft->stats.flows_held++;
}

/*
 * Keep of a walk's requests what the budget allows (less the records the walk already made),
 * the most urgent first, and every overdue one; hold the rest.
 */
static void hold_over_budget(struct bpfix_flow_table *ft)
{
	guint i, kept = 0, n = ft->closes->len;
	struct bpfix_close *closes = (struct bpfix_close *)ft->closes->data;
	struct ending *endings = (struct ending *)ft->endings->data;
	__u64 room = ft->budget > ft->records->len ? ft->budget - ft->records->len : 0;
	struct close_rank *rank;
	bool *keep;

	if (n <= room)
		return;
	rank = g_new(struct close_rank, n);
	keep = g_new0(bool, n);
	for (i = 0; i < n; i++)
		rank[i] = (struct close_rank){ overdue(ft, &closes[i], &endings[i]),
					       bpfix_flow_key_hash(&closes[i].key), &closes[i], i };
	qsort(rank, n, sizeof(*rank), by_urgency);
	for (i = 0; i < n; i++)
		keep[rank[i].index] = i < room || rank[i].overdue;
	for (i = 0; i < n; i++) {
		if (!keep[i]) {
			hold(ft, &closes[i], &endings[i]);
			continue;
		}
		closes[kept] = closes[i];
		endings[kept++] = endings[i];
	}
	g_array_set_size(ft->closes, kept);
	g_array_set_size(ft->endings, kept);
	g_free(rank);
	g_free(keep);
}

/* Have the source close the records and remove the flows the walk found ended, in one batch. */
static void close_ended(struct bpfix_flow_table *ft)
{
	guint i, n = ft->closes->len;
	int err;

	if (!n)
		return;
	err = ft->source->ops->close_many(ft->source->ctx, (struct bpfix_close *)ft->closes->data, n);
	if (err && !ft->err)
		ft->err = -EIO;
	for (i = 0; i < n; i++)
		closed(ft, &g_array_index(ft->closes, struct bpfix_close, i),
		       &g_array_index(ft->endings, struct ending, i));
	g_array_set_size(ft->closes, 0);
	g_array_set_size(ft->endings, 0);
}

/* The table's entry for @key, or @fresh made for it: a flow the table never saw. */
static struct flow_entry *entry_or(struct bpfix_flow_table *ft, const struct bpfix_flow_key *key,
				   struct flow_entry *fresh)
{
	struct flow_entry *e = g_hash_table_lookup(ft->flows, key);

	*fresh = (struct flow_entry){ .key = *key };
	return e ? e : fresh;
}

/* A flow the source evicted and told us about: its last record, nothing lost. */
static int visit_evicted(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			 void *arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh;

	ft->walked++;

	ft->stats.flows_evicted++;
	ft->stats.flows_ended++;
	emit_record(ft, entry_or(ft, key, &fresh), stats, BPFIX_END_LACK_OF_RESOURCES);
	g_hash_table_remove(ft->flows, key);
	return 0;
}

/* A flow the forced end removed, with its final totals. */
static int visit_drained(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			 void *arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh, *e = entry_or(ft, key, &fresh);

	ft->walked++;

	if (e != &fresh)
		end_old_life(ft, e, stats);
	emit_record(ft, e, stats, BPFIX_END_FORCED);
	g_hash_table_remove(ft->flows, key);
	ft->stats.flows_ended++;
	return 0;
}

/* Sweep: every flow visited, then what ended closed or removed by the source in one batch. */
static int sweep_pass(struct bpfix_flow_table *ft)
{
	int err = ft->source->ops->for_each(ft->source->ctx, visit, ft);

	hold_over_budget(ft);
	close_ended(ft);
	return err;
}

/* Forced end: everything out of the source in one pass, each flow with its final totals. */
static int drain_pass(struct bpfix_flow_table *ft)
{
	return ft->source->ops->drain(ft->source->ctx, visit_drained, ft);
}

/* A notice from the source: the walk that follows reads every flow, so it needs none. */
static void noticed(const struct bpfix_notice *n, void *arg)
{
	(void)n;
	(void)arg;
}

/* One pass over the source: evictions it reported, every flow, then flows it lost silently. */
static int walk(struct bpfix_flow_table *ft, int (*pass)(struct bpfix_flow_table *ft))
{
	bool lost;
	int err = 0;

	ft->err = 0;
	ft->sweep++;
	ft->walked = 0;
	ft->stats.flows_held = 0;
	if (ft->source->ops->drain_evicted)
		err = ft->source->ops->drain_evicted(ft->source->ctx, visit_evicted, ft);
	if (!err && ft->source->ops->drain_notices)
		err = ft->source->ops->drain_notices(ft->source->ctx, noticed, ft, &lost);
	if (!err)
		err = pass(ft);
	if (!err)
		g_hash_table_foreach_remove(ft->flows, reap_evicted, ft);
	if (ft->walked > ft->stats.flows_peak)
		ft->stats.flows_peak = ft->walked;
	send_records(ft);

	return err ? err : ft->err;
}

int bpfix_flow_table__sweep_within(struct bpfix_flow_table *ft, __u64 now_ns, __u64 max_records)
{
	ft->now_ns = now_ns;
	ft->budget = max_records;
	return walk(ft, sweep_pass);
}

int bpfix_flow_table__sweep(struct bpfix_flow_table *ft, __u64 now_ns)
{
	return bpfix_flow_table__sweep_within(ft, now_ns, UINT64_MAX);
}

int bpfix_flow_table__flush(struct bpfix_flow_table *ft)
{
	ft->budget = UINT64_MAX;
	return walk(ft, drain_pass);
}
