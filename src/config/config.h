/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfix configuration: one option table gives the command-line options, the config-file keys
 * (INI, GLib key file), the --help lines and --print-config. Precedence: defaults < file <
 * command line. Errors name the file, section and key, or the option, and what is accepted.
 */
#ifndef BPFIX_CONFIG_H
#define BPFIX_CONFIG_H

#include <stdio.h>

#include <linux/types.h>

#define BPFIX_DEFAULT_COLLECTOR "127.0.0.1:4739"

struct bpfix_config {
	char **collectors; /* NULL-terminated; empty: BPFIX_DEFAULT_COLLECTOR unless output is set */
	char *output;	   /* IPFIX file, or NULL */
	char *engine;
	__u32 idle_timeout_s;
	__u32 idle_timeout_tcp_s;	/* 0: idle_timeout_s */
	__u32 idle_timeout_udp_s;
	__u32 idle_timeout_icmp_s;
	__u32 idle_timeout_other_s;
	__u32 active_timeout_s;
	__u32 active_timeout_tcp_s;	/* 0: active_timeout_s */
	__u32 active_timeout_udp_s;
	__u32 active_timeout_icmp_s;
	__u32 active_timeout_other_s;
	__u32 tcp_linger_s;
	__u32 max_flows;
	__u32 observation_domain;
	__u32 template_refresh_s;
	__u32 template_refresh_messages;
	__u32 pen;
	__u32 gtpu_port;
	char **interfaces;	/* live: NULL-terminated NAME-or-GLOB[:DIRECTION] */
	char *direction;	/* live: both, ingress or egress, for entries without their own */
	__u32 tc_handle;	/* live: our filters' handle and priority on each hook */
	__u32 tc_priority;
	__u32 sweep_interval_s;
	__u32 stats_interval_s;
	char *log_level;	/* error, warning, info or debug */
	char *metrics;		/* Prometheus endpoint [ADDR:]PORT, or NULL: off */
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
/*
 * Split an interfaces entry NAME-or-GLOB[:DIRECTION] (checked when it was set). @pattern gets the
 * name; @direction the entry's or @default_direction.
 */
void bpfix_config_split_interface(const char *entry, const char *default_direction,
				  char pattern[16], const char **direction);
/* One line per option, for --help. */
void bpfix_config_print_options(FILE *out);

#endif /* BPFIX_CONFIG_H */
