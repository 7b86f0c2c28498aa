// SPDX-License-Identifier: GPL-2.0-only
/* Names of enum bpfix_counter, as the summary prints them (no name is spelled here), and the sum
 * of the kernel's per-CPU counters. */
#include <bpf/bpf.h>

#include "meter/counters.h"
#include "util/counter_table.h"

int bpfix_counters_read_kernel(int fd, struct bpfix_counter_values *percpu, int ncpus,
			       __u64 out[BPFIX_CNT_MAX])
{
	__u32 zero = 0, idx;
	int cpu, err;

	_Static_assert(sizeof(struct bpfix_counter_values) % 8 == 0, "per-CPU value stride");
	err = bpf_map_lookup_elem(fd, &zero, percpu);
	if (err)
		return err;
	for (idx = 0; idx < BPFIX_CNT_MAX; idx++) {
		out[idx] = 0;
		for (cpu = 0; cpu < ncpus; cpu++)
			out[idx] += percpu[cpu].n[idx];
	}
	return 0;
}

const char *bpfix_counter_name(enum bpfix_counter idx)
{
	return idx < BPFIX_CNT_MAX ? bpfix_stat_desc(BPFIX_STAT_OF_COUNTER(idx))->summary
				   : "unknown counter";
}
