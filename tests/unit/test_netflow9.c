// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v9 encoder tests: records go through the v9 exporting process into a fake transport
 * that keeps every packet, and a small decoder written from RFC 3954 (v9_decoder.c, not from
 * the encoder) reads them back: header (count of every record, templates included; sequence per
 * source id; sysUptime and unix_secs on the export clock), flowsets (padded to 4 octets, none of
 * 4 octets or less, one template each, option lengths in octets), field values by their v9
 * type, template refresh, statistics in source id 0, the records the transport took, and
 * nProbe's network delays (half the round trips) only in TCP records whose handshake was measured.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "export/encoder.h"
#include "v9_decoder.h"

#define DOMAIN 7
#define MAX_PACKETS 64
#define START_MS 1700000000000ull

/* v9 field types (IANA IPFIX numbers; nProbe's for the tunnel endpoints) */
enum {
	IN_BYTES = 1, IN_PKTS = 2, PROTOCOL = 4, TOS = 5, TCP_FLAGS = 6, L4_SRC_PORT = 7,
	IPV4_SRC = 8, INPUT_SNMP = 10, L4_DST_PORT = 11, IPV4_DST = 12, OUTPUT_SNMP = 14,
	IPV6_SRC = 27, IPV6_DST = 28, MIN_TTL = 52, MAX_TTL = 53, VLAN = 58, DIRECTION = 61,
	END_REASON = 136, OBS_DOMAIN = 149, START_MILLIS = 152, END_MILLIS = 153,
	FLOWS_EXPORTED = 42, MESSAGES_EXPORTED = 41, SYSTEM_INIT = 160,
	GTPU_TEID = 507, GTPU_QFI = 509, GTPU_PDU_TYPE = 510,
	NTOP_TUN_SRC4 = 57586, NTOP_TUN_DST4 = 57588, NTOP_TUN_SRC6 = 57868, NTOP_TUN_DST6 = 57869,
	/* nProbe's CLIENT_NW_LATENCY_SEC/USEC, SERVER_NW_LATENCY_SEC/USEC (nfdump's latency) */
	NTOP_CLI_SEC = 57554, NTOP_CLI_USEC = 57555, NTOP_SRV_SEC = 57556, NTOP_SRV_USEC = 57557,
};

/* ---- a transport that keeps what it is sent ---- */

struct packet {
	uint8_t data[8192];
	size_t len;
	__u64 records;
	bool templates;
};

struct keeper {
	struct bpfix_transport base;
	struct packet packets[MAX_PACKETS];
	size_t n;
	bool refuse; /* send fails (the transport counts it lost) */
	size_t refuse_one; /* 1 + the index of one packet to refuse; 0: none */
};

static bool keeper_ready(struct bpfix_transport *t)
{
	(void)t;
	return true;
}

static int keeper_send(struct bpfix_transport *t, const void *msg, size_t len, __u64 records,
		       bool templates)
{
	struct keeper *k = (struct keeper *)t;
	struct packet *p = &k->packets[k->n++];

	assert_true(k->n <= MAX_PACKETS);
	assert_true(len <= t->max_message);
	memcpy(p->data, msg, len);
	p->len = len;
	p->records = records;
	p->templates = templates;
	if (k->refuse || k->refuse_one == k->n) {
		bpfix_transport_count_lost(t, 1, len, records, "refused");
		t->want_templates = true;
		return -ECONNREFUSED;
	}
	bpfix_transport_count_sent(t, len, records);
	return 0;
}

static void keeper_lost(struct bpfix_transport *t, __u64 messages, __u64 records, const char *why)
{
	bpfix_transport_count_lost(t, messages, 0, records, why);
}

static void keeper_close(struct bpfix_transport *t)
{
	(void)t;
}

static const struct bpfix_transport_ops keeper_ops = {
	.ready = keeper_ready, .send = keeper_send, .lost = keeper_lost, .close = keeper_close,
};

static void keeper_init(struct keeper *k)
{
	memset(k, 0, sizeof(*k));
	k->base.ops = &keeper_ops;
	k->base.name = (char *)"keeper";
	k->base.proto = "NetFlow v9";
	k->base.hint = "";
	k->base.max_message = 1400;
	k->base.datagram = true;
}

/* ---- the process under test ---- */

