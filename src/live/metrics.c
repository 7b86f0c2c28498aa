// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus text exposition of the summary's lines, named by the counter table: lines of one
 * metric with a reason become one metric with a "reason" label. The page is rendered when
 * published, so a scrape only copies it. What the lines are and when they show is not decided
 * here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <microhttpd.h>

#include "util/hostport.h"
#include "util/log.h"
#include "live/metrics.h"

#define METRIC_PREFIX_LEN (sizeof("bpfix_") - 1) /* every metric name starts with it */

struct bpfix_metrics {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	gchar *page; /* the last published exposition */
};

/* HELP and TYPE of @d's metric: a labelled metric's help names the metric, another its line. */
static void describe(GString *page, const struct bpfix_stat_desc *d)
{
	const char *help = d->reason ? d->metric + METRIC_PREFIX_LEN : d->summary;
	const char *type = d->kind == BPFIX_STAT_KIND_GAUGE ? "gauge" : "counter";

	g_string_append_printf(page, "# HELP %s bpfix summary line \"%s\"\n# TYPE %s %s\n",
			       d->metric, help, d->metric, type);
}

static gchar *render(const struct bpfix_summary *sum)
{
	GString *page = g_string_new(NULL);
	const char *last = NULL;
	size_t i;

	for (i = 0; i < sum->n; i++) {
		const struct bpfix_stat_desc *d = sum->lines[i].desc;
		unsigned long long value = sum->lines[i].value;

		if (!last || strcmp(last, d->metric))
			describe(page, d);
		last = d->metric;
		if (d->reason)
			g_string_append_printf(page, "%s{reason=\"%s\"} %llu\n", d->metric,
					       d->reason, value);
		else
			g_string_append_printf(page, "%s %llu\n", d->metric, value);
	}
	return g_string_free(page, FALSE);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct bpfix_metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	gchar *body;
	unsigned int status = MHD_HTTP_OK;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		body = g_strdup("only GET\n");
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics") && strcmp(url, "/")) {
		body = g_strdup("bpfix serves /metrics\n");
		status = MHD_HTTP_NOT_FOUND;
	} else {
		pthread_mutex_lock(&m->lock);
		body = g_strdup(m->page ? m->page : "");
		pthread_mutex_unlock(&m->lock);
	}
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4");
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static int listen_address(const char *listen, struct sockaddr_storage *ss)
{
	char host[256] = "127.0.0.1", port[8];
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(listen, ':')) {
		if (bpfix_split_hostport(listen, host, sizeof(host), port, sizeof(port)))
			return -EINVAL;
	} else {
		snprintf(port, sizeof(port), "%s", listen);
	}
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		return 0;
	}
	return -EINVAL;
}

struct bpfix_metrics *bpfix_metrics__start(const char *listen)
{
	struct bpfix_metrics *m = g_new0(struct bpfix_metrics, 1);
	struct sockaddr_storage ss;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD; /* its own log names no cause well */

	if (listen_address(listen, &ss)) {
		bpfix_err("metrics: cannot listen on '%s': not [ADDR:]PORT\n", listen);
		g_free(m);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	pthread_mutex_init(&m->lock, NULL);
	m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, m, MHD_OPTION_SOCK_ADDR, &ss,
				     MHD_OPTION_CONNECTION_LIMIT, 16U,
				     MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (!m->daemon) {
		bpfix_err("metrics: cannot serve HTTP on %s (port in use, or not an address of this "
			  "host?); change [metrics] listen or leave it empty\n", listen);
		pthread_mutex_destroy(&m->lock);
		g_free(m);
		return NULL;
	}
	bpfix_info("metrics on http://%s%s/metrics\n", strchr(listen, ':') ? "" : "127.0.0.1:",
		   listen);
	return m;
}

void bpfix_metrics__publish(struct bpfix_metrics *m, const struct bpfix_summary *sum)
{
	gchar *page = render(sum), *old;

	pthread_mutex_lock(&m->lock);
	old = m->page;
	m->page = page;
	pthread_mutex_unlock(&m->lock);
	g_free(old);
}

void bpfix_metrics__stop(struct bpfix_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->daemon);
	pthread_mutex_destroy(&m->lock);
	g_free(m->page);
	g_free(m);
}
