// SPDX-License-Identifier: GPL-2.0-only
/*
 * pcapng block walker (draft-ietf-opsawg-pcapng): section headers set the byte order, interface
 * description blocks give each interface's link type and timestamp resolution, packet blocks
 * carry the frames. Only what replay needs; options other than if_tsresol are skipped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/pcapng_file.h"

#define BLOCK_SHB 0x0A0D0D0A
#define BLOCK_IDB 0x00000001
#define BLOCK_OPB 0x00000002 /* obsolete Packet Block */
#define BLOCK_SPB 0x00000003
#define BLOCK_EPB 0x00000006
#define BYTE_ORDER_MAGIC 0x1A2B3C4D
#define OPT_END 0
#define OPT_IF_TSRESOL 9
#define MAX_BLOCK (64u << 20) /* a larger block is damage, not a packet */
#define MAX_INTERFACES 256

struct interface {
	int linktype;
	__u64 units_per_s; /* timestamp resolution */
};

struct bpfix_pcapng_file {
	FILE *fp;
	bool swap;		/* section written in the other byte order */
	struct interface ifs[MAX_INTERFACES];
	__u32 n_ifs;
	__u8 *block;
	__u32 block_cap;
};

static __u32 get32(const struct bpfix_pcapng_file *f, const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, 4);
	return f->swap ? __builtin_bswap32(v) : v;
}

static __u16 get16(const struct bpfix_pcapng_file *f, const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, 2);
	return f->swap ? __builtin_bswap16(v) : v;
}

struct bpfix_pcapng_file *bpfix_pcapng_file__fopen(FILE *fp)
{
	struct bpfix_pcapng_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->fp = fp;
	return f;
}

struct bpfix_pcapng_file *bpfix_pcapng_file__open(const char *path)
{
	struct bpfix_pcapng_file *f;
	FILE *fp = fopen(path, "rb");
	__u8 head[4];
	int err;

	if (!fp)
		return NULL;
	/* the magic reads the same in both byte orders */
	if (fread(head, 1, 4, fp) != 4 || memcmp(head, "\x0a\x0d\x0d\x0a", 4) ||
	    fseek(fp, 0, SEEK_SET)) {
		fclose(fp);
		errno = EINVAL;
		return NULL;
	}
	f = bpfix_pcapng_file__fopen(fp);
	if (!f) {
		err = errno;
		fclose(fp);
		errno = err;
	}
	return f;
}

/* if_tsresol: 10^-n seconds, or 2^-n when the top bit is set */
static __u64 tsresol_units(__u8 v)
{
	__u64 units = 1;
	int n = v & 0x7F, i;

	if (n > 63 || (!(v & 0x80) && n > 19))
		return 0;
	for (i = 0; i < n; i++)
		units *= (v & 0x80) ? 2 : 10;
	return units;
}

static int read_idb(struct bpfix_pcapng_file *f, const __u8 *body, __u32 len, const char **why)
{
	struct interface *ifc;
	__u32 off = 8;

	if (len < 8) {
		*why = "interface description block too short";
		return -EIO;
	}
	if (f->n_ifs == MAX_INTERFACES) {
		*why = "more than 256 interfaces";
		return -EIO;
	}
	ifc = &f->ifs[f->n_ifs++];
	ifc->linktype = get16(f, body);
	ifc->units_per_s = 1000000;
	while (off + 4 <= len) {
		__u16 code = get16(f, body + off), olen = get16(f, body + off + 2);

		if (code == OPT_END || off + 4 + olen > len)
			break;
		if (code == OPT_IF_TSRESOL && olen >= 1)
			ifc->units_per_s = tsresol_units(body[off + 4]);
		off += 4 + ((olen + 3u) & ~3u);
	}
	if (!ifc->units_per_s) {
		*why = "interface timestamp resolution out of range";
		return -EIO;
	}
	return 0;
}

static __u64 to_ns(const struct interface *ifc, __u64 ts)
{
	__u64 s = ts / ifc->units_per_s, rest = ts % ifc->units_per_s;

	return s * 1000000000ull + rest * 1000000000ull / ifc->units_per_s;
}

