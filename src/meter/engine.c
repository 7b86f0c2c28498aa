// SPDX-License-Identifier: GPL-2.0-only
/* Dispatch from the replay driver to the kernel or the host engine; nothing else. */
#include <errno.h>
#include <stdlib.h>

#include "meter/engine.h"
#include "meter/host_engine.h"
#include "meter/kernel_engine.h"

struct bpfix_engine {
	enum bpfix_engine_kind kind;
	struct bpfix_kernel_engine *kernel;
	struct bpfix_host_engine *host;
};

struct bpfix_engine *bpfix_engine__open(const struct bpfix_engine_opts *opts)
{
	struct bpfix_kernel_engine_opts kernel_opts = {
		.max_flows = opts->max_flows,
		.replay = true,
		.gtpu_port = opts->gtpu_port,
	};
	struct bpfix_engine *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return NULL;
	e->kind = opts->kind;
	if (e->kind == BPFIX_ENGINE_KERNEL)
		e->kernel = bpfix_kernel_engine__open(&kernel_opts);
	else
		e->host = bpfix_host_engine__new(opts->max_flows, opts->gtpu_port);
	if (!e->kernel && !e->host) {
		err = errno;
		free(e);
		errno = err;
		return NULL;
	}
	return e;
}

int bpfix_engine__run_frame(struct bpfix_engine *e, const struct bpfix_frame *f)
{
	if (e->kernel)
		return bpfix_kernel_engine__run_frame(e->kernel, f->data, f->len, f->wire_len,
						      f->tstamp_ns);
	return bpfix_host_engine__run_frame(e->host, f->data, f->len, f->tstamp_ns);
}

struct bpfix_flow_source *bpfix_engine__source(struct bpfix_engine *e)
{
	return e->kernel ? bpfix_kernel_engine__source(e->kernel) : bpfix_host_engine__source(e->host);
}

void bpfix_engine__free(struct bpfix_engine *e)
{
	if (!e)
		return;
	bpfix_kernel_engine__free(e->kernel);
	bpfix_host_engine__free(e->host);
	free(e);
}
