/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Messages for people: errors, warnings and information on stderr, prefixed with the program
 * name, filtered by the log level. Per-packet or per-flow conditions are counters, never a line
 * each. libbpf's own log is shown at level debug or with BPFIX_DEBUG=1 in the environment.
 */
#ifndef BPFIX_LOG_H
#define BPFIX_LOG_H

#include <stdio.h>

enum bpfix_log_level {
	BPFIX_LOG_ERROR,
	BPFIX_LOG_WARNING,
	BPFIX_LOG_INFO,
	BPFIX_LOG_DEBUG,
};

extern enum bpfix_log_level bpfix_log_level;

#define bpfix_err(...) (bpfix_log_begin(), fprintf(stderr, "bpfix: error: " __VA_ARGS__))
#define bpfix_warn(...)                                                                      \
	(bpfix_log_level >= BPFIX_LOG_WARNING                                                   \
		 ? (bpfix_log_begin(), fprintf(stderr, "bpfix: warning: " __VA_ARGS__))         \
		 : 0)
#define bpfix_info(...)                                                                      \
	(bpfix_log_level >= BPFIX_LOG_INFO                                                      \
		 ? (bpfix_log_begin(), fprintf(stderr, "bpfix: " __VA_ARGS__))                  \
		 : 0)

/* "error", "warning", "info", "debug", NULL: names of the levels, in enum order */
extern const char *const bpfix_log_level_names[];

/*
 * A line without its newline is on stderr (a terminal: the replay's progress), or none is any
 * more: a message first clears it, and the next progress draws it again.
 */
void bpfix_log_line_open(int open);
/* Before a message: clear the open line, if any. */
void bpfix_log_begin(void);

/* Set the level; also routes libbpf's log. */
void bpfix_log_init(enum bpfix_log_level level);
void bpfix_libbpf_log_init(void);

#endif /* BPFIX_LOG_H */
