// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the host parser and the flow update: each input is one frame. It is
 * parsed from an exact-size copy (so ASan sees any read past the frame), the result is checked
 * for consistency and against a parse of the first 128 octets first, as the TC program does,
 * and the frame is metered by the host engine into a small table that a flow table sweeps now
 * and then, so accounting, eviction and record building run too.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfix_parse.h"
#include "flow/flow_table.h"
#include "meter/host_meter.h"

#define FUZZ_FLOWS 64 /* small, so eviction happens */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int drop_record(const struct bpfix_record *rec, void *arg)
{
	(void)arg;
	assert(rec->packets > 0);
	assert(rec->start_ms <= rec->end_ms);
	return 0;
}

static void check_meta(const struct bpfix_pkt_meta *m, enum bpfix_parse_rc rc, __u32 len)
{
	assert(rc < BPFIX_PARSE_RC_MAX);
	if (rc != BPFIX_PARSE_OK)
		return;
	assert(m->ip_version == 4 || m->ip_version == 6);
	assert(m->l3_off < len && m->l4_off < len);
	assert(m->diag < BPFIX_DIAG_MAX && m->gtp_diag < BPFIX_GTP_DIAG_MAX);
	assert(!m->tun_version || m->tun_version == 4 || m->tun_version == 6);
	assert(!(m->tun_version && m->gtp_diag));
	assert(m->ip_len >= (m->ip_version == 4 ? 20u : 40u));
}

/*
 * What the TC program does: parse the first FUZZ_FIRST_COPY octets, and only if the parser says
 * it read past them, all of @whole's window again. The result must be the one-step parse's.
 */
#define FUZZ_FIRST_COPY 128
static void check_first_copy(const struct bpfix_cursor *whole, const struct bpfix_pkt_meta *m,
			     enum bpfix_parse_rc rc)
{
	struct bpfix_cursor c = *whole;
	struct bpfix_pkt_meta got;
	enum bpfix_parse_rc got_rc;

	c.frame_len = whole->len;
	c.len = whole->len < FUZZ_FIRST_COPY ? whole->len : FUZZ_FIRST_COPY;
	got_rc = bpfix_parse_frame(&c, &got, 2152);
	if (c.beyond) {
		assert(c.len < c.frame_len);
		c.len = c.frame_len;
		got_rc = bpfix_parse_frame(&c, &got, 2152);
		assert(!c.beyond);
	}
	assert(got_rc == rc);
	assert(c.gtpu_fragmented == whole->gtpu_fragmented);
	assert(rc != BPFIX_PARSE_OK || !memcmp(&got, m, sizeof(got)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bpfix_flow_table_opts table_opts = {
		.idle_timeout_ns = 15000000000ull,
		.active_timeout_ns = 60000000000ull,
		.tcp_linger_ns = 1000000000ull,
	};
	static struct bpfix_host_engine *engine;
	static struct bpfix_flow_table *table;
	static __u64 now_ns = 1000000000ull;
	struct bpfix_pkt_meta meta;
	struct bpfix_cursor cursor = { 0 };
	enum bpfix_parse_rc rc;
	uint8_t *frame;

	if (!engine) {
		engine = bpfix_host_engine__new(FUZZ_FLOWS, FUZZ_FLOWS, 2152);
		table = bpfix_flow_table__new(&table_opts, bpfix_host_engine__source(engine),
					      drop_record, NULL);
	}
	frame = malloc(size ? size : 1);
	memcpy(frame, data, size);
	cursor.buf = frame;
	cursor.len = size < BPFIX_PARSE_WINDOW ? (__u32)size : BPFIX_PARSE_WINDOW;
	rc = bpfix_parse_frame(&cursor, &meta, 2152);
	check_meta(&meta, rc, cursor.len);
	check_first_copy(&cursor, &meta, rc);

	now_ns += 250000000ull; /* four frames a second: timeouts and sweeps happen */
	bpfix_host_engine__run_frame(engine, frame, (__u32)size, now_ns);
	if (now_ns % 1000000000ull == 0)
		bpfix_flow_table__sweep(table, now_ns);
	free(frame);
	return 0;
}
