// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpcap offline reading and link-type normalisation to Ethernet. It does not parse beyond the
 * link layer: the EtherType it writes is the one the link header (or the link type) gave.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "util/log.h"
#include "replay/pcap_chunks.h"
#include "replay/pcap_reader.h"
#include "replay/pcapng_file.h"

#define ETH_HDR_LEN 14
#define SLL_HDR_LEN 16	/* LINKTYPE_LINUX_SLL: protocol at octet 14 */
#define SLL2_HDR_LEN 20 /* LINKTYPE_LINUX_SLL2: protocol at octet 0 */
#define NULL_HDR_LEN 4	/* LINKTYPE_NULL, LINKTYPE_LOOP: a 32-bit address family */

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_NOT_IP 0x0000 /* what the parser counts "not IP" */

/* BSD address families in NULL/LOOP headers: AF_INET6 differs by OS */
#define BSD_AF_INET 2
#define BSD_AF_INET6_BSD 24	/* OpenBSD, NetBSD */
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30	/* macOS */

/* pcapng names link types by LINKTYPE_ value; libpcap maps classic pcap's to DLT_ values, which
 * differ for raw IP only among those read here */
#define LINKTYPE_RAW 101

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define SUPPORTED_LINKS "Ethernet, Linux cooked (SLL, SLL2), BSD loopback (NULL, LOOP) and raw IP"

/* Classic pcap goes through libpcap; pcapng through pcapng_file, since libpcap 1.10 stops at a
 * second interface whose link type or snapshot length differs from the first. */
#define BPFIX_READER_IOBUF (1 << 20)

struct bpfix_pcap_reader {
	pcap_t *pcap;
	struct bpfix_pcapng_file *pcapng;
	struct bpfix_pcap_chunks *chunks; /* classic pcap read in place, up to where it stops */
	FILE *fp;		/* the stream either reads, owned by it */
	__u64 size;		/* of a regular file; 0: unknown */
	char *path;
	int linktype;
	__u8 frame[BPFIX_READER_MAX_FRAME];
	char iobuf[BPFIX_READER_IOBUF]; /* the stream's stdio buffer: freed after it is closed */
};

static bool linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

/*
 * Open @path ("-": stdin), read up to four octets into @magic and push them back: the stream is
 * opened once and never seeked, so a pipe works. 0, or a negative errno with the reason printed.
 */
static int open_peek(const char *path, FILE **fp, __u8 magic[4], char *iobuf)
{
	size_t got;
	int c;

	*fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!*fp) {
		bpfix_err("cannot read capture %s: %s\n", path, strerror(errno));
		return -errno;
	}
	/* stdio's 4 KiB buffer makes a read() per few frames; a capture is read straight through
	 * (glibc ignores the size unless it is given the buffer) */
	setvbuf(*fp, iobuf, _IOFBF, BPFIX_READER_IOBUF);
	for (got = 0; got < 4 && (c = getc(*fp)) != EOF; got++)
		magic[got] = (__u8)c;
	if (ferror(*fp)) {
		bpfix_err("cannot read capture %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	if (!got) {
		bpfix_err("capture %s is empty\n", path);
		return -EINVAL;
	}
	/* glibc takes back as many octets as were read (POSIX promises one) */
	while (got)
		if (ungetc(magic[--got], *fp) == EOF) {
			bpfix_err("cannot read capture %s: its first octets cannot be pushed back\n",
				  path);
			return -EIO;
		}
	return 0;
}

static void close_stream(FILE *fp)
{
	if (fp && fp != stdin)
		fclose(fp);
}

/* The size of the regular file @fp reads, or 0 (a pipe, a terminal: unknown). */
static __u64 file_size(FILE *fp)
{
	struct stat st;

	if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode))
		return 0;
	return (__u64)st.st_size;
}

