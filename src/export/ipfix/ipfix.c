// SPDX-License-Identifier: GPL-2.0-only
/*
 * libfixbuf exporting process: information model, one session and fBuf per destination (a
 * connected UDP socket we send on, or a file), template refresh, records and statistics. What
 * the templates hold is templates.c's. GError stays here: callers get negative errno values.
 */
#define _GNU_SOURCE /* fopencookie, getaddrinfo_a */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "export/ipfix/ipfix.h"
#include "util/hostport.h"
#include "util/log.h"
#include "export/ipfix/stats_layout.h"
#include "export/ipfix/templates.h"

#define TID_TYPE_RECORDS 0x1003 /* RFC 5610 element type records, files only */
#define UDP_MESSAGE_MAX 1400	    /* IPFIX message octets: fits a 1500-octet path with headers */
#define WARN_INTERVAL_US (10 * G_USEC_PER_SEC) /* a failing collector: a line at most this often */
#define RETRY_US (10 * G_USEC_PER_SEC)	/* resolve/connect a collector not reachable at start */

/* A collector's name being resolved in the background: the sweep never waits for DNS. */
struct lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char host[256];
	char port[8];
};

/*
 * A UDP collector has its own connected socket: fixbuf encodes each message into udp_msg (manual
 * mode) and we send it, because fixbuf's own UDP transport reports send errors as success. A
 * file is written by fixbuf through file_write(), which counts what reaches it.
 *
 * Every flow record handed to a destination ends in exactly one of records_sent, records_lost
 * and records_refused (records_in_message until its message goes out).
 */
struct destination {
	char *name;		/* for messages: "collector 127.0.0.1:4739" or "file x.ipfix" */
	const char *collector;	/* "HOST:PORT"; NULL for a file */
	fBuf_t *fbuf;		/* owns the session and the exporter */
	fbSession_t *session;
	fbExporter_t *exporter;
	int fd;			/* the connected UDP socket (-1 until connected), or the file */
	FILE *fp;		/* file: what fixbuf writes to */
	struct sockaddr_storage local; /* our end of the UDP socket: the exporter address */
	struct lookup *lookup;	/* a resolution running in the background */
	gint64 retry_us;	/* not connected: no new attempt before this (monotonic) */
	bool pending;		/* something was written since the last message went out */
	bool templates_wanted;	/* at start, after statistics, after a failed send */
	bool resync;		/* a message was lost: data waits until templates get through */
	bool templates_in_message; /* the message being built holds the templates (and no data) */
	bool emitted_templates;	/* so did the last message emitted */
	const struct bpfix_ipfix *x;
	gint64 templates_sent_us; /* g_get_monotonic_time(): host clock steps do not matter */
	__u64 messages_since_templates;

	__u64 records_in_message; /* UDP: flow records in the message being built */
	__u64 records_sent;	/* UDP: in messages sent (and not refused); file: taken by fixbuf */
	__u64 records_lost;	/* in messages not sent or refused, or meant for it while unresolved */
	__u64 records_refused;	/* fixbuf did not take them (encoding or writing failed) */
	__u64 messages_sent;	/* messages (octets) the socket took, less those refused, or */
	__u64 octets_sent;	/* that reached the file */
	__u64 messages_lost;
	__u64 write_failures;	/* fixbuf refused to encode or write (file full, ...) */
	struct {		/* the last message sent: an ICMP error may still land on it */
		size_t len;
		__u64 records;
		bool open;
	} last;

	char why[320];		/* the last failure, for people */
	bool failing;		/* since the last failure, nothing was accepted */
	bool announced;		/* this outage was told */
	gint64 warned_us;	/* the last warning line */
	__u64 untold_messages, untold_records; /* lost since the last line */
	__u64 outage_messages, outage_records;

	__u32 file_msg_left;	/* file: octets of the message passing, after its first four */
	__u8 file_head[4];	/* file: version and length of the message starting */
	__u32 file_head_len;
	uint8_t udp_msg[UDP_MESSAGE_MAX];
};

