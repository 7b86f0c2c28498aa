// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow lifecycle over a flow source. The source keeps running totals; this table remembers, per
 * flow, what was already exported and what the last sweep saw, so a record carries only its own
 * packets and a flow that vanished from the source (LRU eviction) still gets the part seen of it.
 * It never touches packets and never talks IPFIX.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_proto.h"
#include "meter/flow_key_hash.h"
#include "flow/flow_table.h"

/* Flows ended in one sweep from which the idle ones are removed in one batch, not key by key. */
#define BPFIX_REMOVE_AT_ONCE 4096

struct flow_entry {
	struct bpfix_flow_key key; /* first: the hash table's key points here */
	struct bpfix_flow_stats seen; /* totals at the last sweep that saw the flow */
	__u64 exported_packets;
	__u64 exported_octets;
	__u64 sweep;		/* number of the last sweep that saw the flow */
};

/* A flow whose last record was emitted during a walk, to remove from the source after it. */
struct finished {
	struct flow_entry entry; /* key and what was exported */
	enum bpfix_end_reason reason;
};

struct bpfix_flow_table {
	struct bpfix_flow_table_opts opts;
	struct bpfix_flow_source *source;
	bpfix_record_fn emit;
	void *emit_arg;
	GHashTable *flows;	/* struct bpfix_flow_key * -> struct flow_entry * */
	GArray *finished;	/* struct finished: flows to remove from the source after a walk */
	GArray *records;	/* struct bpfix_record: a walk's records, sent in time order after it */
	__u64 sweep;
	__u64 now_ns;
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
	ft->finished = g_array_new(FALSE, FALSE, sizeof(struct finished));
	ft->records = g_array_new(FALSE, FALSE, sizeof(struct bpfix_record));
	return ft;
}

