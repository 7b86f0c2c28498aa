// SPDX-License-Identifier: GPL-2.0-only
/*
 * libfixbuf exporting process: information model, one session and fBuf per destination, template
 * refresh, flow records and statistics, each message handed whole to the destination's transport
 * (export/transport.h). Sending, retrying and counting what got through are the transports'; what
 * the templates hold is templates.c's; what each destination took and lost, losses.c's. GError
 * stays here: callers get negative errno values.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fixbuf/public.h>

#include "export/encoder.h"
#include "export/ipfix/ipfix.h"
#include "export/ipfix/process.h"
#include "util/log.h"
#include "export/ipfix/stats_layout.h"
#include "export/ipfix/templates.h"

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

/*
 * The export time of @d's next message: the exporter's clock (a replay's messages carry capture
 * time, as NetFlow v9's do), or 0, fixbuf's wall clock when the message starts. fixbuf stamps a
 * message when it starts it, so this is set before anything is written.
 */
static void stamp_next_message(struct destination *d)
{
	const struct bpfix_export_clock *c = d->x->clock;

	fBufSetExportTime(d->fbuf, c->capture ? (uint32_t)(bpfix_export_clock_now_ms(c) / 1000) : 0);
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
	bool templates;
	size_t len;
	int rc;

	templates = d->templates_in_message;
	d->templates_in_message = false;
	/* the buffer exporter keeps the last message: emitting nothing must not send it again */
	if (!d->pending)
		return 0;
	d->pending = false;
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
	rc = d->t->ops->send(d->t, d->msg, len, records, templates);
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

/*
 * One template in a set of its own (pmacct 1.7.7 and fastnetmon 1.2.4 misread a set holding two
 * options templates). fixbuf puts templates exported one after another in one set, but closes
 * the set when the fBuf's export template changes: set to this template first, it starts a new
 * set in the same message. A message that must end first (full, or data before it) is sent.
 */
static int export_template(struct destination *d, uint16_t tid)
{
	GError *err = NULL;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (fBufSetExportTemplate(d->fbuf, tid, &err) &&
		    fbSessionExportTemplate(d->session, tid, &err)) {
			wrote(d, TRUE);
			d->templates_in_message = true;
			return 0;
		}
		if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			break;
		g_clear_error(&err);
		emit(d);
	}
	return write_failed(d, &err, "sending templates failed");
}

/* One RFC 5610 type record; a message that ends first (after its template, or full) is sent. */
static int export_type_record(struct destination *d, const fbInfoElement_t *ie)
{
	GError *err = NULL;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (fbInfoElementWriteOptionsRecord(d->fbuf, ie, BPFIX_TID_TYPE_RECORDS,
						    BPFIX_TID_TYPE_RECORDS, &err)) {
			wrote(d, TRUE);
			return 0;
		}
		if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			break;
		g_clear_error(&err);
		d->templates_in_message = true;
		emit(d);
	}
	return write_failed(d, &err, "sending element type records failed");
}

/*
 * RFC 5610 type records of our enterprise elements, so a decoder without our element file names
 * and sizes them (IANA ones get none: fixbuf's collectors drop type records of enterprise 0).
 * They go in the statistics' domain: the exporting process's own (RFC 7011 §3.1), and nfdump
 * counts options records in the flows' domain as sequence errors.
 */
static int export_type_records(struct destination *d)
{
	const fbInfoElement_t *ie;
	int rc;

	fbSessionSetDomain(d->session, BPFIX_STATS_DOMAIN);
	rc = export_template(d, BPFIX_TID_TYPE_RECORDS);
	emit(d); /* fixbuf sends data after templates in a message of its own */
	for (ie = d->x->elements; ie->ref.name && !rc && !d->t->want_templates; ie++)
		if (ie->ent)
			rc = export_type_record(d, ie);
	d->templates_in_message = true;
	emit(d);
	return rc;
}

/*
 * The templates of the session's current domain, after the type records of the elements they
 * use, at a message boundary, sent. Stops at a message the transport lost: it wants them all
 * again, and holds data back until they get through. It changes the fBuf's templates.
 */
static int export_templates(struct destination *d)
{
	uint32_t domain = fbSessionGetDomain(d->session);
	uint16_t tids[BPFIX_MAX_EXTERNAL];
	size_t i, n = bpfix_ipfix_external_tids(domain == BPFIX_STATS_DOMAIN, tids);
	size_t octets, used = 0; /* of templates in the message being built */
	int rc;

	d->templates_wanted = d->t->want_templates = false; /* a loss from here sets it again */
	rc = export_type_records(d);
	fbSessionSetDomain(d->session, domain);
	for (i = 0; i < n && !rc && !d->t->want_templates; i++) {
		/* a datagram goes before it is full: fixbuf 2.4.1 leaves an empty set where a
		 * template did not fit (nfdump stops reading a message at a set of 4 octets);
		 * a file's messages (65496 octets) hold them all */
		octets = bpfix_ipfix_template_octets(d->session, tids[i]);
		if (d->t->datagram && used && MESSAGE_HEADER + used + octets > d->t->max_message) {
			emit(d);
			used = 0;
		}
		rc = export_template(d, tids[i]);
		used += octets;
	}
	emit(d);
	if (rc)
		d->templates_wanted = true;
	d->templates_sent_us = g_get_monotonic_time();
	d->messages_since_templates = 0;
	return rc;
}

/*
 * A fixbuf write found the message full (FB_ERROR_EOM): send it and start the next, with the
 * templates first when they are due. After templates fixbuf ends the (empty) message once more
 * before data: nothing to send or refresh then. false for other errors.
 */
