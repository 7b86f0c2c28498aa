// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow table + IPFIX process over its transports + summary, in the order a run needs them; no
 * metering, encoding or sending here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "export/exporter.h"
#include "export/transport.h"
#include "flow/summary.h"
#include "util/log.h"

#define PROTO "IPFIX" /* what the transports carry, for their messages to people */

/* An IPFIX process with the transports it sends to (collectors first, then the file). */
struct process {
	struct bpfix_ipfix *ipfix;
	struct bpfix_transport **transports;
	size_t n_transports;
};

struct bpfix_exporter {
	struct bpfix_flow_source *source;
	struct bpfix_flow_table *table;
	struct process process;
	struct bpfix_ipfix_opts ipfix_opts; /* what it was made with: our own copy */
	struct bpfix_export_totals paced_before; /* pacing of the processes a reload replaced */
};

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

	bpfix_ipfix__free(p->ipfix);
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

/* The transports @o names and an IPFIX process over them; 0 or a negative errno (printed). */
static int open_process(struct process *p, const struct bpfix_ipfix_opts *o)
{
	size_t i;
	int err;

	memset(p, 0, sizeof(*p));
	p->transports = g_new0(struct bpfix_transport *, o->n_collectors + 1);
	for (i = 0; i < o->n_collectors; i++) {
		if (!keep(p, bpfix_udp_transport__new(o->collectors[i], PROTO)))
			goto fail;
		bpfix_transport__set_pace(p->transports[i], o->pace_rate, o->pace_depth);
	}
	if (o->output_path &&
	    !keep(p, bpfix_file_transport__new(o->output_path, o->append_output, PROTO)))
		goto fail;
	p->ipfix = bpfix_ipfix__new(o, p->transports, p->n_transports);
	if (p->ipfix)
		return 0;
fail:
	err = -errno;
	close_process(p);
	return err;
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
	ex->ipfix_opts = copy_ipfix_opts(ipfix_opts);
	err = open_process(&ex->process, &ex->ipfix_opts);
	if (err) {
		free_ipfix_opts(&ex->ipfix_opts);
		free(ex);
		errno = -err;
		return NULL;
	}
	ex->table = bpfix_flow_table__new(table_opts, source, bpfix_ipfix_emit, ex->process.ipfix);
	if (!ex->table) {
		bpfix_exporter__free(ex);
		errno = ENOMEM;
		return NULL;
	}
	return ex;
}

int bpfix_exporter__sweep(struct bpfix_exporter *ex, __u64 now_ns)
{
	return bpfix_flow_table__sweep(ex->table, now_ns);
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

	bpfix_ipfix__get_stats(ex->process.ipfix, &totals);
	totals.pace_held_ns = ex->paced_before.pace_held_ns;
	totals.records_unpaced = ex->paced_before.records_unpaced;
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
	if (final && sum.flows_peak)
		bpfix_warn("the flow map was full: flows were evicted before they ended (see the "
			   "summary); a sweep met up to %llu flows at once; give --max-flows ([flows] "
			   "max_flows) room above the flows alive at once\n",
			   (unsigned long long)sum.flows_peak);
	return bpfix_ipfix__send_stats(ex->process.ipfix, &sum.stats);
}

int bpfix_exporter__tick(struct bpfix_exporter *ex, bool with_stats)
{
	int flushed = bpfix_ipfix__flush(ex->process.ipfix); /* the sweep's records, then stats */
	int err = with_stats ? send_stats(ex, NULL, false) : 0;

	if (with_stats && !err)
		err = bpfix_ipfix__flush(ex->process.ipfix);
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
	keep_first(&err, bpfix_ipfix__flush(ex->process.ipfix));
	/* the collector gets the summary too, as statistics records */
	keep_first(&err, send_stats(ex, frames_read, true));
	keep_first(&err, bpfix_ipfix__flush(ex->process.ipfix));
	keep_first(&err, bpfix_ipfix__report_losses(ex->process.ipfix));
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
	err = open_process(&process, &next);
	if (err) {
		free_ipfix_opts(&next);
		return err;
	}
	bpfix_ipfix__carry_stats(process.ipfix, ex->process.ipfix);
	bpfix_ipfix__flush(ex->process.ipfix);
	bpfix_ipfix__report_losses(ex->process.ipfix);
	add_pacing(&ex->process, &ex->paced_before);
	close_process(&ex->process);
	ex->process = process;
	free_ipfix_opts(&ex->ipfix_opts);
	ex->ipfix_opts = next;
	bpfix_flow_table__set_sink(ex->table, bpfix_ipfix_emit, process.ipfix);
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
