// SPDX-License-Identifier: GPL-2.0-only
/*
 * libfixbuf exporting process: information model, one session and fBuf per destination (a
 * connected UDP socket we send on, or a file), template refresh, records and statistics. What
 * the templates hold is templates.c's. GError stays here: callers get negative errno values.
 */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "ipfix.h"
#include "log.h"
#include "stats_layout.h"
#include "templates.h"

#define TID_TYPE_RECORDS 0x1003 /* RFC 5610 element type records, files only */
#define UDP_MESSAGE_MAX 1400	    /* IPFIX message octets: fits a 1500-octet path with headers */

/*
 * A UDP collector has its own connected socket: fixbuf encodes each message into udp_msg (manual
 * mode) and we send it, because fixbuf's own UDP transport reports send errors as success.
 */
struct destination {
	char *name;		/* for messages: "collector 127.0.0.1:4739" or "file x.ipfix" */
	fBuf_t *fbuf;		/* owns the session and the exporter */
	fbSession_t *session;
	fbExporter_t *exporter;
	int udp_fd;		/* -1 for a file */
	int send_errno;		/* last send failure */
	bool pending;		/* something was written since the last message went out */
	__u64 write_failures;	/* fixbuf refused to encode or write (file full, ...) */
	__u64 messages_lost;
	__u64 records_in_message;	/* flow records in the message being built */
	__u64 records_lost;		/* flow records in messages that could not be sent */
	bool templates_wanted;	/* at start, after statistics, after a failed send */
	gint64 templates_sent_us; /* g_get_monotonic_time(): host clock steps do not matter */
	__u64 messages_since_templates;
	uint8_t udp_msg[UDP_MESSAGE_MAX];
};

struct bpfix_ipfix {
	struct bpfix_ipfix_opts opts;
	fbInfoModel_t *model;
	fbInfoElement_t *elements;	/* ours, in the model */
	struct destination *dests;
	size_t n_dests;
	struct bpfix_ipfix_stats stats;
};

