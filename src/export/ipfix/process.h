/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The IPFIX exporting process's own state, shared by its files (ipfix.c writes, losses.c counts);
 * nothing outside export/ipfix/ includes it.
 */
#ifndef BPFIX_IPFIX_PROCESS_H
#define BPFIX_IPFIX_PROCESS_H

#include <stdbool.h>
#include <stdio.h>

#include <fixbuf/public.h>

#include "export/ipfix/ipfix.h"

#define MESSAGE_MAX 65535	/* RFC 7011 §3.1: the message length is 16 bits */
#define MESSAGE_HEADER 16	/* RFC 7011 §3.1 */

/*
 * A datagram transport (UDP) gets each message fixbuf encodes into msg in manual mode: fixbuf's
 * own UDP writer reports send errors as success. A stream transport (a file) gets what fixbuf
 * writes in automatic mode through fp and stream_write(), which gathers each message in msg.
 *
 * Every flow record handed to a destination ends in exactly one of the transport's records_sent
 * and records_lost, or records_refused (records_in_message until its message goes out).
 */
struct destination {
	struct bpfix_transport *t; /* borrowed */
	fBuf_t *fbuf;		/* owns the session and the exporter */
	fbSession_t *session;
	fbExporter_t *exporter;
	FILE *fp;		/* stream: what fixbuf writes to */
	uint8_t *msg;		/* datagram: the message encoded; stream: the message gathered */
	size_t msg_held;	/* stream: octets of it gathered so far */
	bool pending;		/* something was written since the last message went out */
	bool templates_wanted;	/* at start, after statistics (t->want_templates: the transport) */
	bool templates_in_message; /* the message being built holds templates (and no flows) */
	const struct bpfix_ipfix *x;
	gint64 templates_sent_us; /* g_get_monotonic_time(): host clock steps do not matter */
	__u64 messages_since_templates;

	__u64 records_in_message; /* flow records in the message being built */
	__u64 records_refused;	/* fixbuf did not take them (encoding or writing failed) */
	__u64 write_failures;	/* fixbuf refused to encode or write */
};

struct bpfix_ipfix {
	struct bpfix_ipfix_opts opts;
	fbInfoModel_t *model;
	fbInfoElement_t *elements;	/* ours, in the model */
	struct destination *dests;
	size_t n_dests;
	struct bpfix_export_totals stats; /* failures; records: the transports', see get_stats */
	const struct bpfix_export_clock *clock; /* the exporter's: the time messages carry */
};

#endif /* BPFIX_IPFIX_PROCESS_H */
