/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loads the TC programs and their maps (the bpftool skeleton) with the load-time knobs and map
 * sizes set, and hands out their file descriptors. It explains a refused load (which capability
 * is missing, or a kernel without bpf()). It reads no map and attaches nothing: kernel_source.c
 * reads the maps, live/tc_attach.c attaches, test_run_feed.c runs frames.
 */
#ifndef BPFIX_BPF_LOADER_H
#define BPFIX_BPF_LOADER_H

#include <stdbool.h>

#include <linux/types.h>

struct bpfix_bpf_opts {
	__u32 max_flows; /* flow map entries */
	__u32 max_conns; /* connection map entries (TCP handshakes under way) */
	bool replay;	 /* clock from skb->tstamp, interface 0 */
	__u16 gtpu_port; /* UDP port decapsulated as GTP-U, 0 for none */
	bool coarse_clock; /* live: packets stamped with the coarse clock (flow_config.bpf.h) */
};

/*
 * The notice ring buffer (bpf/flow_maps.bpf.h), live: room for a notice per
 * BPFIX_NOTICE_RING_FLOWS_PER_SLOT flows of the map between two collections, rounded up to a
 * power of two, within these bounds. Beyond it, notices are lost and the next sweep reads the
 * whole map.
 */
#define BPFIX_NOTICE_RING_FLOWS_PER_SLOT 8
/* Octets a notice takes in the ring: its size and the ring's 8-octet header. */
#define BPFIX_NOTICE_RING_RECORD (sizeof(struct bpfix_notice) + 8)
#define BPFIX_NOTICE_RING_MIN (256u << 10)
#define BPFIX_NOTICE_RING_MAX (16u << 20)
/*
 * Replay collects the notices every so many frames (kernel_meter.c), and a frame makes at most
 * one: it gets the smallest ring, which they fit, so the ring's lines stay in cache.
 */
#define BPFIX_REPLAY_NOTICE_FRAMES 512

struct bpfix_bpf;

/* Octets of the notice ring buffer for a flow map of @max_flows entries. */
__u32 bpfix_notice_ring_bytes(__u32 max_flows);

/* NULL with errno set; the reason was printed. */
struct bpfix_bpf *bpfix_bpf__load(const struct bpfix_bpf_opts *opts);
int bpfix_bpf__flows_fd(const struct bpfix_bpf *b);
__u32 bpfix_bpf__max_flows(const struct bpfix_bpf *b);
int bpfix_bpf__counters_fd(const struct bpfix_bpf *b);
int bpfix_bpf__conns_fd(const struct bpfix_bpf *b);
/* The program for clsact ingress or egress (replay loads the ingress one only). */
int bpfix_bpf__prog_fd(const struct bpfix_bpf *b, bool egress);
/* The close program (run by BPF_PROG_TEST_RUN) and the array of its requests (mmapable). */
int bpfix_bpf__close_prog_fd(const struct bpfix_bpf *b);
int bpfix_bpf__closing_fd(const struct bpfix_bpf *b);
/* The ring buffer of flow notices (struct bpfix_notice), and its size in octets. */
int bpfix_bpf__notices_fd(const struct bpfix_bpf *b);
__u32 bpfix_bpf__notice_ring_bytes(const struct bpfix_bpf *b);
void bpfix_bpf__free(struct bpfix_bpf *b);

#endif /* BPFIX_BPF_LOADER_H */
