// SPDX-License-Identifier: GPL-2.0-only
/*
 * Printing the bottleneck view (report.h): the same columns as aligned text for people (round
 * trips in ms, TEIDs in hex, a heading that says what the numbers mean), as CSV with one row per
 * group and a view column, and as JSON with an array per view, both in raw units (µs, decimal).
 * A value a group does not have (no round trip measured, no TCP packet) is "-" in text, empty in
 * CSV, null in JSON. No arithmetic on records here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include <glib.h>

#include "report/report.h"
#include "util/log.h"

enum column_id {
	COL_TEID, COL_ENDPOINT, COL_QFI, COL_SERVER,
	COL_RECORDS, COL_PACKETS, COL_OCTETS, COL_TCP_PACKETS,
	COL_SRV_MEDIAN, COL_SRV_P95, COL_SRV_COUNT,
	COL_CLI_MEDIAN, COL_CLI_P95, COL_CLI_COUNT,
	COL_GAPS, COL_GAPS_RATE, COL_RETRANS, COL_RETRANS_RATE,
	N_COLUMNS,
};

#define TUNNEL (1u << BPFIX_VIEW_TUNNEL)
#define SERVER (1u << BPFIX_VIEW_SERVER)

static const struct {
	const char *header; /* text */
	const char *key;    /* CSV and JSON */
	unsigned int views;
	bool string;	    /* quoted in JSON, left-aligned in text */
} columns[N_COLUMNS] = {
	[COL_TEID] = { "TEID", "teid", TUNNEL, false },
	[COL_ENDPOINT] = { "ENDPOINT", "endpoint", TUNNEL, true },
	[COL_QFI] = { "QFI", "qfi", TUNNEL, false },
	[COL_SERVER] = { "SERVER", "server", SERVER, true },
	[COL_RECORDS] = { "RECORDS", "records", TUNNEL | SERVER, false },
	[COL_PACKETS] = { "PACKETS", "packets", TUNNEL | SERVER, false },
	[COL_OCTETS] = { "OCTETS", "octets", TUNNEL | SERVER, false },
	[COL_TCP_PACKETS] = { "TCP_PKTS", "tcp_packets", TUNNEL | SERVER, false },
	[COL_SRV_MEDIAN] = { "SRV_MED_MS", "server_rtt_median_us", TUNNEL | SERVER, false },
	[COL_SRV_P95] = { "SRV_P95_MS", "server_rtt_p95_us", TUNNEL | SERVER, false },
	[COL_SRV_COUNT] = { "SRV_N", "server_rtt_count", TUNNEL | SERVER, false },
	[COL_CLI_MEDIAN] = { "CLI_MED_MS", "client_rtt_median_us", TUNNEL | SERVER, false },
	[COL_CLI_P95] = { "CLI_P95_MS", "client_rtt_p95_us", TUNNEL | SERVER, false },
	[COL_CLI_COUNT] = { "CLI_N", "client_rtt_count", TUNNEL | SERVER, false },
	[COL_GAPS] = { "GAPS", "gaps", TUNNEL | SERVER, false },
	[COL_GAPS_RATE] = { "GAPS/100", "gaps_per_100_packets", TUNNEL | SERVER, false },
	[COL_RETRANS] = { "RETRANS", "retransmissions", TUNNEL | SERVER, false },
	[COL_RETRANS_RATE] = { "RETRANS/100", "retransmissions_per_100_packets", TUNNEL | SERVER,
			       false },
};

#define CELL_LEN 48

/* One value: empty text when the group does not have it. */
struct cell {
	char text[CELL_LEN];
};

