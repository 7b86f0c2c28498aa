// SPDX-License-Identifier: GPL-2.0-only
/*
 * The bottleneck view's arithmetic (definitions in report.h): flow records into the groups of
 * both views, each connection's round trips into every group it touches, each group's summary,
 * the order worst first. Reading the file is export/ipfix/reader.c's, printing report_print.c's.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "bpfix_proto.h"
#include "export/ipfix/reader.h"
#include "report/report.h"

const char *const bpfix_report_sort_names[BPFIX_SORT_MAX] = {
	[BPFIX_SORT_LOSS] = "loss",
	[BPFIX_SORT_GAPS] = "gaps",
	[BPFIX_SORT_RETRANSMISSIONS] = "retransmissions",
	[BPFIX_SORT_SERVER_RTT] = "server-rtt",
	[BPFIX_SORT_CLIENT_RTT] = "client-rtt",
	[BPFIX_SORT_PACKETS] = "packets",
	[BPFIX_SORT_OCTETS] = "octets",
};

/* A group while records come in: its row, and the round trips of the connections in it. */
struct group {
	struct bpfix_report_row row;
	GArray *server_us, *client_us; /* uint32_t */
};

/* A group's identity: the row's identity fields, every other octet zero (hashed as octets). */
struct group_key {
	uint8_t addr[16];
	uint32_t teid;
	int16_t qfi;
	uint8_t view;
	uint8_t ipv6;
};

/* A conversation in either direction: its inner and outer address pairs, lower end first. */
struct conn_key {
	uint8_t lo_addr[16], hi_addr[16], outer_lo[16], outer_hi[16];
	uint16_t lo_port, hi_port;
	uint8_t ip_version, protocol, outer_version, pad;
};

/* A connection of a conversation, told apart by its server-side round trip. */
struct measure {
	uint32_t server_us, client_us;
	bool has_client;
};

struct conn {
	GPtrArray *groups; /* struct group *, each once */
	GArray *measures;  /* struct measure */
};

struct report {
	GHashTable *groups[BPFIX_N_VIEWS]; /* GBytes group_key -> struct group */
	GHashTable *conns;		   /* GBytes conn_key -> struct conn */
	struct bpfix_report_totals totals;
};

static void group_free(gpointer p)
{
	struct group *g = p;

	g_array_free(g->server_us, TRUE);
	g_array_free(g->client_us, TRUE);
	g_free(g);
}

static void conn_free(gpointer p)
{
	struct conn *c = p;

	g_ptr_array_free(c->groups, TRUE);
	g_array_free(c->measures, TRUE);
	g_free(c);
}

/* The value of @table under the octets of @key, made by @make if absent. */
static gpointer lookup_or_make(GHashTable *table, const void *key, size_t len,
			       gpointer (*make)(const void *key))
{
	GBytes *k = g_bytes_new(key, len);
	gpointer v = g_hash_table_lookup(table, k);

	if (v) {
		g_bytes_unref(k);
		return v;
	}
	v = make(key);
	g_hash_table_insert(table, k, v);
	return v;
}

static gpointer make_group(const void *key)
{
	const struct group_key *k = key;
	struct group *g = g_new0(struct group, 1);

	g->row.view = k->view;
	memcpy(g->row.addr, k->addr, sizeof(k->addr));
	g->row.ipv6 = k->ipv6;
	g->row.teid = k->teid;
	g->row.qfi = k->qfi;
	g->server_us = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g->client_us = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	return g;
}

static gpointer make_conn(const void *key)
{
	struct conn *c = g_new0(struct conn, 1);

	(void)key;
	c->groups = g_ptr_array_new();
	c->measures = g_array_new(FALSE, FALSE, sizeof(struct measure));
	return c;
}

/* An address of the record in octets: IPv4 (host order in memory) in the first 4. */
static void addr_octets(uint8_t out[16], uint32_t v4, const uint8_t *v6, bool ipv6)
{
	memset(out, 0, 16);
	if (ipv6) {
		memcpy(out, v6, 16);
		return;
	}
	out[0] = v4 >> 24;
	out[1] = v4 >> 16 & 0xff;
	out[2] = v4 >> 8 & 0xff;
	out[3] = v4 & 0xff;
}

static bool has_ports(uint8_t protocol)
{
	return protocol == BPFIX_IPPROTO_TCP || protocol == BPFIX_IPPROTO_UDP ||
	       protocol == BPFIX_IPPROTO_SCTP || protocol == BPFIX_IPPROTO_UDPLITE;
}

