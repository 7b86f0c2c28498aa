// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow table + exporting processes (one per format: IPFIX, NetFlow v9) over their transports +
 * summary, in the order a run needs them; no metering, encoding or sending here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "export/collector_spec.h"
#include "export/encoder.h"
#include "export/exporter.h"
#include "export/transport.h"
#include "flow/summary.h"
#include "util/log.h"

static const struct bpfix_encoder_ops *const encoder_of[BPFIX_N_FORMATS] = {
	[BPFIX_FORMAT_IPFIX] = &bpfix_ipfix_encoder,
	[BPFIX_FORMAT_NETFLOW9] = &bpfix_netflow9_encoder,
};

/* An exporting process of one format, over its transports (a slice of struct process's). */
struct encoder {
	const struct bpfix_encoder_ops *ops;
	void *process;
};

/* The exporting processes of a configuration and every transport they send to. */
struct process {
	struct encoder encoders[BPFIX_N_FORMATS];
	size_t n_encoders;
	struct bpfix_transport **transports;
	size_t n_transports;
};

struct bpfix_exporter {
	struct bpfix_flow_source *source;
	struct bpfix_flow_table *table;
	struct process process;
	struct bpfix_ipfix_opts ipfix_opts; /* what it was made with: our own copy */
	struct bpfix_export_totals carried; /* the processes' (and paces') before a reload */
	struct bpfix_export_clock clock;
	gint64 started_us;	/* g_get_monotonic_time() when made: a replay's elapsed time */
};

__u64 bpfix_export_clock_now_ms(const struct bpfix_export_clock *c)
{
	return c->capture ? c->now_ms : (__u64)g_get_real_time() / 1000;
}

/* A copy of @o whose strings are the copy's own (the caller's may go with a reload). */
static struct bpfix_ipfix_opts copy_ipfix_opts(const struct bpfix_ipfix_opts *o)
{
	struct bpfix_ipfix_opts copy = *o;
	char **collectors = g_new0(char *, o->n_collectors + 1);
	size_t i;

	for (i = 0; i < o->n_collectors; i++)
		collectors[i] = g_strdup(o->collectors[i]);
	copy.collectors = (const char *const *)collectors;
	copy.output_path = g_strdup(o->output_path);
	return copy;
}

static void free_ipfix_opts(struct bpfix_ipfix_opts *o)
{
	g_strfreev((char **)o->collectors);
	g_free((char *)o->output_path);
	memset(o, 0, sizeof(*o));
}

static void close_process(struct process *p)
{
	size_t i;

	for (i = 0; i < p->n_encoders; i++)
		p->encoders[i].ops->free(p->encoders[i].process);
	for (i = 0; i < p->n_transports; i++)
		bpfix_transport__free(p->transports[i]);
	g_free(p->transports);
	memset(p, 0, sizeof(*p));
}

static bool keep(struct process *p, struct bpfix_transport *t)
{
	if (t)
		p->transports[p->n_transports++] = t;
	return t;
}

/* The transports of @format's destinations in @o (the file is IPFIX's); 0 or -errno. */
static int open_transports(struct process *p, const struct bpfix_ipfix_opts *o,
			   enum bpfix_export_format format)
{
	const char *proto = encoder_of[format]->proto, *hostport;
	enum bpfix_export_format f;
	size_t i;

	for (i = 0; i < o->n_collectors; i++) {
		hostport = bpfix_collector_spec_parse(o->collectors[i], &f);
		if (!hostport) {
			bpfix_err("collector '%s': unknown format (" BPFIX_COLLECTOR_SCHEMES ")\n",
				  o->collectors[i]);
			return -EINVAL;
		}
		if (f != format)
			continue;
		if (!keep(p, bpfix_udp_transport__new(hostport, proto)))
			return -errno;
		bpfix_transport__set_pace(p->transports[p->n_transports - 1], o->pace_rate,
					  o->pace_depth);
	}
	if (format == BPFIX_FORMAT_IPFIX && o->output_path &&
	    !keep(p, bpfix_file_transport__new(o->output_path, o->append_output, proto)))
		return -errno;
	return 0;
}

/*
 * The transports @o names and, for each format that has some, an exporting process over them;
 * 0 or a negative errno (printed).
 */
static int open_process(struct process *p, const struct bpfix_ipfix_opts *o,
			const struct bpfix_export_clock *clock)
{
	struct encoder *e;
	size_t first;
	int format, err = 0;

	memset(p, 0, sizeof(*p));
	p->transports = g_new0(struct bpfix_transport *, o->n_collectors + 1);
	for (format = 0; format < BPFIX_N_FORMATS && !err; format++) {
		first = p->n_transports;
		err = open_transports(p, o, format);
		if (err || p->n_transports == first)
			continue;
		e = &p->encoders[p->n_encoders++];
		e->ops = encoder_of[format];
		e->process = e->ops->open(o, clock, p->transports + first, p->n_transports - first);
		if (!e->process) {
			err = -errno;
			p->n_encoders--;
		}
	}
	if (err)
		close_process(p);
	return err;
}

