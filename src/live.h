/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live metering: the TC programs on real interfaces, the flow map swept every second on the
 * monotonic clock (converted to epoch per sweep), IPFIX out, until asked to stop; then every
 * flow is exported (forced end), the statistics sent, and the interfaces left as they were.
 */
#ifndef BPFIX_LIVE_H
#define BPFIX_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "flow_table.h"
#include "ipfix/ipfix.h"

struct bpfix_live_opts {
	char *const *interfaces;
	size_t n_interfaces;
	bool ingress;
	bool egress;
	__u32 max_flows;
	__u16 gtpu_port;
	struct bpfix_flow_table_opts table; /* timeouts; the clock fields are live's own */
	__u32 stats_interval_s;	/* statistics records this often */
	struct bpfix_ipfix_opts ipfix;
};

/* Runs until *@stop is set (by a signal handler). 0, or a negative errno after printing why. */
int bpfix_live_run(const struct bpfix_live_opts *opts, volatile sig_atomic_t *stop);

#endif /* BPFIX_LIVE_H */
