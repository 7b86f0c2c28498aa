/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Messages for people: errors and warnings on stderr, prefixed with the program name. Per-packet
 * or per-flow conditions are counters, never a line each. libbpf's own log is shown only with
 * BPFIX_DEBUG=1 in the environment.
 */
#ifndef BPFIX_LOG_H
#define BPFIX_LOG_H

#include <stdio.h>

#define bpfix_err(...) fprintf(stderr, "bpfix: error: " __VA_ARGS__)
#define bpfix_warn(...) fprintf(stderr, "bpfix: warning: " __VA_ARGS__)

void bpfix_libbpf_log_init(void);

#endif /* BPFIX_LOG_H */
