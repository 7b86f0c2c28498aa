// SPDX-License-Identifier: GPL-2.0-only
/*
 * Classic pcap read in place (src/replay/pcap_chunks.c) against captures written here octet by
 * octet: every record's data, lengths and time through buffer refills (records larger than the
 * chunk, straddling chunks), microsecond and nanosecond files, a negative sub-second field as
 * libpcap reads it, and where it stops for libpcap to read on: a record past the snapshot length,
 * a cut record, a file cut while it is read (no SIGBUS: the whole records before the cut), and
 * files it leaves to libpcap whole (another byte order, another version). And the reader
 * (src/replay/pcap_reader.c) over a file cut while it is read: the frames before the cut, then
 * an error saying so (libpcap's at a cut record; the reader's own where libpcap would find a
 * clean end, or when the file was cut behind what was read); a pcapng file cut the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "replay/pcap_chunks.h"
#include "replay/pcap_reader.h"

#define SNAPSHOT 65535
#define RECORDS 300
#define SMALL_CHUNK 4096 /* the buffer also holds the longest record: 4096 + 16 + SNAPSHOT */

static const __u32 sizes[] = { 1, 60, 700, 1500, 5000, 9000 };

struct capture {
	__u8 *bytes;
	size_t len, room;
	__u64 record_off[RECORDS + 1];
};

static void put(struct capture *c, const void *p, size_t n)
{
	if (c->len + n > c->room) {
		c->room = (c->len + n) * 2;
		c->bytes = realloc(c->bytes, c->room);
		assert_non_null(c->bytes);
	}
	memcpy(c->bytes + c->len, p, n);
	c->len += n;
}

static void put_word(struct capture *c, __u32 w)
{
	put(c, &w, sizeof(w));
}

static void file_header(struct capture *c, __u32 magic, __u16 minor)
{
	const __u16 version[2] = { 2, minor };

	put_word(c, magic);
	put(c, version, sizeof(version));
	put_word(c, 0);
	put_word(c, 0);
	put_word(c, SNAPSHOT);
	put_word(c, 1); /* Ethernet */
}

static __u8 octet(__u32 record, __u32 i)
{
	return (__u8)(record * 31 + i);
}

/* Record @i: seconds 1000 + i, sub-seconds @frac, @caplen octets of its own pattern. */
static void record(struct capture *c, __u32 i, __u32 frac, __u32 caplen)
{
	__u32 k;

	c->record_off[i] = c->len;
	put_word(c, 1000 + i);
	put_word(c, frac);
	put_word(c, caplen);
	put_word(c, caplen + 4);
	for (k = 0; k < caplen; k++) {
		__u8 b = octet(i, k);

		put(c, &b, 1);
	}
}

static void build(struct capture *c, __u32 magic)
{
	__u32 i;

	memset(c, 0, sizeof(*c));
	file_header(c, magic, 4);
	for (i = 0; i < RECORDS; i++)
		record(c, i, i * 7, sizes[i % 6]);
	c->record_off[RECORDS] = c->len;
}

static FILE *as_file(const struct capture *c)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(c->bytes, 1, c->len, f), c->len);
	assert_int_equal(fflush(f), 0);
	return f;
}

static struct bpfix_pcap_chunks *open_chunks(FILE *f)
{
	return bpfix_pcap_chunks__open(fileno(f), SNAPSHOT, SMALL_CHUNK);
}

/* Read every record; the number read. */
static __u32 read_all(struct bpfix_pcap_chunks *m, __u64 scale)
{
	struct bpfix_pcap_record rec;
	__u32 n = 0, k;

	while (bpfix_pcap_chunks__next(m, &rec)) {
		assert_int_equal(rec.caplen, sizes[n % 6]);
		assert_int_equal(rec.len, sizes[n % 6] + 4);
		assert_int_equal(rec.tstamp_ns, (1000ull + n) * 1000000000ull + n * 7 * scale);
		for (k = 0; k < rec.caplen; k++)
			if (rec.data[k] != octet(n, k))
				fail_msg("record %u octet %u differs", n, k);
		n++;
	}
	return n;
}

