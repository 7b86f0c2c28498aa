// SPDX-License-Identifier: GPL-2.0-only
/* The two replay engines as the tests drive them (engines.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpfix_flow.h"
#include "engines.h"
#include "meter/test_run_feed.h"

int failures;

void fail(const struct engine *e, const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s %s: ", e->name, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures++;
}

int engine_open_kernel(struct engine *e, __u32 max_flows, __u32 max_conns)
{
	struct bpfix_bpf_opts opts = { .max_flows = max_flows, .max_conns = max_conns,
				       .replay = true, .gtpu_port = BPFIX_GTPU_PORT };

	e->bpf = bpfix_bpf__load(&opts);
	if (!e->bpf)
		return errno == EPERM || errno == EACCES || errno == ENOSYS || errno == EOPNOTSUPP
			       ? EXIT_SKIP
			       : 1;
	e->ks = bpfix_kernel_source__new(e->bpf);
	if (!e->ks)
		return 1;
	e->src = bpfix_kernel_source__source(e->ks);
	return 0;
}

int engine_kernel_skipped(void)
{
	printf("SKIP: the kernel engine cannot load here (%s); host engine %s\n", strerror(errno),
	       failures ? "FAILED" : "ok");
	return failures ? 1 : EXIT_SKIP;
}

int engine_open_host(struct engine *e, __u32 max_flows, __u32 max_conns)
{
	e->host = bpfix_host_engine__new(max_flows, max_conns, BPFIX_GTPU_PORT);
	if (!e->host)
		return 1;
	e->src = bpfix_host_engine__source(e->host);
	return 0;
}

void engine_close(struct engine *e)
{
	const char *name = e->name;

	bpfix_kernel_source__free(e->ks);
	bpfix_bpf__free(e->bpf);
	bpfix_host_engine__free(e->host);
	memset(e, 0, sizeof(*e));
	e->name = name;
}

int engine_run_frame(struct engine *e, const __u8 *bytes, __u32 len, __u64 tstamp)
{
	struct bpfix_frame fr = { .data = bytes, .len = len, .wire_len = len, .tstamp_ns = tstamp };

	if (e->host)
		return bpfix_host_engine__run_frame(e->host, bytes, len, tstamp);
	return bpfix_test_run_feed(bpfix_bpf__prog_fd(e->bpf, false), &fr);
}

struct lookup {
	const struct bpfix_flow_key *key;
	struct bpfix_flow_stats stats;
	bool found;
	unsigned int flows;
};

static int visit_lookup(const struct bpfix_flow_key *key, const struct bpfix_flow_stats *stats,
			void *arg)
{
	struct lookup *l = arg;

	l->flows++;
	if (l->key && !memcmp(key, l->key, sizeof(*key))) {
		l->stats = *stats;
		l->found = true;
	}
	return 0;
}

bool engine_flow(struct engine *e, const struct bpfix_flow_key *key,
		 struct bpfix_flow_stats *stats)
{
	struct lookup l = { .key = key };

	if (e->src->ops->for_each(e->src->ctx, visit_lookup, &l))
		fail(e, "walk", "for_each failed");
	if (l.found)
		*stats = l.stats;
	return l.found;
}

unsigned int engine_flow_count(struct engine *e)
{
	struct lookup l = { 0 };

	e->src->ops->for_each(e->src->ctx, visit_lookup, &l);
	return l.flows;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !getenv("BPFIX_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

void engine_quiet_libbpf(void)
{
	libbpf_set_print(quiet);
}
