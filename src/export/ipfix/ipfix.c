// SPDX-License-Identifier: GPL-2.0-only
/*
 * libfixbuf exporting process: information model, one session and fBuf per destination, template
 * refresh, flow records and statistics, each message handed whole to the destination's transport
 * (export/transport.h). Sending, retrying and counting what got through are the transports'; what
 * the templates hold is templates.c's. GError stays here: callers get negative errno values.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fixbuf/public.h>

#include "export/ipfix/ipfix.h"
#include "util/log.h"
#include "export/ipfix/stats_layout.h"
#include "export/ipfix/templates.h"

#define TID_TYPE_RECORDS 0x1003 /* RFC 5610 element type records, stream transports only */
#define MESSAGE_MAX 65535	/* RFC 7011 §3.1: the message length is 16 bits */

/*
 * A datagram transport (UDP) gets each message fixbuf encodes into msg in manual mode: fixbuf's
 * own UDP writer reports send errors as success. A stream transport (a file) gets what fixbuf
 * writes in automatic mode, the only mode that can write RFC 5610 type records, through fp and
 * stream_write(), which gathers each message in msg.
 *
 * Every flow record handed to a destination ends in exactly one of the transport's records_sent
 * and records_lost, or records_refused (records_in_message until its message goes out).
 */
struct destination {
	struct bpfix_transport *t; /* borrowed */
	fBuf_t *fbuf;		/* owns the session and the exporter */
	fbSession_t *session;
	fbExporter_t *exporter;
	FILE *fp;		/* stream: what fixbuf writes to */
	uint8_t *msg;		/* datagram: the message encoded; stream: the message gathered */
	size_t msg_held;	/* stream: octets of it gathered so far */
	bool pending;		/* something was written since the last message went out */
	bool templates_wanted;	/* at start, after statistics (t->want_templates: the transport) */
	bool templates_in_message; /* the message being built holds the templates (and no data) */
	bool emitted_templates;	/* so did the last message emitted */
	const struct bpfix_ipfix *x;
	gint64 templates_sent_us; /* g_get_monotonic_time(): host clock steps do not matter */
	__u64 messages_since_templates;

	__u64 records_in_message; /* flow records in the message being built */
	__u64 records_refused;	/* fixbuf did not take them (encoding or writing failed) */
	__u64 write_failures;	/* fixbuf refused to encode or write */
};

struct bpfix_ipfix {
	struct bpfix_ipfix_opts opts;
	fbInfoModel_t *model;
	fbInfoElement_t *elements;	/* ours, in the model */
	struct destination *dests;
	size_t n_dests;
	struct bpfix_export_totals stats; /* failures; records: the transports', see get_stats */
	__u64 init_ms;			/* when the exporting process started (epoch ms) */
};

/* A write to @d failed: said once per destination, then only counted; -EIO. */
static int write_failed(struct destination *d, GError **err, const char *what)
{
	if (!d->write_failures++)
		bpfix_err("%s (%s): %s; further failures are counted, not shown\n", what, d->t->name,
			  *err ? (*err)->message : "unknown fixbuf error");
	g_clear_error(err);
	return -EIO;
}

static int gerror_to_errno(GError **err, const char *what, const char *where)
{
	bpfix_err("%s (%s): %s\n", what, where, *err ? (*err)->message : "unknown fixbuf error");
	g_clear_error(err);
	return -EIO;
}

/* Flow templates in the flows' domain, statistics templates in theirs. */
static int add_templates(struct bpfix_ipfix *x, struct destination *d)
{
	GError *err = NULL;

	fbSessionSetDomain(d->session, x->opts.observation_domain);
	if (!bpfix_ipfix_add_flow_templates(x->model, d->session, &err) ||
	    !bpfix_ipfix_add_stats_templates(x->model, d->session, x->opts.observation_domain, &err))
		return gerror_to_errno(&err, "building the templates failed", d->t->name);
	return 0;
}

/* fixbuf exports them with every template export, so their template must be in every domain. */
static int add_type_records(struct bpfix_ipfix *x, struct destination *d)
{
	const uint32_t domains[] = { BPFIX_STATS_DOMAIN, x->opts.observation_domain };
	GError *err = NULL;
	size_t i;

	for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		fbSessionSetDomain(d->session, domains[i]);
		if (!fbSessionSetMetadataExportElements(d->session, TRUE, TID_TYPE_RECORDS, &err))
			return gerror_to_errno(&err, "enabling element type records failed", d->t->name);
	}
	return 0;
}

