/* SPDX-License-Identifier: GPL-2.0-only */
/* Human names of the packet counters: their summary text; the names live in the counter table. */
#ifndef BPFIX_COUNTERS_H
#define BPFIX_COUNTERS_H

#include "bpfix_flow.h"

const char *bpfix_counter_name(enum bpfix_counter idx);

/* Sum the per-CPU counters of the kernel's counter map @fd into @out, using @percpu (@ncpus
 * entries) as room; 0 or a negative errno. */
int bpfix_counters_read_kernel(int fd, struct bpfix_counter_values *percpu, int ncpus,
			       __u64 out[BPFIX_CNT_MAX]);

#endif /* BPFIX_COUNTERS_H */
