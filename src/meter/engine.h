/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A metering engine for replay: the kernel one (the TC program under BPF_PROG_TEST_RUN) or the
 * host one (the same parser and accounting compiled for the host). Both take Ethernet frames and
 * are flow sources with the same semantics; replay does not care which runs.
 */
#ifndef BPFIX_ENGINE_H
#define BPFIX_ENGINE_H

#include "meter/flow_source.h"
#include "replay/pcap_reader.h"

enum bpfix_engine_kind {
	BPFIX_ENGINE_HOST,
	BPFIX_ENGINE_KERNEL,
};

struct bpfix_engine_opts {
	enum bpfix_engine_kind kind;
	__u32 max_flows;
	__u16 gtpu_port;
};

struct bpfix_engine;

/* NULL with errno set; the reason was printed. */
struct bpfix_engine *bpfix_engine__open(const struct bpfix_engine_opts *opts);
int bpfix_engine__run_frame(struct bpfix_engine *e, const struct bpfix_frame *frame);
struct bpfix_flow_source *bpfix_engine__source(struct bpfix_engine *e);
void bpfix_engine__free(struct bpfix_engine *e);

#endif /* BPFIX_ENGINE_H */
