/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who owns our tc filters on an interface: a live bpfix claims (interface, handle, priority) by
 * binding an abstract UNIX socket named after them. The name belongs to the network namespace and
 * dies with the process, so a second bpfix with the same handle is refused while the first runs,
 * and the filters a killed bpfix left behind can be replaced. It attaches nothing itself.
 */
#ifndef BPFIX_TC_OWNER_H
#define BPFIX_TC_OWNER_H

#include "live/tc_attach.h"

/*
 * Claim @place on interface @ifindex (@ifname for the message): a descriptor to keep while
 * attached, or a negative errno after printing why (-EBUSY: another live bpfix owns it).
 */
int bpfix_tc_owner_claim(int ifindex, const char *ifname, const struct bpfix_tc_place *place);
/* Let the claim go (a negative @fd is no claim). */
void bpfix_tc_owner_release(int fd);

#endif /* BPFIX_TC_OWNER_H */
