/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interfaces a live run meters: names and globs, each with its hooks. Matching interfaces
 * are attached at start and, through rtnetlink link events, when they appear later; interfaces
 * that vanish are let go quietly (their filters went with them). A reload swaps the list,
 * detaching what no longer matches. Attaching itself is tc_attach.c's.
 */
#ifndef BPFIX_IFACE_SET_H
#define BPFIX_IFACE_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "live/iface_spec.h"
#include "live/tc_attach.h"

struct bpfix_iface_set_opts {
	char *const *entries;	     /* NAME-or-GLOB[:HOOKS] (iface_spec.h), checked already */
	enum bpfix_hooks default_hooks; /* of entries without their own */
	int ingress_fd, egress_fd;   /* the programs */
	struct bpfix_tc_place place;
};

struct bpfix_iface_set;

/*
 * Attach to every interface present that matches. A plain name that does not exist is an error
 * (printed; NULL, errno set, nothing left attached); a glob may match nothing yet.
 */
struct bpfix_iface_set *bpfix_iface_set__new(const struct bpfix_iface_set_opts *opts);
/* The rtnetlink socket to poll for link events. */
int bpfix_iface_set__fd(const struct bpfix_iface_set *set);
/* Read pending link events: attach to new matching interfaces, forget vanished ones. */
void bpfix_iface_set__handle_events(struct bpfix_iface_set *set);
/*
 * Meter @entries from now on: detach interfaces no longer listed (or listed with other hooks),
 * attach the new ones. A plain name that does not exist fails (printed) and changes nothing.
 */
int bpfix_iface_set__update(struct bpfix_iface_set *set, char *const *entries,
			    enum bpfix_hooks default_hooks);
/* Detach everything and free; 0 or the first error (printed). */
int bpfix_iface_set__free(struct bpfix_iface_set *set);

#endif /* BPFIX_IFACE_SET_H */
