/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every map of the programs, in one place. The flow and connection maps' sizes are set by the
 * loader before load (bpf_map__set_max_entries); user space reads the flow map and removes flows
 * only at the forced end, and never writes a value: records are closed, and ended flows removed,
 * by the close program.
 */
#ifndef BPFIX_FLOW_MAPS_BPF_H
#define BPFIX_FLOW_MAPS_BPF_H

#include "bpfix_flow.h"
#include "bpfix_tcp.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BPFIX_DEFAULT_MAX_FLOWS);
	__type(key, struct bpfix_flow_key);
	__type(value, struct bpfix_flow_stats);
} bpfix_flows SEC(".maps");

/*
 * TCP handshakes under way (DESIGN.md §4a): only SYN, SYN-ACK and the client's next segment touch
 * it; the program removes an entry when the handshake ends, and the LRU lets the oldest go when
 * full (counted by user space: entries made - removed - present). Sized by the loader.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BPFIX_DEFAULT_MAX_CONNECTIONS);
	__type(key, struct bpfix_conn_key);
	__type(value, struct bpfix_conn);
} bpfix_conns SEC(".maps");

/* Packet accounting by enum bpfix_counter, all in entry 0 (one lookup per packet); user space
 * sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfix_counter_values);
} bpfix_counters SEC(".maps");

/*
 * Flow notices for the flow table (struct bpfix_notice): a flow created, its record started, its
 * record closing (FIN/RST). User space consumes them at each sweep; a full buffer refuses a notice,
 * which is counted (BPFIX_CNT_NOTICES_LOST) and makes the next sweep read the whole map. Sized by
 * the loader (a power of two scaled with the flow map).
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} bpfix_notices SEC(".maps");

/* Per-CPU working memory: the BPF stack (512 octets) cannot hold the parse window. */
struct bpfix_scratch {
	__u8 window[BPFIX_PARSE_WINDOW];
	struct bpfix_pkt_meta meta;
	struct bpfix_flow_key key;
	struct bpfix_flow_stats stats;
	__u64 lives;	/* flows this CPU created: the sequence of BPFIX_LIFE */
	struct bpfix_tcp_seg seg;
	struct bpfix_conn_key conn_key;
	struct bpfix_conn conn;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfix_scratch);
} bpfix_scratch SEC(".maps");

/*
 * The close program's requests and answers (struct bpfix_close): user space maps the array, fills
 * the first entries and runs bpfix_close with their count; a program run cannot index an array
 * inside its ctx.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BPFIX_CLOSE_BATCH);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct bpfix_close);
} bpfix_closing SEC(".maps");

#endif /* BPFIX_FLOW_MAPS_BPF_H */
