// SPDX-License-Identifier: GPL-2.0-only
/*
 * Classic pcap records read in place (pcap_chunks.h) from a buffer that pread() fills a chunk at a
 * time. The layout is the one libpcap's savefile documentation gives: a 24-octet file header
 * (magic, version 2.4, time zone, accuracy, snapshot length, link type), then per packet seconds,
 * sub-seconds, captured and original length, each 32 bits, and the captured octets. A record cut
 * by the chunk's end is moved to the buffer's start and the rest read behind it; the buffer holds
 * a chunk plus the longest record, so every read asks for a whole chunk. A read that returns
 * nothing (or fails) is the end of the file as it is now, cut while it is read or not: the
 * records handed out were whole when they were read, and libpcap, reading on from the first one
 * that is not, finds the end or the damage and says so as for any cut capture.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay/pcap_chunks.h"

#define FILE_HDR_LEN 24
#define RECORD_HDR_LEN 16
#define MAGIC_USEC 0xA1B2C3D4u	/* in the host's byte order: the file was written here */
#define MAGIC_NSEC 0xA1B23C4Du

struct bpfix_pcap_chunks {
	int fd;
	__u8 *buf;		/* octets [buf_off, buf_off + len) of the file */
	__u64 buf_off;
	size_t len, cap;
	size_t pos;		/* in buf, where the next record starts */
	int ended;		/* a read returned nothing: the file ends at buf_off + len */
	__u32 snapshot;
	__s64 frac_scale;	/* ns per sub-second unit: 1000 (microseconds) or 1 */
};

static __u32 word(const __u8 *p)
{
	__u32 w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * At least @need octets from pos in the buffer, reading on when they are not: the octets not yet
 * handed out move to its start and as much as fits is read behind them. 1, or 0 when the file
 * ends first.
 */
static int have(struct bpfix_pcap_chunks *m, size_t need)
{
	ssize_t got;

	if (m->len - m->pos >= need)
		return 1;
	if (m->ended)
		return 0;
	memmove(m->buf, m->buf + m->pos, m->len - m->pos);
	m->buf_off += m->pos;
	m->len -= m->pos;
	m->pos = 0;
	while (m->len < m->cap) {
		got = pread(m->fd, m->buf + m->len, m->cap - m->len, (off_t)(m->buf_off + m->len));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			m->ended = 1;
			break;
		}
		m->len += (size_t)got;
	}
	return m->len >= need;
}

struct bpfix_pcap_chunks *bpfix_pcap_chunks__open(int fd, __u32 snapshot, __u32 chunk)
{
	struct bpfix_pcap_chunks *m = calloc(1, sizeof(*m));
	__u16 version[2];
	__u32 magic;

	if (!m)
		return NULL;
	m->fd = fd;
	m->cap = (size_t)chunk + RECORD_HDR_LEN + snapshot;
	m->buf = malloc(m->cap);
	if (!m->buf || !have(m, FILE_HDR_LEN)) {
		bpfix_pcap_chunks__free(m);
		return NULL;
	}
	magic = word(m->buf);
	memcpy(version, m->buf + 4, sizeof(version));
	if ((magic != MAGIC_USEC && magic != MAGIC_NSEC) || version[0] != 2 || version[1] != 4) {
		bpfix_pcap_chunks__free(m);
		return NULL;
	}
	m->pos = FILE_HDR_LEN;
	m->snapshot = snapshot;
	m->frac_scale = magic == MAGIC_USEC ? 1000 : 1;
	return m;
}

int bpfix_pcap_chunks__next(struct bpfix_pcap_chunks *m, struct bpfix_pcap_record *rec)
{
	const __u8 *hdr;
	__u32 caplen;

	if (!have(m, RECORD_HDR_LEN))
		return 0;
	caplen = word(m->buf + m->pos + 8);
	if (caplen > m->snapshot || !have(m, RECORD_HDR_LEN + (size_t)caplen))
		return 0;
	hdr = m->buf + m->pos; /* after have(): it may have moved the record */
	rec->data = hdr + RECORD_HDR_LEN;
	rec->caplen = caplen;
	rec->len = word(hdr + 12);
	/* libpcap: seconds as they are (32 bits), sub-seconds a signed 32-bit value scaled */
	rec->tstamp_ns = (__u64)word(hdr) * 1000000000ull +
			 (__u64)((__s64)(__s32)word(hdr + 4) * m->frac_scale);
	m->pos += RECORD_HDR_LEN + caplen;
	return 1;
}

__u64 bpfix_pcap_chunks__offset(const struct bpfix_pcap_chunks *m)
{
	return m->buf_off + m->pos;
}

void bpfix_pcap_chunks__free(struct bpfix_pcap_chunks *m)
{
	if (!m)
		return;
	free(m->buf);
	free(m);
}
