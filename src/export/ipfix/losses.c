// SPDX-License-Identifier: GPL-2.0-only
/*
 * What each destination of the IPFIX exporting process took and lost: the totals the summary
 * gives and the losses reported at the end. It only reads the transports' counters and the
 * process's own refusals; it sends nothing.
 */
#include <errno.h>

#include "export/ipfix/process.h"
#include "util/log.h"

int bpfix_ipfix__report_losses(const struct bpfix_ipfix *x)
{
	const struct destination *d;
	int rc = 0;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		d = &x->dests[i];
		if (bpfix_transport__report_losses(d->t))
			rc = -EIO;
		if (d->write_failures) {
			bpfix_err("%s: %llu write(s) failed: records in them are lost to it\n",
				  d->t->name, (unsigned long long)d->write_failures);
			rc = -EIO;
		}
	}
	return rc;
}

/*
 * A record counts as sent once its message is written whole (file) or taken by the socket
 * (UDP): what the transports say, not what fixbuf accepted. With several destinations, the
 * summary gives the most any destination took and the least any lost, exact for one destination
 * (each one's own losses are reported at the end and in its statistics records).
 */
void bpfix_ipfix__get_stats(const struct bpfix_ipfix *x, struct bpfix_export_totals *stats)
{
	__u64 sent = 0, lost = 0;
	size_t i;

	for (i = 0; i < x->n_dests; i++) {
		const struct destination *d = &x->dests[i];
		__u64 d_lost = d->t->counters.records_lost + d->records_refused;

		sent = d->t->counters.records_sent > sent ? d->t->counters.records_sent : sent;
		lost = !i || d_lost < lost ? d_lost : lost;
	}
	*stats = x->stats;
	stats->records += sent;
	stats->records_lost += lost;
}
