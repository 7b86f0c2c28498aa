// SPDX-License-Identifier: GPL-2.0-only
/* "HOST:PORT" / "[V6]:PORT" cut into host and port; no name resolution here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/hostport.h"

int bpfix_split_hostport(const char *spec, char *host, size_t host_len, char *port,
			 size_t port_len)
{
	const char *colon, *host_start = spec, *host_end;

	if (spec[0] == '[') {
		host_start = spec + 1;
		host_end = strchr(spec, ']');
		if (!host_end || host_end[1] != ':')
			return -EINVAL;
		colon = host_end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || strchr(spec, ':') != colon)
			return -EINVAL; /* bare IPv6 addresses need brackets */
		host_end = colon;
	}
	if (host_end == host_start || (size_t)(host_end - host_start) >= host_len ||
	    !colon[1] || strlen(colon + 1) >= port_len || strspn(colon + 1, "0123456789") !=
	    strlen(colon + 1) || atoi(colon + 1) < 1 || atoi(colon + 1) > 65535)
		return -EINVAL;
	memcpy(host, host_start, host_end - host_start);
	host[host_end - host_start] = '\0';
	strcpy(port, colon + 1);
	return 0;
}
