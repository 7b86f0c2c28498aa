// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration's life (defaults, free) and the command line: getopt_long over the option
 * table, the config file of -c first so the command line overrides it. The file itself is
 * config_file.c's, the checks options.c's, the printers config_print.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "bpfix_flow.h"
#include "config/option_table.h"
#include "live/tc_attach.h"

#define OPT_CONFIG 'c'
#define OPT_HELP 'h'
#define OPT_PRINT_CONFIG 0x80

void bpfix_config_init(struct bpfix_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->collectors = g_new0(char *, 1);
	cfg->interfaces = g_new0(char *, 1);
	cfg->direction = BPFIX_HOOKS_BOTH;
	cfg->tc_handle = BPFIX_TC_HANDLE;
	cfg->tc_priority = BPFIX_TC_PRIORITY;
	cfg->sweep_interval_s = 1;
	cfg->log_level = BPFIX_LOG_INFO;
	cfg->stats_interval_s = 60;
	cfg->engine = BPFIX_ENGINE_HOST;
	cfg->idle_timeout_s = 15;
	cfg->active_timeout_s = 60;
	cfg->max_flows = BPFIX_DEFAULT_MAX_FLOWS;
	cfg->max_connections = BPFIX_DEFAULT_MAX_CONNECTIONS;
	cfg->observation_domain = 1;
	cfg->template_refresh_s = 60;
	cfg->template_refresh_messages = 100;
	cfg->tcp_linger_s = 1;
	cfg->pen = 32473;
	cfg->pace_rate = 100000;
	cfg->pace_depth = 32;
	cfg->gtpu_port = BPFIX_GTPU_PORT;
}

void bpfix_config_free(struct bpfix_config *cfg)
{
	g_strfreev(cfg->collectors);
	g_strfreev(cfg->interfaces);
	g_free(cfg->metrics);
	g_free(cfg->output);
}

static void build_longopts(struct option *longopts)
{
	const struct option_spec *o;
	int n = 0;

	for (o = bpfix_options; o->name; o++, n++)
		longopts[n] = (struct option){ o->name, o->type == VALUE_FLAG ? no_argument
										 : required_argument,
					       NULL, n + 0x100 };
	longopts[n++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
	longopts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	longopts[n++] = (struct option){ "print-config", no_argument, NULL, OPT_PRINT_CONFIG };
	longopts[n] = (struct option){ 0 };
}

static int short_to_index(int c)
{
	int i;

	for (i = 0; bpfix_options[i].name; i++)
		if (bpfix_options[i].short_name && bpfix_options[i].short_name == c)
			return i;
	return -1;
}

int bpfix_config_parse_args(struct bpfix_config *cfg, int argc, char **argv, int *first_operand)
{
	struct option longopts[bpfix_n_options + 4];
	/* ':' first: a missing value is told apart; options may follow the captures */
	const char *shortopts = ":c:ho:i:q";
	bool given[bpfix_n_options];
	bool print = false;
	const char *value;
	char where[64];
	int c, idx, err;

	memset(given, 0, sizeof(given));
	build_longopts(longopts);
	/* pass 1: the config file, so the command line overrides it whatever the order */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == OPT_CONFIG) {
			err = bpfix_config_load_file(cfg, optarg);
			if (err)
				return err;
		}
	}
	/* pass 2: everything else; getopt's own messages would name the subcommand, not bpfix */
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == OPT_CONFIG)
			continue;
		if (c == OPT_HELP)
			return BPFIX_CONFIG_HELP;
		if (c == OPT_PRINT_CONFIG) {
			print = true;
			continue;
		}
		if (c == ':' || c == '?') {
			const char *arg = argv[optind - 1];
			char shortname[3] = { '-', (char)optopt, 0 };

			if (strncmp(arg, "--", 2)) /* a short option, maybe in a group like -xo */
				arg = shortname;
			if (c == ':')
				bpfix_err("option '%.*s' needs a value\n", (int)strcspn(arg, "="), arg);
			else
				bpfix_err("unknown option '%.*s'\n", (int)strcspn(arg, "="), arg);
			return -EINVAL;
		}
		idx = c >= 0x100 ? c - 0x100 : short_to_index(c);
		snprintf(where, sizeof(where), "--%s", bpfix_options[idx].name);
		/* a list's first option replaces the file's list, the next ones add to it */
		value = bpfix_options[idx].type == VALUE_FLAG ? "true" : optarg;
		err = bpfix_option_set(cfg, &bpfix_options[idx], value, where, given[idx]);
		if (err)
			return err;
		given[idx] = true;
	}
	*first_operand = optind;
	return print ? BPFIX_CONFIG_PRINT : 0;
}