struct fixture {
	struct keeper keeper;
	struct bpfix_transport *transports[1];
	struct bpfix_export_clock clock;
	void *nf;
	struct v9_decoded decoded;
	size_t read; /* packets decoded so far */
};

static int setup_with(void **state, __u32 refresh_messages, size_t max_message)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct bpfix_ipfix_opts opts = {
		.observation_domain = DOMAIN,
		.template_refresh_s = 3600,
		.template_refresh_messages = refresh_messages,
		.pen = 32473,
	};

	keeper_init(&f->keeper);
	f->keeper.base.max_message = max_message;
	f->transports[0] = &f->keeper.base;
	f->clock = (struct bpfix_export_clock){ .capture = true, .start_ms = START_MS,
						.now_ms = START_MS + 5123 };
	f->nf = bpfix_netflow9_encoder.open(&opts, &f->clock, f->transports, 1);
	assert_non_null(f->nf);
	*state = f;
	return 0;
}

/* packets that hold every flow template and a record (templates_span_packets splits them) */
#define ROOMY 8000

static int setup(void **state)
{
	return setup_with(state, 1000, ROOMY);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bpfix_netflow9_encoder.free(f->nf);
	free(f);
	return 0;
}

static void ipv4(__u8 *addr, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	addr[0] = a;
	addr[1] = b;
	addr[2] = c;
	addr[3] = d;
}

static struct bpfix_record tcp4(uint16_t sport)
{
	struct bpfix_record r;

	memset(&r, 0, sizeof(r));
	r.key.ip_version = 4;
	r.key.protocol = 6;
	ipv4(r.key.src_addr, 192, 0, 2, 1);
	ipv4(r.key.dst_addr, 198, 51, 100, 2);
	r.key.src_port = sport;
	r.key.dst_port = 443;
	r.key.ifindex = 3;
	r.key.direction = 1; /* egress */
	r.start_ms = START_MS + 1000;
	r.end_ms = START_MS + 2500;
	r.packets = 10;
	r.octets = 0x123456789aull;
	r.vlan_id = 100;
	r.tcp_flags = 0x1b;
	r.tos = 0x20;
	r.ttl_min = 60;
	r.ttl_max = 64;
	r.end_reason = 3;
	return r;
}

static struct bpfix_record gtpu6_over4(void)
{
	struct bpfix_record r;

	memset(&r, 0, sizeof(r));
	r.key.ip_version = 6;
	r.key.protocol = 17;
	r.key.src_addr[0] = 0x20;
	r.key.src_addr[1] = 0x01;
	r.key.src_addr[15] = 1;
	r.key.dst_addr[0] = 0x20;
	r.key.dst_addr[1] = 0x01;
	r.key.dst_addr[15] = 2;
	r.key.src_port = 5000;
	r.key.dst_port = 53;
	r.key.tun_version = 4;
	ipv4(r.key.tun_addr, 10, 0, 0, 2);
	ipv4(r.tun_src_addr, 10, 0, 0, 1);
	r.key.teid = 0xabcdef01;
	r.has_pdu_session = 1;
	r.qfi = 9;
	r.pdu_type = 1;
	r.start_ms = START_MS + 3000;
	r.end_ms = START_MS + 3001;
	r.packets = 2;
	r.octets = 300;
	r.end_reason = 1;
	return r;
}

/* Decode the packets not read yet. */
static void read_new(struct fixture *f, v9_record_fn fn, void *arg, struct v9_header *last)
{
	struct packet *p;

	while (f->read < f->keeper.n) {
		p = &f->keeper.packets[f->read++];
		*last = v9_decode(&f->decoded, p->data, p->len, fn, arg);
	}
}

struct seen {
	size_t n;
	struct bpfix_record want;
	bool checked;
};