/* A whole capture of @magic read through buffer refills, sub-seconds scaled by @scale. */
static void read_whole(__u32 magic, __u64 scale)
{
	struct capture c;
	struct bpfix_pcap_chunks *m;
	FILE *f;

	build(&c, magic);
	f = as_file(&c);
	m = open_chunks(f);
	assert_non_null(m);
	assert_true(c.len > 8 * (SNAPSHOT + SMALL_CHUNK)); /* the buffer is refilled several times */
	assert_int_equal(read_all(m, scale), RECORDS);
	assert_int_equal(bpfix_pcap_chunks__offset(m), c.len);
	bpfix_pcap_chunks__free(m);
	fclose(f);
	free(c.bytes);
}

static void test_every_record_through_refills(void **state)
{
	(void)state;
	read_whole(0xA1B2C3D4u, 1000);
}

static void test_nanosecond_file(void **state)
{
	(void)state;
	read_whole(0xA1B23C4Du, 1);
}

/* libpcap reads the sub-seconds as a signed 32-bit value and scales it: -5 us is -5000 ns. */
static void test_negative_subseconds(void **state)
{
	struct capture c = { 0 };
	struct bpfix_pcap_record rec;
	struct bpfix_pcap_chunks *m;
	FILE *f;

	(void)state;
	file_header(&c, 0xA1B2C3D4u, 4);
	record(&c, 0, (__u32)-5, 60);
	f = as_file(&c);
	m = open_chunks(f);
	assert_non_null(m);
	assert_int_equal(bpfix_pcap_chunks__next(m, &rec), 1);
	assert_int_equal(rec.tstamp_ns, 1000ull * 1000000000ull - 5000);
	bpfix_pcap_chunks__free(m);
	fclose(f);
	free(c.bytes);
}

/* It stops at record @bad, saying where it starts; @bad = RECORDS: after the last. */
static void check_stops_at(struct capture *c, __u32 bad)
{
	struct bpfix_pcap_record rec;
	struct bpfix_pcap_chunks *m;
	FILE *f = as_file(c);
	__u32 n = 0;

	m = open_chunks(f);
	assert_non_null(m);
	while (bpfix_pcap_chunks__next(m, &rec))
		n++;
	assert_int_equal(n, bad);
	assert_int_equal(bpfix_pcap_chunks__offset(m), c->record_off[bad]);
	assert_int_equal(bpfix_pcap_chunks__next(m, &rec), 0); /* and stays there */
	bpfix_pcap_chunks__free(m);
	fclose(f);
}

static void test_stops_past_snapshot(void **state)
{
	struct capture c;
	__u32 over = SNAPSHOT + 1;

	(void)state;
	build(&c, 0xA1B2C3D4u);
	memcpy(c.bytes + c.record_off[123] + 8, &over, sizeof(over));
	check_stops_at(&c, 123);
	free(c.bytes);
}

static void test_stops_at_cut_record(void **state)
{
	struct capture c;

	(void)state;
	build(&c, 0xA1B2C3D4u);
	c.len = c.record_off[RECORDS - 1] + 16 + 2; /* the last record's data cut */
	check_stops_at(&c, RECORDS - 1);
	c.len = c.record_off[RECORDS - 1] + 9; /* its header cut */
	check_stops_at(&c, RECORDS - 1);
	free(c.bytes);
}

/*
 * The file cut to @cut octets after it was opened (its first chunk read), as a rotated or
 * rewritten capture is: the whole records before the cut come out and it stops at the first
 * record the cut reaches, @bad, where libpcap reads on (with a memory map, SIGBUS).
 */
