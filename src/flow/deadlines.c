// SPDX-License-Identifier: GPL-2.0-only
/*
 * The deadline-driven sweep. Every flow of the table sits in a timer wheel at the first sweep
 * time it could end, as far as the table knows: its last packet + the idle timeout, + the TCP
 * linger once it is closing, its record's start + the active timeout. The source's notices keep
 * that true between sweeps (a flow created, a record started or moved earlier, a record closing),
 * so a sweep takes only the due flows: one it can tell ended from what it knows goes straight to
 * the removal (which refuses if a packet came since: then it is decided again on what the source
 * answered, in the same sweep); the others are read first (a peek) and decided as a walk would.
 * The same records at the same sweeps as a walk of the whole source; a walk is still made when
 * the table cannot be sure: its first sweep, a notice lost, new timeouts, an error, or a source
 * nearly as full as it can hold (the kernel's LRU map evicts silently; only a walk finds a flow
 * before it goes). Closing, recording and budgeting are flow_table.c's and budget.c's.
 */
#include <errno.h>
#include <stdint.h>

#include "bpfix_proto.h"
#include "flow/flow_table_impl.h"

/* The sources that evict silently are walked whole from this share of their capacity. */
#define PRESSURE_PERCENT 90

#define entry_of_link(l) ((struct flow_entry *)((char *)(l) - offsetof(struct flow_entry, due)))

/* The sweep time at which something @timeout_ns after @then_ns is due (bpfix_ft_age's rule). */
static __u64 after(__u64 then_ns, __u64 timeout_ns)
{
	if (!timeout_ns)
		return 0; /* due whatever the clock says */
	return then_ns > UINT64_MAX - timeout_ns ? UINT64_MAX : then_ns + timeout_ns;
}