struct bpfix_ipfix {
	struct bpfix_ipfix_opts opts;
	fbInfoModel_t *model;
	fbInfoElement_t *elements;	/* ours, in the model */
	struct destination *dests;
	size_t n_dests;
	struct bpfix_export_totals stats;
	__u64 init_ms;			/* when the exporting process started (epoch ms) */
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

/*
 * Messages and flow records lost to @d (@why: the cause, NULL: the last one). Told at once the
 * first time, then at most one line per WARN_INTERVAL_US with what was lost since the last line:
 * a collector that is away must not fill the log.
 */
static void lost(struct destination *d, __u64 messages, __u64 records, const char *why)
{
	gint64 now = g_get_monotonic_time();

	d->messages_lost += messages;
	d->records_lost += records;
	d->untold_messages += messages;
	d->untold_records += records;
	d->outage_messages += messages;
	d->outage_records += records;
	d->templates_wanted = true; /* it may have lost them too (a collector restarted) */
	d->resync = true;
	d->failing = true;
	if (why)
		snprintf(d->why, sizeof(d->why), "%s", why);
	if (d->warned_us && now - d->warned_us < WARN_INTERVAL_US)
		return;
	if (!d->announced)
		bpfix_warn("%s: %s; IPFIX messages to it are lost (counted) until it accepts them "
			   "again, when bpfix sends the templates first. Is the collector running and "
			   "reachable?\n", d->name, d->why);
	else
		bpfix_warn("%s still fails (%s): %llu more message(s) with %llu flow record(s) lost\n",
			   d->name, d->why, (unsigned long long)d->untold_messages,
			   (unsigned long long)d->untold_records);
	d->announced = true;
	d->warned_us = now;
	d->untold_messages = d->untold_records = 0;
}

/* @d took a message: an outage that was told ends with one line. */
static void accepted(struct destination *d)
{
	if (!d->failing)
		return;
	if (d->announced)
		bpfix_warn("%s accepts IPFIX messages again; %llu message(s) with %llu flow record(s) "
			   "were lost to it meanwhile\n", d->name,
			   (unsigned long long)d->outage_messages, (unsigned long long)d->outage_records);
	d->failing = d->announced = false;
	d->outage_messages = d->outage_records = 0;
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

/* A connected UDP socket to the first address of @res that takes one; 0 or a negative errno. */
static int connect_udp(struct destination *d, const struct addrinfo *res)
{
	socklen_t len = sizeof(d->local);
	const struct addrinfo *ai;
	int fd, rc = -EADDRNOTAVAIL;

	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rc = -errno;
			continue;
		}
		/* connected: ICMP errors for what we send come back to this socket */
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen) &&
		    !getsockname(fd, (struct sockaddr *)&d->local, &len)) {
			d->fd = fd;
			d->templates_wanted = true; /* a new transport session starts with them */
			return 0;
		}
		rc = -errno;
		close(fd);
	}
	snprintf(d->why, sizeof(d->why), "cannot connect: %s", strerror(-rc));
	return rc;
}

/* Not reachable now (d->why says why): told once, tried again in RETRY_US. */
static void unreachable(struct destination *d)
{
	d->retry_us = g_get_monotonic_time() + RETRY_US;
	lost(d, 0, 0, NULL);
}

/*
 * At start: resolve and connect at once, so the first failure is told before anything runs. A
 * collector that cannot be reached is kept: its records are counted as lost while connected()
 * tries again. Only a malformed HOST:PORT is an error.
 */
static int open_udp(struct destination *d)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char host[sizeof(d->lookup->host)], port[sizeof(d->lookup->port)];
	int rc;

	if (bpfix_split_hostport(d->collector, host, sizeof(host), port, sizeof(port))) {
		bpfix_err("collector '%s' is not HOST:PORT (IPv6: [ADDR]:PORT, port 1-65535)\n",
			  d->collector);
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(d->why, sizeof(d->why), "cannot resolve '%s': %s", host, gai_strerror(rc));
		unreachable(d);
		return 0;
	}
	rc = connect_udp(d, res);
	freeaddrinfo(res);
	if (rc)
		unreachable(d);
	return 0;
}

/* Start resolving @d's name in the background; the next connected() looks at the answer. */
static void start_lookup(struct destination *d)
{
	struct lookup *l = calloc(1, sizeof(*l));
	struct gaicb *list[1];

	d->retry_us = g_get_monotonic_time() + RETRY_US;
	if (!l)
		return;
	bpfix_split_hostport(d->collector, l->host, sizeof(l->host), l->port, sizeof(l->port));
	l->hints.ai_socktype = SOCK_DGRAM;
	l->cb.ar_name = l->host;
	l->cb.ar_service = l->port;
	l->cb.ar_request = &l->hints;
	list[0] = &l->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) {
		free(l);
		return;
	}
	d->lookup = l;
}

