/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `bpfix report FILE.ipfix`: the bottleneck view of an IPFIX file bpfix wrote. Records are read
 * by export/ipfix/reader.h, added up per GTP-U tunnel and QoS flow and per server address
 * (report.c), and printed as text, CSV or JSON (report_print.c). The definitions, as bpfix
 * report --help and bpfix(8) give them:
 *
 * - Groups: a tunnel group is (outer destination, TEID, QFI) of the GTP-U records (the endpoint
 *   that owns the TEID; QFI absent without a PDU Session Container); a server group is the
 *   server address of each record's conversation: for TCP the destination of a flow whose first
 *   packet was a SYN, the source of one whose first packet was a SYN-ACK; otherwise (UDP, SCTP,
 *   TCP seen mid-stream) the end with the lower port, the lower address when the ports are
 *   equal; without ports (ICMP...) the destination.
 * - Round trips: the handshake's, as the records carry them (server side SYN to SYN-ACK, client
 *   side SYN-ACK to the client's next segment). A connection (its conversation, inner and outer
 *   address pairs in either direction, and its server-side round trip) counts once in every
 *   group one of its records is in, whichever records carried the values; the median and 95th
 *   percentile by nearest rank (the smallest sample with at least that share of samples at or
 *   below it: the lower middle one for an even count), over the connections measured.
 * - Loss: the records' sequence gaps and retransmitted segments per 100 packets of the group's
 *   TCP records.
 * - Worst first: by the sort key (loss: gaps + retransmissions per 100 TCP packets; gaps;
 *   retransmissions; server-rtt, client-rtt: the 95th percentile; packets; octets), ties broken
 *   by loss, server-rtt, client-rtt, packets, octets in that order, then by the group's name
 *   ascending; a group without the measure goes after those with it.
 */
#ifndef BPFIX_REPORT_H
#define BPFIX_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum bpfix_report_format {
	BPFIX_REPORT_TEXT = 0,
	BPFIX_REPORT_CSV,
	BPFIX_REPORT_JSON,
};

enum bpfix_report_sort {
	BPFIX_SORT_LOSS = 0,
	BPFIX_SORT_GAPS,
	BPFIX_SORT_RETRANSMISSIONS,
	BPFIX_SORT_SERVER_RTT,
	BPFIX_SORT_CLIENT_RTT,
	BPFIX_SORT_PACKETS,
	BPFIX_SORT_OCTETS,
	BPFIX_SORT_MAX,
};

/* The --sort names, in enum order. */
extern const char *const bpfix_report_sort_names[BPFIX_SORT_MAX];

struct bpfix_report_opts {
	const char *path;
	enum bpfix_report_format format;
	enum bpfix_report_sort sort;
	uint32_t pen; /* enterprise number of bpfix's elements in the file */
	FILE *out;
};

enum bpfix_report_view {
	BPFIX_VIEW_TUNNEL = 0,
	BPFIX_VIEW_SERVER,
	BPFIX_N_VIEWS,
};

/* Round trips of a group, in µs: count 0 when none was measured. */
struct bpfix_rtt_summary {
	uint32_t median_us;
	uint32_t p95_us;
	uint64_t count;
};

/* One group of a view, added up. */
struct bpfix_report_row {
	enum bpfix_report_view view;
	uint8_t addr[16];  /* tunnel endpoint or server; IPv4 in the first 4 octets */
	uint8_t ipv6;
	int16_t qfi;	   /* tunnel: -1 without one */
	uint32_t teid;	   /* tunnel */
	uint64_t records, packets, octets;
	uint64_t tcp_packets, gaps, retransmissions;
	struct bpfix_rtt_summary server_rtt, client_rtt;
};

/* What the file gave, for the report's heading. */
struct bpfix_report_totals {
	uint64_t messages, flow_records, tcp_records;
};

/* Read @opts->path and print its report; 0, or a negative errno (the reason was printed). */
int bpfix_report_run(const struct bpfix_report_opts *opts);

/* The value at nearest rank @percent of @n sorted samples (n > 0). */
uint32_t bpfix_report_percentile(const uint32_t *sorted, size_t n, unsigned int percent);

/* <0 when @a is worse than @b by @sort and its tie-breakers (it goes first), >0 after, 0 same. */
int bpfix_report_compare(const struct bpfix_report_row *a, const struct bpfix_report_row *b,
			 enum bpfix_report_sort sort);

/* Print the rows of both views (each already in order) in @opts->format. */
int bpfix_report_print(const struct bpfix_report_opts *opts,
		       const struct bpfix_report_totals *totals,
		       struct bpfix_report_row *const *rows, const size_t *n_rows);

#endif /* BPFIX_REPORT_H */
