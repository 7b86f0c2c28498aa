/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The option table, private to config/: each option's command-line name, config-file section and
 * key, type, place in struct bpfix_config, range and help. The readers (config.c, config_file.c)
 * and the printers (config_print.c) walk it; nothing else knows an option by name.
 */
#ifndef BPFIX_OPTION_TABLE_H
#define BPFIX_OPTION_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

enum value_type {
	VALUE_U32,
	VALUE_STRING,
	VALUE_CHOICE,	   /* an enum: the index of one of the option's choices */
	VALUE_COLLECTORS,  /* a list of HOST:PORT: repeatable; ';'-separated in the file */
	VALUE_INTERFACES,  /* a list of NAME-or-GLOB[:HOOKS] */
	VALUE_LISTEN,	   /* [ADDR:]PORT, or empty: off */
	VALUE_FLAG,	   /* a bool: no value on the command line, true or false in the file */
};

struct option_spec {
	const char *name; /* command line --name */
	int short_name;
	const char *section; /* config file [section] key */
	const char *key;
	enum value_type type;
	size_t offset;
	__u32 min, max;
	const char *metavar;
	const char *help;
	const char *const *choices; /* VALUE_CHOICE: NULL-terminated, in enum order */
	enum bpfix_mode modes;	    /* the subcommands it is for; 0: both */
};

/* The subcommands @o is for. */
static inline enum bpfix_mode bpfix_option_modes(const struct option_spec *o)
{
	return o->modes ? o->modes : BPFIX_MODE_ALL;
}

/* Ends with an entry whose name is NULL. */
extern const struct option_spec bpfix_options[];
extern const size_t bpfix_n_options;

static inline void *bpfix_option_slot(struct bpfix_config *cfg, const struct option_spec *o)
{
	return (char *)cfg + o->offset;
}

static inline bool bpfix_option_is_list(const struct option_spec *o)
{
	return o->type == VALUE_COLLECTORS || o->type == VALUE_INTERFACES;
}

/*
 * Check @text and store it; @where names its origin for the message (printed on error, with what
 * is accepted). @append adds to a list rather than starting it anew. 0 or -EINVAL.
 */
int bpfix_option_set(struct bpfix_config *cfg, const struct option_spec *o, const char *text,
		     const char *where, bool append);
const struct option_spec *bpfix_option_by_key(const char *section, const char *key);
bool bpfix_option_section_known(const char *section);
/* "export, flows, ..." (g_free it) */
char *bpfix_option_section_list(void);

#endif /* BPFIX_OPTION_TABLE_H */