/*
 * Whether @d can take a message: a file always; a collector once connected. One that could not
 * be reached is tried again at most every RETRY_US, resolved in the background (the sweep never
 * waits for DNS); the caller counts what it could not take.
 */
static bool connected(struct destination *d)
{
	int rc;

	if (!d->collector || d->fd >= 0)
		return true;
	if (!d->lookup) {
		if (g_get_monotonic_time() >= d->retry_us)
			start_lookup(d);
		return false;
	}
	rc = gai_error(&d->lookup->cb);
	if (rc == EAI_INPROGRESS)
		return false;
	if (rc)
		snprintf(d->why, sizeof(d->why), "cannot resolve '%s': %s", d->lookup->host,
			 gai_strerror(rc));
	else
		connect_udp(d, d->lookup->cb.ar_result);
	if (d->lookup->cb.ar_result)
		freeaddrinfo(d->lookup->cb.ar_result);
	free(d->lookup);
	d->lookup = NULL;
	return d->fd >= 0;
}

/*
 * fixbuf writes a file through this: the octets go to the file, and each message is counted as
 * its last octet passes (its header gives its length), so the statistics say what the file holds.
 * A short count is an error for stdio, and then for fixbuf.
 */
static ssize_t file_write(void *cookie, const char *buf, size_t size)
{
	struct destination *d = cookie;
	const __u8 *p = (const __u8 *)buf;
	size_t done = 0, n, take;
	ssize_t rc;

	while (done < size) {
		rc = write(d->fd, buf + done, size - done);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		done += rc;
	}
	d->octets_sent += done;
	for (n = done; n; n -= take, p += take) {
		take = 1;
		if (d->file_head_len < 4) {
			d->file_head[d->file_head_len++] = *p;
			if (d->file_head_len < 4)
				continue;
			d->file_msg_left = (d->file_head[2] << 8 | d->file_head[3]);
			d->file_msg_left = d->file_msg_left > 4 ? d->file_msg_left - 4 : 0;
		} else {
			take = n < d->file_msg_left ? n : d->file_msg_left;
			d->file_msg_left -= take;
		}
		if (!d->file_msg_left) {
			d->messages_sent++;
			d->file_head_len = 0;
		}
	}
	return done;
}

static int file_close(void *cookie)
{
	struct destination *d = cookie;

	return close(d->fd);
}

/* Our own FILE for fixbuf (unbuffered: a message reaches the file when fixbuf writes it). */
static int open_file(struct destination *d, const char *path, bool append)
{
	static const cookie_io_functions_t io = { .write = file_write, .close = file_close };

	/* "-": stdout, as fixbuf's own file exporter had it */
	d->fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
					 (append ? O_APPEND : O_TRUNC), 0666)
				  : fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
	if (d->fd < 0) {
		bpfix_err("cannot write IPFIX file %s: %s\n", path, strerror(errno));
		return -errno;
	}
	d->fp = fopencookie(d, "w", io);
	if (!d->fp) {
		close(d->fd);
		d->fd = -1;
		return -ENOMEM;
	}
	setvbuf(d->fp, NULL, _IONBF, 0);
	return 0;
}

static int open_destination(struct bpfix_ipfix *x, struct destination *d, const char *collector,
			    const char *path)
{
	int err;

	d->fd = -1;
	d->x = x;
	d->templates_wanted = true;
	d->collector = collector;
	if (collector) {
		d->name = g_strdup_printf("collector %s", collector);
		err = open_udp(d);
		if (err)
			return err;
		d->exporter = fbExporterAllocBuffer(d->udp_msg, sizeof(d->udp_msg));
	} else {
		d->name = g_strdup_printf("file %s", path);
		err = open_file(d, path, x->opts.append_output);
		if (err)
			return err;
		d->exporter = fbExporterAllocFP(d->fp);
	}
	/* templates before the fBuf: added to a session with an exporter, fixbuf sends them at once */
	d->session = fbSessionAlloc(x->model);
	err = add_templates(x, d);
	/* files carry RFC 5610 type records, so a decoder learns our elements from the file itself
	 * (fixbuf cannot write them in the manual mode UDP uses) */
	if (!err && !collector)
		err = add_type_records(x, d);
	d->fbuf = fBufAllocForExport(d->session, d->exporter);
	if (collector)
		fBufSetAutomaticMode(d->fbuf, FALSE);
	return err;
}