static bool room_for_more(struct destination *d, GError **err)
{
	bool full = d->pending;

	if (!g_error_matches(*err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
		return false;
	g_clear_error(err);
	emit(d);
	if (full && templates_due(d->x, d))
		export_templates(d);
	return true;
}

/*
 * Append one record, in memory as template @int_tid, on the wire as @ext_tid. In manual mode a
 * full message is sent and the append tried again, at most twice (a message full, then the
 * templates' own message); a message that could not be sent is counted by emit().
 */
static gboolean append_record(struct destination *d, uint16_t int_tid, uint16_t ext_tid,
			      const void *rec, size_t len, GError **err)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		/* each time: a template refresh in between writes type records with its own */
		if (!fBufSetInternalTemplate(d->fbuf, int_tid, err) ||
		    !fBufSetExportTemplate(d->fbuf, ext_tid, err))
			break;
		if (fBufAppend(d->fbuf, (uint8_t *)rec, len, err)) /* fixbuf only reads it */
			return wrote(d, TRUE);
		if (tries == 2 || !room_for_more(d, err))
			break;
	}
	return FALSE;
}

struct bpfix_ipfix *bpfix_ipfix__new(const struct bpfix_ipfix_opts *opts,
				     const struct bpfix_export_clock *clock,
				     struct bpfix_transport *const *transports, size_t n)
{
	struct bpfix_ipfix *x = calloc(1, sizeof(*x));
	size_t i;
	int err;

	if (!x)
		return NULL;
	x->opts = *opts;
	x->clock = clock;
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

/* @fn for each destination; a failure is counted, the rest still go: the first error. */
static int each_destination(struct bpfix_ipfix *x,
			    int (*fn)(struct bpfix_ipfix *x, struct destination *d, const void *arg),
			    const void *arg)
{
	int err, first_err = 0;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		err = fn(x, &x->dests[i], arg);
		if (err) {
			x->stats.failures++;
			first_err = first_err ? first_err : err;
		}
	}
	return first_err;
}

/* A flow record as fixbuf reads it, with the template it goes out in. */
struct flow_to_append {
	struct bpfix_ipfix_flow flow;
	uint16_t tid;
};

static int append_to(struct bpfix_ipfix *x, struct destination *d, const void *arg)
{
	const struct flow_to_append *f = arg;
	GError *err = NULL;
	int rc;

	if (!d->t->ops->ready(d->t)) {
		d->t->ops->lost(d->t, 0, 1, NULL);
		return 0; /* counted for it; the record still goes to the others */
	}
	stamp_next_message(d);
	/* at a message's start: mid-message, room_for_more() sends them when the message is full */
	if (!d->pending && templates_due(x, d)) {
		rc = export_templates(d);
		if (rc) {
			d->records_refused++;
			return rc;
		}
	}
	if (!append_record(d, BPFIX_TID_MEMORY, f->tid, &f->flow, sizeof(f->flow), &err)) {
		d->records_refused++;
		return write_failed(d, &err, "writing a record failed");
	}
	d->records_in_message++;
	return 0;
}

int bpfix_ipfix__append(struct bpfix_ipfix *x, const struct bpfix_record *rec)
{
	struct flow_to_append f; /* no initializer: the conversion zeroes the record first */

	f.tid = bpfix_ipfix_template_id(rec);
	bpfix_ipfix_to_memory_record(rec, &f.flow);
	return each_destination(x, append_to, &f);
}

static int append_stat(struct destination *d, uint16_t tid, const void *rec, size_t len)
{
	GError *err = NULL;

	if (!append_record(d, tid, tid, rec, len, &err))
		return write_failed(d, &err, "writing statistics failed");
	return 0;
}

/*
 * Statistics in their own domain: flush the flows' message and send the templates first (so the
 * counts below include them), come back after. The totals about sending are this destination's
 * own.
 */
static int send_stats_to(struct bpfix_ipfix *x, struct destination *d, const void *arg)
{
	const struct bpfix_export_stats *st = arg;
	struct bpfix_ipfix_stats_summary summary;
	struct bpfix_ipfix_stats_counter counter = { .domain = x->opts.observation_domain };
	size_t i;
	int err, rc;

	if (!d->t->ops->ready(d->t)) {
		d->t->ops->lost(d->t, 1, 0, NULL);
		return -EHOSTUNREACH;
	}
	stamp_next_message(d);
	rc = emit(d); /* a failure is counted; the statistics are still worth trying */
	fbSessionSetDomain(d->session, BPFIX_STATS_DOMAIN);
	err = export_templates(d);
	/* what it took before the message this record goes in (the templates went out first) */
	bpfix_stats_summary_fill(&summary, st, d->t, d->records_refused,
				 x->opts.observation_domain, x->clock->start_ms);
	if (!err)
		err = append_stat(d, BPFIX_TID_STATS_SUMMARY, &summary, sizeof(summary));
	for (i = 0; i < st->n_counters && !err; i++) {
		memset(counter.name, 0, sizeof(counter.name));
		strncpy(counter.name, st->counters[i].desc->ipfix_name, sizeof(counter.name) - 1);
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
	return each_destination(x, send_stats_to, st);
}

static int flush_to(struct bpfix_ipfix *x, struct destination *d, const void *arg)
{
	(void)x, (void)arg;
	return emit(d);
}

int bpfix_ipfix__flush(struct bpfix_ipfix *x)
{
	return each_destination(x, flush_to, NULL);
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