static void check_tcp4(const struct v9_template *t, const uint8_t *rec, void *arg)
{
	struct seen *s = arg;
	uint16_t len;
	const uint8_t *v;

	s->n++;
	if (v9_field_uint(t, rec, L4_SRC_PORT) != s->want.key.src_port)
		return;
	s->checked = true;
	assert_int_equal(t->source_id, DOMAIN);
	assert_int_equal(v9_field_uint(t, rec, IPV4_SRC), 0xc0000201);
	assert_int_equal(v9_field_uint(t, rec, IPV4_DST), 0xc6336402);
	assert_int_equal(v9_field_uint(t, rec, L4_DST_PORT), 443);
	assert_int_equal(v9_field_uint(t, rec, PROTOCOL), 6);
	assert_int_equal(v9_field_uint(t, rec, IN_BYTES), 0x123456789aull);
	assert_int_equal(v9_field_uint(t, rec, IN_PKTS), 10);
	assert_int_equal(v9_field_uint(t, rec, START_MILLIS), START_MS + 1000);
	assert_int_equal(v9_field_uint(t, rec, END_MILLIS), START_MS + 2500);
	assert_int_equal(v9_field_uint(t, rec, INPUT_SNMP), 0);
	assert_int_equal(v9_field_uint(t, rec, OUTPUT_SNMP), 3);
	assert_int_equal(v9_field_uint(t, rec, DIRECTION), 1);
	assert_int_equal(v9_field_uint(t, rec, VLAN), 100);
	assert_int_equal(v9_field_uint(t, rec, TOS), 0x20);
	assert_int_equal(v9_field_uint(t, rec, MIN_TTL), 60);
	assert_int_equal(v9_field_uint(t, rec, MAX_TTL), 64);
	assert_int_equal(v9_field_uint(t, rec, END_REASON), 3);
	v = v9_field_value(t, rec, TCP_FLAGS, &len);
	assert_non_null(v);
	assert_int_equal(len, 1); /* pmacct 1.7.7 decodes only 1 octet */
	assert_int_equal(*v, 0x1b);
	assert_null(v9_field_value(t, rec, GTPU_TEID, &len)); /* not a tunnelled flow */
	assert_null(v9_field_value(t, rec, NTOP_TUN_SRC4, &len));
}

static void header_and_records(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(40000);
	struct seen s = { .want = r };
	struct v9_header h = { 0 };

	assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	assert_int_equal(f->keeper.n, 0); /* buffered until flushed */
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	assert_int_equal(f->keeper.n, 1);
	read_new(f, check_tcp4, &s, &h);
	assert_true(s.checked);
	assert_int_equal(h.source_id, DOMAIN);
	assert_int_equal(h.sequence, 0);
	assert_int_equal(h.uptime, 5123);		      /* since the export clock's start */
	assert_int_equal(h.secs, (START_MS + 5123) / 1000); /* the export clock, not the wall */
	/* the first packet starts with every flow template (one per shape: IPv4, IPv6, GTP-U...) */
	assert_true(f->keeper.packets[0].templates);
	assert_true(f->decoded.n_templates >= 2);
	assert_int_equal(f->decoded.template_records, f->decoded.n_templates);
	assert_int_equal(f->keeper.packets[0].records, 1); /* templates are not flow records */
	assert_int_equal(f->keeper.base.counters.records_sent, 1);
	/* flushing nothing sends nothing */
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	assert_int_equal(f->keeper.n, 1);
}

/* Many records: full packets go out whole, each numbered one more, records all accounted. */
#define MANY 600

static void full_packets(void **state)
{
	struct fixture *f = *state;
	struct seen s = { .want = tcp4(0) };
	struct v9_header h = { 0 };
	struct bpfix_record r;
	size_t i, packets;

	for (i = 0; i < MANY; i++) {
		r = i % 3 ? tcp4(1000 + i) : gtpu6_over4();
		assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	}
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	packets = f->keeper.n;
	assert_true(packets > 5);
	read_new(f, check_tcp4, &s, &h);
	for (i = 0; i < packets; i++)
		assert_int_equal(v9_read_header(f->keeper.packets[i].data).sequence, i);
	assert_int_equal(s.n, MANY);
	assert_int_equal(f->keeper.base.counters.records_sent, MANY);
	assert_int_equal(f->keeper.base.counters.messages_sent, packets);
}

static void check_gtpu(const struct v9_template *t, const uint8_t *rec, void *arg)
{
	static const uint8_t src6[16] = { 0x20, 0x01, [15] = 1 };
	uint16_t len;
	const uint8_t *v;

	(*(size_t *)arg)++;
	v = v9_field_value(t, rec, IPV6_SRC, &len);
	assert_non_null(v);
	assert_int_equal(len, 16);
	assert_memory_equal(v, src6, 16);
	assert_int_equal(v9_field_uint(t, rec, GTPU_TEID), 0xabcdef01);
	assert_int_equal(v9_field_uint(t, rec, GTPU_QFI), 9);
	assert_int_equal(v9_field_uint(t, rec, GTPU_PDU_TYPE), 1);
	/* the outer endpoints as nProbe's untunneled addresses */
	assert_int_equal(v9_field_uint(t, rec, NTOP_TUN_SRC4), 0x0a000001);
	assert_int_equal(v9_field_uint(t, rec, NTOP_TUN_DST4), 0x0a000002);
	assert_null(v9_field_value(t, rec, NTOP_TUN_SRC6, &len));
	assert_null(v9_field_value(t, rec, IPV4_SRC, &len));
}