struct bpfix_pcap_reader *bpfix_pcap_reader__open(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct bpfix_pcap_reader *r;
	__u8 magic[4] = { 0 };
	FILE *fp;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	err = open_peek(path, &fp, magic, r->iobuf);
	if (err) {
		close_stream(fp);
		free(r);
		errno = -err;
		return NULL;
	}
	if (!(r->path = strdup(path))) {
		close_stream(fp);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->fp = fp;
	r->size = file_size(fp);
	if (!memcmp(magic, "\x0a\x0d\x0d\x0a", 4)) { /* pcapng: the same in both byte orders */
		r->pcapng = bpfix_pcapng_file__fopen(fp);
		if (!r->pcapng) {
			close_stream(fp);
			bpfix_pcap_reader__free(r);
			errno = ENOMEM;
			return NULL;
		}
		return r; /* link types are per packet: checked as packets come */
	}
	/* libpcap owns fp once it succeeds */
	r->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!r->pcap) {
		close_stream(fp);
		bpfix_err("cannot read capture %s: %s\n", path, errbuf);
		bpfix_pcap_reader__free(r);
		errno = EINVAL;
		return NULL;
	}
	r->linktype = pcap_datalink(r->pcap);
	if (!linktype_supported(r->linktype)) {
		bpfix_err("capture %s has link type %s (%d); bpfix reads " SUPPORTED_LINKS
			  " captures\n", path, pcap_datalink_val_to_name(r->linktype) ?: "unknown", r->linktype);
		bpfix_pcap_reader__free(r);
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	if (r->size) /* a regular file */
		r->chunks = bpfix_pcap_chunks__open(fileno(fp), (__u32)pcap_snapshot(r->pcap),
						    BPFIX_PCAP_CHUNK);
	return r;
}

static void put_ethertype(__u8 *eth, __u16 ethertype)
{
	memset(eth, 0, 12); /* no MAC addresses in the capture: zeros, never parsed */
	eth[12] = ethertype >> 8;
	eth[13] = ethertype & 0xFF;
}

/* Copy the link payload behind a made-up Ethernet header; returns the Ethernet length. */
static __u32 wrap_ethernet(struct bpfix_pcap_reader *r, const __u8 *payload, __u32 len,
			   __u16 ethertype)
{
	__u32 room = sizeof(r->frame) - ETH_HDR_LEN;

	put_ethertype(r->frame, ethertype);
	memcpy(r->frame + ETH_HDR_LEN, payload, len < room ? len : room);
	return ETH_HDR_LEN + (len < room ? len : room);
}

static __u16 raw_ip_ethertype(const __u8 *data, __u32 len)
{
	if (len && data[0] >> 4 == 6)
		return ETHERTYPE_IPV6;
	return ETHERTYPE_IPV4; /* a version nibble that is neither is found malformed by the parser */
}

/*
 * The EtherType of a NULL or LOOP header's address family. NULL holds it in the byte order of
 * the host that wrote the capture, LOOP in network order (some writers use host order there
 * too). A family is below 65536, so of the two readings the one below 65536 is the family.
 */
static __u16 loopback_ethertype(const __u8 *hdr)
{
	__u32 family = (__u32)hdr[0] << 24 | (__u32)hdr[1] << 16 | (__u32)hdr[2] << 8 | hdr[3];

	if (family > 0xFFFF)
		family = __builtin_bswap32(family);
	switch (family) {
	case BSD_AF_INET:
		return ETHERTYPE_IPV4;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return ETHERTYPE_IPV6;
	default:
		return ETHERTYPE_NOT_IP;
	}
}

/*
 * Normalise one packet of link type @dlt; returns the frame length, or 0 for a packet too short
 * to carry its link header (the parser then finds it truncated). @wire_len, the recorded
 * length, becomes the length the packet would have as Ethernet: never below what was captured
 * (a record claiming less is damaged, and the captured octets are there), never wrapped.
 * @frame: where the frame is (an Ethernet packet stays where the capture reader has it).
 */
static __u32 normalise(struct bpfix_pcap_reader *r, int dlt, const __u8 *data, __u32 caplen,
		       __u32 *wire_len, const __u8 **frame)
{
	__u32 link_len = 0;
	__u16 ethertype;

	*frame = r->frame; /* a made-up Ethernet header in front of the payload, below */
	if (*wire_len < caplen)
		*wire_len = caplen;
	switch (dlt) {
	case DLT_EN10MB: /* as it is, in place: no copy */
		*frame = data;
		return caplen < sizeof(r->frame) ? caplen : sizeof(r->frame);
	case DLT_LINUX_SLL:
		if (caplen < SLL_HDR_LEN)
			return 0;
		link_len = SLL_HDR_LEN;
		ethertype = (__u16)(data[14] << 8 | data[15]);
		break;
	case DLT_LINUX_SLL2:
		if (caplen < SLL2_HDR_LEN)
			return 0;
		link_len = SLL2_HDR_LEN;
		ethertype = (__u16)(data[0] << 8 | data[1]);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		if (caplen < NULL_HDR_LEN)
			return 0;
		link_len = NULL_HDR_LEN;
		ethertype = loopback_ethertype(data);
		break;
	case DLT_IPV4: /* the link type says which IP: a wrong version is malformed */
		ethertype = ETHERTYPE_IPV4;
		break;
	case DLT_IPV6:
		ethertype = ETHERTYPE_IPV6;
		break;
	default: /* raw IP */
		ethertype = raw_ip_ethertype(data, caplen);
		break;
	}
	/* caplen >= link_len: no wrap; a recorded length near 4 GiB saturates */
	*wire_len -= link_len;
	*wire_len = *wire_len > UINT32_MAX - ETH_HDR_LEN ? UINT32_MAX : *wire_len + ETH_HDR_LEN;
	return wrap_ethernet(r, data + link_len, caplen - link_len, ethertype);
}

/* A packet of link type @dlt as a frame (normalise). */
static void to_frame(struct bpfix_pcap_reader *r, int dlt, const __u8 *data, __u32 caplen,
		     __u32 len, __u64 tstamp_ns, struct bpfix_frame *frame)
{
	frame->wire_len = len;
	frame->len = normalise(r, dlt, data, caplen, &frame->wire_len, &frame->data);
	frame->tstamp_ns = tstamp_ns;
}

/*
 * -EIO, said, when the capture is now shorter than at its opening: it was cut while it was read
 * (at a record boundary, the readers would find a clean end there and the rest would be lost
 * without a word); 0 otherwise. @read: octets of it read.
 */
static int cut_while_read(const struct bpfix_pcap_reader *r, __u64 read)
{
	__u64 now = r->size ? file_size(r->fp) : 0;

	if (!r->size || now >= r->size)
		return 0;
	bpfix_err("capture %s is damaged: truncated to %llu octets while it was read (it had %llu; "
		  "the packets in its first %llu were replayed): replay a complete copy of it\n",
		  r->path, (unsigned long long)now, (unsigned long long)r->size,
		  (unsigned long long)(read < now ? read : now));
	return -EIO;
}

/* The next record read in place: 1; 0 when it stopped, libpcap then reading on from there. */
static int next_chunked(struct bpfix_pcap_reader *r, struct bpfix_frame *frame)
{
	struct bpfix_pcap_record rec;
	__u64 read;

	if (bpfix_pcap_chunks__next(r->chunks, &rec)) {
		to_frame(r, r->linktype, rec.data, rec.caplen, rec.len, rec.tstamp_ns, frame);
		return 1;
	}
	read = bpfix_pcap_chunks__offset(r->chunks);
	if (cut_while_read(r, read))
		return -EIO;
	if (fseeko(r->fp, (off_t)read, SEEK_SET)) {
		bpfix_err("cannot read capture %s: %s\n", r->path, strerror(errno));
		return -EIO;
	}
	bpfix_pcap_chunks__free(r->chunks);
	r->chunks = NULL;
	return 0;
}

static int next_pcapng(struct bpfix_pcap_reader *r, struct bpfix_frame *frame)
{
	struct bpfix_pcapng_packet pkt;
	const char *why = "";
	int rc, dlt;

	rc = bpfix_pcapng_file__next(r->pcapng, &pkt, &why);
	if (rc < 0) {
		bpfix_err("capture %s is damaged: %s\n", r->path, why);
		return rc;
	}
	if (!rc)
		return cut_while_read(r, (__u64)ftello(r->fp));
	dlt = pkt.linktype == LINKTYPE_RAW ? DLT_RAW : pkt.linktype;
	if (!linktype_supported(dlt)) {
		bpfix_err("capture %s has a packet of link type %d; bpfix reads " SUPPORTED_LINKS
			  "\n", r->path, pkt.linktype);
		return -EPROTONOSUPPORT;
	}
	to_frame(r, dlt, pkt.data, pkt.caplen, pkt.len, pkt.tstamp_ns, frame);
	return 1;
}

int bpfix_pcap_reader__next(struct bpfix_pcap_reader *r, struct bpfix_frame *frame)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	if (r->pcapng)
		return next_pcapng(r, frame);
	if (r->chunks && (rc = next_chunked(r, frame)))
		return rc;
	rc = pcap_next_ex(r->pcap, &hdr, &data);
	if (rc == PCAP_ERROR_BREAK)
		return cut_while_read(r, (__u64)ftello(r->fp));
	if (rc != 1) {
		bpfix_err("capture %s is damaged: %s\n", r->path, pcap_geterr(r->pcap));
		return -EIO;
	}
	/* ts_sec is unsigned 32-bit (to 2106); libpcap passes it through a signed 32-bit int, so
	 * from 2038 on (0x80000000) tv_sec comes out negative: take back its 32 bits */
	to_frame(r, r->linktype, data, hdr->caplen, hdr->len,
		 (__u64)(__u32)hdr->ts.tv_sec * 1000000000ull + (__u64)hdr->ts.tv_usec, frame);
	return 1;
}

void bpfix_pcap_reader__position(const struct bpfix_pcap_reader *r, __u64 *read, __u64 *size)
{
	off_t at = r->chunks ? (off_t)bpfix_pcap_chunks__offset(r->chunks) : r->size ? ftello(r->fp) : -1;

	*size = r->size;
	*read = at > 0 ? (__u64)at : 0;
}

void bpfix_pcap_reader__free(struct bpfix_pcap_reader *r)
{
	if (!r)
		return;
	bpfix_pcap_chunks__free(r->chunks);
	if (r->pcap)
		pcap_close(r->pcap);
	bpfix_pcapng_file__free(r->pcapng);
	free(r->path);
	free(r);
}
