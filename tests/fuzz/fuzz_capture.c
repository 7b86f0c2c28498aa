// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over capture reading as replay does it (replay/pcap_reader.c): classic pcap
 * through libpcap, pcapng through pcapng_file.c, and the normalisation of every link type read
 * (Ethernet, SLL, SLL2, NULL, LOOP, RAW, IPV4, IPV6) to an Ethernet frame with its wire length.
 * Each input is a whole file, read to its end or its first error. Every octet of every frame
 * handed out is read, so ASan reports a frame reaching past its buffer; a frame longer than the
 * reader's maximum, or a wire length below the frame's (what BPF_PROG_TEST_RUN refuses: a
 * wrapped length), stops the fuzzer. It does not parse the frames (fuzz_parse does that).
 * Run with -close_fd_mask=2: the reader names each damaged file on stderr.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "replay/pcap_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfix_pcap_reader *r;
	struct bpfix_frame frame;
	volatile uint8_t sink = 0;
	int fd = memfd_create("bpfix-fuzz-capture", 0), rc;
	char path[64];
	uint32_t i;

	assert(fd >= 0);
	assert(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd); /* opened anew: read from the start */
	r = bpfix_pcap_reader__open(path);
	close(fd);
	if (!r)
		return 0;
	while ((rc = bpfix_pcap_reader__next(r, &frame)) == 1) {
		assert(frame.len <= BPFIX_READER_MAX_FRAME);
		assert(frame.wire_len >= frame.len);
		for (i = 0; i < frame.len; i++)
			sink ^= frame.data[i]; /* touch every octet */
	}
	assert(rc == 0 || rc < 0);
	bpfix_pcap_reader__free(r);
	(void)sink;
	return 0;
}
