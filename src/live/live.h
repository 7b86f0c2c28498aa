/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live metering: the TC programs on real interfaces (names and globs, kept current as links come
 * and go), the flow map swept on the monotonic clock (converted to epoch per sweep), IPFIX out,
 * until asked to stop; then every flow is exported (forced end), the statistics sent, and the
 * interfaces left as they were. SIGHUP reloads, SIGUSR1 logs the statistics.
 */
#ifndef BPFIX_LIVE_H
#define BPFIX_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "flow/flow_table.h"
#include "export/ipfix/ipfix.h"
#include "live/iface_spec.h"
#include "live/tc_attach.h"
#include "util/log.h"

struct bpfix_live_opts {
	char *const *interfaces;	/* NAME-or-GLOB[:DIRECTION] */
	enum bpfix_hooks hooks;		/* of entries without their own */
	struct bpfix_tc_place place;
	__u32 max_flows;
	__u32 max_conns;	/* TCP handshakes tracked at once */
	__u16 gtpu_port;
	bool coarse_clock;	/* packets stamped with the coarse clock (--clock coarse) */
	struct bpfix_flow_table_opts table; /* timeouts; the clock fields are live's own */
	__u32 sweep_interval_s;
	__u32 stats_interval_s;	/* statistics records (and a log line) this often */
	const char *metrics;	/* Prometheus endpoint [ADDR:]PORT, or NULL */
	enum bpfix_log_level log_level; /* applied by the caller at start, by a reload after it */
	struct bpfix_ipfix_opts ipfix;
	void *owner;		/* what the strings above point into (struct bpfix_live_config) */
};

/* What the signal handlers set; the loop acts on them between sweeps. */
struct bpfix_live_signals {
	volatile sig_atomic_t stop;	 /* SIGINT, SIGTERM */
	volatile sig_atomic_t reload;	 /* SIGHUP */
	volatile sig_atomic_t log_stats; /* SIGUSR1 */
};

/* Where the run's configuration comes from, and how it is let go. */
struct bpfix_live_config {
	/*
	 * SIGHUP: fill @opts, its owner too, with the configuration read again; 0, or a negative
	 * errno after printing why (the running configuration is kept). NULL: no reload.
	 */
	int (*reread)(void *arg, struct bpfix_live_opts *opts);
	/* Free an owner: the one a reload replaced, or at the end the one in effect. */
	void (*release)(void *owner);
	void *arg;
};

/*
 * Runs until @sig->stop is set; takes @opts->owner and releases it (and every owner a reload
 * brings) through @config. 0, or a negative errno after printing why.
 */
int bpfix_live_run(const struct bpfix_live_opts *opts, struct bpfix_live_signals *sig,
		   const struct bpfix_live_config *config);

#endif /* BPFIX_LIVE_H */
