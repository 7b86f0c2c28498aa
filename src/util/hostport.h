/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Splits "HOST:PORT" and "[V6]:PORT" into their parts, for collectors and listen addresses. It
 * only cuts and checks the text (port 1-65535, brackets around an IPv6 address): it resolves
 * nothing.
 */
#ifndef BPFIX_HOSTPORT_H
#define BPFIX_HOSTPORT_H

#include <stddef.h>

/* Split @spec into @host and @port (both NUL-terminated); 0 or -EINVAL. */
int bpfix_split_hostport(const char *spec, char *host, size_t host_len, char *port,
			 size_t port_len);

#endif /* BPFIX_HOSTPORT_H */
