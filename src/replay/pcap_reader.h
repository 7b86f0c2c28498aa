/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reads pcap (libpcap) and pcapng (pcapng_file.c) captures, from files, pipes or stdin, and hands
 * out each packet as an Ethernet frame, the only form BPF_PROG_TEST_RUN takes: Linux cooked (SLL,
 * SLL2), BSD loopback (NULL, LOOP) and raw-IP packets (RAW, IPV4, IPV6) get a made-up Ethernet
 * header, and frames are cut to BPFIX_READER_MAX_FRAME octets (the flow's octets come from the IP
 * length field, so cutting loses nothing that is counted). Capture times are unsigned: a classic
 * pcap's 32-bit seconds reach 2106.
 */
#ifndef BPFIX_PCAP_READER_H
#define BPFIX_PCAP_READER_H

#include <linux/types.h>

#include "meter/frame.h"

#define BPFIX_READER_MAX_FRAME 3584

struct bpfix_pcap_reader;

/*
 * @path "-" is stdin; a pipe works too (opened once, read once). NULL with errno set; the reason
 * (file, format, link type) was printed.
 */
struct bpfix_pcap_reader *bpfix_pcap_reader__open(const char *path);
/* 1 with a frame, 0 at the end, a negative errno if the file is damaged (reason printed). */
int bpfix_pcap_reader__next(struct bpfix_pcap_reader *r, struct bpfix_frame *frame);
/* Octets of the capture read so far, in *@read; its size in *@size, 0 when unknown (a pipe). */
void bpfix_pcap_reader__position(const struct bpfix_pcap_reader *r, __u64 *read, __u64 *size);
void bpfix_pcap_reader__free(struct bpfix_pcap_reader *r);

#endif /* BPFIX_PCAP_READER_H */