static __u64 earliest(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

void bpfix_ft_schedule(struct bpfix_flow_table *ft, struct flow_entry *e)
{
	const struct bpfix_flow_stats *s = &e->seen;
	__u64 when = after(s->last_ns, bpfix_ft_idle_timeout(ft, &e->key));

	if (e->closing)
		when = earliest(when, after(s->last_ns, ft->opts.tcp_linger_ns));
	if (s->packets > e->exported_packets && s->first_ns)
		when = earliest(when, after(s->first_ns, bpfix_ft_active_timeout(ft, &e->key)));
	if (e->held_since_ns)
		when = 0; /* held back for the pace: looked at again at the next sweep */
	bpfix_wheel_put(&ft->wheel, &e->due, when);
}

/* A notice says @e may end by @when, sooner than the table knew: read it then. */
static void sooner(struct bpfix_flow_table *ft, struct flow_entry *e, __u64 when)
{
	e->peek = true;
	if (!bpfix_wheel_linked(&e->due) || when < e->due.deadline_ns)
		bpfix_wheel_put(&ft->wheel, &e->due, when);
}

/* A flow the table did not know, as its creation was noticed. */
static void created(struct bpfix_flow_table *ft, const struct bpfix_notice *n)
{
	struct flow_entry fresh = { .key = n->key, .seen = n->stats }, *e;

	fresh.closing = n->stats.tcp_flags & BPFIX_TCP_ENDING;
	fresh.noticed = true;
	e = bpfix_ft_insert(ft, &fresh);
	bpfix_ft_schedule(ft, e);
}

/* A life that left the table before its creation notice came (bpfix_ft_gone). */
static bool gone(const struct bpfix_flow_table *ft, __u64 life)
{
	return g_hash_table_contains(ft->gone_lives[0], GSIZE_TO_POINTER(life)) ||
	       g_hash_table_contains(ft->gone_lives[1], GSIZE_TO_POINTER(life));
}

static void noticed(const struct bpfix_notice *n, void *arg)
{
	struct bpfix_flow_table *ft = arg;
	struct flow_entry *e = bpfix_ft_lookup(ft, &n->key);

	if (!e) {
		/* else of a flow the table let go (a packet that raced its removal, or a life that
		 * a walk met and ended, or the source evicted, before this notice came): nothing */
		if ((n->kinds & BPFIX_NOTICE_CREATED) && !gone(ft, n->stats.life))
			created(ft, n);
		return;
	}
	if (n->stats.life == e->seen.life && (n->kinds & BPFIX_NOTICE_CREATED))
		e->noticed = true;
	if (n->stats.life != e->seen.life) {
		/* another life, or an old notice of a life a walk has passed: a read tells */
		sooner(ft, e, 0);
		return;
	}
	if (n->kinds & BPFIX_NOTICE_STARTED)
		sooner(ft, e, after(n->stats.first_ns, bpfix_ft_active_timeout(ft, &e->key)));
	if (n->kinds & BPFIX_NOTICE_CLOSING)
		sooner(ft, e, after(n->stats.last_ns, ft->opts.tcp_linger_ns));
}

/* A source near its capacity, which it does not tell about: only a walk sees what it evicts. */
static bool under_pressure(const struct bpfix_flow_table *ft)
{
	__u64 cap = ft->source->silent_capacity;

	return cap && (__u64)ft->flows.count * 100 >= cap * PRESSURE_PERCENT;
}

bool bpfix_ft_take_notices(struct bpfix_flow_table *ft)
{
	bool lost = false, whole;
	int err;

	if (!ft->source->ops->drain_notices)
		return true;
	err = ft->source->ops->drain_notices(ft->source->ctx, noticed, ft, &lost);
	if (err && !ft->err)
		ft->err = err;
	whole = err || lost || ft->sweep == 1 || ft->walk_next || under_pressure(ft);
	ft->walk_next = false;
	return whole;
}

static void collect(struct bpfix_wheel_link *l, void *arg)
{
	g_ptr_array_add(arg, entry_of_link(l));
}

/*
 * A due flow: removed if what the table knows says it ended, else read before deciding. Not
 * @sure: the pace's budget may not take every end, and which ones it takes depends on every end
 * the sweep finds: all are read first, as a walk would.
 */
static void decide(struct bpfix_flow_table *ft, struct flow_entry *e, bool sure)
{
	enum bpfix_end_reason reason = e->peek || !sure ? 0 : bpfix_ft_ending(ft, e, &e->seen);
	struct bpfix_close peek = { .key = e->key, .op = BPFIX_CLOSE_PEEK };

	/* the removal checks that its packets and last packet did not move since */
	if (reason == BPFIX_END_IDLE || reason == BPFIX_END_DETECTED) {
		bpfix_ft_finish(ft, e, reason, true);
		return;
	}
	/* an active timeout needs the record's start, which only a read tells */
	peek.stats.life = e->seen.life;
	g_array_append_val(ft->peeks, peek);
}

/* Read the due flows decide() could not tell, and take the walk's step for each found. */
static void read_due(struct bpfix_flow_table *ft)
{
	guint i, n = ft->peeks->len;
	struct bpfix_close *c;
	struct flow_entry *e;

	if (!n)
		return;
	if (ft->source->ops->close_many(ft->source->ctx, (struct bpfix_close *)ft->peeks->data, n)) {
		if (!ft->err)
			ft->err = -EIO;
		ft->walk_next = true; /* the flows it did not read are in no deadline */
	}
	for (i = 0; i < n; i++) {
		c = &g_array_index(ft->peeks, struct bpfix_close, i);
		e = bpfix_ft_lookup(ft, &c->key);
		if (!e)
			continue;
		if (c->status == BPFIX_CLOSE_DONE || c->status == BPFIX_CLOSE_OTHER_LIFE)
			bpfix_ft_review(ft, e, &c->stats);
		else if (c->status != BPFIX_CLOSE_GONE)
			bpfix_wheel_put(&ft->wheel, &e->due, 0);
	}
}

/* The due flows the source no longer had: evicted since last seen (after the budget, as a
 * walk finds them). */
static void reap_gone(struct bpfix_flow_table *ft)
{
	struct bpfix_close *c;
	struct flow_entry *e;
	guint i;

	for (i = 0; i < ft->peeks->len; i++) {
		c = &g_array_index(ft->peeks, struct bpfix_close, i);
		e = c->status == BPFIX_CLOSE_GONE ? bpfix_ft_lookup(ft, &c->key) : NULL;
		if (!e)
			continue;
		bpfix_ft_evicted(ft, e);
		bpfix_ft_forget(ft, e);
	}
	g_array_set_size(ft->peeks, 0);
}

int bpfix_ft_due_pass(struct bpfix_flow_table *ft)
{
	GPtrArray *due = g_ptr_array_new();
	__u64 room = ft->budget > ft->records->len ? ft->budget - ft->records->len : 0;
	bool sure;
	guint i;

	ft->walked += ft->flows.count; /* what the source holds, as far as it told */
	bpfix_wheel_take_due(&ft->wheel, ft->now_ns, collect, due);
	/* each due flow makes a request and, another life found, one more record at most */
	sure = ft->budget == UINT64_MAX || (__u64)due->len * 2 <= room;
	bpfix_ft_reserve(ft->closes, due->len);
	bpfix_ft_reserve(ft->endings, due->len);
	for (i = 0; i < due->len; i++)
		decide(ft, g_ptr_array_index(due, i), sure);
	g_ptr_array_free(due, TRUE);
	read_due(ft);
	bpfix_ft_close_ended(ft);
	reap_gone(ft);
	return 0;
}
