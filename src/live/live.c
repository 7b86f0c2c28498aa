// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live loop: load, attach, sweep every sweep interval (ending no more flows than the
 * collectors' pace lets out by the next one), send statistics now and then, follow link events,
 * act on signals; on stop detach first (no packet is metered after its flows are flushed), then
 * flush everything. It does not parse packets or talk IPFIX itself.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "export/exporter.h"
#include "live/iface_set.h"
#include "meter/bpf_loader.h"
#include "meter/kernel_source.h"
#include "live/live.h"
#include "util/log.h"
#include "live/metrics.h"

#define NS_PER_S 1000000000ll
/*
 * At the end, the export waits for the collectors' pace at most this long; the rest goes at once
 * (counted): systemd's stop timeout in contrib/ and Kubernetes' grace period are 30 s, and what
 * is still unsent when they kill bpfix is lost for good.
 */
#define FINAL_PACE_NS (20 * NS_PER_S)

struct live {
	struct bpfix_live_opts opts; /* the running configuration */
	sigset_t wait_mask;	     /* the signals unblocked only while waiting (ppoll) */
	struct bpfix_bpf *bpf;
	struct bpfix_kernel_source *source;
	struct bpfix_iface_set *ifaces;
	struct bpfix_exporter *exporter;
	struct bpfix_metrics *metrics;
	gchar *metrics_listen;	     /* the endpoint in effect (a reload cannot move it) */
	const struct bpfix_live_config *config;
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

/*
 * The flow notices are collected this often between sweeps: the ring holds about one notice per
 * 8 flows of the map, so a burst of new flows within one sweep interval would fill it (and cost a
 * full walk); ten collections a second let it take ten times that.
 */
#define NOTICE_COLLECT_NS (NS_PER_S / 10)

/* Until @deadline_ns, handle link events and collect notices; a signal ends the wait early. */
static void wait_until(struct live *l, __s64 deadline_ns, struct bpfix_live_signals *sig)
{
	struct pollfd pfd = { .fd = bpfix_iface_set__fd(l->ifaces), .events = POLLIN };
	struct timespec ts;
	__s64 left;

	/* the signals are blocked but while ppoll waits: one cannot slip in before the wait */
	while (!sig->stop && !sig->reload && !sig->log_stats) {
		left = deadline_ns - clock_ns(CLOCK_MONOTONIC);
		if (left <= 0)
			return;
		if (left > NOTICE_COLLECT_NS)
			left = NOTICE_COLLECT_NS;
		ts.tv_sec = left / NS_PER_S;
		ts.tv_nsec = left % NS_PER_S;
		if (ppoll(&pfd, 1, &ts, &l->wait_mask) > 0)
			bpfix_iface_set__handle_events(l->ifaces);
		/* a failure here is the sweep's to see: its drain reads the same ring */
		bpfix_kernel_source__collect_notices(l->source);
	}
}

/* The statistics to the log, and to the metrics endpoint if there is one. */
static void publish(struct live *l, bool to_log)
{
	struct bpfix_summary sum;

	if (bpfix_exporter__collect(l->exporter, &sum))
		return;
	if (to_log)
		bpfix_summary_log(&sum);
	if (l->metrics)
		bpfix_metrics__publish(l->metrics, &sum);
}

static bool same_place(const struct bpfix_tc_place *a, const struct bpfix_tc_place *b)
{
	return a->handle == b->handle && a->priority == b->priority;
}

/* What a reload cannot change while the program and its map are loaded. */
static void warn_fixed(const struct live *l, const struct bpfix_live_opts *next)
{
	const struct bpfix_live_opts *now = &l->opts;

	if (now->max_flows != next->max_flows)
		bpfix_warn("reload: max_flows stays %u until bpfix is restarted\n", now->max_flows);
	if (now->max_conns != next->max_conns)
		bpfix_warn("reload: max_connections stays %u until bpfix is restarted\n",
			   now->max_conns);
	if (now->gtpu_port != next->gtpu_port)
		bpfix_warn("reload: the GTP-U port stays %u until bpfix is restarted\n",
			   now->gtpu_port);
	if (now->coarse_clock != next->coarse_clock)
		bpfix_warn("reload: the clock stays %s until bpfix is restarted\n",
			   now->coarse_clock ? "coarse" : "precise");
	if (!same_place(&now->place, &next->place))
		bpfix_warn("reload: tc_handle and tc_priority stay as they are until bpfix is "
			   "restarted\n");
	if (g_strcmp0(l->metrics_listen, next->metrics))
		bpfix_warn("reload: the metrics endpoint stays as it is until bpfix is restarted\n");
}

/* SIGHUP: everything of the new configuration, or nothing of it. */
static void reload(struct live *l)
{
	struct bpfix_live_opts next = { 0 }; /* owner NULL until a reread fills it */
	int err;

	if (!l->config->reread) {
		bpfix_warn("SIGHUP: no config file to reload (bpfix run -c FILE)\n");
		return;
	}
	err = l->config->reread(l->config->arg, &next);
	if (!err) {
		err = bpfix_iface_set__update(l->ifaces, next.interfaces, next.hooks);
		if (!err)
			err = bpfix_exporter__reconfigure(l->exporter, &next.table, &next.ipfix);
		if (err) /* put the interfaces back as they were */
			bpfix_iface_set__update(l->ifaces, l->opts.interfaces, l->opts.hooks);
	}
	if (err) {
		if (next.owner)
			l->config->release(next.owner);
		bpfix_err("reload failed; the running configuration stays in effect\n");
		return;
	}
	bpfix_log_init(next.log_level);
	warn_fixed(l, &next);
	next.max_flows = l->opts.max_flows;
	next.max_conns = l->opts.max_conns;
	next.gtpu_port = l->opts.gtpu_port;
	next.coarse_clock = l->opts.coarse_clock;
	next.place = l->opts.place;
	l->config->release(l->opts.owner);
	l->opts = next;
	bpfix_info("configuration reloaded\n");
}

/*
 * A sweep ends only what the collectors' pace lets out before the next one (the rest stays in the
 * map, still counting), and its export waits for the pace at most one interval more: what does
 * not fit by then (flows held as long as they may be) goes at once, counted.
 */
static int paced_sweep(struct live *l, __s64 interval)
{
	__s64 now = clock_ns(CLOCK_MONOTONIC);

	bpfix_exporter__set_pace_deadline(l->exporter, (__u64)(now + 2 * interval));
	return bpfix_exporter__sweep_paced(l->exporter, (__u64)now, (__u64)(now + interval));
}

static int run_loop(struct live *l, struct bpfix_live_signals *sig)
{
	__s64 next = clock_ns(CLOCK_MONOTONIC) + l->opts.sweep_interval_s * NS_PER_S, now, interval;
	__s64 next_stats = next + l->opts.stats_interval_s * NS_PER_S;
	bool with_stats;
	int err;

	while (!sig->stop) {
		wait_until(l, next, sig);
		if (sig->stop)
			break;
		if (sig->reload) {
			sig->reload = 0;
			reload(l);
		}
		if (sig->log_stats) {
			sig->log_stats = 0;
			publish(l, true);
		}
		now = clock_ns(CLOCK_MONOTONIC);
		if (now < next)
			continue; /* woken early by a signal: the sweep is not due yet */
		interval = l->opts.sweep_interval_s * NS_PER_S; /* a reload may change it */
		next += interval;
		if (next < now) /* the pace held the last sweep past this one's time: go on from now */
			next = now;
		bpfix_exporter__set_clock_to_epoch(l->exporter, monotonic_to_epoch());
		err = paced_sweep(l, interval);
		if (err)
			return err; /* the flow map cannot be read: nothing more can be metered */
		with_stats = clock_ns(CLOCK_MONOTONIC) >= next_stats;
		if (with_stats)
			next_stats += l->opts.stats_interval_s * NS_PER_S;
		/* failures are counted and reported at the end; metering goes on */
		bpfix_exporter__tick(l->exporter, with_stats);
		publish(l, with_stats);
	}
	return 0;
}

int bpfix_live_run(const struct bpfix_live_opts *opts, struct bpfix_live_signals *sig,
		   const struct bpfix_live_config *config)
{
	struct bpfix_bpf_opts bpf_opts = {
		.max_flows = opts->max_flows,
		.max_conns = opts->max_conns,
		.gtpu_port = opts->gtpu_port,
		.coarse_clock = opts->coarse_clock,
	};
	struct bpfix_flow_table_opts table_opts = opts->table;
	struct bpfix_iface_set_opts iface_opts = {
		.entries = opts->interfaces,
		.default_hooks = opts->hooks,
		.place = opts->place,
	};
	struct live l = { .opts = *opts, .config = config };
	int err, end_err, finish_err;
	sigset_t handled;

	/* before any thread starts (metrics): they inherit the mask, signals come to ppoll */
	sigemptyset(&handled);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGHUP);
	sigaddset(&handled, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &handled, &l.wait_mask);
	table_opts.clock_to_epoch_ns = monotonic_to_epoch();
	l.bpf = bpfix_bpf__load(&bpf_opts);
	if (l.bpf)
		l.source = bpfix_kernel_source__new(l.bpf);
	if (!l.source) {
		err = -errno;
		goto out;
	}
	iface_opts.ingress_fd = bpfix_bpf__prog_fd(l.bpf, false);
	iface_opts.egress_fd = bpfix_bpf__prog_fd(l.bpf, true);
	/* the metrics port and interfaces before outputs: a wrong one leaves nothing behind */
	if (opts->metrics) {
		l.metrics_listen = g_strdup(opts->metrics);
		l.metrics = bpfix_metrics__start(opts->metrics);
		if (!l.metrics) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	}
	l.ifaces = bpfix_iface_set__new(&iface_opts);
	if (!l.ifaces) {
		err = -errno;
		goto out;
	}
	l.exporter = bpfix_exporter__new(bpfix_kernel_source__source(l.source), &table_opts,
					 &opts->ipfix);
	if (!l.exporter) {
		err = -errno;
		goto out;
	}
	bpfix_info("running; stop with SIGINT or SIGTERM, reload with SIGHUP, statistics with "
		   "SIGUSR1\n");
	publish(&l, false);

	err = run_loop(&l, sig);

	/* stop metering, then export all of it whatever failed before: forced end, statistics */
	end_err = bpfix_iface_set__free(l.ifaces);
	l.ifaces = NULL;
	bpfix_exporter__set_clock_to_epoch(l.exporter, monotonic_to_epoch());
	bpfix_exporter__set_pace_deadline(l.exporter, (__u64)(clock_ns(CLOCK_MONOTONIC) +
							     FINAL_PACE_NS));
	finish_err = bpfix_exporter__finish(l.exporter, NULL);
	err = err ? err : end_err ? end_err : finish_err;
out:
	bpfix_iface_set__free(l.ifaces);
	bpfix_metrics__stop(l.metrics);
	g_free(l.metrics_listen);
	bpfix_exporter__free(l.exporter);
	bpfix_kernel_source__free(l.source);
	bpfix_bpf__free(l.bpf);
	if (l.opts.owner) /* last: the exporter borrowed its strings */
		config->release(l.opts.owner);
	pthread_sigmask(SIG_SETMASK, &l.wait_mask, NULL);
	return err;
}
