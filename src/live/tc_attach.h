/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching the TC programs to an interface's clsact hooks and taking them off again, leaving
 * the interface as it was: the clsact qdisc is created only if absent and removed only if we
 * created it and no other filter is left on it. Other filters are never touched.
 */
#ifndef BPFIX_TC_ATTACH_H
#define BPFIX_TC_ATTACH_H

#include <stdbool.h>

#include <linux/types.h>

/* Our filters' default handle and priority: fixed, so a restart after a crash replaces its own. */
#define BPFIX_TC_HANDLE 0xB9F1
#define BPFIX_TC_PRIORITY 1 /* first, so the meter sees packets before others may drop them */

struct bpfix_tc_attachment;

struct bpfix_tc_place {
	__u32 handle;
	__u32 priority;
};

/*
 * Attach @ingress_fd and/or @egress_fd (-1: that direction is not metered) to @ifname at
 * @place. NULL with errno set after printing why; nothing is left attached then.
 */
struct bpfix_tc_attachment *bpfix_tc_attach(const char *ifname, int ingress_fd, int egress_fd,
					    const struct bpfix_tc_place *place);
/* Detach ours and restore the qdisc state; frees @a. Returns 0 or the first error (printed). */
int bpfix_tc_detach(struct bpfix_tc_attachment *a);
/* The interface is gone, and our filters and its qdisc with it: only free @a. */
void bpfix_tc_forget(struct bpfix_tc_attachment *a);
const char *bpfix_tc_ifname(const struct bpfix_tc_attachment *a);
/* Which hooks @a is on: ingress and/or egress. */
void bpfix_tc_hooks(const struct bpfix_tc_attachment *a, bool *ingress, bool *egress);
int bpfix_tc_ifindex(const struct bpfix_tc_attachment *a);

#endif /* BPFIX_TC_ATTACH_H */