/* Whether the record's destination is its conversation's server (report.h, Groups). */
static bool destination_serves(const struct bpfix_read_flow *r, const uint8_t *src,
			       const uint8_t *dst)
{
	const struct bpfix_ipfix_flow *f = &r->flow;

	if (f->protocol == BPFIX_IPPROTO_TCP && (r->shape & BPFIX_SHAPE_TCP) &&
	    (f->first_tcp_flags & BPFIX_TCP_SYN))
		return !(f->first_tcp_flags & BPFIX_TCP_ACK);
	if (!has_ports(f->protocol))
		return true;
	if (f->src_port != f->dst_port)
		return f->dst_port < f->src_port;
	return memcmp(dst, src, 16) <= 0;
}

static struct group *group_of(struct report *rep, const struct group_key *k)
{
	return lookup_or_make(rep->groups[k->view], k, sizeof(*k), make_group);
}

/* The record's tunnel group (GTP-U records only) and server group into @g; their count. */
static size_t groups_of(struct report *rep, const struct bpfix_read_flow *r,
			const uint8_t *src, const uint8_t *dst, struct group **g)
{
	const struct bpfix_ipfix_flow *f = &r->flow;
	bool v6 = r->shape & BPFIX_SHAPE_IPV6;
	struct group_key k;
	size_t n = 0;

	if (r->shape & BPFIX_SHAPE_GTPU) {
		memset(&k, 0, sizeof(k));
		k.view = BPFIX_VIEW_TUNNEL;
		k.ipv6 = !!(r->shape & BPFIX_SHAPE_OUTER6);
		addr_octets(k.addr, f->tun_dst_ipv4, f->tun_dst_ipv6, k.ipv6);
		k.teid = f->teid;
		k.qfi = r->shape & BPFIX_SHAPE_PDU ? f->qfi : -1;
		g[n++] = group_of(rep, &k);
	}
	memset(&k, 0, sizeof(k));
	k.view = BPFIX_VIEW_SERVER;
	k.ipv6 = v6;
	k.qfi = -1;
	memcpy(k.addr, destination_serves(r, src, dst) ? dst : src, 16);
	g[n++] = group_of(rep, &k);
	return n;
}

/* The record's connection: its conversation in canonical order. */
static struct conn *conn_of(struct report *rep, const struct bpfix_read_flow *r,
			    const uint8_t *src, const uint8_t *dst)
{
	const struct bpfix_ipfix_flow *f = &r->flow;
	bool outer6 = r->shape & BPFIX_SHAPE_OUTER6, swap;
	uint8_t osrc[16], odst[16];
	struct conn_key k;
	int c = memcmp(src, dst, 16);

	memset(&k, 0, sizeof(k));
	k.ip_version = r->shape & BPFIX_SHAPE_IPV6 ? 6 : 4;
	k.protocol = f->protocol;
	swap = c > 0 || (!c && f->src_port > f->dst_port);
	memcpy(k.lo_addr, swap ? dst : src, 16);
	memcpy(k.hi_addr, swap ? src : dst, 16);
	k.lo_port = swap ? f->dst_port : f->src_port;
	k.hi_port = swap ? f->src_port : f->dst_port;
	if (r->shape & BPFIX_SHAPE_GTPU) {
		k.outer_version = outer6 ? 6 : 4;
		addr_octets(osrc, f->tun_src_ipv4, f->tun_src_ipv6, outer6);
		addr_octets(odst, f->tun_dst_ipv4, f->tun_dst_ipv6, outer6);
		swap = memcmp(osrc, odst, 16) > 0;
		memcpy(k.outer_lo, swap ? odst : osrc, 16);
		memcpy(k.outer_hi, swap ? osrc : odst, 16);
	}
	return lookup_or_make(rep->conns, &k, sizeof(k), make_conn);
}

