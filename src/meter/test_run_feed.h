/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Feeds one Ethernet frame to a loaded TC program with BPF_PROG_TEST_RUN, the capture time in
 * skb->tstamp (the kernel engine of replay). It neither loads the program nor reads its maps.
 */
#ifndef BPFIX_TEST_RUN_FEED_H
#define BPFIX_TEST_RUN_FEED_H

#include "meter/frame.h"

/* BPF_PROG_TEST_RUN takes linear Ethernet frames from 14 octets up to about a page. */
#define BPFIX_TEST_RUN_MIN_FRAME 14 /* and a whole IP header after it for IPv4/IPv6 */
#define BPFIX_TEST_RUN_MAX_FRAME 3584
/* ... and a ctx wire_len from the frame's length up to GSO_LEGACY_MAX_SIZE (else EINVAL) */
#define BPFIX_TEST_RUN_MAX_WIRE_LEN 65536
/* the recorded wire length, uncapped, goes in ctx cb[] at this index (meter() in bpf/flow.bpf.c) */
#define BPFIX_TEST_RUN_CB_WIRE_LEN 0

/*
 * 0 when the program ran, 1 when the test run would refuse the frame (too short for Ethernet or
 * for its IP header: the program would count it truncated, so the caller does), or a negative
 * errno (printed).
 */
int bpfix_test_run_feed(int prog_fd, const struct bpfix_frame *frame);

#endif /* BPFIX_TEST_RUN_FEED_H */
