// SPDX-License-Identifier: GPL-2.0-only
/* One frame through BPF_PROG_TEST_RUN; what the test run refuses is told apart, not run. */
#include <stdbool.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "meter/test_run_feed.h"
#include "util/log.h"

/*
 * BPF_PROG_TEST_RUN refuses (EINVAL) frames shorter than Ethernet, and IPv4/IPv6 frames whose IP
 * header is incomplete. The program would find all of them truncated.
 */
static bool test_run_refuses(const __u8 *frame, __u32 len)
{
	__u16 ethertype;

	if (len < BPFIX_TEST_RUN_MIN_FRAME)
		return true;
	ethertype = (__u16)(frame[12] << 8 | frame[13]);
	return (ethertype == 0x0800 && len < BPFIX_TEST_RUN_MIN_FRAME + 20) ||
	       (ethertype == 0x86DD && len < BPFIX_TEST_RUN_MIN_FRAME + 40);
}

int bpfix_test_run_feed(int prog_fd, const struct bpfix_frame *f)
{
	__u32 wire_len = f->wire_len > f->len ? f->wire_len : f->len;
	/* the test run refuses a wire length above BPFIX_TEST_RUN_MAX_WIRE_LEN (a BIG TCP or GSO
	 * packet's): it gets the cap, the program the recorded length in cb[0] */
	struct __sk_buff ctx = {
		.tstamp = f->tstamp_ns,
		.wire_len = wire_len < BPFIX_TEST_RUN_MAX_WIRE_LEN ? wire_len
								    : BPFIX_TEST_RUN_MAX_WIRE_LEN,
		.cb = { [BPFIX_TEST_RUN_CB_WIRE_LEN] = wire_len },
	};
	LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = f->data, .data_size_in = f->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	int err;

	if (test_run_refuses(f->data, f->len))
		return 1;
	err = bpf_prog_test_run_opts(prog_fd, &run);
	if (err)
		bpfix_err("BPF_PROG_TEST_RUN failed on a %u-octet frame: %s\n", f->len, strerror(-err));
	return err;
}
