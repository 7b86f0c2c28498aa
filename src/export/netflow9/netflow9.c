// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NetFlow v9 exporting process (RFC 3954) behind the record interface (export/encoder.h):
 * export packets built per destination, flow records in the flows' source id (the observation
 * domain), each template in a flowset of its own at the start of a packet when due (at start,
 * when the transport asks, every template_refresh_s seconds and template_refresh_messages
 * packets), the exporter statistics as an options record in source id 0 with their options
 * template. What the templates and records hold is fields.c's; sending and counting what got
 * through are the transports'.
 *
 * Collectors' traps (DESIGN §9) this keeps clear of: the header's count counts every record,
 * template records included (tshark stops at the count); the sequence number counts export
 * packets per source id (nfdump flags any step but 1); one options template per flowset, its
 * lengths in octets; no flowset of 4 octets or less (nfdump stops reading there); flowsets
 * padded to 4 octets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "export/encoder.h"
#include "export/netflow9/fields.h"
#include "util/log.h"

#define V9_VERSION 9
#define HEADER_LEN 20		  /* RFC 3954 §5.1 */
#define FLOWSET_HEADER_LEN 4	  /* id, length */
#define FLOWSET_TEMPLATES 0	  /* RFC 3954 §5.2 */
#define FLOWSET_OPTIONS_TEMPLATES 1 /* RFC 3954 §6.1 */

/* The export packet being built for one destination, and its sequence numbers. */
struct destination {
	struct bpfix_transport *t; /* borrowed */
	uint8_t *msg;		   /* t->max_message octets; the header is written last */
	size_t len;		   /* octets in it; 0: no packet begun */
	size_t flowset;		   /* offset of the open flowset's header; 0: none open */
	uint16_t flowset_id;
	uint16_t count;		   /* records in it, templates included: the header's count */
	__u64 flow_records;	   /* flow records in it */
	bool with_templates;	   /* it holds the flow templates */
	uint32_t sequence;	   /* export packets of the flows' source id so far */
	uint32_t stats_sequence;   /* ... of the statistics' source id */
	bool templates_wanted;	   /* at start (t->want_templates: the transport asks) */
	gint64 templates_sent_us;  /* g_get_monotonic_time() */
	__u64 packets_since_templates;
};

