// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay driver: reads frames, runs them through a meter (meter.h), sweeps the flow table each
 * time capture time enters a new second, and at the end exports every flow left. It owns the
 * pieces it creates and frees them in reverse order; it does not parse packets itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "meter/meter.h"
#include "export/exporter.h"
#include "util/log.h"
#include "replay/pcap_reader.h"
#include "replay/progress.h"
#include "replay/replay.h"

#define NS_PER_S 1000000000ull
#define PROGRESS_FRAMES 1024 /* the clock is looked at once in so many packets */

struct replay {
	struct bpfix_meter meter;
	struct bpfix_exporter *exporter;
	struct bpfix_replay_signals *signals;
	const char *capture; /* the one being read */
	size_t index, n_captures;
	struct bpfix_progress progress;
	__u64 frames;
	__u64 last_ns;
	__u64 swept_second;
	int have_time;
};

static int replay_frame(struct replay *r, const struct bpfix_frame *f)
{
	__u64 second = f->tstamp_ns / NS_PER_S;
	int err;

	r->frames++;
	if (!r->have_time) {
		r->have_time = 1;
		r->swept_second = second;
		bpfix_exporter__use_capture_clock(r->exporter, f->tstamp_ns);
	}
	if (second > r->swept_second) {
		r->swept_second = second;
		err = bpfix_exporter__sweep(r->exporter, f->tstamp_ns);
		if (err)
			return err;
	}
	if (f->tstamp_ns > r->last_ns)
		r->last_ns = f->tstamp_ns;
	return r->meter.ops->run_frame(r->meter.ctx, f);
}

/* Between packets: a stop ends the reading (the flows are still exported), progress goes on. */
static int check_signals(struct replay *r)
{
	struct bpfix_replay_signals *sig = r->signals;

	if (sig->progress) {
		sig->progress = 0;
		bpfix_info("replay: %llu packets read; reading %s, capture time %llu.%03llu s\n",
			   (unsigned long long)r->frames, r->capture,
			   (unsigned long long)(r->last_ns / NS_PER_S),
			   (unsigned long long)(r->last_ns % NS_PER_S / 1000000));
	}
	if (sig->stop) {
		bpfix_err("replay stopped by a signal after %llu packets, in %s; what was metered is "
			  "exported\n", (unsigned long long)r->frames, r->capture);
		return -EINTR;
	}
	return 0;
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NS_PER_S + (__u64)ts.tv_nsec;
}

/* The progress line, when one is due. */
static void show_progress(struct replay *r, const struct bpfix_pcap_reader *reader)
{
	struct bpfix_flow_source *source = r->meter.ops->source(r->meter.ctx);
	struct bpfix_progress_state st = {
		.frames = r->frames,
		.capture = r->capture,
		.index = r->index,
		.n = r->n_captures,
	};
	__u64 counters[BPFIX_CNT_MAX], now = monotonic_ns();

	if (!bpfix_progress_due(&r->progress, now))
		return;
	if (!source->ops->read_counters(source->ctx, counters))
		st.flows = counters[BPFIX_CNT_FLOWS_CREATED];
	bpfix_pcap_reader__position(reader, &st.read, &st.size);
	bpfix_progress_show(&r->progress, &st, now);
}

static int replay_file(struct replay *r, struct bpfix_pcap_reader *reader)
{
	struct bpfix_frame frame;
	int rc;

	while ((rc = bpfix_pcap_reader__next(reader, &frame)) == 1) {
		rc = replay_frame(r, &frame);
		if (r->progress.on && !(r->frames % PROGRESS_FRAMES))
			show_progress(r, reader);
		if (!rc && r->signals && (r->signals->stop || r->signals->progress))
			rc = check_signals(r);
		if (rc)
			break;
	}
	/* a signal while the reader waited on an idle pipe is acted on here at the latest */
	if (!rc && r->signals)
		rc = check_signals(r);
	return rc;
}

static void close_captures(struct bpfix_pcap_reader **readers, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bpfix_pcap_reader__free(readers[i]);
	free(readers);
}

/*
 * Every capture opened before anything is loaded: one that cannot be read fails the run first.
 * Each is opened once, so pipes and stdin ("-") work.
 */
static struct bpfix_pcap_reader **open_captures(const struct bpfix_replay_opts *opts)
{
	struct bpfix_pcap_reader **readers = calloc(opts->n_pcaps, sizeof(*readers));
	size_t i;
	int err;

	if (!readers)
		return NULL;
	for (i = 0; i < opts->n_pcaps; i++) {
		readers[i] = bpfix_pcap_reader__open(opts->pcaps[i]);
		if (!readers[i]) {
			err = errno;
			close_captures(readers, i);
			errno = err;
			return NULL;
		}
	}
	return readers;
}

int bpfix_replay_run(const struct bpfix_replay_opts *opts)
{
	struct bpfix_meter_opts meter_opts = {
		.kind = opts->engine,
		.max_flows = opts->max_flows,
		.max_conns = opts->max_conns,
		.gtpu_port = opts->gtpu_port,
	};
	struct bpfix_flow_table_opts table_opts = opts->table;
	struct bpfix_pcap_reader **readers;
	struct replay r = { 0 };
	int err = 0, end_err;
	size_t i;

	table_opts.clock_to_epoch_ns = 0; /* replay's clock is capture time, already epoch */
	readers = open_captures(opts);
	if (!readers)
		return -errno;
	/* the meter first: if it cannot load, no output file is started */
	err = bpfix_meter_open(&r.meter, &meter_opts);
	if (err)
		goto out;
	r.exporter = bpfix_exporter__new(r.meter.ops->source(r.meter.ctx), &table_opts,
					 &opts->ipfix);
	if (!r.exporter) {
		err = -errno;
		goto out;
	}
	r.signals = opts->signals;
	r.n_captures = opts->n_pcaps;
	bpfix_progress_start(&r.progress, !opts->quiet && isatty(STDERR_FILENO), monotonic_ns());
	for (i = 0; i < opts->n_pcaps && !err; i++) {
		r.capture = opts->pcaps[i];
		r.index = i;
		err = replay_file(&r, readers[i]);
	}
	bpfix_progress_end(&r.progress);

	/* whatever happened, export what was metered: flows ended by now, then the rest */
	end_err = bpfix_exporter__sweep(r.exporter, r.last_ns);
	if (!end_err)
		end_err = bpfix_exporter__finish(r.exporter, &r.frames);
	err = err ? err : end_err;
out:
	close_captures(readers, opts->n_pcaps);
	bpfix_exporter__free(r.exporter);
	bpfix_meter_close(&r.meter);
	return err;
}

bool bpfix_replay_output_is_input(const struct bpfix_replay_opts *opts)
{
	const char *out = opts->ipfix.output_path;
	struct stat o, c;
	size_t i;

	if (!out || stat(out, &o))
		return false; /* a file that does not exist yet is no capture */
	for (i = 0; i < opts->n_pcaps; i++) {
		if (!stat(opts->pcaps[i], &c) && c.st_dev == o.st_dev && c.st_ino == o.st_ino) {
			bpfix_err("the output file %s is the capture %s: writing it would destroy the "
				  "capture; name another output file\n", out, opts->pcaps[i]);
			return true;
		}
	}
	return false;
}