/* A write to @d failed: said once per destination, then only counted; -EIO. */
static int write_failed(struct destination *d, GError **err, const char *what)
{
	if (!d->write_failures++)
		bpfix_err("%s (%s): %s; further failures are counted, not shown\n", what, d->name,
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

int bpfix_split_hostport(const char *spec, char *host, size_t host_len, char *port,
			 size_t port_len)
{
	const char *colon, *host_start = spec, *host_end;

	if (spec[0] == '[') {
		host_start = spec + 1;
		host_end = strchr(spec, ']');
		if (!host_end || host_end[1] != ':')
			return -EINVAL;
		colon = host_end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || strchr(spec, ':') != colon)
			return -EINVAL; /* bare IPv6 addresses need brackets */
		host_end = colon;
	}
	if (host_end == host_start || (size_t)(host_end - host_start) >= host_len ||
	    !colon[1] || strlen(colon + 1) >= port_len || strspn(colon + 1, "0123456789") !=
	    strlen(colon + 1) || atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)
		return -EINVAL;
	memcpy(host, host_start, host_end - host_start);
	host[host_end - host_start] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* Flow templates in the flows' domain, statistics templates in theirs. */
static int add_templates(struct bpfix_ipfix *x, struct destination *d)
{
	GError *err = NULL;

	fbSessionSetDomain(d->session, x->opts.observation_domain);
	if (!bpfix_ipfix_add_flow_templates(x->model, d->session, &err) ||
	    !bpfix_ipfix_add_stats_templates(x->model, d->session, x->opts.observation_domain, &err))
		return gerror_to_errno(&err, "building the templates failed", d->name);
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
			return gerror_to_errno(&err, "enabling element type records failed", d->name);
	}
	return 0;
}

/* A connected UDP socket: send() then reports what the network says (ICMP unreachable). */
static int connect_udp(const char *collector, int *fd)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *ai;
	char host[256], port[8];
	int rc;

	if (bpfix_split_hostport(collector, host, sizeof(host), port, sizeof(port))) {
		bpfix_err("collector '%s' is not HOST:PORT (IPv6: [ADDR]:PORT, port 1-65535)\n",
			  collector);
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		bpfix_err("collector %s: cannot resolve '%s': %s\n", collector, host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	rc = -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		*fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (*fd < 0)
			continue;
		if (!connect(*fd, ai->ai_addr, ai->ai_addrlen)) {
			rc = 0;
			break;
		}
		rc = -errno;
		close(*fd);
		*fd = -1;
	}
	freeaddrinfo(res);
	if (rc)
		bpfix_err("collector %s: no usable address: %s\n", collector, strerror(-rc));
	return rc;
}

static int open_destination(struct bpfix_ipfix *x, struct destination *d, const char *collector,
			    const char *path)
{
	int err;

	d->udp_fd = -1;
	d->templates_wanted = true;
	if (collector) {
		d->name = g_strdup_printf("collector %s", collector);
		err = connect_udp(collector, &d->udp_fd);
		if (err)
			return err;
		d->exporter = fbExporterAllocBuffer(d->udp_msg, sizeof(d->udp_msg));
	} else {
		d->name = g_strdup_printf("file %s", path);
		d->exporter = fbExporterAllocFile(path);
	}
	/* templates before the fBuf: added to a session with an exporter, fixbuf sends them at once */
	d->session = fbSessionAlloc(x->model);
	err = add_templates(x, d);
	/* files carry RFC 5610 type records, so a decoder learns our elements from the file itself
	 * (fixbuf cannot write them in the manual mode UDP uses) */
	if (!err && d->udp_fd < 0)
		err = add_type_records(x, d);
	d->fbuf = fBufAllocForExport(d->session, d->exporter);
	if (d->udp_fd >= 0)
		fBufSetAutomaticMode(d->fbuf, FALSE);
	return err;
}

/* Encode what is buffered as one message and, for UDP, send it. */
static int emit(struct destination *d)
{
	GError *err = NULL;
	size_t len;

	/* the buffer exporter keeps the last message: emitting nothing must not send it again */
	if (!d->pending)
		return 0;
	d->pending = false;
	if (!fBufEmit(d->fbuf, &err))
		return write_failed(d, &err, "encoding a message failed");
	if (d->udp_fd < 0)
		return 0;
	len = fbExporterGetMsgLen(d->exporter);
	if (!len)
		return 0;
	if (send(d->udp_fd, d->udp_msg, len, 0) != (ssize_t)len) {
		d->send_errno = errno;
		d->messages_lost++;
		d->records_lost += d->records_in_message;
		d->records_in_message = 0;
		return -errno;
	}
	d->records_in_message = 0;
	d->messages_since_templates++;
	return 0;
}

static gboolean wrote(struct destination *d, gboolean ok)
{
	if (ok)
		d->pending = true;
	return ok;
}

/*
 * Run a fixbuf write; in manual mode a full message is sent and the write tried once more. A
 * message that could not be sent is counted by emit(): the write still goes into the next one.
 */
#define WITH_ROOM(d, call, err)                                                              \
	wrote(d, (call) || (g_error_matches(*(err), FB_ERROR_DOMAIN, FB_ERROR_EOM) &&       \
			    (g_clear_error(err), emit(d), (call))))

struct bpfix_ipfix *bpfix_ipfix__new(const struct bpfix_ipfix_opts *opts)
{
	struct bpfix_ipfix *x = calloc(1, sizeof(*x));
	size_t i;
	int err;

	if (!x)
		return NULL;
	x->opts = *opts;
	x->model = fbInfoModelAlloc();
	x->elements = bpfix_ipfix_new_elements(opts->pen);
	fbInfoModelAddElementArray(x->model, x->elements);
	x->dests = calloc(opts->n_collectors + 1, sizeof(*x->dests));
	if (!x->dests) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i <= opts->n_collectors; i++)
		x->dests[i].udp_fd = -1;
	for (i = 0; i < opts->n_collectors; i++) {
		err = open_destination(x, &x->dests[x->n_dests++], opts->collectors[i], NULL);
		if (err)
			goto fail;
	}
	if (opts->output_path) {
		/* fixbuf opens the file at once: check here so the message names the cause */
		FILE *probe = fopen(opts->output_path, "wb");

		if (!probe) {
			err = -errno;
			bpfix_err("cannot write IPFIX file %s: %s\n", opts->output_path,
				  strerror(errno));
			goto fail;
		}
		fclose(probe);
		err = open_destination(x, &x->dests[x->n_dests++], NULL, opts->output_path);
		if (err)
			goto fail;
	}
	return x;
fail:
	bpfix_ipfix__free(x);
	errno = -err;
	return NULL;
}

static int export_templates(struct destination *d)
{
	GError *err = NULL;

	if (!WITH_ROOM(d, fbSessionExportTemplates(d->session, &err), &err))
		return write_failed(d, &err, "sending templates failed");
	d->templates_wanted = false;
	d->templates_sent_us = g_get_monotonic_time();
	d->messages_since_templates = 0;
	return 0;
}