/* Length of the message whose first octets are gathered (at least its header's first four). */
static size_t gathered_length(const struct destination *d)
{
	size_t len = (size_t)d->msg[2] << 8 | d->msg[3];

	return len < 4 ? 4 : len;
}

/*
 * fixbuf writes a stream transport's messages through this: one fwrite() a message, which an
 * unbuffered stream passes on whole, but the octets are gathered by the length in each header all
 * the same and each message goes to the transport whole. fixbuf cuts these messages itself, so
 * which hold templates is not known here (a stream transport does not ask). A short count tells
 * stdio, and then fixbuf, that the write failed.
 */
static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
	struct destination *d = cookie;
	size_t done = 0, want, take;
	__u64 records;
	int rc;

	while (done < size) {
		want = d->msg_held < 4 ? 4 : gathered_length(d);
		take = size - done < want - d->msg_held ? size - done : want - d->msg_held;
		memcpy(d->msg + d->msg_held, buf + done, take);
		d->msg_held += take;
		done += take;
		if (d->msg_held < 4 || d->msg_held < gathered_length(d))
			continue;
		records = d->records_in_message;
		d->records_in_message = 0;
		d->templates_in_message = false;
		rc = d->t->ops->send(d->t, d->msg, d->msg_held, records, false);
		d->msg_held = 0;
		if (rc)
			return 0;
	}
	return done;
}

/* Our own FILE for fixbuf (unbuffered: a message reaches the transport when fixbuf writes it). */
static int open_stream(struct destination *d)
{
	static const cookie_io_functions_t io = { .write = stream_write };

	d->fp = fopencookie(d, "w", io);
	if (!d->fp)
		return -ENOMEM;
	setvbuf(d->fp, NULL, _IONBF, 0);
	return 0;
}

static int open_destination(struct bpfix_ipfix *x, struct destination *d,
			    struct bpfix_transport *t)
{
	int err;

	d->t = t;
	d->x = x;
	d->templates_wanted = true;
	d->msg = g_malloc(t->datagram ? t->max_message : MESSAGE_MAX);
	if (t->datagram) {
		d->exporter = fbExporterAllocBuffer(d->msg, (uint16_t)t->max_message);
	} else {
		err = open_stream(d);
		if (err)
			return err;
		d->exporter = fbExporterAllocFP(d->fp);
	}
	/* templates before the fBuf: added to a session with an exporter, fixbuf sends them at once */
	d->session = fbSessionAlloc(x->model);
	err = add_templates(x, d);
	/* streams carry RFC 5610 type records, so a decoder learns our elements from the file
	 * itself (fixbuf cannot write them in the manual mode datagrams use) */
	if (!err && !t->datagram)
		err = add_type_records(x, d);
	d->fbuf = fBufAllocForExport(d->session, d->exporter);
	if (t->datagram)
		fBufSetAutomaticMode(d->fbuf, FALSE);
	return err;
}

/*
 * Encode what is buffered as one message and hand it to the transport; 0 or a negative errno.
 * fixbuf writes a stream's message itself, through stream_write().
 */
static int emit(struct destination *d)
{
	GError *err = NULL;
	__u64 records = d->records_in_message;
	size_t len;
	int rc;

	/* the buffer exporter keeps the last message: emitting nothing must not send it again */
	if (!d->pending)
		return 0;
	d->pending = false;
	d->emitted_templates = d->templates_in_message;
	d->templates_in_message = false;
	if (!d->t->datagram) {
		if (!fBufEmit(d->fbuf, &err))
			return write_failed(d, &err, "encoding a message failed");
		return 0;
	}
	if (!fBufEmit(d->fbuf, &err)) {
		d->records_in_message = 0;
		d->t->ops->lost(d->t, 1, records, "fixbuf could not encode a message");
		return write_failed(d, &err, "encoding a message failed");
	}
	len = fbExporterGetMsgLen(d->exporter);
	if (!len)
		return 0;
	d->records_in_message = 0;
	rc = d->t->ops->send(d->t, d->msg, len, records, d->emitted_templates);
	if (!rc)
		d->messages_since_templates++;
	return rc;
}

static gboolean wrote(struct destination *d, gboolean ok)
{
	if (ok)
		d->pending = true;
	return ok;
}

