// SPDX-License-Identifier: GPL-2.0-only
/* Routes libbpf's log: silent unless BPFIX_DEBUG is set, since its lines name no cause for users. */
#include <stdarg.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "log.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

void bpfix_libbpf_log_init(void)
{
	const char *debug = getenv("BPFIX_DEBUG");

	libbpf_set_print(debug && *debug && *debug != '0' ? libbpf_print : NULL);
}
