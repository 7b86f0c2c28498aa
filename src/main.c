// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfix command line: parses the subcommand and its options from one option table (which also
 * writes --help), runs it, and maps errors to exit codes. The only place that exits.
 *   exit 0: done; 1: the work failed (reason printed); 2: bad command line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfix_flow.h"
#include "log.h"
#include "replay.h"

#define EXIT_USAGE 2
#define DEFAULT_COLLECTOR "127.0.0.1:4739"

enum option_id {
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_COLLECTOR = 'c',
	OPT_OUTPUT = 'o',
	OPT_IDLE = 0x100,
	OPT_ACTIVE,
	OPT_MAX_FLOWS,
	OPT_DOMAIN,
	OPT_TEMPLATE_REFRESH,
	OPT_ENGINE,
};

struct option_doc {
	const char *name;
	int id;
	const char *arg; /* NULL: no argument */
	const char *help;
};

static const struct option_doc replay_options[] = {
	{ "collector", OPT_COLLECTOR, "HOST:PORT",
	  "send IPFIX over UDP to this collector; repeat for several (default " DEFAULT_COLLECTOR
	  " unless --output is given alone)" },
	{ "output", OPT_OUTPUT, "FILE", "also write the records to an IPFIX file (RFC 5655)" },
	{ "idle-timeout", OPT_IDLE, "S", "end a flow after S seconds without packets (default 15)" },
	{ "active-timeout", OPT_ACTIVE, "S",
	  "export a record of a flow that goes on every S seconds (default 60)" },
	{ "max-flows", OPT_MAX_FLOWS, "N", "size of the kernel flow map (default 65536)" },
	{ "observation-domain", OPT_DOMAIN, "N", "IPFIX observation domain of the records (default 1)" },
	{ "template-refresh", OPT_TEMPLATE_REFRESH, "S",
	  "resend templates to UDP collectors every S seconds (default 60)" },
	{ "engine", OPT_ENGINE, "kernel",
	  "metering engine: kernel (the TC program under BPF_PROG_TEST_RUN; needs root)" },
	{ "help", OPT_HELP, NULL, "show this help" },
	{ NULL, 0, NULL, NULL },
};

static void usage(FILE *out)
{
	const struct option_doc *o;

	fprintf(out,
		"Usage: bpfix replay [OPTIONS] PCAP...\n"
		"       bpfix --help | --version\n\n"
		"bpfix meters packets into flows with an eBPF TC program and exports IPFIX records.\n\n"
		"replay: run capture files (pcap or pcapng; Ethernet, Linux cooked SLL/SLL2 or raw IP)\n"
		"through the TC program, with capture time as the clock, export every flow and print a\n"
		"summary of packets read, metered and not metered (by reason), flows and records.\n\n"
		"Replay options:\n");
	for (o = replay_options; o->name; o++) {
		char left[48];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-28s %s\n", left, o->help);
	}
	fprintf(out, "\nExit status: 0 done, 1 the replay failed (reason printed), 2 bad usage.\n"
		     "BPFIX_DEBUG=1 in the environment shows libbpf's log.\n");
}

static int parse_u32(const char *opt, const char *text, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
		bpfix_err("--%s takes a whole number from %u to %u, not '%s'\n", opt, min, max, text);
		return -EINVAL;
	}
	*out = (__u32)v;
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	struct option longopts[sizeof(replay_options) / sizeof(replay_options[0])];
	const char **collectors = calloc(argc, sizeof(*collectors));
	struct bpfix_replay_opts opts = {
		.idle_timeout_s = 15,
		.active_timeout_s = 60,
		.max_flows = BPFIX_DEFAULT_MAX_FLOWS,
		.observation_domain = 1,
		.template_refresh_s = 60,
	};
	static const char *default_collector[] = { DEFAULT_COLLECTOR };
	int c, err = 0;
	size_t i;

	if (!collectors)
		return 1;
	for (i = 0; replay_options[i].name; i++)
		longopts[i] = (struct option){ replay_options[i].name,
					       replay_options[i].arg ? required_argument : no_argument,
					       NULL, replay_options[i].id };
	longopts[i] = (struct option){ 0 };

	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "hc:o:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			usage(stdout);
			free(collectors);
			return 0;
		case OPT_COLLECTOR:
			collectors[opts.n_collectors++] = optarg;
			break;
		case OPT_OUTPUT:
			opts.output_path = optarg;
			break;
		case OPT_IDLE:
			err = parse_u32("idle-timeout", optarg, 1, 86400, &opts.idle_timeout_s);
			break;
		case OPT_ACTIVE:
			err = parse_u32("active-timeout", optarg, 1, 86400, &opts.active_timeout_s);
			break;
		case OPT_MAX_FLOWS:
			err = parse_u32("max-flows", optarg, 1, 1u << 26, &opts.max_flows);
			break;
		case OPT_DOMAIN:
			err = parse_u32("observation-domain", optarg, 0, UINT32_MAX,
					&opts.observation_domain);
			break;
		case OPT_TEMPLATE_REFRESH:
			err = parse_u32("template-refresh", optarg, 1, 86400, &opts.template_refresh_s);
			break;
		case OPT_ENGINE:
			if (strcmp(optarg, "kernel")) {
				bpfix_err("--engine takes 'kernel', not '%s'\n", optarg);
				err = -EINVAL;
			}
			break;
		default:
			err = -EINVAL; /* getopt printed why */
			break;
		}
	}
	if (!err && optind >= argc) {
		bpfix_err("replay needs at least one capture file\n");
		err = -EINVAL;
	}
	if (err) {
		fprintf(stderr, "Try 'bpfix replay --help'.\n");
		free(collectors);
		return EXIT_USAGE;
	}
	if (!opts.n_collectors && !opts.output_path) {
		opts.collectors = default_collector;
		opts.n_collectors = 1;
	} else {
		opts.collectors = collectors;
	}
	opts.pcaps = argv + optind;
	opts.n_pcaps = argc - optind;
	err = bpfix_replay_run(&opts);
	free(collectors);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("bpfix %s\n", BPFIX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	bpfix_err("unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
