// SPDX-License-Identifier: GPL-2.0-only
/* Fills one destination's exporter-statistics summary record (stats_summary.h); no I/O. */
#include <netinet/in.h>
#include <string.h>

#include "export/ipfix/stats_summary.h"

/* Our end of the destination's socket (the exporter address); none: left 0. */
static void exporter_address(const struct sockaddr_storage *local,
			     struct bpfix_ipfix_stats_summary *s)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)local;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)local;

	if (local->ss_family == AF_INET)
		s->exporter_ipv4 = ntohl(in4->sin_addr.s_addr);
	else if (local->ss_family == AF_INET6)
		memcpy(s->exporter_ipv6, &in6->sin6_addr, sizeof(s->exporter_ipv6));
}

void bpfix_stats_summary_fill(struct bpfix_ipfix_stats_summary *s,
			      const struct bpfix_export_stats *st, const struct bpfix_transport *t,
			      __u64 refused, __u32 domain, __u64 init_ms)
{
	const struct bpfix_transport_counters *c = &t->counters;

	memset(s, 0, sizeof(*s));
	s->domain = domain;
	s->system_init_ms = init_ms;
	s->packets_seen = st->packets_seen;
	s->packets_not_metered = st->packets_not_metered;
	s->flows_observed = st->flows_observed;
	s->packets_lost = st->packets_lost;
	s->records_exported = c->records_sent;
	s->records_not_sent = c->records_lost + refused;
	s->messages_exported = c->messages_sent;
	s->octets_exported = c->octets_sent;
	exporter_address(&t->local, s);
}
