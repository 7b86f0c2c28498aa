/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfix configuration: one option table (options.c) gives the command-line options, the
 * config-file keys (INI, GLib key file), the --help lines and --print-config. Precedence:
 * defaults < file < command line. Errors name the file, line and key, or the option, and what is
 * accepted. The configuration owns its strings; the parts it configures take typed values.
 */
#ifndef BPFIX_CONFIG_H
#define BPFIX_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include <linux/types.h>

#include "flow/flow_table.h"
#include "live/iface_spec.h"
#include "meter/meter.h"
#include "util/log.h"

#define BPFIX_DEFAULT_COLLECTOR "127.0.0.1:4739"

/* The subcommands, as the options name the ones they are for. */
enum bpfix_mode {
	BPFIX_MODE_RUN = 1,
	BPFIX_MODE_REPLAY = 2,
	BPFIX_MODE_ALL = BPFIX_MODE_RUN | BPFIX_MODE_REPLAY,
};

/* How the TC program stamps packets live (bpf/flow_config.bpf.h bpfix_coarse_clock). */
enum bpfix_clock {
	BPFIX_CLOCK_PRECISE = 0,
	BPFIX_CLOCK_COARSE,
};

struct bpfix_config {
	char **collectors; /* NULL-terminated; empty: BPFIX_DEFAULT_COLLECTOR unless output is set */
	char *output;	   /* IPFIX file, or NULL */
	enum bpfix_engine_kind engine;
	__u32 idle_timeout_s;
	__u32 idle_timeout_proto_s[BPFIX_PROTO_CLASS_MAX];   /* 0: idle_timeout_s */
	__u32 active_timeout_s;
	__u32 active_timeout_proto_s[BPFIX_PROTO_CLASS_MAX]; /* 0: active_timeout_s */
	__u32 tcp_linger_s;
	__u32 max_flows;
	__u32 max_connections;	  /* TCP handshakes tracked at once */
	__u32 observation_domain;
	__u32 template_refresh_s;
	__u32 template_refresh_messages;
	__u32 pen;
	__u32 pace_rate;	  /* records/s to each UDP collector; 0: unpaced */
	__u32 pace_depth;	  /* messages at once to each */
	__u32 gtpu_port;
	char **interfaces;	  /* live: NULL-terminated NAME-or-GLOB[:HOOKS] */
	enum bpfix_hooks direction; /* live: hooks of entries without their own */
	__u32 tc_handle;	  /* live: our filters' handle and priority on each hook */
	__u32 tc_priority;
	__u32 sweep_interval_s;
	__u32 stats_interval_s;
	enum bpfix_clock clock;	  /* live: the TC program's clock */
	enum bpfix_log_level log_level;
	char *metrics;		  /* Prometheus endpoint [ADDR:]PORT, or NULL: off */
	bool quiet;		  /* replay: no progress line on a terminal */
};

void bpfix_config_init(struct bpfix_config *cfg);
void bpfix_config_free(struct bpfix_config *cfg);
/* Apply a config file; 0 or -EINVAL/-ENOENT after printing what is wrong where. */
int bpfix_config_load_file(struct bpfix_config *cfg, const char *path);
/*
 * Apply the command line of a subcommand (argv[0] is its name): first the file of -c/--config,
 * then the other options. *first_operand is the index of the first non-option. Returns 0,
 * BPFIX_CONFIG_HELP when --help was asked for, or a negative errno after printing why.
 */
#define BPFIX_CONFIG_HELP 1
#define BPFIX_CONFIG_PRINT 2 /* --print-config was given */
int bpfix_config_parse_args(struct bpfix_config *cfg, int argc, char **argv, int *first_operand);
/* The configuration as a commented config file: every key with its help. */
void bpfix_config_print(const struct bpfix_config *cfg, FILE *out);
/* One line per option of the subcommands @modes, for --help. */
void bpfix_config_print_options(FILE *out, enum bpfix_mode modes);

#endif /* BPFIX_CONFIG_H */
