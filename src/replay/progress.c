// SPDX-License-Identifier: GPL-2.0-only
/*
 * Draws the progress line: back to the line's start, the text, erase the rest; the log clears it
 * before a message (util/log.h) and the next line draws it again. No reading or counting here.
 */
#include <stdio.h>

#include "replay/progress.h"
#include "util/log.h"

void bpfix_progress_start(struct bpfix_progress *p, bool on, __u64 now_ns)
{
	*p = (struct bpfix_progress){ .on = on, .shown_ns = now_ns };
}

bool bpfix_progress_due(const struct bpfix_progress *p, __u64 now_ns)
{
	return p->on && now_ns - p->shown_ns >= BPFIX_PROGRESS_EVERY_NS;
}

void bpfix_progress_show(struct bpfix_progress *p, const struct bpfix_progress_state *st,
			 __u64 now_ns)
{
	__u64 rate = (st->frames - p->shown_frames) * 1000000000ull / (now_ns - p->shown_ns);
	char where[64] = "reading ";

	if (st->size)
		snprintf(where, sizeof(where), "%llu%% of ",
			 (unsigned long long)(st->read >= st->size ? 100
								   : st->read * 100 / st->size));
	fprintf(stderr, "\rreplay: %llu packets, %llu packets/s, %llu flows; %s%s", 
		(unsigned long long)st->frames, (unsigned long long)rate,
		(unsigned long long)st->flows, where, st->capture);
	if (st->n > 1)
		fprintf(stderr, " (%zu of %zu)", st->index + 1, st->n);
	fputs("\033[K", stderr);
	bpfix_log_line_open(1);
	p->shown_ns = now_ns;
	p->shown_frames = st->frames;
}

void bpfix_progress_end(struct bpfix_progress *p)
{
	if (p->on)
		bpfix_log_begin();
}
