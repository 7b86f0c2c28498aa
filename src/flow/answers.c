// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the source did with a sweep's requests (close a record, remove a flow): each answer made
 * into the record it returned, and the flow kept, decided again or forgotten; the answers taken
 * in as they come, while the source works on the next ones. Which flows end is flow_table.c's
 * and deadlines.c's, how many may, budget.c's.
 */
#include <errno.h>

#include "flow/flow_table_impl.h"

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
		.noticed = end->noticed,
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
		e = bpfix_ft_tabled(ft, &entry);
		bpfix_ft_record(ft, e, &c->stats, BPFIX_END_ACTIVE);
		bpfix_ft_saw(e, &c->stats);
		e->held_since_ns = 0;
		bpfix_ft_schedule(ft, e);
		return;
	case BPFIX_CLOSE_ALIVE:
		e = bpfix_ft_tabled(ft, &entry);
		if (end->from_seen) {
			/* the table's knowledge was old: decided again on this, in this sweep */
			g_array_append_val(ft->news, *c);
			return;
		}
		bpfix_ft_saw(e, &c->stats);
		e->held_since_ns = 0;
		bpfix_ft_schedule(ft, e);
		return;
	case BPFIX_CLOSE_GONE:
	case BPFIX_CLOSE_OTHER_LIFE:
		/* an active flow left the map: evicted; an ended one had ended all the same, unless
		 * the end was told from what the table knew: it left before the sweep read it */
		if (reason == BPFIX_END_ACTIVE || c->status == BPFIX_CLOSE_OTHER_LIFE ||
		    end->from_seen) {
			ft->stats.flows_evicted++;
			reason = BPFIX_END_LACK_OF_RESOURCES;
		}
		break;
	default:
		return; /* not done: the source failed, the next sweep reads it whole */
	}
	bpfix_ft_record(ft, &entry, &c->stats, reason);
	e = bpfix_flow_store_find(&ft->flows, &c->key, end->hash);
	if (e)
		bpfix_ft_forget(ft, e);
	if (!end->noticed)
		bpfix_ft_gone(ft, c->stats.life); /* a removal and a refusal keep the walk's life */
	ft->stats.flows_ended++;
}

/* Leave the flow of @c in the source for a later sweep, remembering since when. */
void bpfix_ft_hold(struct bpfix_flow_table *ft, const struct bpfix_close *c,
		   const struct ending *end)
{
	struct flow_entry entry = entry_of(ft, c, end), *e;

	if (!entry.held_since_ns)
		entry.held_since_ns = ft->now_ns;
	e = bpfix_ft_tabled(ft, &entry);
	e->held_since_ns = entry.held_since_ns;
	ft->stats.flows_held++;
	bpfix_ft_schedule(ft, e);
}

#define SLOT_AHEAD 16 /* requests ahead whose index slot is fetched */
#define ENTRY_AHEAD 8 /* requests ahead whose entry is fetched */

/* The source's answers to the requests [@first, @first + @count): records, flows kept or gone. */
static void take_answers(__u32 first, __u32 count, void *arg)
{
	struct bpfix_flow_table *ft = arg;
	const struct ending *endings = (const struct ending *)ft->endings->data;
	struct bpfix_close *closes = (struct bpfix_close *)ft->closes->data;
	guint i, n = ft->endings->len;

	for (i = first; i < first + count; i++) {
		/* the table's entries of a mass expiry are cache misses: their index slots are
		 * fetched a few requests ahead, then the entries those slots name */
		if (i + SLOT_AHEAD < n)
			bpfix_flow_store_prefetch(&ft->flows, endings[i + SLOT_AHEAD].hash);
		if (i + ENTRY_AHEAD < n)
			bpfix_flow_store_prefetch_entry(&ft->flows, endings[i + ENTRY_AHEAD].hash);
		closed(ft, &closes[i], &endings[i]);
	}
}

/*
 * Have the source close the records and remove the flows the walk found ended, in one batch;
 * the answers are taken in as they come (a source that answers in runs works on the next ones
 * meanwhile).
 */
static void close_requested(struct bpfix_flow_table *ft)
{
	const struct bpfix_flow_source_ops *ops = ft->source->ops;
	struct bpfix_close *closes = (struct bpfix_close *)ft->closes->data;
	guint n = ft->closes->len;
	int err;

	if (!n)
		return;
	bpfix_ft_reserve(ft->records, n);
	if (ops->close_many_each) {
		err = ops->close_many_each(ft->source->ctx, closes, n, take_answers, ft);
	} else {
		err = ops->close_many(ft->source->ctx, closes, n);
		take_answers(0, n, ft);
	}
	if (err && !ft->err)
		ft->err = -EIO;
	if (err)
		ft->walk_next = true; /* what it did not get to is in no deadline */
	g_array_set_size(ft->closes, 0);
	g_array_set_size(ft->endings, 0);
}

void bpfix_ft_close_ended(struct bpfix_flow_table *ft)
{
	struct bpfix_close *c;
	struct flow_entry *e;
	guint i;

	bpfix_ft_hold_over_budget(ft);
	close_requested(ft);
	if (!ft->news->len)
		return;
	/* removals told from what the table knew whose flow had packets since: the walk's step on
	 * what the source answered, as if the sweep had read it (a second batch, in this sweep) */
	for (i = 0; i < ft->news->len; i++) {
		c = &g_array_index(ft->news, struct bpfix_close, i);
		e = bpfix_ft_lookup(ft, &c->key);
		if (e)
			bpfix_ft_review(ft, e, &c->stats);
	}
	g_array_set_size(ft->news, 0);
	bpfix_ft_hold_over_budget(ft);
	close_requested(ft);
}

