/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One packet as a meter takes it in replay: an Ethernet frame with its capture time. Readers make
 * them (replay/), meters consume them (meter/); neither knows the other.
 */
#ifndef BPFIX_FRAME_H
#define BPFIX_FRAME_H

#include <linux/types.h>

struct bpfix_frame {
	const __u8 *data; /* valid until the next frame is read */
	__u32 len;	  /* octets at data */
	__u32 wire_len;	  /* octets the packet had on the wire, as Ethernet */
	__u64 tstamp_ns;  /* capture time, ns since the epoch */
};

#endif /* BPFIX_FRAME_H */
