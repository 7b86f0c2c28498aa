/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host engine: the same common/ parser and accounting as the TC program, compiled for the
 * host, into a user-space flow table with the kernel map's semantics (fixed capacity, least
 * recently updated flow evicted when full, but reported to the flow table, so replay loses no
 * packet to it). Needs no privilege. A flow source.
 */
#ifndef BPFIX_HOST_METER_H
#define BPFIX_HOST_METER_H

#include "meter/flow_source.h"

struct bpfix_host_engine;

/*
 * NULL with errno set. @max_conns: TCP handshakes tracked at once; @gtpu_port: UDP port
 * decapsulated as GTP-U, 0 for none.
 */
struct bpfix_host_engine *bpfix_host_engine__new(__u32 max_flows, __u32 max_conns,
						 __u16 gtpu_port);
/* Meter one whole Ethernet frame seen at @tstamp_ns, exactly as the TC program in replay would
 * (its flow is updated a few frames later, and always before the source reads anything). */
int bpfix_host_engine__run_frame(struct bpfix_host_engine *eng, const void *frame, __u32 len,
				 __u64 tstamp_ns);
struct bpfix_flow_source *bpfix_host_engine__source(struct bpfix_host_engine *eng);
void bpfix_host_engine__free(struct bpfix_host_engine *eng);

#endif /* BPFIX_HOST_METER_H */