static void tunnel_fields(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = gtpu6_over4();
	struct v9_header h = { 0 };
	size_t n = 0;

	assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	read_new(f, check_gtpu, &n, &h);
	assert_int_equal(n, 1);
}

static bool is_ntop_type(uint16_t type)
{
	return type == NTOP_TUN_SRC4 || type == NTOP_TUN_DST4 || type == NTOP_TUN_SRC6 ||
	       type == NTOP_TUN_DST6 || (type >= NTOP_CLI_SEC && type <= NTOP_SRV_USEC);
}

/* Every template: no field type twice, and only nProbe's types beyond IANA's range. */
static void templates_well_formed(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(1);
	struct v9_header h = { 0 };
	size_t i, j, k;
	struct v9_template *t;

	assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	read_new(f, check_tcp4, &(struct seen){ .want = r }, &h);
	for (i = 0; i < f->decoded.n_templates; i++) {
		t = &f->decoded.templates[i];
		assert_int_equal(t->id, 256 + i); /* one per shape, from 256 as in IPFIX */
		for (j = 0; j < t->n; j++) {
			for (k = j + 1; k < t->n; k++)
				assert_int_not_equal(t->fields[j].type, t->fields[k].type);
			if (t->fields[j].type >= 0x8000)
				assert_true(is_ntop_type(t->fields[j].type));
		}
	}
}

static void count_record(const struct v9_template *t, const uint8_t *rec, void *arg)
{
	(void)t;
	(void)rec;
	(*(size_t *)arg)++;
}

/* Templates again every template_refresh_messages packets and when the transport asks. */
static void template_refresh(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(7);
	struct v9_header h = { 0 };
	size_t i, n = 0;

	for (i = 0; i < 4; i++) {
		assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
		assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	}
	/* refresh after 2 packets: packets 0 and 2 carry them */
	assert_int_equal(f->keeper.n, 4);
	assert_true(f->keeper.packets[0].templates);
	assert_false(f->keeper.packets[1].templates);
	assert_true(f->keeper.packets[2].templates);
	assert_false(f->keeper.packets[3].templates);
	f->keeper.base.want_templates = true; /* e.g. the collector came back */
	assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	assert_true(f->keeper.packets[4].templates);
	assert_false(f->keeper.base.want_templates);
	read_new(f, count_record, &n, &h);
	assert_int_equal(n, 5);
	assert_int_equal(f->decoded.template_records, 3 * f->decoded.n_templates);
}

static int setup_refresh(void **state)
{
	return setup_with(state, 2, ROOMY);
}

static int setup_small(void **state)
{
	return setup_with(state, 1000, 400);
}

/* Templates that do not fit one packet go in several, each numbered, the records after them. */
static void templates_span_packets(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(5);
	struct seen s = { .want = r };
	struct v9_header h = { 0 };
	size_t i, n;

	assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	n = f->keeper.n;
	assert_true(n >= 3);
	read_new(f, check_tcp4, &s, &h);
	assert_true(s.checked);
	for (i = 0; i < n; i++) {
		assert_true(f->keeper.packets[i].len <= 400);
		assert_true(f->keeper.packets[i].templates);
		assert_int_equal(f->keeper.packets[i].records, i == n - 1);
		assert_int_equal(v9_read_header(f->keeper.packets[i].data).sequence, i);
	}
	assert_int_equal(f->decoded.template_records, f->decoded.n_templates);
	assert_int_equal(f->keeper.base.counters.records_sent, 1);
}