static void put(struct cell *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct cell *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

static void put_addr(struct cell *c, const uint8_t *addr, bool ipv6)
{
	inet_ntop(ipv6 ? AF_INET6 : AF_INET, addr, c->text, sizeof(c->text));
}

/* A round trip: ms with µs digits for people, µs for tools. */
static void put_rtt(struct cell *c, uint32_t us, bool machine)
{
	if (machine)
		put(c, "%u", us);
	else
		put(c, "%u.%03u", us / 1000, us % 1000);
}

static void put_rtts(struct cell *c, const struct bpfix_rtt_summary *s, bool machine)
{
	put(&c[2], "%llu", (unsigned long long)s->count);
	if (!s->count)
		return;
	put_rtt(&c[0], s->median_us, machine);
	put_rtt(&c[1], s->p95_us, machine);
}

static void put_rate(struct cell *c, uint64_t n, uint64_t tcp_packets, bool machine)
{
	if (tcp_packets)
		put(c, machine ? "%.4f" : "%.2f", 100.0 * (double)n / (double)tcp_packets);
}

/* The cells of @r (those of the other view stay empty). */
static void fill_cells(const struct bpfix_report_row *r, bool machine, struct cell *c)
{
	memset(c, 0, N_COLUMNS * sizeof(*c));
	if (r->view == BPFIX_VIEW_TUNNEL) {
		put(&c[COL_TEID], machine ? "%u" : "0x%08x", r->teid);
		put_addr(&c[COL_ENDPOINT], r->addr, r->ipv6);
		if (r->qfi >= 0)
			put(&c[COL_QFI], "%d", r->qfi);
	} else {
		put_addr(&c[COL_SERVER], r->addr, r->ipv6);
	}
	put(&c[COL_RECORDS], "%llu", (unsigned long long)r->records);
	put(&c[COL_PACKETS], "%llu", (unsigned long long)r->packets);
	put(&c[COL_OCTETS], "%llu", (unsigned long long)r->octets);
	put(&c[COL_TCP_PACKETS], "%llu", (unsigned long long)r->tcp_packets);
	put_rtts(&c[COL_SRV_MEDIAN], &r->server_rtt, machine);
	put_rtts(&c[COL_CLI_MEDIAN], &r->client_rtt, machine);
	put(&c[COL_GAPS], "%llu", (unsigned long long)r->gaps);
	put_rate(&c[COL_GAPS_RATE], r->gaps, r->tcp_packets, machine);
	put(&c[COL_RETRANS], "%llu", (unsigned long long)r->retransmissions);
	put_rate(&c[COL_RETRANS_RATE], r->retransmissions, r->tcp_packets, machine);
}

static const char *const view_titles[BPFIX_N_VIEWS] = {
	[BPFIX_VIEW_TUNNEL] = "GTP-U tunnels and QoS flows (TEID, the endpoint that owns it, QFI)",
	[BPFIX_VIEW_SERVER] = "Servers (the responder of each conversation)",
};

static const char *const sort_meaning[BPFIX_SORT_MAX] = {
	[BPFIX_SORT_LOSS] = "gaps + retransmissions per 100 TCP packets",
	[BPFIX_SORT_GAPS] = "gaps per 100 TCP packets",
	[BPFIX_SORT_RETRANSMISSIONS] = "retransmissions per 100 TCP packets",
	[BPFIX_SORT_SERVER_RTT] = "95th percentile of the server-side round trip",
	[BPFIX_SORT_CLIENT_RTT] = "95th percentile of the client-side round trip",
	[BPFIX_SORT_PACKETS] = "packets",
	[BPFIX_SORT_OCTETS] = "octets",
};

static void print_table(FILE *out, enum bpfix_report_view view,
			const struct bpfix_report_row *rows, size_t n)
{
	struct cell *cells = g_new(struct cell, (n ? n : 1) * N_COLUMNS);
	size_t width[N_COLUMNS], i, k, len;
	const char *text;
	bool first;

	for (k = 0; k < N_COLUMNS; k++)
		width[k] = strlen(columns[k].header);
	for (i = 0; i < n; i++) {
		fill_cells(&rows[i], false, &cells[i * N_COLUMNS]);
		for (k = 0; k < N_COLUMNS; k++) {
			len = strlen(cells[i * N_COLUMNS + k].text);
			width[k] = MAX(width[k], MAX(len, 1));
		}
	}
	fprintf(out, "\n%s:\n", view_titles[view]);
	for (i = 0; i <= n; i++) { /* the header, then the rows */
		first = true;
		for (k = 0; k < N_COLUMNS; k++) {
			if (!(columns[k].views & (1u << view)))
				continue;
			text = !i ? columns[k].header : cells[(i - 1) * N_COLUMNS + k].text;
			text = *text ? text : "-";
			fprintf(out, "%s%*s", first ? "" : "  ",
				columns[k].string ? -(int)width[k] : (int)width[k], text);
			first = false;
		}
		fputc('\n', out);
	}
	if (!n)
		fputs("(none)\n", out);
	g_free(cells);
}

static void print_text(const struct bpfix_report_opts *o, const struct bpfix_report_totals *t,
		       struct bpfix_report_row *const *rows, const size_t *n)
{
	int v;

	fprintf(o->out,
		"bpfix report of %s: %llu flow records (%llu TCP) in %llu IPFIX messages.\n"
		"Round trips of TCP handshakes at the observer, in ms: server side (SRV) SYN to "
		"SYN-ACK, client\nside (CLI) SYN-ACK to the client's next segment; median and 95th "
		"percentile of the connections\nmeasured (N). Gaps (loss before the observer, or "
		"reordering) and retransmitted segments (loss\nafter it, or a hole filled), also "
		"per 100 packets of TCP records.\nWorst first: %s.\n",
		o->path, (unsigned long long)t->flow_records, (unsigned long long)t->tcp_records,
		(unsigned long long)t->messages, sort_meaning[o->sort]);
	for (v = 0; v < BPFIX_N_VIEWS; v++)
		print_table(o->out, v, rows[v], n[v]);
}

static void print_csv(const struct bpfix_report_opts *o, struct bpfix_report_row *const *rows,
		      const size_t *n)
{
	static const char *const view_names[BPFIX_N_VIEWS] = { "tunnel", "server" };
	struct cell c[N_COLUMNS];
	size_t i, k;
	int v;

	fputs("view", o->out);
	for (k = 0; k < N_COLUMNS; k++)
		fprintf(o->out, ",%s", columns[k].key);
	fputc('\n', o->out);
	for (v = 0; v < BPFIX_N_VIEWS; v++) {
		for (i = 0; i < n[v]; i++) {
			fill_cells(&rows[v][i], true, c);
			fputs(view_names[v], o->out);
			for (k = 0; k < N_COLUMNS; k++)
				fprintf(o->out, ",%s", c[k].text); /* no cell holds a comma */
			fputc('\n', o->out);
		}
	}
}

/* @s as a JSON string (RFC 8259 §7). */
static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void print_json(const struct bpfix_report_opts *o, const struct bpfix_report_totals *t,
		       struct bpfix_report_row *const *rows, const size_t *n)
{
	static const char *const view_keys[BPFIX_N_VIEWS] = { "tunnels", "servers" };
	struct cell c[N_COLUMNS];
	size_t i, k;
	bool first;
	int v;

	fputs("{\"file\": ", o->out);
	json_string(o->out, o->path);
	fprintf(o->out, ", \"messages\": %llu, \"flow_records\": %llu, \"tcp_records\": %llu, "
		"\"sort\": \"%s\"", (unsigned long long)t->messages,
		(unsigned long long)t->flow_records, (unsigned long long)t->tcp_records,
		bpfix_report_sort_names[o->sort]);
	for (v = 0; v < BPFIX_N_VIEWS; v++) {
		fprintf(o->out, ",\n \"%s\": [", view_keys[v]);
		for (i = 0; i < n[v]; i++) {
			fill_cells(&rows[v][i], true, c);
			fputs(i ? ",\n  {" : "\n  {", o->out);
			first = true;
			for (k = 0; k < N_COLUMNS; k++) {
				if (!(columns[k].views & (1u << v)))
					continue;
				fprintf(o->out, "%s\"%s\": ", first ? "" : ", ", columns[k].key);
				if (!*c[k].text)
					fputs("null", o->out);
				else if (columns[k].string)
					json_string(o->out, c[k].text);
				else
					fputs(c[k].text, o->out);
				first = false;
			}
			fputc('}', o->out);
		}
		fputs(n[v] ? "\n ]" : "]", o->out);
	}
	fputs("}\n", o->out);
}

int bpfix_report_print(const struct bpfix_report_opts *opts,
		       const struct bpfix_report_totals *totals,
		       struct bpfix_report_row *const *rows, const size_t *n_rows)
{
	if (opts->format == BPFIX_REPORT_CSV)
		print_csv(opts, rows, n_rows);
	else if (opts->format == BPFIX_REPORT_JSON)
		print_json(opts, totals, rows, n_rows);
	else
		print_text(opts, totals, rows, n_rows);
	if (fflush(opts->out) || ferror(opts->out)) {
		bpfix_err("cannot write the report: %s\n", strerror(errno));
		return -EIO;
	}
	return 0;
}