/*
 * The last message sent was refused after all (an ICMP error came back for it): it and its
 * records move from sent to lost, once.
 */
static __u64 last_refused(struct destination *d)
{
	if (!d->last.open)
		return 0;
	d->last.open = false;
	d->messages_sent--;
	d->octets_sent -= d->last.len;
	d->records_sent -= d->last.records;
	return 1;
}

/*
 * Send the encoded message without waiting: a full socket buffer loses the message (counted),
 * it never blocks the sweep. The socket is connected, so an ICMP error (port unreachable: the
 * collector is not listening) becomes a pending socket error: on loopback it is there as soon
 * as send() returns, for a remote collector later, and then it fails the next send(). Either
 * way it lands on the last message sent, once.
 */
static int send_message(struct destination *d, size_t len)
{
	__u64 records = d->records_in_message, refused;
	socklen_t optlen = sizeof(int);
	int err = 0;
	ssize_t rc;

	d->records_in_message = 0;
	rc = send(d->fd, d->udp_msg, len, MSG_DONTWAIT);
	if (rc != (ssize_t)len) {
		err = rc < 0 ? errno : EMSGSIZE;
		/* a refusal that came after the last check: for the previous message */
		refused = err == ECONNREFUSED ? last_refused(d) : 0;
		d->last.open = false;
		lost(d, 1 + refused, records + (refused ? d->last.records : 0), strerror(err));
		return -err;
	}
	d->messages_sent++;
	d->octets_sent += len;
	d->records_sent += records;
	d->last.len = len;
	d->last.records = records;
	d->last.open = true;
	d->messages_since_templates++;
	if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &optlen) || !err) {
		accepted(d);
		return 0;
	}
	last_refused(d);
	lost(d, 1, records, strerror(err));
	return -err;
}

/* Encode what is buffered as one message and, for UDP, send it; 0 or a negative errno. */
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
	if (!fBufEmit(d->fbuf, &err)) {
		d->records_in_message = 0;
		if (d->collector)
			lost(d, 1, records, "fixbuf could not encode a message");
		return write_failed(d, &err, "encoding a message failed");
	}
	len = d->collector ? fbExporterGetMsgLen(d->exporter) : 0;
	if (!len)
		return 0;
	/*
	 * fixbuf puts templates in a message of their own: after a loss, data goes out only once a
	 * templates message got through, so a collector that comes back (maybe restarted, without
	 * templates) gets them first. A data message meanwhile is lost: counted, never sent.
	 */
	if (d->resync && !d->emitted_templates) {
		d->records_in_message = 0;
		lost(d, 1, records, NULL);
		return -ENOTCONN;
	}
	rc = send_message(d, len);
	if (!rc && d->emitted_templates)
		d->resync = false;
	return rc;
}

static gboolean wrote(struct destination *d, gboolean ok)
{
	if (ok)
		d->pending = true;
	return ok;
}

static int export_templates(struct destination *d);
static bool templates_due(const struct bpfix_ipfix *x, const struct destination *d);

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

/* Run a fixbuf write in manual mode; a message that could not be sent is counted by emit(). */
#define WITH_ROOM(d, call, err)                                                              \
	wrote(d, (call) || (room_for_more(d, err) && (call)) || (room_for_more(d, err) && (call)))

struct bpfix_ipfix *bpfix_ipfix__new(const struct bpfix_ipfix_opts *opts)
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
	x->dests = calloc(opts->n_collectors + 1, sizeof(*x->dests));
	if (!x->dests) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i <= opts->n_collectors; i++)
		x->dests[i].fd = -1;
	for (i = 0; i < opts->n_collectors; i++) {
		err = open_destination(x, &x->dests[x->n_dests++], opts->collectors[i], NULL);
		if (err)
			goto fail;
	}
	if (opts->output_path) {
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

/* The templates of the session's current domain; in a message of their own if this one is full. */
static int export_templates(struct destination *d)
{
	GError *err = NULL;

	if (!wrote(d, fbSessionExportTemplates(d->session, &err) ||
		   (g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM) &&
		    (g_clear_error(&err), emit(d), fbSessionExportTemplates(d->session, &err)))))
		return write_failed(d, &err, "sending templates failed");
	d->templates_wanted = false;
	d->templates_in_message = true;
	d->templates_sent_us = g_get_monotonic_time();
	d->messages_since_templates = 0;
	return 0;
}

