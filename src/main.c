// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfix command line: picks the subcommand, gets its configuration from config.c, runs it and
 * maps errors to exit codes. The only place that exits.
 *   exit 0: done; 1: the work failed (reason printed); 2: bad command line or configuration.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "config/config.h"
#include "live/live.h"
#include "util/log.h"
#include "replay/replay.h"
#include "report/report.h"
#include "report/report_options.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

#define USAGE_RUN "Usage: bpfix run [-c FILE] [--interface IF[:DIR]]... [OPTIONS]\n"
#define USAGE_REPLAY "Usage: bpfix replay [-c FILE] [OPTIONS] PCAP...\n"
#define USAGE_ALL                                                                             \
	USAGE_RUN                                                                              \
	"       bpfix replay [-c FILE] [OPTIONS] PCAP...\n"                                    \
	"       bpfix run|replay [OPTIONS] --print-config\n"                                   \
	"       bpfix report [--format text|csv|json] [--sort KEY] FILE.ipfix\n"              \
	"       bpfix --help | --version\n"

static const char about_replay[] =
	"replay       run capture files (pcap or pcapng; Ethernet, Linux cooked SLL/SLL2 or raw\n"
	"             IP) through the metering code with capture time as the clock, export every\n"
	"             flow, and print a summary: packets read, metered, not metered by reason,\n"
	"             flows, records sent, elapsed time and rate. On a terminal a progress line\n"
	"             shows how far it is. --engine kernel runs the TC program itself and needs\n"
	"             root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN); the host engine needs none.\n";
static const char about_report[] =
	"report       read an IPFIX file bpfix wrote and print, per GTP-U tunnel and QoS flow\n"
	"             and per server address, packets, octets, median and 95th percentile of\n"
	"             the TCP handshake round trips on each side of the observer, and gaps and\n"
	"             retransmissions per 100 TCP packets, worst first; as text, CSV or JSON.\n"
	"             'bpfix report --help' gives its options (--format, --sort,\n"
	"             --enterprise-number) and what each number means.\n";
static const char about_run[] =
	"run          attach the TC program to each interface's clsact hooks (and to interfaces\n"
	"             matching a glob as they appear) and export flows until SIGINT or\n"
	"             SIGTERM; then every flow is exported, the statistics sent and the\n"
	"             interfaces left as they were. SIGHUP rereads the config file (keeping\n"
	"             the running configuration if the new one is wrong), SIGUSR1 logs the\n"
	"             statistics. Needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (or root).\n";

/* The help of the subcommands @modes (both: bpfix --help), with their options only. */
static void usage(FILE *out, enum bpfix_mode modes)
{
	if (modes == BPFIX_MODE_REPLAY)
		fputs(USAGE_REPLAY, out);
	else if (modes == BPFIX_MODE_RUN)
		fputs(USAGE_RUN, out);
	else
		fputs(USAGE_ALL, out);
	fputs("\nbpfix meters packets into flows with an eBPF TC program and exports IPFIX or\n"
	      "NetFlow v9 records.\n\n", out);
	if (modes & BPFIX_MODE_REPLAY)
		fputs(about_replay, out);
	if (modes & BPFIX_MODE_RUN)
		fputs(about_run, out);
	if (modes == BPFIX_MODE_ALL)
		fputs(about_report, out);
	fprintf(out, "--print-config  print the configuration the options give, as a config "
		     "file.\n\nOptions%s (and their [section] key in a config file, see "
		     "etc/bpfix.conf):\n",
		modes == BPFIX_MODE_ALL ? "" : modes == BPFIX_MODE_RUN ? " of run" : " of replay");
	bpfix_config_print_options(out, modes);
	if (modes != BPFIX_MODE_ALL)
		fprintf(out, "\n'bpfix --help' lists the options of both subcommands.\n");
	fprintf(out, "\nExit status: 0 done, 1 failed (reason printed), 2 bad command line or "
		     "configuration.\nBPFIX_DEBUG=1 in the environment shows libbpf's log.\n");
}

/* What bare "bpfix" says: the forms of the command line, and where the help is. */
static void short_usage(FILE *out)
{
	fputs(USAGE_ALL "\n'bpfix run --help', 'bpfix replay --help' and 'bpfix report --help' list "
	      "each\nsubcommand's options, 'bpfix --help' those of run and replay.\n", out);
}

/*
 * Configuration from argv (argv[0] is the subcommand, for @modes); returns an exit code, or -1 to
 * go on.
 */
