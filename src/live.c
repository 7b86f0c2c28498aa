// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live loop: load, attach, sweep once a second, send statistics now and then, and on stop
 * detach first (no packet is metered after its flows are flushed), then flush everything. It
 * does not parse packets or talk IPFIX itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporter.h"
#include "kernel_engine.h"
#include "live.h"
#include "log.h"
#include "tc_attach.h"

#define NS_PER_S 1000000000ll

struct live {
	struct bpfix_kernel_engine *engine;
	struct bpfix_exporter *exporter;
	struct bpfix_tc_attachment **links;
	size_t n_links;
};

static __s64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: sample its epoch now, so NTP steps are followed. */
static __s64 monotonic_to_epoch(void)
{
	return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

static int attach_all(struct live *l, const struct bpfix_live_opts *opts)
{
	int in_fd = opts->ingress ? bpfix_kernel_engine__prog_fd(l->engine, false) : -1;
	int out_fd = opts->egress ? bpfix_kernel_engine__prog_fd(l->engine, true) : -1;
	size_t i;

	l->links = calloc(opts->n_interfaces, sizeof(*l->links));
	if (!l->links)
		return -ENOMEM;
	for (i = 0; i < opts->n_interfaces; i++) {
		l->links[i] = bpfix_tc_attach(opts->interfaces[i], in_fd, out_fd);
		if (!l->links[i])
			return -errno;
		l->n_links++;
	}
	return 0;
}

static int detach_all(struct live *l)
{
	int err, first = 0;

	while (l->n_links) {
		err = bpfix_tc_detach(l->links[--l->n_links]);
		first = first ? first : err;
	}
	free(l->links);
	l->links = NULL;
	return first;
}

static void sleep_until(__s64 deadline_ns, volatile sig_atomic_t *stop)
{
	struct timespec ts;

	ts.tv_sec = deadline_ns / NS_PER_S;
	ts.tv_nsec = deadline_ns % NS_PER_S;
	/* a signal ends the sleep early (EINTR); the loop then sees *stop */
	while (!*stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int run_loop(struct live *l, const struct bpfix_live_opts *opts, volatile sig_atomic_t *stop)
{
	__s64 next = clock_ns(CLOCK_MONOTONIC), next_stats = next + opts->stats_interval_s * NS_PER_S;
	bool with_stats;
	int err;

	while (!*stop) {
		next += NS_PER_S;
		sleep_until(next, stop);
		if (*stop)
			break;
		bpfix_exporter__set_clock_to_epoch(l->exporter, monotonic_to_epoch());
		err = bpfix_exporter__sweep(l->exporter, clock_ns(CLOCK_MONOTONIC));
		if (err)
			return err; /* the flow map cannot be read: nothing more can be metered */
		with_stats = clock_ns(CLOCK_MONOTONIC) >= next_stats;
		if (with_stats)
			next_stats += opts->stats_interval_s * NS_PER_S;
		/* failures are counted and reported at the end; metering goes on */
		bpfix_exporter__tick(l->exporter, with_stats);
	}
	return 0;
}

int bpfix_live_run(const struct bpfix_live_opts *opts, volatile sig_atomic_t *stop)
{
	struct bpfix_kernel_engine_opts engine_opts = {
		.max_flows = opts->max_flows,
		.gtpu_port = opts->gtpu_port,
	};
	struct bpfix_flow_table_opts table_opts = opts->table;
	struct live l = { 0 };
	int err, end_err, finish_err;
	size_t i;

	table_opts.clock_to_epoch_ns = monotonic_to_epoch();
	l.engine = bpfix_kernel_engine__open(&engine_opts);
	if (!l.engine)
		return -errno;
	/* interfaces before outputs: a wrong name leaves no output file behind */
	err = attach_all(&l, opts);
	if (err)
		goto out;
	l.exporter = bpfix_exporter__new(bpfix_kernel_engine__source(l.engine), &table_opts,
					 &opts->ipfix);
	if (!l.exporter) {
		err = -errno;
		goto out;
	}
	fprintf(stderr, "bpfix: metering");
	for (i = 0; i < opts->n_interfaces; i++)
		fprintf(stderr, " %s", opts->interfaces[i]);
	fprintf(stderr, " (%s%s%s); stop with SIGINT or SIGTERM\n", opts->ingress ? "ingress" : "",
		opts->ingress && opts->egress ? ", " : "", opts->egress ? "egress" : "");

	err = run_loop(&l, opts, stop);

	/* stop metering, then export all of it whatever failed before: forced end, statistics */
	end_err = detach_all(&l);
	bpfix_exporter__set_clock_to_epoch(l.exporter, monotonic_to_epoch());
	finish_err = bpfix_exporter__finish(l.exporter, NULL);
	err = err ? err : end_err ? end_err : finish_err;
out:
	detach_all(&l);
	bpfix_exporter__free(l.exporter);
	bpfix_kernel_engine__free(l.engine);
	return err;
}