/* Templates go first; UDP collectors may also have restarted or expired them (RFC 7011 §8.4). */
static bool templates_due(const struct bpfix_ipfix *x, const struct destination *d)
{
	if (d->templates_wanted)
		return true;
	return d->collector &&
	       (g_get_monotonic_time() - d->templates_sent_us >=
			(gint64)x->opts.template_refresh_s * G_USEC_PER_SEC ||
		d->messages_since_templates >= x->opts.template_refresh_messages);
}

static int append_to(struct bpfix_ipfix *x, struct destination *d,
		     const struct bpfix_ipfix_flow *flow, uint16_t tid)
{
	GError *err = NULL;
	int rc;

	if (!connected(d)) {
		lost(d, 0, 1, NULL);
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
	    !WITH_ROOM(d, fBufAppend(d->fbuf, (uint8_t *)flow, sizeof(*flow), &err), &err)) {
		d->records_refused++;
		return write_failed(d, &err, "writing a record failed");
	}
	if (d->collector)
		d->records_in_message++;
	else
		d->records_sent++;
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

/* fixbuf keeps ipv4Address in host order in memory; IPv6 as the octets. */
static void exporter_address(const struct destination *d, struct bpfix_ipfix_stats_summary *s)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)&d->local;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&d->local;

	if (d->local.ss_family == AF_INET)
		s->exporter_ipv4 = ntohl(in4->sin_addr.s_addr);
	else if (d->local.ss_family == AF_INET6)
		memcpy(s->exporter_ipv6, &in6->sin6_addr, sizeof(s->exporter_ipv6));
}

/*
 * Statistics in their own domain: flush the flows' message first (so the counts below include
 * it), come back after. The totals about sending are this destination's own.
 */
static int send_stats_to(struct bpfix_ipfix *x, struct destination *d,
			 const struct bpfix_export_stats *st)
{
	struct bpfix_ipfix_stats_summary summary = {
		.domain = x->opts.observation_domain,
		.system_init_ms = x->init_ms,
		.packets_seen = st->packets_seen,
		.packets_not_metered = st->packets_not_metered,
		.flows_observed = st->flows_observed,
		.packets_lost = st->packets_lost,
	};
	struct bpfix_ipfix_stats_counter counter = { .domain = x->opts.observation_domain };
	const char *name;
	size_t i;
	int err, rc;

	if (!connected(d)) {
		lost(d, 1, 0, NULL);
		return -EHOSTUNREACH;
	}
	rc = emit(d); /* a failure is counted; the statistics are still worth trying */
	summary.records_exported = d->records_sent;
	summary.records_not_sent = d->records_lost + d->records_refused;
	summary.messages_exported = d->messages_sent;
	summary.octets_exported = d->octets_sent;
	exporter_address(d, &summary);
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
		if (d->messages_lost || d->records_lost) {
			bpfix_err("%s: %llu IPFIX message(s) with %llu flow record(s) could not be sent "
				  "(last failure: %s); is the collector running and reachable? Those "
				  "records are lost to it\n", d->name,
				  (unsigned long long)d->messages_lost,
				  (unsigned long long)d->records_lost, d->why);
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

void bpfix_ipfix__carry_stats(struct bpfix_ipfix *x, const struct bpfix_ipfix *before)
{
	x->stats.records += before->stats.records;
	x->stats.failures += before->stats.failures;
}

void bpfix_ipfix__get_stats(const struct bpfix_ipfix *x, struct bpfix_export_totals *stats)
{
	*stats = x->stats;
}

/* A lookup still running writes into its struct: cancel it, or let it finish first. */
static void end_lookup(struct lookup *l)
{
	const struct gaicb *list[1] = { &l->cb };
	struct timespec wait = { .tv_sec = 1 };

	if (gai_cancel(&l->cb) == EAI_NOTCANCELED) {
		gai_suspend(list, 1, &wait);
		if (gai_error(&l->cb) == EAI_INPROGRESS)
			return; /* left to the resolver thread: a few octets, once, at exit */
	}
	if (l->cb.ar_result)
		freeaddrinfo(l->cb.ar_result);
	free(l);
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
			fclose(d->fp); /* closes the file */
		else if (d->fd >= 0)
			close(d->fd);
		if (d->lookup)
			end_lookup(d->lookup);
		g_free(d->name);
	}
	free(x->dests);
	if (x->model)
		fbInfoModelFree(x->model);
	g_free(x->elements);
	free(x);
}