static int packet_from_block(struct bpfix_pcapng_file *f, __u32 type, const __u8 *body,
			     __u32 len, struct bpfix_pcapng_packet *pkt, const char **why)
{
	__u32 ifid, hdr;
	__u64 ts = 0;

	if (type == BLOCK_SPB) {
		if (len < 4)
			goto short_block;
		ifid = 0;
		hdr = 4;
		pkt->len = get32(f, body);
		pkt->caplen = len - 4 < pkt->len ? len - 4 : pkt->len;
	} else {
		if (len < 20)
			goto short_block;
		ifid = type == BLOCK_EPB ? get32(f, body) : get16(f, body);
		ts = (__u64)get32(f, body + 4) << 32 | get32(f, body + 8);
		pkt->caplen = get32(f, body + 12);
		pkt->len = get32(f, body + 16);
		hdr = 20;
		if (pkt->caplen > len - hdr)
			goto short_block;
	}
	if (ifid >= f->n_ifs) {
		*why = "packet names an interface that was not described";
		return -EIO;
	}
	pkt->data = body + hdr;
	pkt->linktype = f->ifs[ifid].linktype;
	pkt->tstamp_ns = to_ns(&f->ifs[ifid], ts);
	return 1;
short_block:
	*why = "packet block shorter than its contents";
	return -EIO;
}

/* The next @len octets (and 4 more: the trailing length, at f->block + @len) into f->block: read,
 * never seeked, so a pipe works. */
static int read_body(struct bpfix_pcapng_file *f, __u32 len)
{
	if (len + 4 > f->block_cap) {
		__u8 *grown = realloc(f->block, len + 4);

		if (!grown)
			return -ENOMEM;
		f->block = grown;
		f->block_cap = len + 4;
	}
	return fread(f->block, 1, len + 4, f->fp) == len + 4 ? 0 : -EIO;
}

int bpfix_pcapng_file__next(struct bpfix_pcapng_file *f, struct bpfix_pcapng_packet *pkt,
			    const char **why)
{
	__u8 head[12];
	__u32 type, total, body_len;
	size_t got;
	int rc;

	for (;;) {
		got = fread(head, 1, 8, f->fp);
		if (got == 0)
			return 0;
		if (got != 8)
			goto truncated;
		type = get32(f, head);
		if (type == BLOCK_SHB) {
			if (fread(head + 8, 1, 4, f->fp) != 4)
				goto truncated;
			f->swap = false;
			if (get32(f, head + 8) != BYTE_ORDER_MAGIC)
				f->swap = true;
			if (get32(f, head + 8) != BYTE_ORDER_MAGIC) {
				*why = "section header with an unknown byte-order magic";
				return -EIO;
			}
			f->n_ifs = 0; /* interfaces are numbered per section */
			total = get32(f, head + 4);
			if (total < 28 || total > MAX_BLOCK)
				goto truncated;
			rc = read_body(f, total - 16); /* the rest of the header, then its length */
			if (rc == -ENOMEM)
				return rc;
			if (rc)
				goto truncated;
			if (get32(f, f->block + total - 16) != total)
				goto lengths_differ;
			continue;
		}
		total = get32(f, head + 4);
		if (total < 12 || total > MAX_BLOCK || total % 4) {
			*why = "block with an impossible length";
			return -EIO;
		}
		body_len = total - 12;
		rc = read_body(f, body_len);
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			goto truncated;
		if (get32(f, f->block + body_len) != total)
			goto lengths_differ;
		if (type == BLOCK_IDB) {
			rc = read_idb(f, f->block, body_len, why);
			if (rc)
				return rc;
		} else if (type == BLOCK_EPB || type == BLOCK_SPB || type == BLOCK_OPB) {
			return packet_from_block(f, type, f->block, body_len, pkt, why);
		}
	}
truncated:
	*why = "the file ends in the middle of a block";
	return -EIO;
lengths_differ: /* a block's length is at its start and at its end: the two must agree */
	*why = "a block whose trailing length differs from its leading length";
	return -EIO;
}

void bpfix_pcapng_file__free(struct bpfix_pcapng_file *f)
{
	if (!f)
		return;
	if (f->fp && f->fp != stdin)
		fclose(f->fp);
	free(f->block);
	free(f);
}
