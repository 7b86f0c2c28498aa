/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching the TC programs to an interface's clsact hooks and taking them off again, leaving
 * the interface as it was: the clsact qdisc is created only if absent and removed only if we
 * created it and no other filter is left on it. Other filters are never touched.
 */
#ifndef BPFIX_TC_ATTACH_H
#define BPFIX_TC_ATTACH_H

#include <stdbool.h>

/* Our filters' handle and priority: fixed, so a restart after a crash replaces its own. */
#define BPFIX_TC_HANDLE 0xB9F1
#define BPFIX_TC_PRIORITY 1 /* first, so the meter sees packets before others may drop them */

struct bpfix_tc_attachment;

/*
 * Attach @ingress_fd and/or @egress_fd (-1: that direction is not metered) to @ifname. NULL with
 * errno set after printing why; nothing is left attached then.
 */
struct bpfix_tc_attachment *bpfix_tc_attach(const char *ifname, int ingress_fd, int egress_fd);
/* Detach ours and restore the qdisc state; frees @a. Returns 0 or the first error (printed). */
int bpfix_tc_detach(struct bpfix_tc_attachment *a);
int bpfix_tc_ifindex(const struct bpfix_tc_attachment *a);

#endif /* BPFIX_TC_ATTACH_H */
