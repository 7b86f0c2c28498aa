/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pacing of one export destination: a token bucket filled at a rate in records per second, as
 * deep as a number of messages (of the most records one message held so far), so a burst never
 * puts more than that many datagrams into a receiver's socket buffer. It waits on a clock it is
 * given (CLOCK_MONOTONIC in bpfix, a hand-driven one in tests), up to a deadline past which a
 * message goes at once and is counted as sent beyond the pace. It neither sends nor encodes.
 */
#ifndef BPFIX_PACE_H
#define BPFIX_PACE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/types.h>

#define BPFIX_PACE_NO_DEADLINE 0 /* wait as long as the bucket needs */
#define BPFIX_PACE_UNLIMITED UINT64_MAX

/* The monotonic clock a bucket runs on. */
struct bpfix_pace_clock {
	__u64 (*now_ns)(void *arg);
	/* Return at @ns or later (a signal may end a sleep early: sleep again). */
	void (*sleep_until)(void *arg, __u64 ns);
	void *arg;
};

/* CLOCK_MONOTONIC, slept on with clock_nanosleep. */
extern const struct bpfix_pace_clock bpfix_pace_monotonic;

struct bpfix_pace {
	__u64 rate;		/* records per second; 0: unpaced */
	__u32 depth;		/* messages */
	__u64 per_message;	/* the most records one message held so far, at least 1 */
	/*
	 * The bucket is full again at busy_until_ns: its tokens at t are the depth less
	 * busy_until_ns - t worth of them (the theoretical arrival time of GCRA).
	 */
	__u64 busy_until_ns;
	__u64 deadline_ns;	/* wait at most until then; BPFIX_PACE_NO_DEADLINE: no limit */
	const struct bpfix_pace_clock *clock;
	/* what pacing did: */
	__u64 held_ns;		/* time spent waiting for the bucket */
	__u64 messages_unpaced;	/* sent past the deadline, without tokens */
	__u64 records_unpaced;	/* in those messages */
};

/* Unpaced when @rate is 0; @depth at least 1. */
void bpfix_pace_init(struct bpfix_pace *p, __u32 rate, __u32 depth,
		     const struct bpfix_pace_clock *clock);
static inline bool bpfix_pace_on(const struct bpfix_pace *p)
{
	return p->rate;
}
/* The earliest instant a message of @records records may go (now or before: at once). */
__u64 bpfix_pace_ready_at(const struct bpfix_pace *p, __u64 records);
/* A message of @records records went at @now_ns: its tokens are taken (never below empty). */
void bpfix_pace_take(struct bpfix_pace *p, __u64 records, __u64 now_ns);
/*
 * How many records may go from @now_ns until @until_ns without waiting past @until_ns:
 * BPFIX_PACE_UNLIMITED when unpaced.
 */
__u64 bpfix_pace_room(const struct bpfix_pace *p, __u64 now_ns, __u64 until_ns);
/*
 * Before a message of @records records: wait for the bucket, at most until the deadline, and take
 * the tokens. false: the deadline came first and the message goes beyond the pace (counted).
 */
bool bpfix_pace_wait(struct bpfix_pace *p, __u64 records);

#endif /* BPFIX_PACE_H */