/* A packet of templates lost midway: the next packet sends all of them again. */
static void templates_lost_midway(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(6);
	size_t n;

	f->keeper.refuse_one = 1; /* the first packet, templates only */
	bpfix_netflow9_encoder.append(f->nf, &r);
	bpfix_netflow9_encoder.flush(f->nf);
	n = f->keeper.n;
	assert_true(n >= 3);
	assert_true(f->keeper.base.want_templates);
	bpfix_netflow9_encoder.append(f->nf, &r);
	bpfix_netflow9_encoder.flush(f->nf);
	assert_true(f->keeper.n >= 2 * n - 1);
	assert_true(f->keeper.packets[n].templates);
	/* the first template again: id 256 at the start of the first flowset */
	assert_int_equal(f->keeper.packets[n].data[20 + 4] << 8 | f->keeper.packets[n].data[20 + 5],
			 256);
}

/* A packet the transport refused used its number: the next one shows the gap. */
static void sequence_after_loss(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(9);
	struct bpfix_export_totals totals;
	__u64 lost;

	bpfix_netflow9_encoder.append(f->nf, &r);
	bpfix_netflow9_encoder.flush(f->nf);
	f->keeper.refuse = true;
	bpfix_netflow9_encoder.append(f->nf, &r);
	assert_int_not_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	f->keeper.refuse = false;
	bpfix_netflow9_encoder.append(f->nf, &r);
	bpfix_netflow9_encoder.flush(f->nf);
	assert_int_equal(f->keeper.n, 3);
	assert_int_equal(v9_read_header(f->keeper.packets[2].data).sequence, 2);
	assert_true(f->keeper.packets[2].templates); /* the loss asked for them again */
	bpfix_netflow9_encoder.get_stats(f->nf, &totals);
	lost = f->keeper.base.counters.records_lost;
	assert_int_equal(totals.records, 2);
	assert_int_equal(totals.records_lost, lost);
	assert_int_equal(lost, 1);
	assert_int_equal(totals.failures, 1);
}

/* What network delays a record carried: -1 when its template has no such field. */
struct delays_seen {
	size_t n;
	int64_t cli_sec, cli_usec, srv_sec, srv_usec;
};

static int64_t field_or_absent(const struct v9_template *t, const uint8_t *rec, uint16_t type)
{
	uint16_t len;
	const uint8_t *v = v9_field_value(t, rec, type, &len);

	if (!v)
		return -1;
	assert_int_equal(len, 4); /* nProbe's and nfdump's width */
	return (int64_t)v9_field_uint(t, rec, type);
}

static void read_delays(const struct v9_template *t, const uint8_t *rec, void *arg)
{
	struct delays_seen *s = arg;

	s->n++;
	s->cli_sec = field_or_absent(t, rec, NTOP_CLI_SEC);
	s->cli_usec = field_or_absent(t, rec, NTOP_CLI_USEC);
	s->srv_sec = field_or_absent(t, rec, NTOP_SRV_SEC);
	s->srv_usec = field_or_absent(t, rec, NTOP_SRV_USEC);
}

/* The one record @r as the decoder reads it after the packets before. */
static struct delays_seen delays_of(struct fixture *f, struct bpfix_record r)
{
	struct delays_seen s = { 0 };
	struct v9_header h = { 0 };

	assert_int_equal(bpfix_netflow9_encoder.append(f->nf, &r), 0);
	assert_int_equal(bpfix_netflow9_encoder.flush(f->nf), 0);
	read_new(f, read_delays, &s, &h);
	assert_int_equal(s.n, 1);
	return s;
}

/*
 * TCP round trips as nProbe's network delays: half of each (rounded half up) in seconds and
 * microseconds; the server's alone in the server's records (its flow knows only that one), both
 * in the client's; none when nothing was measured, nor in a record of another protocol.
 */
