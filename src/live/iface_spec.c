// SPDX-License-Identifier: GPL-2.0-only
/* NAME-or-GLOB[:HOOKS] entries: parsed and checked in one place. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "live/iface_spec.h"

const char *const bpfix_hooks_names[] = { "both", "ingress", "egress", NULL };

int bpfix_iface_spec_parse(const char *entry, enum bpfix_hooks default_hooks,
			   struct bpfix_iface_spec *spec)
{
	const char *colon = strchr(entry, ':');
	size_t n = colon ? (size_t)(colon - entry) : strlen(entry), i;

	if (!n || n >= sizeof(spec->pattern))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (entry[i] == '/' || isspace((unsigned char)entry[i]))
			return -EINVAL;
	spec->hooks = default_hooks;
	if (colon) {
		for (i = 0; bpfix_hooks_names[i] && strcmp(bpfix_hooks_names[i], colon + 1); i++)
			;
		if (!bpfix_hooks_names[i])
			return -EINVAL;
		spec->hooks = (enum bpfix_hooks)i;
	}
	snprintf(spec->pattern, sizeof(spec->pattern), "%.*s", (int)n, entry);
	return 0;
}
