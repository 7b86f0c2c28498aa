// SPDX-License-Identifier: GPL-2.0-only
/* Names of enum bpfix_counter, as the summary prints them; no name is spelled here. */
#include "meter/counters.h"
#include "util/counter_table.h"

const char *bpfix_counter_name(enum bpfix_counter idx)
{
	return idx < BPFIX_CNT_MAX ? bpfix_stat_desc(BPFIX_STAT_OF_COUNTER(idx))->summary
				   : "unknown counter";
}
