/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the tests that run frames through both replay engines share: the engine (the kernel one,
 * the TC program under BPF_PROG_TEST_RUN read through kernel_source.c, or the host one), feeding
 * it a frame, finding a flow in it, and counting failures. No test is here.
 */
#ifndef BPFIX_TEST_ENGINES_H
#define BPFIX_TEST_ENGINES_H

#include <stdbool.h>

#include "bpfix_flow.h"
#include "meter/bpf_loader.h"
#include "meter/host_meter.h"
#include "meter/kernel_source.h"

#define EXIT_SKIP 77

struct engine {
	const char *name;
	struct bpfix_bpf *bpf;		   /* kernel */
	struct bpfix_kernel_source *ks;
	struct bpfix_host_engine *host;	   /* host */
	struct bpfix_flow_source *src;
};

/* Failures so far; fail() prints one and counts it. */
extern int failures;

void fail(const struct engine *e, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CHECK_EQ(e, what, got, want)                                                          \
	do {                                                                                  \
		unsigned long long got_ = (got), want_ = (want);                              \
		if (got_ != want_)                                                            \
			fail(e, what, "%s = %llu (0x%llx), expected %llu (0x%llx)", #got, got_, \
			     got_, want_, want_);                                             \
	} while (0)

/*
 * Open @e as the kernel engine (replay mode, GTP-U on its port): 0, EXIT_SKIP where BPF cannot
 * load here (errno says why), or 1.
 */
int engine_open_kernel(struct engine *e, __u32 max_flows, __u32 max_conns);
/* After engine_open_kernel said EXIT_SKIP: say why; the exit status (the host's failures count). */
int engine_kernel_skipped(void);
/* Open @e as the host engine: 0 or 1. */
int engine_open_host(struct engine *e, __u32 max_flows, __u32 max_conns);
/* Free what @e holds; its name stays. */
void engine_close(struct engine *e);
/* Meter a frame of @len octets seen at @tstamp (ns) as replay would: 0, or non-zero. */
int engine_run_frame(struct engine *e, const __u8 *bytes, __u32 len, __u64 tstamp);
/* The flow under @key as the source shows it; false if there is none. */
bool engine_flow(struct engine *e, const struct bpfix_flow_key *key,
		 struct bpfix_flow_stats *stats);
/* Flows in the source. */
unsigned int engine_flow_count(struct engine *e);
/* libbpf's messages, its debug ones only with BPFIX_DEBUG set. */
void engine_quiet_libbpf(void);

#endif /* BPFIX_TEST_ENGINES_H */
