// SPDX-License-Identifier: GPL-2.0-only
/*
 * Classic pcap records read in place (pcap_map.h). The layout is the one libpcap's savefile
 * documentation gives: a 24-octet file header (magic, version 2.4, time zone, accuracy, snapshot
 * length, link type), then per packet seconds, sub-seconds, captured and original length, each
 * 32 bits, and the captured octets. A file cut or changed while it is mapped can stop the process
 * (SIGBUS): replay reads captures, it does not follow files being written.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "replay/pcap_map.h"

#define FILE_HDR_LEN 24
#define RECORD_HDR_LEN 16
#define MAGIC_USEC 0xA1B2C3D4u	/* in the host's byte order: the file was written here */
#define MAGIC_NSEC 0xA1B23C4Du

struct bpfix_pcap_map {
	const __u8 *base;
	__u64 size, off;
	__u32 snapshot;
	__s64 frac_scale;	/* ns per sub-second unit: 1000 (microseconds) or 1 */
};

static __u32 word(const __u8 *p)
{
	__u32 w;

	memcpy(&w, p, sizeof(w));
	return w;
}

struct bpfix_pcap_map *bpfix_pcap_map__open(int fd, __u64 size, __u32 snapshot)
{
	struct bpfix_pcap_map *m;
	__u16 version[2];
	__u32 magic;
	void *base;

	if (size < FILE_HDR_LEN || size != (size_t)size)
		return NULL;
	base = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (base == MAP_FAILED)
		return NULL;
	magic = word(base);
	memcpy(version, (const __u8 *)base + 4, sizeof(version));
	m = calloc(1, sizeof(*m));
	if (!m || (magic != MAGIC_USEC && magic != MAGIC_NSEC) || version[0] != 2 ||
	    version[1] != 4) {
		munmap(base, size);
		free(m);
		return NULL;
	}
	madvise(base, size, MADV_SEQUENTIAL); /* read ahead, and drop what was read */
	m->base = base;
	m->size = size;
	m->off = FILE_HDR_LEN;
	m->snapshot = snapshot;
	m->frac_scale = magic == MAGIC_USEC ? 1000 : 1;
	return m;
}

int bpfix_pcap_map__next(struct bpfix_pcap_map *m, struct bpfix_pcap_record *rec)
{
	const __u8 *hdr = m->base + m->off;
	__u32 caplen;

	if (m->size - m->off < RECORD_HDR_LEN)
		return 0;
	caplen = word(hdr + 8);
	if (caplen > m->snapshot || caplen > m->size - m->off - RECORD_HDR_LEN)
		return 0;
	rec->data = hdr + RECORD_HDR_LEN;
	rec->caplen = caplen;
	rec->len = word(hdr + 12);
	/* libpcap: seconds as they are (32 bits), sub-seconds a signed 32-bit value scaled */
	rec->tstamp_ns = (__u64)word(hdr) * 1000000000ull +
			 (__u64)((__s64)(__s32)word(hdr + 4) * m->frac_scale);
	m->off += RECORD_HDR_LEN + caplen;
	return 1;
}

__u64 bpfix_pcap_map__offset(const struct bpfix_pcap_map *m)
{
	return m->off;
}

void bpfix_pcap_map__free(struct bpfix_pcap_map *m)
{
	if (!m)
		return;
	munmap((void *)m->base, m->size);
	free(m);
}
