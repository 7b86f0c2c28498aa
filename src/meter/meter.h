/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A meter for replay: takes Ethernet frames with their capture time and is a flow source with
 * the same semantics whichever one runs. Two implement it: the kernel meter (the TC program under
 * BPF_PROG_TEST_RUN, kernel_meter.c) and the host meter (the same common/ parser and accounting
 * compiled for the host, host_meter.c). Replay does not care which runs; live uses the loader and
 * the kernel source directly, as it feeds no frames.
 */
#ifndef BPFIX_METER_H
#define BPFIX_METER_H

#include "meter/flow_source.h"
#include "meter/frame.h"

enum bpfix_engine_kind {
	BPFIX_ENGINE_HOST,
	BPFIX_ENGINE_KERNEL,
};

struct bpfix_meter_opts {
	enum bpfix_engine_kind kind;
	__u32 max_flows;
	__u32 max_conns; /* TCP handshakes tracked at once (the connection map's entries) */
	__u16 gtpu_port; /* UDP port decapsulated as GTP-U, 0 for none */
};

struct bpfix_meter_ops {
	/* meter one frame, exactly as the TC program in replay would; 0 or a negative errno */
	int (*run_frame)(void *ctx, const struct bpfix_frame *frame);
	struct bpfix_flow_source *(*source)(void *ctx);
	void (*free)(void *ctx);
};

struct bpfix_meter {
	const struct bpfix_meter_ops *ops;
	void *ctx;
};

/* Fill @m with the meter @opts asks for; 0, or a negative errno after printing why. */
int bpfix_meter_open(struct bpfix_meter *m, const struct bpfix_meter_opts *opts);
int bpfix_kernel_meter_open(struct bpfix_meter *m, const struct bpfix_meter_opts *opts);
int bpfix_host_meter_open(struct bpfix_meter *m, const struct bpfix_meter_opts *opts);
/* Free what @m holds (nothing if it was never opened). */
void bpfix_meter_close(struct bpfix_meter *m);

#endif /* BPFIX_METER_H */
