// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel meter of replay: the loaded TC program (bpf_loader.c) fed frames by test_run_feed.c,
 * read through kernel_source.c. It only wires the three together; it also holds the choice
 * between the kernel and the host meter.
 */
#include <errno.h>
#include <stdlib.h>

#include "meter/bpf_loader.h"
#include "meter/kernel_source.h"
#include "meter/meter.h"
#include "meter/test_run_feed.h"

/* a frame makes at most one notice (a new flow, a record started or closing) */
_Static_assert(BPFIX_REPLAY_NOTICE_FRAMES * BPFIX_NOTICE_RING_RECORD <= BPFIX_NOTICE_RING_MIN,
	       "replay's notice ring holds the notices of the frames between two collections");

struct kernel_meter {
	struct bpfix_bpf *bpf;
	struct bpfix_kernel_source *source;
	__u32 frames; /* since the notices were last collected */
};

static int kernel_run_frame(void *ctx, const struct bpfix_frame *f)
{
	struct kernel_meter *km = ctx;
	int rc = bpfix_test_run_feed(bpfix_bpf__prog_fd(km->bpf, false), f);

	if (++km->frames == BPFIX_REPLAY_NOTICE_FRAMES) {
		km->frames = 0;
		/* a failure here is the sweep's to see: its drain reads the same ring */
		bpfix_kernel_source__collect_notices(km->source);
	}

	if (rc == 1) { /* refused by the test run: the program would count it truncated */
		bpfix_kernel_source__add_truncated(km->source, 1);
		return 0;
	}
	return rc;
}

static struct bpfix_flow_source *kernel_source(void *ctx)
{
	struct kernel_meter *km = ctx;

	return bpfix_kernel_source__source(km->source);
}

static void kernel_free(void *ctx)
{
	struct kernel_meter *km = ctx;

	bpfix_kernel_source__free(km->source);
	bpfix_bpf__free(km->bpf);
	free(km);
}

static const struct bpfix_meter_ops kernel_meter_ops = {
	.run_frame = kernel_run_frame,
	.source = kernel_source,
	.free = kernel_free,
};

int bpfix_kernel_meter_open(struct bpfix_meter *m, const struct bpfix_meter_opts *opts)
{
	struct bpfix_bpf_opts bpf_opts = {
		.max_flows = opts->max_flows,
		.max_conns = opts->max_conns,
		.replay = true,
		.gtpu_port = opts->gtpu_port,
	};
	struct kernel_meter *km = calloc(1, sizeof(*km));
	int err;

	if (!km)
		return -ENOMEM;
	km->bpf = bpfix_bpf__load(&bpf_opts);
	if (km->bpf)
		km->source = bpfix_kernel_source__new(km->bpf);
	if (!km->source) {
		err = -errno;
		kernel_free(km);
		return err;
	}
	*m = (struct bpfix_meter){ &kernel_meter_ops, km };
	return 0;
}

int bpfix_meter_open(struct bpfix_meter *m, const struct bpfix_meter_opts *opts)
{
	return opts->kind == BPFIX_ENGINE_KERNEL ? bpfix_kernel_meter_open(m, opts) :
						  bpfix_host_meter_open(m, opts);
}

void bpfix_meter_close(struct bpfix_meter *m)
{
	if (m->ops)
		m->ops->free(m->ctx);
	*m = (struct bpfix_meter){ 0 };
}
