/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel engine: loads the TC programs and their maps, and for replay runs frames through the
 * very same program with BPF_PROG_TEST_RUN. It is a flow source over the kernel's flow map.
 * It attaches nothing to any interface (tc_attach.c does, live).
 */
#ifndef BPFIX_KERNEL_ENGINE_H
#define BPFIX_KERNEL_ENGINE_H

#include <stdbool.h>

#include "meter/flow_source.h"

/* BPF_PROG_TEST_RUN takes linear Ethernet frames from 14 octets up to about a page. */
#define BPFIX_TEST_RUN_MIN_FRAME 14 /* and a whole IP header after it for IPv4/IPv6 */
#define BPFIX_TEST_RUN_MAX_FRAME 3584

struct bpfix_kernel_engine_opts {
	__u32 max_flows; /* flow map entries */
	bool replay;	 /* clock from skb->tstamp, interface 0 */
	__u16 gtpu_port; /* UDP port decapsulated as GTP-U, 0 for none */
};

struct bpfix_kernel_engine;

/* NULL with errno set; the reason was printed. */
struct bpfix_kernel_engine *bpfix_kernel_engine__open(const struct bpfix_kernel_engine_opts *opts);
/*
 * Run one Ethernet frame (at most BPFIX_TEST_RUN_MAX_FRAME octets) seen at @tstamp_ns. Frames the
 * test run cannot take (too short) are counted as truncated without running.
 */
int bpfix_kernel_engine__run_frame(struct bpfix_kernel_engine *eng, const void *frame, __u32 len,
				   __u32 wire_len, __u64 tstamp_ns);
struct bpfix_flow_source *bpfix_kernel_engine__source(struct bpfix_kernel_engine *eng);
/* The loaded program for clsact ingress or egress, to attach (live). */
int bpfix_kernel_engine__prog_fd(const struct bpfix_kernel_engine *eng, bool egress);
void bpfix_kernel_engine__free(struct bpfix_kernel_engine *eng);

#endif /* BPFIX_KERNEL_ENGINE_H */