struct netflow9 {
	struct bpfix_ipfix_opts opts;
	const struct bpfix_export_clock *clock;
	struct bpfix_v9_templates templates;
	struct destination *dests;
	size_t n_dests;
	__u64 failures;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Pad the open flowset to 4 octets and write its length. */
static void close_flowset(struct destination *d)
{
	while (d->len % 4)
		d->msg[d->len++] = 0;
	if (d->flowset)
		put16(d->msg + d->flowset + 2, d->len - d->flowset);
	d->flowset = 0;
}

static void open_flowset(struct destination *d, uint16_t id)
{
	close_flowset(d);
	d->flowset = d->len;
	d->flowset_id = id;
	put16(d->msg + d->len, id);
	d->len += FLOWSET_HEADER_LEN;
}

/* Octets a record of @len needs in flowset @id: a new flowset (and padding) unless it is open. */
static size_t room_needed(const struct destination *d, uint16_t id, size_t len)
{
	if (d->flowset && d->flowset_id == id)
		return len;
	return 3 + FLOWSET_HEADER_LEN + len;
}

static void begin_packet(struct destination *d)
{
	d->len = HEADER_LEN;
	d->flowset = 0;
	d->count = 0;
	d->flow_records = 0;
	d->with_templates = false;
}

static void add_template(struct destination *d, uint16_t flowset_id,
			 const struct bpfix_v9_template *t)
{
	open_flowset(d, flowset_id);
	d->len += bpfix_v9_template_write(t, d->msg + d->len);
	d->count++;
	close_flowset(d);
}

/* Octets a template takes in a flowset of its own. */
static size_t template_flowset_len(const struct bpfix_v9_template *t)
{
	return FLOWSET_HEADER_LEN + (bpfix_v9_template_size(t) + 3) / 4 * 4;
}

static int flush_flows(struct netflow9 *nf, struct destination *d);

/*
 * The flow templates, each in a flowset of its own (pmacct and fastnetmon misread sets of two),
 * in as many packets as they need: the packet begun holds the last ones, and the records next.
 * A packet of them the transport loses asks for all of them again.
 */
static void add_flow_templates(struct netflow9 *nf, struct destination *d)
{
	const struct bpfix_v9_template *t;
	size_t i;

	d->templates_wanted = d->t->want_templates = false;
	for (i = 0; i < nf->templates.n_flows; i++) {
		t = &nf->templates.flows[i];
		if (d->len + template_flowset_len(t) > d->t->max_message) {
			flush_flows(nf, d); /* a failure asks for the templates again */
			begin_packet(d);
		}
		add_template(d, FLOWSET_TEMPLATES, t);
		d->with_templates = true;
	}
	d->templates_sent_us = g_get_monotonic_time();
	d->packets_since_templates = 0;
}

static void add_record(struct destination *d, const struct bpfix_v9_template *t,
		       const uint8_t *rec)
{
	if (!d->flowset || d->flowset_id != t->id)
		open_flowset(d, t->id);
	memcpy(d->msg + d->len, rec, t->record_len);
	d->len += t->record_len;
	d->count++;
}

/*
 * Finish the packet (header: count, uptime and time on the export clock, the source id's next
 * sequence number) and hand it to the transport; 0 or a negative errno (the transport counted
 * the loss). A packet handed over used its sequence number, taken or not: the collector sees
 * the gap.
 */
static int send_packet(struct netflow9 *nf, struct destination *d, uint32_t source_id,
		       uint32_t *sequence)
{
	__u64 now = bpfix_export_clock_now_ms(nf->clock), start = nf->clock->start_ms;
	int rc;

	close_flowset(d);
	put16(d->msg, V9_VERSION);
	put16(d->msg + 2, d->count);
	put32(d->msg + 4, (uint32_t)(now > start ? now - start : 0)); /* sysUptime, wraps */
	put32(d->msg + 8, (uint32_t)(now / 1000));		       /* unix_secs */
	put32(d->msg + 12, (*sequence)++);
	put32(d->msg + 16, source_id);
	rc = d->t->ops->send(d->t, d->msg, d->len, d->flow_records, d->with_templates);
	d->len = 0;
	return rc;
}

/* The flow packet begun, if any. */
static int flush_flows(struct netflow9 *nf, struct destination *d)
{
	int rc;

	if (!d->len)
		return 0;
	rc = send_packet(nf, d, nf->opts.observation_domain, &d->sequence);
	if (!rc)
		d->packets_since_templates++;
	return rc;
}

/* Templates go first; a datagram receiver may have restarted or expired them. */
static bool templates_due(const struct netflow9 *nf, const struct destination *d)
{
	return d->templates_wanted || d->t->want_templates ||
	       g_get_monotonic_time() - d->templates_sent_us >=
		       (gint64)nf->opts.template_refresh_s * G_USEC_PER_SEC ||
	       d->packets_since_templates >= nf->opts.template_refresh_messages;
}

/* Append @rec (a record of @t, encoded) to @d's packet: a full packet is sent first. */
static void append_to(struct netflow9 *nf, struct destination *d,
		      const struct bpfix_v9_template *t, const uint8_t *rec)
{
	if (!d->t->ops->ready(d->t)) {
		d->t->ops->lost(d->t, 0, 1, NULL); /* counted for it; the others still get it */
		return;
	}
	if (d->len && d->len + room_needed(d, t->id, t->record_len) > d->t->max_message)
		flush_flows(nf, d); /* a failure is counted by the transport */
	if (!d->len) {
		begin_packet(d);
		if (templates_due(nf, d))
			add_flow_templates(nf, d);
	}
	add_record(d, t, rec);
	d->flow_records++;
}

static int netflow9_append(void *process, const struct bpfix_record *rec)
{
	struct netflow9 *nf = process;
	const struct bpfix_v9_template *t = bpfix_v9_template_of(&nf->templates, rec);
	uint8_t wire[BPFIX_V9_MAX_FIELDS * 16];
	struct bpfix_ipfix_flow mem;
	size_t i;

	bpfix_ipfix_to_memory_record(rec, &mem);
	bpfix_v9_record_write(t, &mem, wire);
	for (i = 0; i < nf->n_dests; i++)
		append_to(nf, &nf->dests[i], t, wire);
	return 0;
}

/*
 * The statistics of @d's destination in a packet of their own, in source id 0 with their
 * options template: the flows' packet goes first, so the totals in the record include it.
 */
static int send_stats_to(struct netflow9 *nf, struct destination *d,
			 const struct bpfix_export_stats *st)
{
	const struct bpfix_v9_template *t = &nf->templates.stats;
	struct bpfix_ipfix_stats_summary summary;
	int flushed, rc;

	if (!d->t->ops->ready(d->t)) {
		d->t->ops->lost(d->t, 1, 0, NULL);
		return -EHOSTUNREACH;
	}
	flushed = flush_flows(nf, d);
	/* systemInitTimeMilliseconds: where sysUptime counts from, as a v9 collector computes it */
	bpfix_stats_summary_fill(&summary, st, d->t, 0, nf->opts.observation_domain,
				 nf->clock->start_ms);
	begin_packet(d);
	add_template(d, FLOWSET_OPTIONS_TEMPLATES, t);
	open_flowset(d, t->id);
	bpfix_v9_record_write(t, &summary, d->msg + d->len);
	d->len += t->record_len;
	d->count++;
	d->with_templates = true; /* its own: it can be read alone */
	rc = send_packet(nf, d, BPFIX_STATS_DOMAIN, &d->stats_sequence);
	return flushed ? flushed : rc;
}

static int netflow9_send_stats(void *process, const struct bpfix_export_stats *st)
{
	struct netflow9 *nf = process;
	int err, rc = 0;
	size_t i;

	for (i = 0; i < nf->n_dests; i++) {
		err = send_stats_to(nf, &nf->dests[i], st);
		if (err) {
			nf->failures++;
			rc = rc ? rc : err;
		}
	}
	return rc;
}

static int netflow9_flush(void *process)
{
	struct netflow9 *nf = process;
	int err, rc = 0;
	size_t i;

	for (i = 0; i < nf->n_dests; i++) {
		err = flush_flows(nf, &nf->dests[i]);
		if (err) {
			nf->failures++;
			rc = rc ? rc : err;
		}
	}
	return rc;
}

static int netflow9_report_losses(const void *process)
{
	const struct netflow9 *nf = process;
	int rc = 0;
	size_t i;

	for (i = 0; i < nf->n_dests; i++)
		if (bpfix_transport__report_losses(nf->dests[i].t))
			rc = -EIO;
	return rc;
}

/* As the IPFIX process counts: the most any destination took, the least any lost. */
static void netflow9_get_stats(const void *process, struct bpfix_export_totals *totals)
{
	const struct netflow9 *nf = process;
	const struct bpfix_transport_counters *c;
	size_t i;

	memset(totals, 0, sizeof(*totals));
	for (i = 0; i < nf->n_dests; i++) {
		c = &nf->dests[i].t->counters;
		if (c->records_sent > totals->records)
			totals->records = c->records_sent;
		if (!i || c->records_lost < totals->records_lost)
			totals->records_lost = c->records_lost;
	}
	totals->failures = nf->failures;
}

static void netflow9_free(void *process)
{
	struct netflow9 *nf = process;
	size_t i;

	if (!nf)
		return;
	for (i = 0; i < nf->n_dests; i++)
		g_free(nf->dests[i].msg);
	g_free(nf->dests);
	g_free(nf);
}

/* Octets a record takes in a flowset of its own, padding at most. */
static size_t record_flowset_len(const struct bpfix_v9_template *t)
{
	return FLOWSET_HEADER_LEN + (size_t)t->record_len + 3;
}

/* A packet must hold any one template, any one record, and the statistics' template and record. */
static int check_sizes(const struct netflow9 *nf, const struct bpfix_transport *t)
{
	const struct bpfix_v9_template *st = &nf->templates.stats, *ft;
	size_t i, need = template_flowset_len(st) + record_flowset_len(st);

	for (i = 0; i < nf->templates.n_flows; i++) {
		ft = &nf->templates.flows[i];
		need = MAX(need, MAX(template_flowset_len(ft), record_flowset_len(ft)));
	}
	need += HEADER_LEN;
	if (t->max_message >= need)
		return 0;
	bpfix_err("%s: NetFlow v9 packets of up to %zu octets cannot hold a template or a record "
		  "(%zu octets)\n", t->name, t->max_message, need);
	return -EMSGSIZE;
}

static void *netflow9_open(const struct bpfix_ipfix_opts *opts,
			   const struct bpfix_export_clock *clock,
			   struct bpfix_transport *const *transports, size_t n)
{
	struct netflow9 *nf = g_new0(struct netflow9, 1);
	struct destination *d;
	size_t i;
	int err;

	nf->opts = *opts;
	nf->clock = clock;
	nf->dests = g_new0(struct destination, n);
	err = bpfix_v9_templates_init(&nf->templates);
	for (i = 0; i < n && !err; i++) {
		d = &nf->dests[nf->n_dests++];
		d->t = transports[i];
		d->templates_wanted = true;
		err = check_sizes(nf, d->t);
		d->msg = g_malloc(d->t->max_message);
	}
	if (!err)
		return nf;
	netflow9_free(nf);
	errno = -err;
	return NULL;
}

const struct bpfix_encoder_ops bpfix_netflow9_encoder = {
	.proto = "NetFlow v9",
	.open = netflow9_open,
	.append = netflow9_append,
	.send_stats = netflow9_send_stats,
	.flush = netflow9_flush,
	.report_losses = netflow9_report_losses,
	.get_stats = netflow9_get_stats,
	.free = netflow9_free,
};
