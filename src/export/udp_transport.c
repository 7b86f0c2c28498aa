// SPDX-License-Identifier: GPL-2.0-only
/*
 * A UDP collector: resolved and connected at start, or later in the background (getaddrinfo_a,
 * so a sweep never waits for DNS); each message sent whole without waiting on a connected
 * socket, whose pending error (ICMP port unreachable) moves the last message from sent to lost.
 * After a loss, data is held back (counted lost) until a message with templates gets through,
 * and the outage is told in a few rate-limited lines. Each message sent waits for the
 * destination's token bucket (export/pace.h) first. It does not encode.
 */
#define _GNU_SOURCE /* getaddrinfo_a */
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "export/transport.h"
#include "util/hostport.h"
#include "util/log.h"

#define UDP_MESSAGE_MAX 1400			/* octets: fits a 1500-octet path with headers */
#define WARN_INTERVAL_US (10 * G_USEC_PER_SEC)	/* a failing collector: a line at most this often */
#define RETRY_US (10 * G_USEC_PER_SEC)		/* resolve/connect a collector not reachable */

/* A collector's name being resolved in the background. */
struct lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char host[256];
	char port[8];
};

struct udp_transport {
	struct bpfix_transport base;
	char *spec;		/* "HOST:PORT" */
	int fd;			/* the connected socket, -1 until connected */
	struct lookup *lookup;	/* a resolution running in the background */
	gint64 retry_us;	/* not connected: no new attempt before this (monotonic) */
	bool resync;		/* a message was lost: data waits until templates get through */
	struct {		/* the last message sent: an ICMP error may still land on it */
		size_t len;
		__u64 records;
		bool open;
	} last;

	bool failing;		/* since the last failure, nothing was accepted */
	bool announced;		/* this outage was told */
	gint64 warned_us;	/* the last warning line */
	__u64 untold_messages, untold_records; /* lost since the last line */
	__u64 outage_messages, outage_records;
};

static struct udp_transport *udp_of(struct bpfix_transport *t)
{
	return (struct udp_transport *)t;
}

/*
 * Messages (of @octets octets) and records lost (@why: the cause, NULL: the last one). Told at
 * once the first time, then at most one line per WARN_INTERVAL_US with what was lost since the
 * last line: a collector that is away must not fill the log.
 */
static void loss(struct udp_transport *u, __u64 messages, __u64 octets, __u64 records,
		 const char *why)
{
	struct bpfix_transport *t = &u->base;
	gint64 now = g_get_monotonic_time();

	bpfix_transport_count_lost(t, messages, octets, records, why);
	u->untold_messages += messages;
	u->untold_records += records;
	u->outage_messages += messages;
	u->outage_records += records;
	t->want_templates = true; /* it may have lost them too (a collector restarted) */
	u->resync = true;
	u->failing = true;
	if (u->warned_us && now - u->warned_us < WARN_INTERVAL_US)
		return;
	if (!u->announced)
		bpfix_warn("%s: %s; %s messages to it are lost (counted) until it accepts them "
			   "again, when bpfix sends the templates first. Is the collector running and "
			   "reachable?\n", t->name, t->why, t->proto);
	else
		bpfix_warn("%s still fails (%s): %llu more message(s) with %llu flow record(s) lost\n",
			   t->name, t->why, (unsigned long long)u->untold_messages,
			   (unsigned long long)u->untold_records);
	u->announced = true;
	u->warned_us = now;
	u->untold_messages = u->untold_records = 0;
}

/* What was meant for it never reached it (not connected, not encoded). */
static void udp_lost(struct bpfix_transport *t, __u64 messages, __u64 records, const char *why)
{
	loss(udp_of(t), messages, 0, records, why);
}

/* A message was taken: an outage that was told ends with one line. */
static void accepted(struct udp_transport *u)
{
	if (!u->failing)
		return;
	if (u->announced)
		bpfix_warn("%s accepts %s messages again; %llu message(s) with %llu flow record(s) "
			   "were lost to it meanwhile\n", u->base.name, u->base.proto,
			   (unsigned long long)u->outage_messages,
			   (unsigned long long)u->outage_records);
	u->failing = u->announced = false;
	u->outage_messages = u->outage_records = 0;
}

/* A connected socket to the first address of @res that takes one; 0 or a negative errno. */
static int connect_udp(struct udp_transport *u, const struct addrinfo *res)
{
	socklen_t len = sizeof(u->base.local);
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
		    !getsockname(fd, (struct sockaddr *)&u->base.local, &len)) {
			u->fd = fd;
			/* a new transport session starts with the templates */
			u->base.want_templates = true;
			return 0;
		}
		rc = -errno;
		close(fd);
	}
	snprintf(u->base.why, sizeof(u->base.why), "cannot connect: %s", strerror(-rc));
	return rc;
}

/* Not reachable now (why says why): told once, tried again in RETRY_US. */
static void unreachable(struct udp_transport *u)
{
	u->retry_us = g_get_monotonic_time() + RETRY_US;
	loss(u, 0, 0, 0, NULL);
}

/* At start: resolve and connect at once, so the first failure is told before anything runs. */
static void first_connect(struct udp_transport *u, const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	int rc;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(u->base.why, sizeof(u->base.why), "cannot resolve '%s': %s", host,
			 gai_strerror(rc));
		unreachable(u);
		return;
	}
	rc = connect_udp(u, res);
	freeaddrinfo(res);
	if (rc)
		unreachable(u);
}

