// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the pcapng block reader: captures are untrusted input. Each input is a
 * whole file, read to its end or its first error; every octet of every packet handed out is
 * read, so ASan reports a packet that reaches past the block buffer it came from.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "replay/pcapng_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/bpfix-fuzz-pcapng-XXXXXX";
	struct bpfix_pcapng_packet pkt;
	struct bpfix_pcapng_file *f;
	const char *why;
	volatile uint8_t sink = 0;
	int fd = mkstemp(path), rc;
	uint32_t i;

	assert(fd >= 0);
	assert(write(fd, data, size) == (ssize_t)size);
	close(fd);
	f = bpfix_pcapng_file__open(path);
	unlink(path);
	if (!f)
		return 0;
	while ((rc = bpfix_pcapng_file__next(f, &pkt, &why)) == 1) {
		assert(pkt.caplen <= size); /* inside the file, at least */
		for (i = 0; i < pkt.caplen; i++)
			sink ^= pkt.data[i]; /* touch every octet: ASan sees a packet past its block */
	}
	assert(rc == 0 || rc < 0);
	bpfix_pcapng_file__free(f);
	(void)sink;
	return 0;
}
