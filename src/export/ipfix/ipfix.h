/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IPFIX exporting process: flow records and exporter statistics encoded by libfixbuf into
 * whole messages for the transports it is given: UDP collectors, an IPFIX file (RFC 5655). The
 * only module that sees fixbuf; it neither sends nor writes itself, and knows nothing of flows'
 * lifecycle. Templates are resent to datagram transports on a timer and every
 * template_refresh_messages messages, since fixbuf does not.
 */
#ifndef BPFIX_IPFIX_H
#define BPFIX_IPFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "export/transport.h"
#include "flow/record.h"
#include "util/counter_table.h"

/* What the exporter is told (every format's processes are made with it). */
struct bpfix_ipfix_opts {
	const char *const *collectors; /* [SCHEME://]HOST:PORT (collector_spec.h), UDP (the exporter's) */
	size_t n_collectors;
	const char *output_path;       /* IPFIX file, or NULL (the exporter's) */
	__u32 observation_domain;
	__u32 template_refresh_s;      /* UDP template resend interval */
	__u32 template_refresh_messages; /* ... and resend after this many UDP messages */
	bool append_output;	       /* add to output_path rather than start it anew (reload) */
	__u32 pen;		       /* private enterprise number of bpfix's own elements */
	__u32 pace_rate;	       /* records/s to each UDP collector, 0: unpaced (the exporter's) */
	__u32 pace_depth;	       /* messages at once to each (the exporter's) */
};

struct bpfix_ipfix;
struct bpfix_export_clock;

/*
 * One session per transport, in @transports' order; the transports are borrowed and must outlive
 * the process (which writes nothing when freed). NULL with errno set; the reason was printed.
 */
struct bpfix_ipfix *bpfix_ipfix__new(const struct bpfix_ipfix_opts *opts,
				     const struct bpfix_export_clock *clock,
				     struct bpfix_transport *const *transports, size_t n);
int bpfix_ipfix__append(struct bpfix_ipfix *x, const struct bpfix_record *rec);
/* Send the statistics to every destination (then flushed). */
int bpfix_ipfix__send_stats(struct bpfix_ipfix *x, const struct bpfix_export_stats *st);
/* Send what is buffered. */
int bpfix_ipfix__flush(struct bpfix_ipfix *x);
/* Print, per destination, messages not sent and writes failed; -EIO if there were any. */
int bpfix_ipfix__report_losses(const struct bpfix_ipfix *x);
void bpfix_ipfix__get_stats(const struct bpfix_ipfix *x, struct bpfix_export_totals *stats);
void bpfix_ipfix__free(struct bpfix_ipfix *x);

#endif /* BPFIX_IPFIX_H */
