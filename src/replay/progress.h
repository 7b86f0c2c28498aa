/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The replay's progress line on a terminal: packets, their rate, flows and how much of the
 * capture was read, drawn over itself at most twice a second. It decides when and prints; the
 * numbers are the caller's. Off (nothing printed) when stderr is not a terminal or the user asked
 * for quiet.
 */
#ifndef BPFIX_PROGRESS_H
#define BPFIX_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#define BPFIX_PROGRESS_EVERY_NS 500000000ull /* at most twice a second */

struct bpfix_progress {
	bool on;
	__u64 shown_ns;		/* CLOCK_MONOTONIC of the last line, or of the start */
	__u64 shown_frames;	/* packets at the last line */
};

/* Where a replay is, for the line. */
struct bpfix_progress_state {
	__u64 frames;		/* packets read, every capture */
	__u64 flows;		/* flows metered */
	const char *capture;	/* the one being read */
	size_t index, n;	/* it is capture index + 1 of n */
	__u64 read, size;	/* octets of it read, and its size (0: unknown, a pipe) */
};

/* @on: draw lines at all (stderr is a terminal, not --quiet). */
void bpfix_progress_start(struct bpfix_progress *p, bool on, __u64 now_ns);
/* Whether a line is due at @now_ns (half a second after the last, or the start). */
bool bpfix_progress_due(const struct bpfix_progress *p, __u64 now_ns);
/* Draw the line of @st over the last one. */
void bpfix_progress_show(struct bpfix_progress *p, const struct bpfix_progress_state *st,
			 __u64 now_ns);
/* Erase the line, before the summary. */
void bpfix_progress_end(struct bpfix_progress *p);

#endif /* BPFIX_PROGRESS_H */
