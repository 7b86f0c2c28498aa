/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow source over the kernel's maps (a loaded bpf_loader.h object): batch reads, record
 * closes and removals by the close program, the forced-end drain, per-CPU counter sums. It
 * neither loads programs nor feeds them packets.
 */
#ifndef BPFIX_KERNEL_SOURCE_H
#define BPFIX_KERNEL_SOURCE_H

#include "meter/bpf_loader.h"
#include "meter/flow_source.h"

struct bpfix_kernel_source;

/* Over @bpf's maps (which must outlive it). NULL with errno set; the reason was printed. */
struct bpfix_kernel_source *bpfix_kernel_source__new(const struct bpfix_bpf *bpf);
struct bpfix_flow_source *bpfix_kernel_source__source(struct bpfix_kernel_source *ks);
/*
 * Move the program's flow notices from the ring into the source's own queue, which the next
 * sweep's drain empties first: called between sweeps, often enough that the ring never fills
 * (it holds about one notice per 8 flows of the map), a burst of new flows costs no full walk.
 * 0 or a negative errno.
 */
int bpfix_kernel_source__collect_notices(struct bpfix_kernel_source *ks);
/* Frames that never reached the program because they were too short: seen and truncated. */
void bpfix_kernel_source__add_truncated(struct bpfix_kernel_source *ks, __u64 packets);
void bpfix_kernel_source__free(struct bpfix_kernel_source *ks);

#endif /* BPFIX_KERNEL_SOURCE_H */