static void network_delays(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(20);
	struct delays_seen s;

	s = delays_of(f, r); /* a TCP flow whose handshake was not seen */
	assert_true(s.cli_sec == -1 && s.cli_usec == -1 && s.srv_sec == -1 && s.srv_usec == -1);

	r.rtt_flags = BPFIX_TCP_RTT_SERVER; /* the server's flow: t2 - t1 only */
	r.rtt_server_us = 40001;
	r.rtt_client_us = 777; /* not measured: must not show */
	s = delays_of(f, r);
	assert_int_equal(s.srv_sec, 0);
	assert_int_equal(s.srv_usec, 20001);
	assert_true(s.cli_sec == -1 && s.cli_usec == -1);

	r.rtt_flags = BPFIX_TCP_RTT_SERVER | BPFIX_TCP_RTT_CLIENT | BPFIX_TCP_RTT_CLIENT_AMBIGUOUS;
	r.rtt_server_us = 3000001; /* half: 1.5000005 s, rounded up to 1 s 500001 µs */
	r.rtt_client_us = 1;	   /* the smallest measured one is no 0 */
	s = delays_of(f, r);
	assert_int_equal(s.srv_sec, 1);
	assert_int_equal(s.srv_usec, 500001);
	assert_int_equal(s.cli_sec, 0);
	assert_int_equal(s.cli_usec, 1);

	r.rtt_server_us = 0xfffffffeu; /* the longest a flow holds: about 35 min 47 s */
	r.rtt_client_us = 0;	       /* SYN-ACK and ACK in one clock tick */
	s = delays_of(f, r);
	assert_int_equal(s.srv_sec * 1000000 + s.srv_usec, 0x7fffffff);
	assert_true(s.srv_usec < 1000000);
	assert_int_equal(s.cli_sec, 0);
	assert_int_equal(s.cli_usec, 0);

	r = gtpu6_over4(); /* UDP: no TCP analysis whatever its fields hold */
	r.rtt_flags = BPFIX_TCP_RTT_SERVER | BPFIX_TCP_RTT_CLIENT;
	s = delays_of(f, r);
	assert_true(s.cli_sec == -1 && s.srv_sec == -1);
}

struct stats_seen {
	size_t n;
	__u64 flows_exported, messages_exported, system_init;
	uint32_t scope;
};

static void read_stats(const struct v9_template *t, const uint8_t *rec, void *arg)
{
	struct stats_seen *s = arg;

	if (t->source_id != 0)
		return;
	s->n++;
	assert_int_equal(t->scope_type, 1); /* System */
	assert_int_equal(t->scope_len, 4);
	s->scope = (uint32_t)(rec[0] << 24 | rec[1] << 16 | rec[2] << 8 | rec[3]);
	s->flows_exported = v9_field_uint(t, rec, FLOWS_EXPORTED);
	s->messages_exported = v9_field_uint(t, rec, MESSAGES_EXPORTED);
	s->system_init = v9_field_uint(t, rec, SYSTEM_INIT);
	assert_int_equal(v9_field_uint(t, rec, OBS_DOMAIN), DOMAIN);
}

/* Statistics: flows sent first, then their own packet in source id 0 with its template. */
static void statistics(void **state)
{
	struct fixture *f = *state;
	struct bpfix_record r = tcp4(11);
	struct bpfix_export_stats st = { .packets_seen = 99 };
	struct stats_seen s = { 0 };
	struct v9_header h = { 0 }, first;
	int round;

	for (round = 0; round < 2; round++) {
		bpfix_netflow9_encoder.append(f->nf, &r);
		bpfix_netflow9_encoder.append(f->nf, &r);
		assert_int_equal(bpfix_netflow9_encoder.send_stats(f->nf, &st), 0);
	}
	assert_int_equal(f->keeper.n, 4); /* flows, stats, flows, stats */
	read_new(f, read_stats, &s, &h);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.scope, 0); /* pmacct 1.7.7 reads it as in-bytes */
	/* the second statistics record counts the flows of both rounds, sent before it */
	assert_int_equal(s.flows_exported, 4);
	assert_int_equal(s.messages_exported, 3);
	assert_int_equal(s.system_init, START_MS);
	first = v9_read_header(f->keeper.packets[1].data);
	assert_int_equal(first.source_id, 0);
	assert_int_equal(first.sequence, 0);
	assert_int_equal(first.count, 2); /* the options template and its record */
	assert_int_equal(h.source_id, 0);
	assert_int_equal(h.sequence, 1); /* per source id: the flows' packets are not counted */
	assert_int_equal(v9_read_header(f->keeper.packets[2].data).sequence, 1);
	assert_int_equal(f->keeper.packets[1].records, 0); /* not flow records */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(header_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(full_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(tunnel_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(templates_well_formed, setup, teardown),
		cmocka_unit_test_setup_teardown(template_refresh, setup_refresh, teardown),
		cmocka_unit_test_setup_teardown(templates_span_packets, setup_small, teardown),
		cmocka_unit_test_setup_teardown(templates_lost_midway, setup_small, teardown),
		cmocka_unit_test_setup_teardown(sequence_after_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(statistics, setup, teardown),
		cmocka_unit_test_setup_teardown(network_delays, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
