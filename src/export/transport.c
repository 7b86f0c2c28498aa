// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every transport does alike: counting outcomes, closing, the loss report, setting the pace;
 * no I/O here.
 */
#include <errno.h>
#include <stdio.h>

#include "export/transport.h"
#include "util/log.h"

void bpfix_transport_count_sent(struct bpfix_transport *t, size_t len, __u64 records)
{
	t->counters.messages_sent++;
	t->counters.octets_sent += len;
	t->counters.records_sent += records;
}

void bpfix_transport_count_lost(struct bpfix_transport *t, __u64 messages, __u64 octets,
				__u64 records, const char *why)
{
	t->counters.messages_lost += messages;
	t->counters.octets_lost += octets;
	t->counters.records_lost += records;
	if (why)
		snprintf(t->why, sizeof(t->why), "%s", why);
}

void bpfix_transport__set_pace(struct bpfix_transport *t, __u32 rate, __u32 depth)
{
	bpfix_pace_init(&t->pace, t->datagram ? rate : 0, depth, &bpfix_pace_monotonic);
}

void bpfix_transport__set_pace_deadline(struct bpfix_transport *t, __u64 deadline_ns)
{
	t->pace.deadline_ns = deadline_ns;
}

__u64 bpfix_transport__room(const struct bpfix_transport *t, __u64 until_ns)
{
	const struct bpfix_pace_clock *clock = t->pace.clock;

	if (!bpfix_pace_on(&t->pace))
		return BPFIX_PACE_UNLIMITED;
	return bpfix_pace_room(&t->pace, clock->now_ns(clock->arg), until_ns);
}

void bpfix_transport__free(struct bpfix_transport *t)
{
	if (t)
		t->ops->close(t);
}

int bpfix_transport__report_losses(const struct bpfix_transport *t)
{
	const struct bpfix_transport_counters *c = &t->counters;

	if (!c->messages_lost && !c->records_lost)
		return 0;
	bpfix_err("%s: %llu %s message(s) with %llu flow record(s) could not be sent "
		  "(last failure: %s); %s Those records are lost to it\n", t->name,
		  (unsigned long long)c->messages_lost, t->proto,
		  (unsigned long long)c->records_lost, t->why, t->hint);
	return -EIO;
}