static int configure(struct bpfix_config *cfg, int argc, char **argv, int *first_operand,
		     enum bpfix_mode modes)
{
	int err = bpfix_config_parse_args(cfg, argc, argv, first_operand);

	if (err == BPFIX_CONFIG_HELP) {
		usage(stdout, modes);
		return 0;
	}
	if (err == BPFIX_CONFIG_PRINT) {
		bpfix_config_print(cfg, stdout);
		return 0;
	}
	if (err) {
		fprintf(stderr, "Try 'bpfix --help'.\n");
		return EXIT_USAGE;
	}
	return -1;
}

#define NS_PER_S 1000000000ull

/* The flow lifecycle the configuration asks for (the clock is the run's business). */
static struct bpfix_flow_table_opts table_opts(const struct bpfix_config *cfg)
{
	struct bpfix_flow_table_opts t = {
		.idle_timeout_ns = cfg->idle_timeout_s * NS_PER_S,
		.active_timeout_ns = cfg->active_timeout_s * NS_PER_S,
		.tcp_linger_ns = cfg->tcp_linger_s * NS_PER_S,
	};
	int cls;

	for (cls = 0; cls < BPFIX_PROTO_CLASS_MAX; cls++) {
		t.idle_timeout_proto_ns[cls] = cfg->idle_timeout_proto_s[cls] * NS_PER_S;
		t.active_timeout_proto_ns[cls] = cfg->active_timeout_proto_s[cls] * NS_PER_S;
	}
	return t;
}

static __u32 count_list(char *const *list)
{
	__u32 n = 0;

	while (list[n])
		n++;
	return n;
}

/* Where and how records go; with neither collector nor file, to the default collector. */
static struct bpfix_ipfix_opts ipfix_opts(const struct bpfix_config *cfg)
{
	static const char *const default_collector[] = { BPFIX_DEFAULT_COLLECTOR };
	struct bpfix_ipfix_opts o = {
		.collectors = (const char *const *)cfg->collectors,
		.n_collectors = count_list(cfg->collectors),
		.output_path = cfg->output,
		.observation_domain = cfg->observation_domain,
		.template_refresh_s = cfg->template_refresh_s,
		.template_refresh_messages = cfg->template_refresh_messages,
		.pen = cfg->pen,
		.pace_rate = cfg->pace_rate,
		.pace_depth = cfg->pace_depth,
	};

	if (!o.n_collectors && !o.output_path) {
		o.collectors = default_collector;
		o.n_collectors = 1;
	}
	return o;
}

static struct bpfix_replay_signals replay_signals;

static void on_replay_signal(int sig)
{
	if (sig == SIGUSR1)
		replay_signals.progress = 1;
	else
		replay_signals.stop = 1;
}

/*
 * SIGINT/SIGTERM stop the reading (the flows metered are still exported and summed up); a second
 * one ends bpfix at once (SA_RESETHAND), as on a pipe that gives no packet. SIGUSR1: progress.
 */
static void catch_replay_signals(void)
{
	struct sigaction stop = { .sa_handler = on_replay_signal,
				  .sa_flags = SA_RESTART | SA_RESETHAND };
	struct sigaction progress = { .sa_handler = on_replay_signal, .sa_flags = SA_RESTART };

	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGUSR1, &progress, NULL);
}

static int cmd_replay(struct bpfix_config *cfg, int argc, char **argv)
{
	struct bpfix_replay_opts opts;
	int first, rc = configure(cfg, argc, argv, &first, BPFIX_MODE_REPLAY);

	if (rc >= 0)
		return rc;
	if (first >= argc) {
		bpfix_err("replay needs at least one capture file\nTry 'bpfix --help'.\n");
		return EXIT_USAGE;
	}
	opts = (struct bpfix_replay_opts){
		.pcaps = argv + first,
		.n_pcaps = argc - first,
		.ipfix = ipfix_opts(cfg),
		.table = table_opts(cfg),
		.max_flows = cfg->max_flows,
		.max_conns = cfg->max_connections,
		.gtpu_port = (__u16)cfg->gtpu_port,
		.engine = cfg->engine,
		.signals = &replay_signals,
		.quiet = cfg->quiet,
	};
	if (bpfix_replay_output_is_input(&opts))
		return EXIT_USAGE;
	catch_replay_signals();
	return bpfix_replay_run(&opts) ? EXIT_FAILED : 0;
}