/* Run @step on each process, all of them whatever fails: the first error. */
static int each_process(const struct process *p,
			int (*step)(const struct encoder *e, const void *arg), const void *arg)
{
	int err, first = 0;
	size_t i;

	for (i = 0; i < p->n_encoders; i++) {
		err = step(&p->encoders[i], arg);
		first = first ? first : err;
	}
	return first;
}

static int append_step(const struct encoder *e, const void *rec)
{
	return e->ops->append(e->process, rec);
}

static int stats_step(const struct encoder *e, const void *stats)
{
	return e->ops->send_stats(e->process, stats);
}

static int flush_step(const struct encoder *e, const void *unused)
{
	(void)unused;
	return e->ops->flush(e->process);
}

static int losses_step(const struct encoder *e, const void *unused)
{
	(void)unused;
	return e->ops->report_losses(e->process);
}

/* The flow table's sink (@arg: the exporter): every process gets every record. */
static int emit_record(const struct bpfix_record *rec, void *arg)
{
	return each_process(&((struct bpfix_exporter *)arg)->process, append_step, rec);
}

/* What the processes say of themselves, combined as each does for its destinations. */
static void process_totals(const struct process *p, struct bpfix_export_totals *totals)
{
	struct bpfix_export_totals one;
	size_t i;

	memset(totals, 0, sizeof(*totals));
	for (i = 0; i < p->n_encoders; i++) {
		p->encoders[i].ops->get_stats(p->encoders[i].process, &one);
		totals->records = one.records > totals->records ? one.records : totals->records;
		if (!i || one.records_lost < totals->records_lost)
			totals->records_lost = one.records_lost;
		totals->failures += one.failures;
	}
}

struct bpfix_exporter *bpfix_exporter__new(struct bpfix_flow_source *source,
					   const struct bpfix_flow_table_opts *table_opts,
					   const struct bpfix_ipfix_opts *ipfix_opts)
{
	struct bpfix_exporter *ex = calloc(1, sizeof(*ex));
	int err;

	if (!ex)
		return NULL;
	ex->source = source;
	ex->started_us = g_get_monotonic_time();
	ex->ipfix_opts = copy_ipfix_opts(ipfix_opts);
	ex->clock.start_ms = bpfix_export_clock_now_ms(&ex->clock);
	err = open_process(&ex->process, &ex->ipfix_opts, &ex->clock);
	if (err) {
		free_ipfix_opts(&ex->ipfix_opts);
		free(ex);
		errno = -err;
		return NULL;
	}
	ex->table = bpfix_flow_table__new(table_opts, source, emit_record, ex);
	if (!ex->table) {
		bpfix_exporter__free(ex);
		errno = ENOMEM;
		return NULL;
	}
	return ex;
}

int bpfix_exporter__sweep(struct bpfix_exporter *ex, __u64 now_ns)
{
	if (ex->clock.capture && now_ns / 1000000 > ex->clock.now_ms)
		ex->clock.now_ms = now_ns / 1000000;
	return bpfix_flow_table__sweep(ex->table, now_ns);
}

void bpfix_exporter__use_capture_clock(struct bpfix_exporter *ex, __u64 first_ns)
{
	ex->clock.capture = true;
	ex->clock.start_ms = ex->clock.now_ms = first_ns / 1000000;
}

int bpfix_exporter__sweep_paced(struct bpfix_exporter *ex, __u64 now_ns, __u64 until_ns)
{
	const struct process *p = &ex->process;
	__u64 budget = BPFIX_PACE_UNLIMITED, room;
	size_t i;

	for (i = 0; i < p->n_transports; i++) {
		room = bpfix_transport__room(p->transports[i], until_ns);
		budget = room < budget ? room : budget;
	}
	return bpfix_flow_table__sweep_within(ex->table, now_ns, budget);
}

void bpfix_exporter__set_pace_deadline(struct bpfix_exporter *ex, __u64 deadline_ns)
{
	size_t i;

	for (i = 0; i < ex->process.n_transports; i++)
		bpfix_transport__set_pace_deadline(ex->process.transports[i], deadline_ns);
}

void bpfix_exporter__set_clock_to_epoch(struct bpfix_exporter *ex, __s64 clock_to_epoch_ns)
{
	bpfix_flow_table__set_clock_to_epoch(ex->table, clock_to_epoch_ns);
}

/* What the paces of @p's transports did, added to @t. */
static void add_pacing(const struct process *p, struct bpfix_export_totals *t)
{
	size_t i;

	for (i = 0; i < p->n_transports; i++) {
		t->pace_held_ns += p->transports[i]->pace.held_ns;
		t->records_unpaced += p->transports[i]->pace.records_unpaced;
	}
}

