/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One entry of the interfaces to meter, NAME-or-GLOB[:HOOKS]: its parse and check, shared by the
 * configuration (which rejects bad entries) and the interface set (which follows them). It does
 * not look interfaces up.
 */
#ifndef BPFIX_IFACE_SPEC_H
#define BPFIX_IFACE_SPEC_H

#include <stdbool.h>

/* The clsact hooks of an interface; values index bpfix_hooks_names. */
enum bpfix_hooks {
	BPFIX_HOOKS_BOTH,
	BPFIX_HOOKS_INGRESS,
	BPFIX_HOOKS_EGRESS,
};

/* "both", "ingress", "egress", NULL */
extern const char *const bpfix_hooks_names[];

struct bpfix_iface_spec {
	char pattern[16];	/* an interface name or a glob (fnmatch), 1-15 characters */
	enum bpfix_hooks hooks; /* the entry's own, or the default given to the parse */
};

/*
 * Parse @entry; entries without their own :HOOKS get @default_hooks. -EINVAL for an empty or too
 * long name, a '/' or a space in it, or unknown hooks.
 */
int bpfix_iface_spec_parse(const char *entry, enum bpfix_hooks default_hooks,
			   struct bpfix_iface_spec *spec);

static inline bool bpfix_hooks_ingress(enum bpfix_hooks h)
{
	return h != BPFIX_HOOKS_EGRESS;
}

static inline bool bpfix_hooks_egress(enum bpfix_hooks h)
{
	return h != BPFIX_HOOKS_INGRESS;
}

#endif /* BPFIX_IFACE_SPEC_H */
