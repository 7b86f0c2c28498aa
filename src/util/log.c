// SPDX-License-Identifier: GPL-2.0-only
/*
 * The log level, and libbpf's log: silent unless asked for, since its lines name no cause for
 * users.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "util/log.h"

enum bpfix_log_level bpfix_log_level = BPFIX_LOG_INFO;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

void bpfix_libbpf_log_init(void)
{
	const char *debug = getenv("BPFIX_DEBUG");
	bool on = (debug && *debug && *debug != '0') || bpfix_log_level >= BPFIX_LOG_DEBUG;

	libbpf_set_print(on ? libbpf_print : NULL);
}

const char *const bpfix_log_level_names[] = { "error", "warning", "info", "debug", NULL };

void bpfix_log_init(enum bpfix_log_level level)
{
	bpfix_log_level = level;
	bpfix_libbpf_log_init();
}
