/* SPDX-License-Identifier: GPL-2.0-only */
/* Human names of the packet counters: their summary text; the names live in the counter table. */
#ifndef BPFIX_COUNTERS_H
#define BPFIX_COUNTERS_H

#include "bpfix_flow.h"

const char *bpfix_counter_name(enum bpfix_counter idx);

#endif /* BPFIX_COUNTERS_H */