static int collect(struct bpfix_exporter *ex, struct bpfix_summary *sum, const __u64 *frames_read,
		   bool final)
{
	struct bpfix_export_totals totals;

	process_totals(&ex->process, &totals);
	totals.records += ex->carried.records;
	totals.records_lost += ex->carried.records_lost;
	totals.failures += ex->carried.failures;
	totals.pace_held_ns = ex->carried.pace_held_ns;
	totals.records_unpaced = ex->carried.records_unpaced;
	add_pacing(&ex->process, &totals);
	return bpfix_summary_collect(sum, ex->source, ex->table, &totals, frames_read, final);
}

static int send_stats(struct bpfix_exporter *ex, const __u64 *frames_read, bool final)
{
	struct bpfix_summary sum;
	int err;

	err = collect(ex, &sum, frames_read, final);
	if (err)
		return err;
	if (final)
		bpfix_summary_print(&sum, stderr);
	if (final && frames_read) /* a replay: how fast it went, not a counter the collectors get */
		bpfix_summary_print_speed(stderr, *frames_read,
					  (__u64)(g_get_monotonic_time() - ex->started_us));
	if (final && sum.flows_peak)
		bpfix_warn("the flow map was full: flows were evicted before they ended (see the "
			   "summary); a sweep met up to %llu flows at once; give --max-flows ([flows] "
			   "max_flows) room above the flows alive at once\n",
			   (unsigned long long)sum.flows_peak);
	return each_process(&ex->process, stats_step, &sum.stats);
}

int bpfix_exporter__tick(struct bpfix_exporter *ex, bool with_stats)
{
	/* the sweep's records, then stats */
	int flushed = each_process(&ex->process, flush_step, NULL);
	int err = with_stats ? send_stats(ex, NULL, false) : 0;

	if (with_stats && !err)
		err = each_process(&ex->process, flush_step, NULL);
	return flushed ? flushed : err;
}

static void keep_first(int *first, int err)
{
	if (!*first)
		*first = err;
}

int bpfix_exporter__finish(struct bpfix_exporter *ex, const __u64 *frames_read)
{
	int err = bpfix_flow_table__flush(ex->table);

	/* records count as sent once out: the last ones go before the summary counts them */
	keep_first(&err, each_process(&ex->process, flush_step, NULL));
	/* the collector gets the summary too, as statistics records */
	keep_first(&err, send_stats(ex, frames_read, true));
	keep_first(&err, each_process(&ex->process, flush_step, NULL));
	keep_first(&err, each_process(&ex->process, losses_step, NULL));
	return err;
}

static bool same_strings(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static bool same_ipfix(const struct bpfix_ipfix_opts *a, const struct bpfix_ipfix_opts *b)
{
	return same_strings(a->collectors, a->n_collectors, b->collectors, b->n_collectors) &&
	       !g_strcmp0(a->output_path, b->output_path) &&
	       a->observation_domain == b->observation_domain &&
	       a->template_refresh_s == b->template_refresh_s &&
	       a->template_refresh_messages == b->template_refresh_messages && a->pen == b->pen &&
	       a->pace_rate == b->pace_rate && a->pace_depth == b->pace_depth;
}

int bpfix_exporter__reconfigure(struct bpfix_exporter *ex,
				const struct bpfix_flow_table_opts *table_opts,
				const struct bpfix_ipfix_opts *ipfix_opts)
{
	struct bpfix_export_totals was;
	struct bpfix_ipfix_opts next;
	struct process process;
	int err;

	if (same_ipfix(&ex->ipfix_opts, ipfix_opts)) {
		/* the same exporting process goes on: sessions, sequence numbers, file */
		bpfix_flow_table__set_timeouts(ex->table, table_opts);
		return 0;
	}
	/* the records already written to the same file stay: the new process appends */
	next = copy_ipfix_opts(ipfix_opts);
	next.append_output = ex->ipfix_opts.output_path && ipfix_opts->output_path &&
			     !strcmp(ex->ipfix_opts.output_path, ipfix_opts->output_path);
	err = open_process(&process, &next, &ex->clock);
	if (err) {
		free_ipfix_opts(&next);
		return err;
	}
	each_process(&ex->process, flush_step, NULL);
	each_process(&ex->process, losses_step, NULL);
	/* the new processes' totals go on from the old ones' */
	process_totals(&ex->process, &was);
	ex->carried.records += was.records;
	ex->carried.records_lost += was.records_lost;
	ex->carried.failures += was.failures;
	add_pacing(&ex->process, &ex->carried);
	close_process(&ex->process);
	ex->process = process;
	free_ipfix_opts(&ex->ipfix_opts);
	ex->ipfix_opts = next;
	bpfix_flow_table__set_timeouts(ex->table, table_opts);
	return 0;
}

int bpfix_exporter__collect(struct bpfix_exporter *ex, struct bpfix_summary *sum)
{
	return collect(ex, sum, NULL, false);
}

void bpfix_exporter__free(struct bpfix_exporter *ex)
{
	if (!ex)
		return;
	bpfix_flow_table__free(ex->table);
	close_process(&ex->process);
	free_ipfix_opts(&ex->ipfix_opts);
	free(ex);
}
