// SPDX-License-Identifier: GPL-2.0-only
/*
 * Classic pcap records read in place (pcap_map.h), through a window of the file mapped at a time.
 * The layout is the one libpcap's savefile documentation gives: a 24-octet file header (magic,
 * version 2.4, time zone, accuracy, snapshot length, link type), then per packet seconds,
 * sub-seconds, captured and original length, each 32 bits, and the captured octets. A file cut
 * while it is mapped can stop the process (SIGBUS): replay reads captures, it does not follow
 * files being written.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "replay/pcap_map.h"

#define FILE_HDR_LEN 24
#define RECORD_HDR_LEN 16
#define MAGIC_USEC 0xA1B2C3D4u	/* in the host's byte order: the file was written here */
#define MAGIC_NSEC 0xA1B23C4Du
#define STREAM_AHEAD 2048

struct bpfix_pcap_map {
	int fd;
	const __u8 *win;	/* the mapped window of the file: win_len octets from win_off */
	__u64 win_off, win_len;
	__u64 size, off;
	__u64 streamed;		/* fetched up to here */
	__u64 page, window;	/* window: octets mapped at a time, whole pages */
	__u32 snapshot;
	__s64 frac_scale;	/* ns per sub-second unit: 1000 (microseconds) or 1 */
};

static __u32 word(const __u8 *p)
{
	__u32 w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Map the window that starts at the page holding @at; 0, or -1 (the old window is kept). */
static int map_window(struct bpfix_pcap_map *m, __u64 at)
{
	__u64 start = at & ~(m->page - 1);
	__u64 len = m->size - start < m->window ? m->size - start : m->window;
	void *win = mmap(NULL, len, PROT_READ, MAP_PRIVATE, m->fd, (off_t)start);

	if (win == MAP_FAILED)
		return -1;
	if (m->win)
		munmap((void *)m->win, m->win_len);
	m->win = win;
	m->win_off = start;
	m->win_len = len;
	return 0;
}

static const __u8 *at(const struct bpfix_pcap_map *m, __u64 off)
{
	return m->win + (off - m->win_off);
}

struct bpfix_pcap_map *bpfix_pcap_map__open(int fd, __u64 size, __u32 snapshot, __u64 window)
{
	struct bpfix_pcap_map *m;
	__u16 version[2];
	__u32 magic;

	if (size < FILE_HDR_LEN || size != (size_t)size)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->fd = fd;
	m->size = size;
	m->page = (__u64)sysconf(_SC_PAGESIZE);
	/* room for the longest record wherever in its first page it starts */
	if (window < RECORD_HDR_LEN + (__u64)snapshot + m->page)
		window = RECORD_HDR_LEN + (__u64)snapshot + m->page;
	m->window = (window + m->page - 1) & ~(m->page - 1);
	if (map_window(m, 0)) {
		free(m);
		return NULL;
	}
	magic = word(m->win);
	memcpy(version, m->win + 4, sizeof(version));
	if ((magic != MAGIC_USEC && magic != MAGIC_NSEC) || version[0] != 2 || version[1] != 4) {
		bpfix_pcap_map__free(m);
		return NULL;
	}
	m->off = FILE_HDR_LEN;
	m->snapshot = snapshot;
	m->frac_scale = magic == MAGIC_USEC ? 1000 : 1;
	return m;
}

/*
 * Every cache line up to STREAM_AHEAD octets past the next record's start, fetched once, while
 * this one is metered: the next records' headers and first octets arrive before they are read
 * (reading a record's length to prefetch just the one after it stalls on that read instead).
 */
static void stream_ahead(struct bpfix_pcap_map *m, __u64 win_end)
{
	__u64 to = m->off + STREAM_AHEAD < win_end ? m->off + STREAM_AHEAD : win_end;

	if (m->streamed < m->off)
		m->streamed = m->off & ~(__u64)63;
	for (; m->streamed < to; m->streamed += 64)
		__builtin_prefetch(at(m, m->streamed));
}

int bpfix_pcap_map__next(struct bpfix_pcap_map *m, struct bpfix_pcap_record *rec)
{
	__u64 need = m->off + RECORD_HDR_LEN + m->snapshot, win_end = m->win_off + m->win_len;
	const __u8 *hdr;
	__u32 caplen;

	if (m->size - m->off < RECORD_HDR_LEN)
		return 0;
	/* the window holds any record that may start here, or reaches the end of the file */
	if (win_end < (need < m->size ? need : m->size)) {
		if (map_window(m, m->off))
			return 0;
		win_end = m->win_off + m->win_len;
	}
	hdr = at(m, m->off);
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
	stream_ahead(m, win_end);
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
	if (m->win)
		munmap((void *)m->win, m->win_len);
	free(m);
}
