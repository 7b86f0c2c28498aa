// SPDX-License-Identifier: GPL-2.0-only
/*
 * Verifier budget of the programs (the TC programs and the close program): load the skeleton in
 * the live and the replay configuration (GTP-U decapsulation on: the most code reachable), print
 * each program's verified instruction count (bpf_prog_info.verified_insns) and fail when one
 * exceeds BUDGET_INSNS. It catches a parser change that inlines a parse once more, or a loop the
 * verifier walks per iteration (bench/README.md has the counts). It runs no packet.
 * Exit 77: no BPF here, or a kernel that does not report the count (< 5.16).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfix_flow.h"
#include "bpfix_flow.skel.h"

#define EXIT_SKIP 77
/*
 * About 3x the count measured on 6.18 after the IP parse became one BPF global function
 * (bench/README.md), an eighth of the count before it; the kernel's limit is 1 000 000.
 */
#define BUDGET_INSNS 30000

static int libbpf_print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !getenv("BPFIX_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* 0, 1 (over budget or an error) or EXIT_SKIP; prints one line per program. */
static int check_program(const char *config, const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
	if (err) {
		fprintf(stderr, "%s %s: bpf_obj_get_info_by_fd: %s\n", config,
			bpf_program__name(prog), strerror(-err));
		return 1;
	}
	if (len < offsetof(struct bpf_prog_info, verified_insns) + sizeof(info.verified_insns) ||
	    !info.verified_insns) {
		printf("SKIP: this kernel does not report verified_insns (5.16 and later do)\n");
		return EXIT_SKIP;
	}
	printf("%-6s %-14s %7u verified instructions (budget %u)\n", config,
	       bpf_program__name(prog), info.verified_insns, BUDGET_INSNS);
	if (info.verified_insns > BUDGET_INSNS) {
		printf("FAIL %s %s: over the budget; did a parse get inlined again?\n", config,
		       bpf_program__name(prog));
		return 1;
	}
	return 0;
}

static int check_config(const char *config, __u8 replay)
{
	struct bpfix_flow *skel = bpfix_flow__open();
	struct bpf_program *prog;
	int err, ret = 0, rc;

	if (!skel) {
		fprintf(stderr, "opening the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->bpfix_replay = replay;
	skel->rodata->bpfix_gtpu_port = BPFIX_GTPU_PORT;
	err = bpfix_flow__load(skel);
	if (err == -EPERM || err == -EACCES) {
		printf("SKIP: loading the TC program was refused (%s): needs root or CAP_BPF\n",
		       strerror(-err));
		ret = EXIT_SKIP;
	} else if (err == -ENOSYS || err == -EOPNOTSUPP) {
		printf("SKIP: this kernel has no usable bpf() (%s)\n", strerror(-err));
		ret = EXIT_SKIP;
	} else if (err) {
		fprintf(stderr, "loading the TC program (%s): %s (BPFIX_DEBUG=1 shows libbpf's log)\n",
			config, strerror(-err));
		ret = 1;
	} else {
		bpf_object__for_each_program(prog, skel->obj) {
			rc = check_program(config, prog);
			if (rc == 1 || !ret)
				ret = rc; /* a failure outweighs a skip */
		}
	}
	bpfix_flow__destroy(skel);
	return ret;
}

int main(void)
{
	int ret, rc;

	libbpf_set_print(libbpf_print_warnings);
	ret = check_config("live", 0);
	if (ret == EXIT_SKIP)
		return ret;
	rc = check_config("replay", 1);
	return ret ? ret : rc;
}