static void check_cut_while_read(const struct capture *c, __u64 cut, __u32 bad)
{
	struct bpfix_pcap_record rec;
	struct bpfix_pcap_chunks *m;
	FILE *f = as_file(c);

	m = open_chunks(f);
	assert_non_null(m);
	assert_true(c->record_off[bad] > 2 * (SNAPSHOT + SMALL_CHUNK)); /* not read at open */
	assert_int_equal(ftruncate(fileno(f), (off_t)cut), 0);
	assert_int_equal(read_all(m, 1000), bad);
	assert_int_equal(bpfix_pcap_chunks__offset(m), c->record_off[bad]);
	assert_int_equal(bpfix_pcap_chunks__next(m, &rec), 0); /* and stays there */
	bpfix_pcap_chunks__free(m);
	fclose(f);
}

static void test_file_cut_while_read(void **state)
{
	struct capture c;

	(void)state;
	build(&c, 0xA1B2C3D4u);
	check_cut_while_read(&c, c.record_off[200] + 16 + 2, 200); /* in a record's data */
	check_cut_while_read(&c, c.record_off[150] + 9, 150);	    /* in a record header */
	check_cut_while_read(&c, c.record_off[100], 100);	    /* between two records */
	free(c.bytes);
}

/* The capture as a file with a name (the reader opens paths), in @path. */
static void as_named_file(const struct capture *c, char path[32])
{
	int fd;

	strcpy(path, "/tmp/test_pcap_chunks.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, c->bytes, c->len), (ssize_t)c->len);
	assert_int_equal(close(fd), 0);
}

/*
 * The reader over the capture cut to @cut octets once its first frame is read: @frames frames,
 * each its record's (the Ethernet frame in place, cut to the reader's longest), then @end.
 */
static void check_reader_cut(const struct capture *c, __u64 cut, __u32 frames, int end)
{
	struct bpfix_pcap_reader *r;
	struct bpfix_frame frame;
	__u32 n = 0, want;
	char path[32];
	int rc, fd;

	as_named_file(c, path);
	r = bpfix_pcap_reader__open(path);
	fd = open(path, O_WRONLY);
	unlink(path); /* gone whatever an assertion does: cut through @fd */
	assert_non_null(r);
	assert_true(fd >= 0);
	while ((rc = bpfix_pcap_reader__next(r, &frame)) == 1) {
		if (!n)
			assert_int_equal(ftruncate(fd, (off_t)cut), 0);
		want = sizes[n % 6] < BPFIX_READER_MAX_FRAME ? sizes[n % 6] : BPFIX_READER_MAX_FRAME;
		assert_int_equal(frame.len, want);
		assert_int_equal(frame.wire_len, sizes[n % 6] + 4);
		assert_int_equal(frame.tstamp_ns, (1000ull + n) * 1000000000ull + n * 7 * 1000ull);
		assert_memory_equal(frame.data, c->bytes + c->record_off[n] + 16, want);
		n++;
	}
	assert_int_equal(n, frames);
	assert_int_equal(rc, end);
	bpfix_pcap_reader__free(r);
	close(fd);
}

static void test_reader_of_a_file_cut_while_read(void **state)
{
	/* what the reader's first fill holds: a chunk and the longest record */
	const __u64 first_fill = BPFIX_PCAP_CHUNK + 16 + SNAPSHOT;
	struct capture c;
	__u32 buffered = 0;

	(void)state;
	build(&c, 0xA1B2C3D4u);
	while (c.record_off[buffered + 1] <= first_fill)
		buffered++;
	assert_true(c.record_off[200] > first_fill && buffered > 50);
	/* ahead of what was read: libpcap reads on and finds the record cut, or a clean end
	 * where the file is now shorter than it was: said all the same */
	check_reader_cut(&c, c.record_off[200] + 16 + 2, 200, -EIO);
	check_reader_cut(&c, c.record_off[200], 200, -EIO);
	/* behind it: the records read whole before the cut, then the cut is said */
	check_reader_cut(&c, c.record_off[50], buffered, -EIO);
	free(c.bytes);
}

/* A pcapng block: @type, @body of @len octets padded to 32 bits, the total length twice. */
static void pcapng_block(struct capture *c, __u32 type, const void *body, __u32 len)
{
	static const __u8 pad[3];
	__u32 total = 12 + (len + 3) / 4 * 4;

	put_word(c, type);
	put_word(c, total);
	put(c, body, len);
	put(c, pad, total - 12 - len);
	put_word(c, total);
}

/*
 * A pcapng file (read by pcapng_file.c, not libpcap) cut at a block boundary ahead of what was
 * read: its reader finds a clean end there, and the reader says the file was cut.
 */
static void test_pcapng_cut_at_a_block_boundary(void **state)
{
	const __u32 shb[4] = { 0x1A2B3C4D, 1, 0xFFFFFFFF, 0xFFFFFFFF }; /* v1.0, length unknown */
	const __u32 idb[2] = { 1, 65535 }; /* Ethernet, snapshot length */
	struct capture c = { 0 };
	__u8 epb[20 + 1500] = { 0 };
	__u32 fields[5], n = 0, i;
	__u64 cut = 0;
	struct bpfix_pcap_reader *r;
	struct bpfix_frame frame;
	char path[32];
	int rc, fd;

	(void)state;
	pcapng_block(&c, 0x0A0D0D0A, shb, sizeof(shb));
	pcapng_block(&c, 1, idb, sizeof(idb));
	/* 1.8 MB: more than the reader's stdio buffer (1 MiB) takes at once */
	for (i = 0; i < 1200; i++) {
		if (i == 1000)
			cut = c.len;
		fields[0] = 0;		/* interface */
		fields[1] = 0;		/* time, high and low words */
		fields[2] = 1000000 + i;
		fields[3] = fields[4] = 1500; /* captured and wire lengths */
		memcpy(epb, fields, sizeof(fields));
		epb[20 + 12] = 0x08;	/* an IPv4 EtherType; the rest is not parsed here */
		pcapng_block(&c, 6, epb, sizeof(epb));
	}
	assert_true(cut > (1u << 20));
	as_named_file(&c, path);
	r = bpfix_pcap_reader__open(path);
	fd = open(path, O_WRONLY);
	unlink(path);
	assert_non_null(r);
	assert_true(fd >= 0);
	while ((rc = bpfix_pcap_reader__next(r, &frame)) == 1) {
		if (!n)
			assert_int_equal(ftruncate(fd, (off_t)cut), 0);
		n++;
	}
	assert_int_equal(n, 1000);
	assert_int_equal(rc, -EIO);
	bpfix_pcap_reader__free(r);
	close(fd);
	free(c.bytes);
}

static void test_leaves_other_files_to_libpcap(void **state)
{
	struct capture c = { 0 };
	FILE *f;

	(void)state;
	file_header(&c, 0xD4C3B2A1u, 4); /* written in the other byte order */
	f = as_file(&c);
	assert_null(open_chunks(f));
	fclose(f);
	c.len = 0;
	file_header(&c, 0xA1B2C3D4u, 3); /* version 2.3: lengths may be swapped */
	f = as_file(&c);
	assert_null(open_chunks(f));
	fclose(f);
	free(c.bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_record_through_refills),
		cmocka_unit_test(test_nanosecond_file),
		cmocka_unit_test(test_negative_subseconds),
		cmocka_unit_test(test_stops_past_snapshot),
		cmocka_unit_test(test_stops_at_cut_record),
		cmocka_unit_test(test_file_cut_while_read),
		cmocka_unit_test(test_reader_of_a_file_cut_while_read),
		cmocka_unit_test(test_pcapng_cut_at_a_block_boundary),
		cmocka_unit_test(test_leaves_other_files_to_libpcap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
