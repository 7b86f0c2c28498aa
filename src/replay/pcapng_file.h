/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal pcapng reader for what libpcap 1.10 refuses: files whose interfaces differ in link
 * type or snapshot length. It yields each packet with its own interface's link type and a
 * nanosecond timestamp; it reads Enhanced, Simple and obsolete Packet blocks and skips others.
 */
#ifndef BPFIX_PCAPNG_FILE_H
#define BPFIX_PCAPNG_FILE_H

#include <stdio.h>

#include <linux/types.h>

struct bpfix_pcapng_packet {
	const __u8 *data; /* valid until the next call */
	__u32 caplen;
	__u32 len;
	__u64 tstamp_ns;
	int linktype;
};

struct bpfix_pcapng_file;

/* NULL with errno set (ENOENT, EACCES, EINVAL for a file that is not pcapng...). */
struct bpfix_pcapng_file *bpfix_pcapng_file__open(const char *path);
/*
 * Read @fp from where it stands (at the first section header block; the stream is only read, never
 * seeked, so a pipe works). Takes @fp: closed by __free unless it is stdin. NULL on ENOMEM.
 */
struct bpfix_pcapng_file *bpfix_pcapng_file__fopen(FILE *fp);
/* 1 with a packet, 0 at the end, -EIO for a damaged file (*why says what is wrong). */
int bpfix_pcapng_file__next(struct bpfix_pcapng_file *f, struct bpfix_pcapng_packet *pkt,
			    const char **why);
void bpfix_pcapng_file__free(struct bpfix_pcapng_file *f);

#endif /* BPFIX_PCAPNG_FILE_H */