/* Templates go first; UDP collectors may also have restarted or expired them (RFC 7011 §8.4). */
static bool templates_due(const struct bpfix_ipfix *x, const struct destination *d)
{
	if (d->templates_wanted)
		return true;
	return d->udp_fd >= 0 &&
	       (g_get_monotonic_time() - d->templates_sent_us >=
			(gint64)x->opts.template_refresh_s * G_USEC_PER_SEC ||
		d->messages_since_templates >= x->opts.template_refresh_messages);
}

static int append_to(struct bpfix_ipfix *x, struct destination *d,
		     const struct bpfix_ipfix_flow *flow, uint16_t tid)
{
	GError *err = NULL;
	int rc;

	if (templates_due(x, d)) {
		rc = export_templates(d);
		if (rc)
			return rc;
	}
	if (!fBufSetInternalTemplate(d->fbuf, BPFIX_TID_MEMORY, &err) ||
	    !fBufSetExportTemplate(d->fbuf, tid, &err) ||
	    !WITH_ROOM(d, fBufAppend(d->fbuf, (uint8_t *)flow, sizeof(*flow), &err), &err))
		return write_failed(d, &err, "writing a record failed");
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
	if (!first_err)
		x->stats.records++;
	return first_err;
}

static int append_stat(struct destination *d, uint16_t tid, void *rec, size_t len)
{
	GError *err = NULL;

	if (!fBufSetInternalTemplate(d->fbuf, tid, &err) || !fBufSetExportTemplate(d->fbuf, tid, &err) ||
	    !WITH_ROOM(d, fBufAppend(d->fbuf, rec, len, &err), &err))
		return write_failed(d, &err, "writing statistics failed");
	return 0;
}

/* Statistics in their own domain: flush the flows' message first, come back after. */
static int send_stats_to(struct bpfix_ipfix *x, struct destination *d,
			 const struct bpfix_export_stats *st)
{
	struct bpfix_ipfix_stats_summary summary = {
		.domain = x->opts.observation_domain,
		.packets_seen = st->packets_seen,
		.packets_not_metered = st->packets_not_metered,
		.flows_observed = st->flows_observed,
		.records_exported = st->records_exported,
		.records_not_sent = st->records_not_sent,
		.packets_lost = st->packets_lost,
	};
	struct bpfix_ipfix_stats_counter counter = { .domain = x->opts.observation_domain };
	size_t i;
	int err;

	err = emit(d);
	if (err)
		return err;
	fbSessionSetDomain(d->session, BPFIX_STATS_DOMAIN);
	err = export_templates(d);
	if (!err)
		err = append_stat(d, BPFIX_TID_STATS_SUMMARY, &summary, sizeof(summary));
	for (i = 0; i < st->n_counters && !err; i++) {
		counter.name.buf = (uint8_t *)st->counters[i].name;
		counter.name.len = strlen(st->counters[i].name);
		counter.value = st->counters[i].value;
		err = append_stat(d, BPFIX_TID_STATS_COUNTER, &counter, sizeof(counter));
	}
	if (!err)
		err = emit(d);
	fbSessionSetDomain(d->session, x->opts.observation_domain);
	d->templates_wanted = true; /* the flows' domain gets its templates again before records */
	return err;
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

int bpfix_ipfix_emit(const struct bpfix_record *rec, void *arg)
{
	return bpfix_ipfix__append(arg, rec);
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
		if (d->messages_lost) {
			bpfix_err("%s: %llu IPFIX message(s) with %llu flow record(s) could not be sent "
				  "(%s); is the collector running and reachable? Those records are lost "
				  "to it\n", d->name, (unsigned long long)d->messages_lost,
				  (unsigned long long)d->records_lost, strerror(d->send_errno));
			rc = -EIO;
		}
		if (d->write_failures) {
			bpfix_err("%s: %llu write(s) failed: records in them are lost to it\n",
				  d->name, (unsigned long long)d->write_failures);
			rc = -EIO;
		}
	}
	return rc;
}

void bpfix_ipfix__get_stats(const struct bpfix_ipfix *x, struct bpfix_ipfix_stats *stats)
{
	*stats = x->stats;
}

void bpfix_ipfix__free(struct bpfix_ipfix *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n_dests; i++) {
		if (x->dests[i].fbuf)
			fBufFree(x->dests[i].fbuf); /* frees session and exporter, closes the file */
		else if (x->dests[i].session)
			fbSessionFree(x->dests[i].session);
		if (x->dests[i].udp_fd >= 0)
			close(x->dests[i].udp_fd);
		g_free(x->dests[i].name);
	}
	free(x->dests);
	if (x->model)
		fbInfoModelFree(x->model);
	g_free(x->elements);
	free(x);
}
