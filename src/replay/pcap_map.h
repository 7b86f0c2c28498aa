/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The classic pcap records of a regular file read in place through a memory map: no read() copy
 * into stdio, no copy into libpcap's buffer. Only the plain case: the host's byte order, version
 * 2.4, every record whole and within the snapshot length. At the first record that is anything
 * else, and at the end of the map, it stops and says where: libpcap reads on from there, so what
 * it accepts, how it fails and what it says stay libpcap's. It knows nothing of link types.
 */
#ifndef BPFIX_PCAP_MAP_H
#define BPFIX_PCAP_MAP_H

#include <linux/types.h>

struct bpfix_pcap_map;

struct bpfix_pcap_record {
	const __u8 *data;
	__u32 caplen, len;
	__u64 tstamp_ns;   /* as libpcap gives it with nanosecond precision */
};

#define BPFIX_PCAP_MAP_WINDOW (64ull << 20) /* mapped at a time: a process maps no more */

/*
 * Map the capture open on @fd, @size octets, whose snapshot length libpcap took as @snapshot,
 * @window octets at a time (more if a record needs it); NULL when it cannot or should not be
 * read in place (then libpcap reads it all). A record stays valid until the next is read.
 */
struct bpfix_pcap_map *bpfix_pcap_map__open(int fd, __u64 size, __u32 snapshot, __u64 window);
/* 1 with the next record; 0 where the map stops (bpfix_pcap_map__offset). */
int bpfix_pcap_map__next(struct bpfix_pcap_map *m, struct bpfix_pcap_record *rec);
/* Octets of the file read so far: where the next record starts. */
__u64 bpfix_pcap_map__offset(const struct bpfix_pcap_map *m);
void bpfix_pcap_map__free(struct bpfix_pcap_map *m);

#endif /* BPFIX_PCAP_MAP_H */
