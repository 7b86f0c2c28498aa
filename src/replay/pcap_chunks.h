/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The classic pcap records of a regular file read in place from one reused buffer, filled a
 * large chunk at a time by pread(): no copy into stdio, none into libpcap's buffer, and a file
 * cut while it is read just ends early (a memory map would stop the process with SIGBUS). Only
 * the plain case: the host's byte order, version 2.4, every record whole and within the snapshot
 * length. At the first record that is anything else, and where the file ends, it stops and says
 * where: libpcap reads on from there, so what it accepts, how it fails and what it says stay
 * libpcap's. It knows nothing of link types.
 */
#ifndef BPFIX_PCAP_CHUNKS_H
#define BPFIX_PCAP_CHUNKS_H

#include <linux/types.h>

struct bpfix_pcap_chunks;

struct bpfix_pcap_record {
	const __u8 *data;
	__u32 caplen, len;
	__u64 tstamp_ns;   /* as libpcap gives it with nanosecond precision */
};

#define BPFIX_PCAP_CHUNK (256u << 10) /* read at a time: stays in a core's cache */

/*
 * Read the capture open on @fd, whose snapshot length libpcap took as @snapshot, @chunk octets at
 * a time; NULL when it cannot or should not be read in place (then libpcap reads it all). A
 * record stays valid until the next is read: its octets are overwritten then.
 */
struct bpfix_pcap_chunks *bpfix_pcap_chunks__open(int fd, __u32 snapshot, __u32 chunk);
/* 1 with the next record; 0 where it stops (bpfix_pcap_chunks__offset). */
int bpfix_pcap_chunks__next(struct bpfix_pcap_chunks *m, struct bpfix_pcap_record *rec);
/* Octets of the file read so far: where the next record starts. */
__u64 bpfix_pcap_chunks__offset(const struct bpfix_pcap_chunks *m);
void bpfix_pcap_chunks__free(struct bpfix_pcap_chunks *m);

#endif /* BPFIX_PCAP_CHUNKS_H */