static struct bpfix_live_signals live_signals;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		live_signals.reload = 1;
	else if (sig == SIGUSR1)
		live_signals.log_stats = 1;
	else
		live_signals.stop = 1;
}

static int live_opts(struct bpfix_config *cfg, struct bpfix_live_opts *opts)
{
	if (!cfg->interfaces[0]) {
		bpfix_err("run needs at least one --interface (or [live] interfaces in the config file)\n");
		return -EINVAL;
	}
	*opts = (struct bpfix_live_opts){
		.interfaces = cfg->interfaces,
		.hooks = cfg->direction,
		.place = { .handle = cfg->tc_handle, .priority = cfg->tc_priority },
		.max_flows = cfg->max_flows,
		.max_conns = cfg->max_connections,
		.gtpu_port = (__u16)cfg->gtpu_port,
		.coarse_clock = cfg->clock == BPFIX_CLOCK_COARSE,
		.table = table_opts(cfg),
		.sweep_interval_s = cfg->sweep_interval_s,
		.stats_interval_s = cfg->stats_interval_s,
		.metrics = cfg->metrics,
		.log_level = cfg->log_level,
		.ipfix = ipfix_opts(cfg),
		.owner = cfg,
	};
	return 0;
}

static void free_config(void *cfg)
{
	bpfix_config_free(cfg);
	g_free(cfg);
}

/* SIGHUP: the command line again, with the config file it names read anew. */
struct reload_args {
	int argc;
	char **argv;
};

static int reread_config(void *arg, struct bpfix_live_opts *opts)
{
	struct reload_args *r = arg;
	struct bpfix_config *cfg = g_new(struct bpfix_config, 1);
	int first, err;

	bpfix_config_init(cfg);
	err = bpfix_config_parse_args(cfg, r->argc, r->argv, &first);
	if (!err)
		err = live_opts(cfg, opts);
	if (err) {
		free_config(cfg);
		return err < 0 ? err : -EINVAL;
	}
	return 0;
}

/* The live run owns its configuration: a reload frees the one it replaces. */
static int cmd_run(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: end the wait */
	struct reload_args reload = { argc, argv };
	struct bpfix_live_config config = { reread_config, free_config, &reload };
	struct bpfix_config *cfg = g_new(struct bpfix_config, 1);
	struct bpfix_live_opts opts;
	int first, rc;

	bpfix_config_init(cfg);
	rc = configure(cfg, argc, argv, &first, BPFIX_MODE_RUN);
	if (rc >= 0)
		goto out;
	rc = EXIT_USAGE;
	if (first < argc) {
		bpfix_err("run takes no operands ('%s'); interfaces are given with --interface\n",
			  argv[first]);
		goto out;
	}
	if (live_opts(cfg, &opts))
		goto out;
	bpfix_log_init(opts.log_level);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	return bpfix_live_run(&opts, &live_signals, &config) ? EXIT_FAILED : 0;
out:
	free_config(cfg);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	struct bpfix_report_opts opts;
	int rc = bpfix_report_parse(argc, argv, &opts);

	if (rc == BPFIX_REPORT_HELP) {
		bpfix_report_usage(stdout);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "Try 'bpfix report --help'.\n");
		return EXIT_USAGE;
	}
	return bpfix_report_run(&opts) ? EXIT_FAILED : 0;
}

static int cmd_print_config(struct bpfix_config *cfg, int argc, char **argv)
{
	int first, rc = configure(cfg, argc, argv, &first, BPFIX_MODE_ALL);

	if (rc >= 0)
		return rc;
	if (first < argc) {
		bpfix_err("--print-config takes no operands ('%s')\n", argv[first]);
		return EXIT_USAGE;
	}
	bpfix_config_print(cfg, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpfix_config cfg;
	int rc;

	if (argc < 2) {
		short_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout, BPFIX_MODE_ALL);
		return 0;
	}
	/* an output read through a pipe that closes is a write error to report, not a death */
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("bpfix %s\n", BPFIX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	bpfix_config_init(&cfg);
	if (!strcmp(argv[1], "replay")) {
		rc = cmd_replay(&cfg, argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "--print-config")) {
		rc = cmd_print_config(&cfg, argc - 1, argv + 1);
	} else {
		bpfix_err("unknown command '%s'\nTry 'bpfix --help'.\n", argv[1]);
		rc = EXIT_USAGE;
	}
	bpfix_config_free(&cfg);
	return rc;
}
