// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a sweep holds back for the export's pace: when the flows that ended are more than the
 * records the pace lets out, the most urgent go (held longest past their active timeout first,
 * then the longest silent) and the rest stay in the source, counting, for the next sweep. It
 * decides nothing about ends and makes no record.
 */
#include <stdlib.h>
#include <string.h>

#include "meter/flow_key_hash.h"
#include "flow/flow_table_impl.h"

/* Held back for as long as a flow may be: it ends now, over the budget or not. */
static bool overdue(const struct bpfix_flow_table *ft, const struct bpfix_close *c,
		    const struct ending *end)
{
	return end->held_since_ns &&
	       bpfix_ft_age(ft->now_ns, end->held_since_ns) >= bpfix_ft_active_timeout(ft, &c->key);
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

/*
 * Keep of a walk's requests what the budget allows (less the records the walk already made),
 * the most urgent first, and every overdue one; hold the rest.
 */
void bpfix_ft_hold_over_budget(struct bpfix_flow_table *ft)
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
			bpfix_ft_hold(ft, &closes[i], &endings[i]);
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

