// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prometheus text exposition of the summary's lines. A line "name (reason)" becomes
 * bpfix_name_total{reason="reason"}, so the per-reason counters are one metric with a label;
 * "flows active" is a gauge. The page is rendered when published, so a scrape only copies it.
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

#define GAUGE_LINE "flows active"

struct bpfix_metrics {
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	gchar *page; /* the last published exposition */
};

/* "not metered (not IP)" -> base "bpfix_not_metered", reason "not IP" */
static void metric_name(const char *line, GString *base, GString *reason)
{
	const char *paren = strstr(line, " (");
	size_t n = paren ? (size_t)(paren - line) : strlen(line), i;
	bool sep = true;

	g_string_assign(base, "bpfix_");
	for (i = 0; i < n; i++) {
		if (g_ascii_isalnum(line[i])) {
			g_string_append_c(base, g_ascii_tolower(line[i]));
			sep = false;
		} else if (!sep) {
			g_string_append_c(base, '_');
			sep = true;
		}
	}
	if (sep && base->len > 6)
		g_string_truncate(base, base->len - 1);
	g_string_truncate(reason, 0);
	if (paren) {
		g_string_append_len(reason, paren + 2, (gssize)strcspn(paren + 2, ")"));
		for (i = 0; i < reason->len; i++)
			if (reason->str[i] == '"' || reason->str[i] == '\\')
				reason->str[i] = '\'';
	}
}

static gchar *render(const struct bpfix_summary *sum)
{
	GString *page = g_string_new(NULL), *base = g_string_new(NULL), *reason = g_string_new(NULL);
	GString *last = g_string_new(NULL);
	size_t i;

	for (i = 0; i < sum->n; i++) {
		const char *line = sum->lines[i].name;
		bool gauge = !strcmp(line, GAUGE_LINE);

		metric_name(line, base, reason);
		if (!gauge)
			g_string_append(base, "_total");
		if (strcmp(last->str, base->str)) {
			g_string_append_printf(page, "# HELP %s bpfix summary line \"%s\"\n# TYPE %s %s\n",
					       base->str, reason->len ? base->str + 6 : line,
					       base->str, gauge ? "gauge" : "counter");
			g_string_assign(last, base->str);
		}
		if (reason->len)
			g_string_append_printf(page, "%s{reason=\"%s\"} %llu\n", base->str, reason->str,
					       (unsigned long long)sum->lines[i].value);
		else
			g_string_append_printf(page, "%s %llu\n", base->str,
					       (unsigned long long)sum->lines[i].value);
	}
	g_string_free(base, TRUE);
	g_string_free(reason, TRUE);
	g_string_free(last, TRUE);
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
