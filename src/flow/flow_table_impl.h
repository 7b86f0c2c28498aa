/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow table's insides, shared by its parts only (never included outside src/flow/):
 * flow_table.c (the walk and recording; the entries kept by flow_store.c, the flows a walk meets
 * held a few visits by walk_ahead.c while their entries are fetched), answers.c (what the
 * source did with the requests), deadlines.c (when each flow could end next, the notices, the
 * sweep that takes only the due flows) and budget.c (what a sweep holds back for the export's
 * pace).
 */
#ifndef BPFIX_FLOW_TABLE_IMPL_H
#define BPFIX_FLOW_TABLE_IMPL_H

#include <stdbool.h>

#include <glib.h>

#include "flow/flow_store.h"
#include "flow/flow_table.h"
#include "flow/walk_ahead.h"
#include "flow/wheel.h"

struct flow_entry {
	struct bpfix_flow_key key;
	struct bpfix_flow_stats seen; /* totals when last read (a sweep, a close) or noticed */
	__u64 exported_packets;
	__u64 exported_octets;
	__u64 sweep;		/* number of the last sweep that saw the flow */
	__u64 held_since_ns;	/* its record or life ended but was held back since; 0: not held */
	struct bpfix_wheel_link due; /* in the wheel at the first sweep time it could end */
	bool closing;		/* FIN or RST seen in this life: silent for the linger, it ends */
	bool peek;		/* a notice said more than seen holds: read it when due */
	bool noticed;		/* its life's creation notice was taken: none can come after it */
	bool stored;		/* in use in the store (flow_store.c), not a freed one */
	__u32 hash;		/* of the key: the store finds the entry's slot again with it */
	__u32 index;		/* in the store; while freed, the next freed one */
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
	__u32 hash;		/* of the key (flow_store.h): its entry is fetched ahead by it */
	bool closing;
	bool from_seen;		/* decided on what the table knew, not on a read of the source */
	bool noticed;
};

_Static_assert(sizeof(gsize) >= sizeof(__u64), "a life fits in a hash table's pointer key");

struct bpfix_flow_table {
	struct bpfix_flow_table_opts opts;
	struct bpfix_flow_source *source;
	bpfix_record_fn emit;
	void *emit_arg;
	struct flow_store flows; /* the entries, by key */
	struct bpfix_wheel wheel; /* every entry, by the sweep time it could first end */
	__u64 walked;		/* flows the current walk met: those in the source at once */
	struct bpfix_walk_ahead ahead; /* the flows a walk or drain met, before their step */
	GArray *closes;		/* struct bpfix_close: a walk's requests to the source, after it */
	GArray *endings;	/* struct ending: the rest of each, index for index */
	GArray *peeks;		/* struct bpfix_close: due flows to read (BPFIX_CLOSE_PEEK) */
	GArray *news;		/* struct bpfix_close: removals decided on what the table knew that
				 * found packets since: decided again on what the source said */
	GArray *records;	/* struct bpfix_record: a walk's records, sent in time order after it */
	/* Lives that left the table before their creation notice was taken (a flow the source
	 * evicted, or that a walk met and ended first): a notice that comes later must not bring
	 * them back. Two sets of __u64, this sweep's and the last's: a notice is at most a sweep
	 * late (later, it was lost, and the sweep walks). */
	GHashTable *gone_lives[2]; /* a life is its own key (GSIZE_TO_POINTER) */
	unsigned int gone_now;	/* index of this sweep's set */
	__u64 sweep;
	__u64 now_ns;
	__u64 budget;		/* records the current walk may make */
	bool walk_next;		/* the next sweep reads the whole source (timeouts changed) */
	int err;		/* first error met during a walk */
	struct bpfix_flow_table_stats stats;
};

/* flow_table.c */
/* Room in @a for @more elements beyond its length, allocated at once (a mass expiry's arrays
 * would otherwise grow by copies of themselves). */
void bpfix_ft_reserve(GArray *a, guint more);
__u64 bpfix_ft_idle_timeout(const struct bpfix_flow_table *ft, const struct bpfix_flow_key *key);
__u64 bpfix_ft_active_timeout(const struct bpfix_flow_table *ft, const struct bpfix_flow_key *key);
__u64 bpfix_ft_age(__u64 now, __u64 then);
/* Queue the part of @e not exported yet, as @stats show it, for the sink. */
void bpfix_ft_record(struct bpfix_flow_table *ft, struct flow_entry *e,
		     const struct bpfix_flow_stats *stats, enum bpfix_end_reason reason);
/* Remember what a sweep or a close saw of the flow's life. */
void bpfix_ft_saw(struct flow_entry *e, const struct bpfix_flow_stats *stats);
/* The table's entry for @entry's key; @entry copied in if there is none (a fresh flow). */
struct flow_entry *bpfix_ft_tabled(struct bpfix_flow_table *ft, const struct flow_entry *entry);
/* How the flow @e ends at this sweep if the source holds @s; 0: it goes on. */
enum bpfix_end_reason bpfix_ft_ending(const struct bpfix_flow_table *ft,
				      const struct flow_entry *e, const struct bpfix_flow_stats *s);
/* The walk's step for a flow the table has, read as @stats: end it, close its record, or keep
 * it; either way the rest of the sweep acts on it. */
void bpfix_ft_review(struct bpfix_flow_table *ft, struct flow_entry *e,
		     const struct bpfix_flow_stats *stats);
/* Ask the source, after the walk, to close @e's record or remove it (@reason). */
void bpfix_ft_finish(struct bpfix_flow_table *ft, const struct flow_entry *e,
		     enum bpfix_end_reason reason, bool from_seen);
/* The flow of @e left the source without an ending of ours: export what was seen, forget it. */
void bpfix_ft_evicted(struct bpfix_flow_table *ft, struct flow_entry *e);
struct flow_entry *bpfix_ft_insert(struct bpfix_flow_table *ft, const struct flow_entry *fresh);
/* The table's entry for @key, or NULL. */
struct flow_entry *bpfix_ft_lookup(const struct bpfix_flow_table *ft,
				   const struct bpfix_flow_key *key);
/* Forget the flow of @e (out of the wheel and the store). */
void bpfix_ft_forget(struct bpfix_flow_table *ft, struct flow_entry *e);
/* The life @life left the table: a creation notice of it that comes later is not a new flow. */
void bpfix_ft_gone(struct bpfix_flow_table *ft, __u64 life);

/* answers.c */
/* Have the source act on the sweep's requests, the budget's worth of them. */
void bpfix_ft_close_ended(struct bpfix_flow_table *ft);
/* Leave the flow of @c in the source for a later sweep (over the budget), remembering since
 * when. */
void bpfix_ft_hold(struct bpfix_flow_table *ft, const struct bpfix_close *c,
		   const struct ending *end);

/* deadlines.c */
/* Put @e in the wheel at the first sweep time it could end, as far as the table knows. */
void bpfix_ft_schedule(struct bpfix_flow_table *ft, struct flow_entry *e);
/* Take the notices since the last sweep; whether this sweep must read the whole source. */
bool bpfix_ft_take_notices(struct bpfix_flow_table *ft);
/* The sweep over the due flows only. */
int bpfix_ft_due_pass(struct bpfix_flow_table *ft);

/* budget.c */
/* Keep of a walk's requests what the budget allows, the most urgent first; hold the rest. */
void bpfix_ft_hold_over_budget(struct bpfix_flow_table *ft);

#endif /* BPFIX_FLOW_TABLE_IMPL_H */
