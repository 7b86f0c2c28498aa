// SPDX-License-Identifier: GPL-2.0-only
/* The IPFIX exporting process (ipfix.h) behind the record interface (export/encoder.h). */
#include "export/encoder.h"

static void *ipfix_open(const struct bpfix_ipfix_opts *opts, const struct bpfix_export_clock *clock,
			struct bpfix_transport *const *transports, size_t n)
{
	return bpfix_ipfix__new(opts, clock, transports, n);
}

static int ipfix_append(void *process, const struct bpfix_record *rec)
{
	return bpfix_ipfix__append(process, rec);
}

static int ipfix_send_stats(void *process, const struct bpfix_export_stats *st)
{
	return bpfix_ipfix__send_stats(process, st);
}

static int ipfix_flush(void *process)
{
	return bpfix_ipfix__flush(process);
}

static int ipfix_report_losses(const void *process)
{
	return bpfix_ipfix__report_losses(process);
}

static void ipfix_get_stats(const void *process, struct bpfix_export_totals *totals)
{
	bpfix_ipfix__get_stats(process, totals);
}

static void ipfix_free(void *process)
{
	bpfix_ipfix__free(process);
}

const struct bpfix_encoder_ops bpfix_ipfix_encoder = {
	.proto = "IPFIX",
	.open = ipfix_open,
	.append = ipfix_append,
	.send_stats = ipfix_send_stats,
	.flush = ipfix_flush,
	.report_losses = ipfix_report_losses,
	.get_stats = ipfix_get_stats,
	.free = ipfix_free,
};
