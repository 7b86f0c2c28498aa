/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record interface between the exporter (exporter.c) and the exporting processes of each
 * format: IPFIX (export/ipfix/, through libfixbuf) and NetFlow v9 (export/netflow9/, its own
 * encoder). A process takes flow records and statistics, encodes them into whole messages for
 * the transports it was given (export/transport.h), and says what they took. The export clock
 * is the time its messages carry. No encoding here.
 */
#ifndef BPFIX_ENCODER_H
#define BPFIX_ENCODER_H

#include <stdbool.h>
#include <stddef.h>

#include "export/ipfix/ipfix.h"
#include "export/transport.h"
#include "flow/record.h"
#include "util/counter_table.h"

/*
 * The time export messages carry (the exporter keeps it): the wall clock, or in replay the
 * capture's clock once its first packet was read (the exporter's start is that packet's time;
 * now is the last sweep's).
 */
struct bpfix_export_clock {
	bool capture;	/* the capture's clock; else the wall clock */
	__u64 start_ms; /* when export began (epoch ms) */
	__u64 now_ms;	/* capture: the capture time reached */
};

/* Now on @c's clock, epoch ms. */
__u64 bpfix_export_clock_now_ms(const struct bpfix_export_clock *c);

/* An exporting process of one format: the functions of its module (ipfix.h, netflow9.h). */
struct bpfix_encoder_ops {
	const char *proto; /* what its messages are, for people: "IPFIX", "NetFlow v9" */
	/*
	 * A process over @transports (borrowed: they outlive it); @opts' collectors and file are
	 * not its business. NULL with errno set; the reason was printed.
	 */
	void *(*open)(const struct bpfix_ipfix_opts *opts, const struct bpfix_export_clock *clock,
		      struct bpfix_transport *const *transports, size_t n);
	int (*append)(void *process, const struct bpfix_record *rec);
	/* The statistics to every destination (then sent). */
	int (*send_stats)(void *process, const struct bpfix_export_stats *st);
	/* Send what is buffered. */
	int (*flush)(void *process);
	/* Print, per destination, what was lost; -EIO if anything was. */
	int (*report_losses)(const void *process);
	/* Records sent (the most any destination took), lost (the least), failures. */
	void (*get_stats)(const void *process, struct bpfix_export_totals *totals);
	void (*free)(void *process);
};

extern const struct bpfix_encoder_ops bpfix_ipfix_encoder;    /* export/ipfix/encoder.c */
extern const struct bpfix_encoder_ops bpfix_netflow9_encoder; /* export/netflow9/netflow9.c */

#endif /* BPFIX_ENCODER_H */