/* Start resolving the name in the background; the next udp_ready() looks at the answer. */
static void start_lookup(struct udp_transport *u)
{
	struct lookup *l = calloc(1, sizeof(*l));
	struct gaicb *list[1];

	u->retry_us = g_get_monotonic_time() + RETRY_US;
	if (!l)
		return;
	bpfix_split_hostport(u->spec, l->host, sizeof(l->host), l->port, sizeof(l->port));
	l->hints.ai_socktype = SOCK_DGRAM;
	l->cb.ar_name = l->host;
	l->cb.ar_service = l->port;
	l->cb.ar_request = &l->hints;
	list[0] = &l->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) {
		free(l);
		return;
	}
	u->lookup = l;
}

/* Connected; if not, tried again at most every RETRY_US, resolved in the background. */
static bool udp_ready(struct bpfix_transport *t)
{
	struct udp_transport *u = udp_of(t);
	int rc;

	if (u->fd >= 0)
		return true;
	if (!u->lookup) {
		if (g_get_monotonic_time() >= u->retry_us)
			start_lookup(u);
		return false;
	}
	rc = gai_error(&u->lookup->cb);
	if (rc == EAI_INPROGRESS)
		return false;
	if (rc)
		snprintf(t->why, sizeof(t->why), "cannot resolve '%s': %s", u->lookup->host,
			 gai_strerror(rc));
	else
		connect_udp(u, u->lookup->cb.ar_result);
	if (u->lookup->cb.ar_result)
		freeaddrinfo(u->lookup->cb.ar_result);
	free(u->lookup);
	u->lookup = NULL;
	return u->fd >= 0;
}

/* The last message sent was refused after all (an ICMP error came back for it): lost, once. */
static __u64 last_refused(struct udp_transport *u)
{
	struct bpfix_transport_counters *c = &u->base.counters;

	if (!u->last.open)
		return 0;
	u->last.open = false;
	c->messages_sent--;
	c->octets_sent -= u->last.len;
	c->records_sent -= u->last.records;
	return 1;
}

/*
 * Send without waiting: a full socket buffer loses the message (counted), it never blocks the
 * sweep. The socket is connected, so an ICMP error (port unreachable: the collector is not
 * listening) becomes a pending socket error: on loopback it is there as soon as send() returns,
 * for a remote collector later, and then it fails the next send(). Either way it lands on the
 * last message sent, once.
 */
static int send_message(struct udp_transport *u, const void *msg, size_t len, __u64 records)
{
	socklen_t optlen = sizeof(int);
	__u64 refused;
	int err = 0;
	ssize_t rc;

	rc = send(u->fd, msg, len, MSG_DONTWAIT);
	if (rc != (ssize_t)len) {
		err = rc < 0 ? errno : EMSGSIZE;
		/* a refusal that came after the last check: for the previous message */
		refused = err == ECONNREFUSED ? last_refused(u) : 0;
		u->last.open = false;
		loss(u, 1 + refused, len + (refused ? u->last.len : 0),
		     records + (refused ? u->last.records : 0), strerror(err));
		return -err;
	}
	bpfix_transport_count_sent(&u->base, len, records);
	u->last.len = len;
	u->last.records = records;
	u->last.open = true;
	if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &optlen) || !err) {
		accepted(u);
		return 0;
	}
	last_refused(u);
	loss(u, 1, len, records, strerror(err));
	return -err;
}

/*
 * After a loss, data goes out only once a message with templates got through, so a collector
 * that comes back (maybe restarted, without templates) gets them first. A data message
 * meanwhile is lost: counted, never sent.
 */
static int udp_send(struct bpfix_transport *t, const void *msg, size_t len, __u64 records,
		    bool templates)
{
	struct udp_transport *u = udp_of(t);
	int rc;

	if (u->fd < 0 || (u->resync && !templates)) {
		loss(u, 1, len, records, NULL);
		return -ENOTCONN;
	}
	/* past the pace's deadline it goes all the same, counted by the pace */
	bpfix_pace_wait(&t->pace, records);
	rc = send_message(u, msg, len, records);
	if (!rc && templates)
		u->resync = false;
	return rc;
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

static void udp_close(struct bpfix_transport *t)
{
	struct udp_transport *u = udp_of(t);

	if (u->fd >= 0)
		close(u->fd);
	if (u->lookup)
		end_lookup(u->lookup);
	g_free(u->spec);
	g_free(t->name);
	free(u);
}

static const struct bpfix_transport_ops udp_ops = {
	.ready = udp_ready,
	.send = udp_send,
	.lost = udp_lost,
	.close = udp_close,
};

struct bpfix_transport *bpfix_udp_transport__new(const char *spec, const char *proto)
{
	char host[sizeof(((struct lookup *)0)->host)], port[sizeof(((struct lookup *)0)->port)];
	struct udp_transport *u;

	if (bpfix_split_hostport(spec, host, sizeof(host), port, sizeof(port))) {
		bpfix_err("collector '%s' is not HOST:PORT (IPv6: [ADDR]:PORT, port 1-65535)\n", spec);
		errno = EINVAL;
		return NULL;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->base.ops = &udp_ops;
	u->base.name = g_strdup_printf("collector %s", spec);
	u->base.proto = proto;
	u->base.hint = "is the collector running and reachable?";
	u->base.max_message = UDP_MESSAGE_MAX;
	u->base.datagram = true;
	u->spec = g_strdup(spec);
	u->fd = -1;
	first_connect(u, host, port);
	return &u->base;
}