void bpfix_flow_table__free(struct bpfix_flow_table *ft)
{
	if (!ft)
		return;
	g_hash_table_destroy(ft->flows);
	g_array_free(ft->finished, TRUE);
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

void bpfix_flow_table__set_sink(struct bpfix_flow_table *ft, bpfix_record_fn emit, void *emit_arg)
{
	ft->emit = emit;
	ft->emit_arg = emit_arg;
}

void bpfix_flow_table__get_stats(const struct bpfix_flow_table *ft,
				 struct bpfix_flow_table_stats *stats)
{
	*stats = ft->stats;
	stats->flows_active = g_hash_table_size(ft->flows);
}

static __u64 to_epoch_ms(const struct bpfix_flow_table *ft, __u64 clock_ns)
{
	return (__u64)((__s64)clock_ns + ft->opts.clock_to_epoch_ns) / 1000000;
}

/* Queue the part of @e not exported yet, as @stats show it, for the sink. */
static void emit_record(struct bpfix_flow_table *ft, struct flow_entry *e,
			const struct bpfix_flow_stats *stats, enum bpfix_end_reason reason)
{
	struct bpfix_record rec = {
		.key = e->key,
		.packets = stats->packets - e->exported_packets,
		.octets = stats->octets - e->exported_octets,
		.vlan_id = stats->vlan_id,
		.tcp_flags = (__u8)stats->tcp_flags,
		.tos = stats->tos,
		.ttl_min = BPFIX_TTL_MIN(stats->ttl_range),
		.ttl_max = BPFIX_TTL_MAX(stats->ttl_range),
		.end_reason = reason,
		.has_pdu_session = stats->has_pdu_session,
		.qfi = stats->qfi,
		.pdu_type = stats->pdu_type,
	};

	memcpy(rec.tun_src_addr, stats->tun_src_addr, sizeof(rec.tun_src_addr));
	if (!rec.packets)
		return;
	/* a record closed by user space restarts at the next packet; a racing CPU may not have set it */
	rec.start_ms = to_epoch_ms(ft, stats->first_ns ? stats->first_ns : stats->last_ns);
	rec.end_ms = to_epoch_ms(ft, stats->last_ns);
	e->exported_packets = stats->packets;
	e->exported_octets = stats->octets;
	g_array_append_val(ft->records, rec);
}

/* What records are sorted by, with where each is: sorting these moves far less than records. */
struct record_order {
	__u64 start_ms, end_ms;
	guint key_hash;			/* ties: mostly told apart without reaching the record */
	const struct bpfix_record *rec;
};

static gint by_time(gconstpointer a, gconstpointer b)
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

/* Hand a walk's records to the sink, oldest first. */
static void send_records(struct bpfix_flow_table *ft)
{
	struct record_order *order;
	guint i, n = ft->records->len;

	if (!n)
		return;
	order = g_new(struct record_order, n);
	for (i = 0; i < n; i++) {
		const struct bpfix_record *rec = &g_array_index(ft->records, struct bpfix_record, i);

		order[i] = (struct record_order){ rec->start_ms, rec->end_ms,
						  bpfix_flow_key_hash(&rec->key), rec };
	}
	qsort(order, n, sizeof(*order), by_time);
	for (i = 0; i < n; i++) {
		const struct bpfix_record *rec = order[i].rec;

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

static enum bpfix_end_reason ending(const struct bpfix_flow_table *ft,
				    const struct bpfix_flow_key *key,
				    const struct bpfix_flow_stats *s, bool has_news)
{
	__u64 idle = age(ft->now_ns, s->last_ns);

	if (idle >= idle_timeout(ft, key))
		return BPFIX_END_IDLE;
	if (!has_news)
		return 0;
	/* a closing TCP flow ends after the linger, never split by its active timeout */
	if (s->tcp_flags & (BPFIX_TCP_FIN | BPFIX_TCP_RST))
		return idle >= ft->opts.tcp_linger_ns ? BPFIX_END_DETECTED : 0;
	if (s->first_ns && age(ft->now_ns, s->first_ns) >= active_timeout(ft, key))
		return BPFIX_END_ACTIVE;
	return 0;
}

static void finish(struct bpfix_flow_table *ft, const struct flow_entry *e,
		   enum bpfix_end_reason reason)
{
	struct finished f = { .entry = *e, .reason = reason };

	g_array_append_val(ft->finished, f);
}

/* Remember a flow first seen in this sweep that goes on. */
static void keep(struct bpfix_flow_table *ft, struct flow_entry *e, const struct flow_entry *fresh)
{
	if (e == fresh) {
		e = g_memdup2(fresh, sizeof(*fresh));
		g_hash_table_insert(ft->flows, &e->key, e);
	}
}

/*
 * The source's flow is not the life @e saw: the map evicted it and the key came back (another
 * life tag, or counters that went down). Export what was seen of the old life, start anew.
 */
static void end_old_life(struct bpfix_flow_table *ft, struct flow_entry *e,
			 const struct bpfix_flow_stats *stats)
{
	if (stats->life == e->seen.life && stats->packets >= e->seen.packets)
		return;
	ft->stats.flows_evicted++;
	ft->stats.flows_ended++;
	emit_record(ft, e, &e->seen, BPFIX_END_LACK_OF_RESOURCES);
	e->exported_packets = 0;
	e->exported_octets = 0;
}

static int visit(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats, void *arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry fresh, *e = g_hash_table_lookup(ft->flows, key);
	enum bpfix_end_reason reason;

	if (!e) {
		/* kept in the table only if it goes on: a flow that ends in its first sweep (a mass
		 * of short flows) costs no insert and removal */
		fresh = (struct flow_entry){ .key = *key };
		e = &fresh;
	} else {
		end_old_life(ft, e, stats);
	}
	e->seen = *stats;
	e->sweep = ft->sweep;
	reason = ending(ft, key, stats, stats->packets > e->exported_packets);
	if (reason)
		emit_record(ft, e, stats, reason);
	if (!reason || reason == BPFIX_END_ACTIVE) {
		keep(ft, e, &fresh);
		if (reason && ft->source->ops->close_record(ft->source->ctx, key, stats) && !ft->err)
			ft->err = -EIO;
		return 0;
	}
	finish(ft, e, reason);
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

/* Remove what ended; packets that raced the walk go out in one more record, not lost. */
/*
 * Many flows gone idle in one sweep (a mass expiry): one batch removal for them. They have been
 * silent for their whole idle timeout, so a packet racing the removal is unlikely, and it would
 * show as lost, not vanish. Returns whether it removed them.
 */
static bool remove_idle_at_once(struct bpfix_flow_table *ft)
{
	GArray *keys;
	guint i;
	int err;

	if (!ft->source->ops->remove_many ||
	    ft->finished->len < (ft->opts.remove_at_once ? ft->opts.remove_at_once
							  : BPFIX_REMOVE_AT_ONCE))
		return false;
	keys = g_array_sized_new(FALSE, FALSE, sizeof(struct bpfix_flow_key), ft->finished->len);
	for (i = 0; i < ft->finished->len; i++) {
		struct finished *f = &g_array_index(ft->finished, struct finished, i);

		if (f->reason == BPFIX_END_IDLE)
			g_array_append_val(keys, f->entry.key);
	}
	err = ft->source->ops->remove_many(ft->source->ctx, (struct bpfix_flow_key *)keys->data,
					   keys->len);
	if (err && !ft->err)
		ft->err = -EIO;
	g_array_free(keys, TRUE);
	return !err;
}

static void remove_finished(struct bpfix_flow_table *ft)
{
	bool idle_removed = remove_idle_at_once(ft);
	struct bpfix_flow_stats final;
	guint i;
	int err;

	for (i = 0; i < ft->finished->len; i++) {
		struct finished *f = &g_array_index(ft->finished, struct finished, i);

		if (idle_removed && f->reason == BPFIX_END_IDLE) {
			g_hash_table_remove(ft->flows, &f->entry.key);
			ft->stats.flows_ended++;
			continue;
		}
		err = ft->source->ops->remove(ft->source->ctx, &f->entry.key, &final);
		if (err && err != -ENOENT && !ft->err)
			ft->err = -EIO;
		if (!err && final.life != f->entry.seen.life) {
			/* evicted and created again since the walk: the new life is exported whole */
			f->entry.exported_packets = 0;
			f->entry.exported_octets = 0;
			ft->stats.flows_ended++;
		} else if (!err && final.packets > f->entry.exported_packets) {
			final.first_ns = final.last_ns; /* they came after the walk read the flow */
		}
		if (!err && final.packets > f->entry.exported_packets)
			emit_record(ft, &f->entry, &final, f->reason);
		g_hash_table_remove(ft->flows, &f->entry.key);
		ft->stats.flows_ended++;
	}
	g_array_set_size(ft->finished, 0);
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

	if (e != &fresh)
		end_old_life(ft, e, stats);
	emit_record(ft, e, stats, BPFIX_END_FORCED);
	g_hash_table_remove(ft->flows, key);
	ft->stats.flows_ended++;
	return 0;
}

/* Sweep: every flow visited; what ended is removed key by key, exact under live traffic. */
static int sweep_pass(struct bpfix_flow_table *ft)
{
	int err = ft->source->ops->for_each(ft->source->ctx, visit, ft);

	remove_finished(ft);
	return err;
}

/* Forced end: everything out of the source in one pass, each flow with its final totals. */
static int drain_pass(struct bpfix_flow_table *ft)
{
	return ft->source->ops->drain(ft->source->ctx, visit_drained, ft);
}

/* One pass over the source: evictions it reported, every flow, then flows it lost silently. */
static int walk(struct bpfix_flow_table *ft, int (*pass)(struct bpfix_flow_table *ft))
{
	int err = 0;

	ft->err = 0;
	ft->sweep++;
	if (ft->source->ops->drain_evicted)
		err = ft->source->ops->drain_evicted(ft->source->ctx, visit_evicted, ft);
	if (!err)
		err = pass(ft);
	if (!err)
		g_hash_table_foreach_remove(ft->flows, reap_evicted, ft);
	send_records(ft);

	return err ? err : ft->err;
}

int bpfix_flow_table__sweep(struct bpfix_flow_table *ft, __u64 now_ns)
{
	ft->now_ns = now_ns;
	return walk(ft, sweep_pass);
}

int bpfix_flow_table__flush(struct bpfix_flow_table *ft)
{
	return walk(ft, drain_pass);
}