/* The round trips a TCP record carries, into its connection (once per server-side value). */
static void add_measure(struct conn *c, const struct bpfix_ipfix_flow *f)
{
	struct measure *m, fresh = { .server_us = f->rtt_server_us };
	guint i;

	if (f->rtt_server_us == BPFIX_RTT_NOT_MEASURED)
		return;
	for (i = 0; i < c->measures->len; i++) {
		m = &g_array_index(c->measures, struct measure, i);
		if (m->server_us != f->rtt_server_us)
			continue;
		if (!m->has_client && f->rtt_client_us != BPFIX_RTT_NOT_MEASURED) {
			m->client_us = f->rtt_client_us;
			m->has_client = true;
		}
		return;
	}
	if (f->rtt_client_us != BPFIX_RTT_NOT_MEASURED) {
		fresh.client_us = f->rtt_client_us;
		fresh.has_client = true;
	}
	g_array_append_val(c->measures, fresh);
}

static int add_record(const struct bpfix_read_flow *r, void *arg)
{
	const struct bpfix_ipfix_flow *f = &r->flow;
	bool v6 = r->shape & BPFIX_SHAPE_IPV6;
	bool tcp = f->protocol == BPFIX_IPPROTO_TCP && (r->shape & BPFIX_SHAPE_TCP);
	struct report *rep = arg;
	struct group *g[BPFIX_N_VIEWS];
	uint8_t src[16], dst[16];
	struct conn *c;
	size_t i, n;
	guint j;

	addr_octets(src, f->src_ipv4, f->src_ipv6, v6);
	addr_octets(dst, f->dst_ipv4, f->dst_ipv6, v6);
	n = groups_of(rep, r, src, dst, g);
	c = conn_of(rep, r, src, dst);
	for (i = 0; i < n; i++) {
		g[i]->row.records++;
		g[i]->row.packets += f->packets;
		g[i]->row.octets += f->octets;
		if (tcp) {
			g[i]->row.tcp_packets += f->packets;
			g[i]->row.gaps += f->tcp_gaps;
			g[i]->row.retransmissions += f->tcp_retrans;
		}
		for (j = 0; j < c->groups->len && g_ptr_array_index(c->groups, j) != g[i]; j++)
			;
		if (j == c->groups->len)
			g_ptr_array_add(c->groups, g[i]);
	}
	if (tcp) {
		add_measure(c, f);
		rep->totals.tcp_records++;
	}
	rep->totals.flow_records++;
	return 0;
}

/* Each connection's round trips into every group it touches. */
static void spread_measures(struct report *rep)
{
	const struct measure *m;
	struct group *g;
	GHashTableIter it;
	gpointer value;
	struct conn *c;
	guint i, j;

	g_hash_table_iter_init(&it, rep->conns);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		c = value;
		for (i = 0; i < c->measures->len; i++) {
			m = &g_array_index(c->measures, struct measure, i);
			for (j = 0; j < c->groups->len; j++) {
				g = g_ptr_array_index(c->groups, j);
				g_array_append_val(g->server_us, m->server_us);
				if (m->has_client)
					g_array_append_val(g->client_us, m->client_us);
			}
		}
	}
}

