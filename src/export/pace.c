// SPDX-License-Identifier: GPL-2.0-only
/*
 * The token bucket of one destination, kept as the instant it is full again (GCRA): a message of
 * n records costs n / rate seconds of it (at least one record's worth: a message of templates or
 * statistics fills a socket buffer too), the bucket holds depth messages of the most records one
 * message held, and a message waits until its cost fits. A message sent without tokens (past the
 * deadline) empties the bucket but leaves no debt: what follows is paced again at once. No I/O
 * but the clock's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "export/pace.h"

#define NS_PER_S 1000000000ull
#define PER_MESSAGE_MAX 65535 /* records in one message: bounds the arithmetic below */

static __u64 monotonic_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NS_PER_S + (__u64)ts.tv_nsec;
}

static void monotonic_sleep_until(void *arg, __u64 ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };

	(void)arg;
	/* a signal ends the sleep early (EINTR): the caller looks at the clock again */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

const struct bpfix_pace_clock bpfix_pace_monotonic = {
	.now_ns = monotonic_now,
	.sleep_until = monotonic_sleep_until,
};

void bpfix_pace_init(struct bpfix_pace *p, __u32 rate, __u32 depth,
		     const struct bpfix_pace_clock *clock)
{
	*p = (struct bpfix_pace){
		.rate = rate,
		.depth = depth ? depth : 1,
		.per_message = 1,
		.clock = clock,
	};
}

static __u64 records_in(__u64 records)
{
	if (!records)
		return 1;
	return records < PER_MESSAGE_MAX ? records : PER_MESSAGE_MAX;
}

/* The time the bucket takes to earn @records records' tokens. */
static __u64 cost_ns(const struct bpfix_pace *p, __u64 records)
{
	return records_in(records) * NS_PER_S / p->rate;
}

/* The bucket's depth as time, with messages of @per_message records. */
static __u64 depth_ns(const struct bpfix_pace *p, __u64 per_message)
{
	__u64 most = records_in(per_message);

	return p->depth * (most > p->per_message ? most : p->per_message) * NS_PER_S / p->rate;
}

__u64 bpfix_pace_ready_at(const struct bpfix_pace *p, __u64 records)
{
	__u64 need;

	if (!bpfix_pace_on(p))
		return 0;
	need = p->busy_until_ns + cost_ns(p, records);
	return need > depth_ns(p, records) ? need - depth_ns(p, records) : 0;
}

void bpfix_pace_take(struct bpfix_pace *p, __u64 records, __u64 now_ns)
{
	__u64 start = p->busy_until_ns > now_ns ? p->busy_until_ns : now_ns;
	__u64 full_ns;

	if (!bpfix_pace_on(p))
		return;
	full_ns = depth_ns(p, records);
	if (records_in(records) > p->per_message)
		p->per_message = records_in(records);
	p->busy_until_ns = start + cost_ns(p, records);
	if (p->busy_until_ns > now_ns + full_ns) /* taken without tokens: empty, no debt */
		p->busy_until_ns = now_ns + full_ns;
}

__u64 bpfix_pace_room(const struct bpfix_pace *p, __u64 now_ns, __u64 until_ns)
{
	__u64 from, span;

	if (!bpfix_pace_on(p))
		return BPFIX_PACE_UNLIMITED;
	from = p->busy_until_ns > now_ns ? p->busy_until_ns : now_ns;
	if (until_ns < now_ns)
		until_ns = now_ns;
	/* the tokens in the bucket now, and those it earns by then */
	if (from > until_ns + depth_ns(p, 0))
		return 0;
	span = until_ns + depth_ns(p, 0) - from;
	return span / NS_PER_S * p->rate + span % NS_PER_S * p->rate / NS_PER_S;
}

bool bpfix_pace_wait(struct bpfix_pace *p, __u64 records)
{
	const struct bpfix_pace_clock *clock = p->clock;
	__u64 now, ready, start;

	if (!bpfix_pace_on(p))
		return true;
	now = start = clock->now_ns(clock->arg);
	ready = bpfix_pace_ready_at(p, records);
	/* a wait is at most one message's cost: the bucket never runs into debt */
	while (now < ready && (p->deadline_ns == BPFIX_PACE_NO_DEADLINE || now < p->deadline_ns)) {
		clock->sleep_until(clock->arg, ready);
		now = clock->now_ns(clock->arg);
	}
	p->held_ns += now - start;
	bpfix_pace_take(p, records, now);
	if (now >= ready)
		return true;
	p->messages_unpaced++;
	p->records_unpaced += records;
	return false;
}
