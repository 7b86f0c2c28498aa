// SPDX-License-Identifier: GPL-2.0-only
/*
 * Effective capabilities from capget(2). CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON
 * (kernels before 5.8 know only it). Nothing is changed here.
 */
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/privilege.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

void bpfix_missing_capabilities(char *buf, size_t len)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	const struct {
		int cap;
		const char *name;
	} needed[] = {
		{ CAP_BPF, "CAP_BPF" },		    /* programs and maps */
		{ CAP_PERFMON, "CAP_PERFMON" },	    /* pointer arithmetic on the packet copy */
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" }, /* TC programs, qdiscs, filters */
	};
	bool sys_admin;
	size_t i, used = 0;

	buf[0] = '\0';
	if (syscall(SYS_capget, &hdr, data))
		return; /* cannot tell: the kernel's refusal will speak */
	sys_admin = has_cap(data, CAP_SYS_ADMIN);
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (has_cap(data, needed[i].cap))
			continue;
		if (sys_admin && needed[i].cap != CAP_NET_ADMIN)
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? ", " : "",
				 needed[i].name);
	}
}