uint32_t bpfix_report_percentile(const uint32_t *sorted, size_t n, unsigned int percent)
{
	size_t rank = (n * percent + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

static gint compare_u32(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static struct bpfix_rtt_summary summarize(GArray *samples)
{
	struct bpfix_rtt_summary s = { .count = samples->len };

	if (!samples->len)
		return s;
	g_array_sort(samples, compare_u32);
	s.median_us = bpfix_report_percentile((uint32_t *)(void *)samples->data, samples->len, 50);
	s.p95_us = bpfix_report_percentile((uint32_t *)(void *)samples->data, samples->len, 95);
	return s;
}

/* Worse first: the larger of two rates num/den; a group without a denominator goes last. */
static int compare_rates(uint64_t num_a, uint64_t den_a, uint64_t num_b, uint64_t den_b)
{
	unsigned __int128 a = (unsigned __int128)num_a * den_b, b = (unsigned __int128)num_b * den_a;

	if (!den_a || !den_b)
		return !den_a - !den_b;
	return a > b ? -1 : a < b;
}

static int compare_rtts(const struct bpfix_rtt_summary *a, const struct bpfix_rtt_summary *b)
{
	if (!a->count || !b->count)
		return !a->count - !b->count;
	return a->p95_us > b->p95_us ? -1 : a->p95_us < b->p95_us;
}

static int compare_counts(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b;
}

static int compare_by(const struct bpfix_report_row *a, const struct bpfix_report_row *b,
		      enum bpfix_report_sort sort)
{
	switch (sort) {
	case BPFIX_SORT_LOSS:
		return compare_rates(a->gaps + a->retransmissions, a->tcp_packets,
				     b->gaps + b->retransmissions, b->tcp_packets);
	case BPFIX_SORT_GAPS:
		return compare_rates(a->gaps, a->tcp_packets, b->gaps, b->tcp_packets);
	case BPFIX_SORT_RETRANSMISSIONS:
		return compare_rates(a->retransmissions, a->tcp_packets, b->retransmissions,
				     b->tcp_packets);
	case BPFIX_SORT_SERVER_RTT:
		return compare_rtts(&a->server_rtt, &b->server_rtt);
	case BPFIX_SORT_CLIENT_RTT:
		return compare_rtts(&a->client_rtt, &b->client_rtt);
	case BPFIX_SORT_PACKETS:
		return compare_counts(a->packets, b->packets);
	default:
		return compare_counts(a->octets, b->octets);
	}
}

/* The name's order: IPv4 before IPv6, address, TEID, QFI (none first). */
static int compare_names(const struct bpfix_report_row *a, const struct bpfix_report_row *b)
{
	int c = (a->ipv6 > b->ipv6) - (a->ipv6 < b->ipv6);

	if (!c)
		c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (!c)
		c = (a->teid > b->teid) - (a->teid < b->teid);
	if (!c)
		c = (a->qfi > b->qfi) - (a->qfi < b->qfi);
	return c;
}

int bpfix_report_compare(const struct bpfix_report_row *a, const struct bpfix_report_row *b,
			 enum bpfix_report_sort sort)
{
	static const enum bpfix_report_sort ties[] = {
		BPFIX_SORT_LOSS, BPFIX_SORT_SERVER_RTT, BPFIX_SORT_CLIENT_RTT, BPFIX_SORT_PACKETS,
		BPFIX_SORT_OCTETS,
	};
	int c = compare_by(a, b, sort);
	size_t i;

	for (i = 0; !c && i < sizeof(ties) / sizeof(ties[0]); i++)
		if (ties[i] != sort)
			c = compare_by(a, b, ties[i]);
	return c ? c : compare_names(a, b);
}

static gint compare_rows(gconstpointer a, gconstpointer b, gpointer sort)
{
	return bpfix_report_compare(a, b, (enum bpfix_report_sort)GPOINTER_TO_INT(sort));
}

/* The rows of a view, summed up and in order (g_free them). */
static struct bpfix_report_row *view_rows(GHashTable *groups, enum bpfix_report_sort sort,
					  size_t *n)
{
	struct bpfix_report_row *rows = g_new0(struct bpfix_report_row, g_hash_table_size(groups));
	GHashTableIter it;
	struct group *g;
	gpointer value;

	*n = 0;
	g_hash_table_iter_init(&it, groups);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		g = value;
		g->row.server_rtt = summarize(g->server_us);
		g->row.client_rtt = summarize(g->client_us);
		rows[(*n)++] = g->row;
	}
	g_qsort_with_data(rows, (gint)*n, sizeof(*rows), compare_rows,
			  GINT_TO_POINTER((int)sort));
	return rows;
}

int bpfix_report_run(const struct bpfix_report_opts *opts)
{
	struct bpfix_report_row *rows[BPFIX_N_VIEWS] = { NULL };
	size_t n_rows[BPFIX_N_VIEWS] = { 0 };
	struct bpfix_read_totals read;
	struct report rep;
	int v, rc;

	memset(&rep, 0, sizeof(rep));
	for (v = 0; v < BPFIX_N_VIEWS; v++)
		rep.groups[v] = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
						      (GDestroyNotify)g_bytes_unref, group_free);
	rep.conns = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
					  (GDestroyNotify)g_bytes_unref, conn_free);
	rc = bpfix_ipfix_read_file(opts->path, opts->pen, add_record, &rep, &read);
	if (!rc) {
		rep.totals.messages = read.messages;
		spread_measures(&rep);
		for (v = 0; v < BPFIX_N_VIEWS; v++)
			rows[v] = view_rows(rep.groups[v], opts->sort, &n_rows[v]);
		rc = bpfix_report_print(opts, &rep.totals, rows, n_rows);
	}
	for (v = 0; v < BPFIX_N_VIEWS; v++) {
		g_free(rows[v]);
		g_hash_table_destroy(rep.groups[v]);
	}
	g_hash_table_destroy(rep.conns); /* the groups it points to are gone: not read again */
	return rc;
}