/* Templates go first; a datagram receiver may have restarted or expired them (RFC 7011 §8.4). */
static bool templates_due(const struct bpfix_ipfix *x, const struct destination *d)
{
	if (d->templates_wanted || d->t->want_templates)
		return true;
	return d->t->datagram &&
	       (g_get_monotonic_time() - d->templates_sent_us >=
			(gint64)x->opts.template_refresh_s * G_USEC_PER_SEC ||
		d->messages_since_templates >= x->opts.template_refresh_messages);
}

/* The templates of the session's current domain; in a message of their own if this one is full. */
static int export_templates(struct destination *d)
{
	GError *err = NULL;
	gboolean ok = fbSessionExportTemplates(d->session, &err);

	if (!ok && g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM)) {
		g_clear_error(&err);
		emit(d);
		ok = fbSessionExportTemplates(d->session, &err);
	}
	if (!wrote(d, ok))
		return write_failed(d, &err, "sending templates failed");
	d->templates_wanted = d->t->want_templates = false;
	d->templates_in_message = true;
	d->templates_sent_us = g_get_monotonic_time();
	d->messages_since_templates = 0;
	return 0;
}

/*
 * A fixbuf write found the message full (FB_ERROR_EOM): send it and start the next, with the
 * templates first when they are due. fixbuf puts templates in a message of their own: the write
 * after them meets EOM once more, and this sends them. false for other errors.
 */
static bool room_for_more(struct destination *d, GError **err)
{
	if (!g_error_matches(*err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
		return false;
	g_clear_error(err);
	emit(d);
	if (!d->emitted_templates && templates_due(d->x, d))
		export_templates(d);
	return true;
}

/*
 * Append one record with the fBuf's templates. In manual mode a full message is sent and the
 * append tried again, at most twice (a message full, then the templates' own message); a message
 * that could not be sent is counted by emit().
 */
static gboolean append_record(struct destination *d, const void *rec, size_t len, GError **err)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		if (fBufAppend(d->fbuf, (uint8_t *)rec, len, err)) /* fixbuf only reads it */
			return wrote(d, TRUE);
		if (tries == 2 || !room_for_more(d, err))
			break;
	}
	return FALSE;
}

struct bpfix_ipfix *bpfix_ipfix__new(const struct bpfix_ipfix_opts *opts,
				     struct bpfix_transport *const *transports, size_t n)
{
	struct bpfix_ipfix *x = calloc(1, sizeof(*x));
	size_t i;
	int err;

	if (!x)
		return NULL;
	x->opts = *opts;
	x->init_ms = g_get_real_time() / 1000;
	x->model = fbInfoModelAlloc();
	x->elements = bpfix_ipfix_new_elements(opts->pen);
	fbInfoModelAddElementArray(x->model, x->elements);
	x->dests = calloc(n, sizeof(*x->dests));
	if (n && !x->dests) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		err = open_destination(x, &x->dests[x->n_dests++], transports[i]);
		if (err)
			goto fail;
	}
	return x;
fail:
	bpfix_ipfix__free(x);
	errno = -err;
	return NULL;
}

static int append_to(struct bpfix_ipfix *x, struct destination *d,
		     const struct bpfix_ipfix_flow *flow, uint16_t tid)
{
	GError *err = NULL;
	int rc;

	if (!d->t->ops->ready(d->t)) {
		d->t->ops->lost(d->t, 0, 1, NULL);
		return 0; /* counted for it; the record still goes to the others */
	}
	/* at a message's start: mid-message, room_for_more() sends them when the message is full */
	if (!d->pending && templates_due(x, d)) {
		rc = export_templates(d);
		if (rc) {
			d->records_refused++;
			return rc;
		}
	}
	if (!fBufSetInternalTemplate(d->fbuf, BPFIX_TID_MEMORY, &err) ||
	    !fBufSetExportTemplate(d->fbuf, tid, &err) ||
	    !append_record(d, flow, sizeof(*flow), &err)) {
		d->records_refused++;
		return write_failed(d, &err, "writing a record failed");
	}
	d->records_in_message++;
	return 0;
}

int bpfix_ipfix__append(struct bpfix_ipfix *x, const struct bpfix_record *rec)
{
	struct bpfix_ipfix_flow flow;
	uint16_t tid = bpfix_ipfix_template_id(rec);
	int err, first_err = 0;
	size_t i;

	bpfix_ipfix_to_memory_record(rec, &flow);
	for (i = 0; i < x->n_dests; i++) {
		err = append_to(x, &x->dests[i], &flow, tid);
		if (err) {
			x->stats.failures++;
			first_err = first_err ? first_err : err;
		}
	}
	return first_err;
}

