/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Offline replay: captures through a metering engine, swept on capture time, into the IPFIX
 * exporting process, then a summary. Capture time is the only clock, so a replay is repeatable.
 */
#ifndef BPFIX_REPLAY_H
#define BPFIX_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "meter/meter.h"
#include "flow/flow_table.h"
#include "export/ipfix/ipfix.h"

/* What the signal handlers set; the replay acts on them between packets. */
struct bpfix_replay_signals {
	volatile sig_atomic_t stop;	/* SIGINT, SIGTERM: stop reading, export what was metered */
	volatile sig_atomic_t progress; /* SIGUSR1: say how far the replay is, go on */
};

struct bpfix_replay_opts {
	char *const *pcaps;
	size_t n_pcaps;
	struct bpfix_ipfix_opts ipfix;
	struct bpfix_flow_table_opts table; /* timeouts; the clock fields are replay's own */
	__u32 max_flows;
	__u32 max_conns;	/* TCP handshakes tracked at once */
	__u16 gtpu_port;	/* UDP port decapsulated as GTP-U, 0 for none */
	enum bpfix_engine_kind engine;
	struct bpfix_replay_signals *signals; /* or NULL */
	bool quiet;		/* no progress line, even on a terminal */
};

/*
 * 0, or a negative errno after printing why (-EINTR: stopped by a signal); what was metered is
 * exported either way.
 */
int bpfix_replay_run(const struct bpfix_replay_opts *opts);
/* Whether the output file is one of the captures (it would be overwritten); printed if so. */
bool bpfix_replay_output_is_input(const struct bpfix_replay_opts *opts);

#endif /* BPFIX_REPLAY_H */