static int append_stat(struct destination *d, uint16_t tid, const void *rec, size_t len)
{
	GError *err = NULL;

	if (!fBufSetInternalTemplate(d->fbuf, tid, &err) || !fBufSetExportTemplate(d->fbuf, tid, &err) ||
	    !append_record(d, rec, len, &err))
		return write_failed(d, &err, "writing statistics failed");
	return 0;
}

/*
 * Statistics in their own domain: flush the flows' message first (so the counts below include
 * it), come back after. The totals about sending are this destination's own.
 */
static int send_stats_to(struct bpfix_ipfix *x, struct destination *d,
			 const struct bpfix_export_stats *st)
{
	struct bpfix_ipfix_stats_summary summary;
	struct bpfix_ipfix_stats_counter counter = { .domain = x->opts.observation_domain };
	const char *name;
	size_t i;
	int err, rc;

	if (!d->t->ops->ready(d->t)) {
		d->t->ops->lost(d->t, 1, 0, NULL);
		return -EHOSTUNREACH;
	}
	rc = emit(d); /* a failure is counted; the statistics are still worth trying */
	bpfix_stats_summary_fill(&summary, st, d->t, d->records_refused,
				 x->opts.observation_domain, x->init_ms);
	fbSessionSetDomain(d->session, BPFIX_STATS_DOMAIN);
	err = export_templates(d);
	if (!err)
		err = append_stat(d, BPFIX_TID_STATS_SUMMARY, &summary, sizeof(summary));
	for (i = 0; i < st->n_counters && !err; i++) {
		name = st->counters[i].desc->ipfix_name;
		counter.name.buf = (uint8_t *)name;
		counter.name.len = strlen(name);
		counter.value = st->counters[i].value;
		err = append_stat(d, BPFIX_TID_STATS_COUNTER, &counter, sizeof(counter));
	}
	if (!err)
		err = emit(d);
	fbSessionSetDomain(d->session, x->opts.observation_domain);
	d->templates_wanted = true; /* the flows' domain gets its templates again before records */
	return rc ? rc : err;
}

int bpfix_ipfix__send_stats(struct bpfix_ipfix *x, const struct bpfix_export_stats *st)
{
	int err, rc = 0;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		err = send_stats_to(x, &x->dests[i], st);
		if (err) {
			x->stats.failures++;
			rc = rc ? rc : err;
		}
	}
	return rc;
}

int bpfix_ipfix__flush(struct bpfix_ipfix *x)
{
	int rc = 0, err;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		err = emit(&x->dests[i]);
		if (err) {
			x->stats.failures++;
			rc = rc ? rc : err;
		}
	}
	return rc;
}

int bpfix_ipfix__report_losses(const struct bpfix_ipfix *x)
{
	const struct destination *d;
	int rc = 0;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		d = &x->dests[i];
		if (bpfix_transport__report_losses(d->t))
			rc = -EIO;
		if (d->write_failures) {
			bpfix_err("%s: %llu write(s) failed: records in them are lost to it\n",
				  d->t->name, (unsigned long long)d->write_failures);
			rc = -EIO;
		}
	}
	return rc;
}

/*
 * A record counts as sent once its message is written whole (file) or taken by the socket
 * (UDP): what the transports say, not what fixbuf accepted. With several destinations, the
 * summary gives the most any destination took and the least any lost, exact for one destination
 * (each one's own losses are reported at the end and in its statistics records).
 */
void bpfix_ipfix__get_stats(const struct bpfix_ipfix *x, struct bpfix_export_totals *stats)
{
	__u64 sent = 0, lost = 0;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		const struct destination *d = &x->dests[i];
		__u64 d_lost = d->t->counters.records_lost + d->records_refused;

		sent = d->t->counters.records_sent > sent ? d->t->counters.records_sent : sent;
		lost = !i || d_lost < lost ? d_lost : lost;
	}
	*stats = x->stats;
	stats->records += sent;
	stats->records_lost += lost;
}

void bpfix_ipfix__free(struct bpfix_ipfix *x)
{
	struct destination *d;
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n_dests; i++) {
		d = &x->dests[i];
		if (d->fbuf)
			fBufFree(d->fbuf); /* frees session and exporter */
		else if (d->session)
			fbSessionFree(d->session);
		if (d->fp)
			fclose(d->fp); /* the transport keeps the file */
		g_free(d->msg);
	}
	free(x->dests);
	if (x->model)
		fbInfoModelFree(x->model);
	g_free(x->elements);
	free(x);
}
