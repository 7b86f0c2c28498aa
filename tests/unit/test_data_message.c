// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records written without fixbuf (export/ipfix/data_message.h) against fixbuf itself: the
 * same pseudo-random records of every template shape go through fixbuf's fBufAppend (manual
 * mode, 1 400-octet messages, as a UDP destination has it) and through the data message; every
 * message must be the same octets (header, sets, fields, where each message ends). Also: a plan
 * per shape is read, with the record length of fixbuf's template.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <glib.h>

#include "export/ipfix/data_message.h"
#include "export/ipfix/templates.h"

#define MTU 1400
#define EXPORT_TIME 1700000123u
#define DOMAIN 7u
#define RECORDS 4000

struct model {
	fbInfoModel_t *model;
	fbInfoElement_t *elements;
	fbSession_t *session;
};

static void model_open(struct model *m)
{
	GError *err = NULL;

	m->model = fbInfoModelAlloc();
	m->elements = bpfix_ipfix_new_elements(32473);
	fbInfoModelAddElementArray(m->model, m->elements);
	m->session = fbSessionAlloc(m->model);
	fbSessionSetDomain(m->session, DOMAIN);
	assert_true(bpfix_ipfix_add_flow_templates(m->model, m->session, &err));
}

static void model_close(struct model *m, bool session_freed)
{
	if (!session_freed)
		fbSessionFree(m->session);
	fbInfoModelFree(m->model);
	g_free(m->elements);
}

/* xorshift: the same records every run */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void random_bytes(uint64_t *s, void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)next_random(s);
}

/* A record of a random shape, every field random. */
static void random_record(uint64_t *s, struct bpfix_record *rec)
{
	static const __u8 protocols[] = { 6, 17, 1, 58, 132 }, tunnels[] = { 0, 4, 6 };

	random_bytes(s, rec, sizeof(*rec));
	rec->key.ip_version = next_random(s) & 1 ? 6 : 4;
	rec->key.protocol = protocols[next_random(s) % sizeof(protocols)];
	rec->key.tun_version = tunnels[next_random(s) % sizeof(tunnels)];
	rec->key.direction = next_random(s) & 1;
	rec->has_pdu_session = next_random(s) & 1;
	rec->packets = (rec->packets & 0xffffff) + 1;
}

/* A message collected: its octets. */
static void collect(GPtrArray *messages, const uint8_t *msg, size_t len)
{
	g_ptr_array_add(messages, g_bytes_new(msg, len));
}

/* @n records from seed @seed through fixbuf, each message into @out. */
static void through_fixbuf(uint64_t seed, size_t n, GPtrArray *out)
{
	static uint8_t msg[MTU];
	struct bpfix_ipfix_flow flow;
	struct bpfix_record rec;
	GError *err = NULL;
	struct model m;
	fbExporter_t *exporter;
	fBuf_t *fbuf;
	size_t i;

	model_open(&m);
	exporter = fbExporterAllocBuffer(msg, MTU);
	fbuf = fBufAllocForExport(m.session, exporter);
	fBufSetAutomaticMode(fbuf, FALSE);
	fBufSetExportTime(fbuf, EXPORT_TIME);
	for (i = 0; i < n; i++) {
		random_record(&seed, &rec);
		bpfix_ipfix_to_memory_record(&rec, &flow);
		assert_true(fBufSetInternalTemplate(fbuf, BPFIX_TID_MEMORY, &err));
		assert_true(fBufSetExportTemplate(fbuf, bpfix_ipfix_template_id(&rec), &err));
		if (fBufAppend(fbuf, (uint8_t *)&flow, sizeof(flow), &err))
			continue;
		assert_true(g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM));
		g_clear_error(&err);
		assert_true(fBufEmit(fbuf, &err));
		collect(out, msg, fbExporterGetMsgLen(exporter));
		assert_true(fBufAppend(fbuf, (uint8_t *)&flow, sizeof(flow), &err));
	}
	assert_true(fBufEmit(fbuf, &err));
	collect(out, msg, fbExporterGetMsgLen(exporter));
	fBufFree(fbuf);
	model_close(&m, true);
}

/* The same records through the data message. */
static void through_data_message(uint64_t seed, size_t n, GPtrArray *out)
{
	static uint8_t buf[MTU];
	struct bpfix_wire_plan plans[BPFIX_N_FLOW_SHAPES];
	struct bpfix_data_message dm;
	struct bpfix_ipfix_flow flow;
	struct bpfix_record rec;
	uint32_t sequence = 0;
	uint16_t tid;
	struct model m;
	size_t i;

	model_open(&m);
	assert_true(bpfix_wire_plans_read(m.session, plans));
	bpfix_data_message_init(&dm, buf, MTU);
	for (i = 0; i < n; i++) {
		random_record(&seed, &rec);
		bpfix_ipfix_to_memory_record(&rec, &flow);
		tid = bpfix_ipfix_template_id(&rec);
		if (!bpfix_data_message_fits(&dm, tid, &plans[tid - BPFIX_TID_FIRST])) {
			sequence += dm.records;
			collect(out, buf, bpfix_data_message_end(&dm));
		}
		if (!dm.len)
			bpfix_data_message_start(&dm, EXPORT_TIME, sequence, DOMAIN);
		bpfix_data_message_append(&dm, tid, &plans[tid - BPFIX_TID_FIRST], &flow);
	}
	collect(out, buf, bpfix_data_message_end(&dm));
	model_close(&m, false);
}

/* @n records from @seed, in @min_messages messages at least, both ways. */
static void same_messages(uint64_t seed, size_t n, unsigned int min_messages)
{
	GPtrArray *want = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	GPtrArray *got = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	size_t i;

	through_fixbuf(seed, n, want);
	through_data_message(seed, n, got);
	assert_true(want->len >= min_messages);
	assert_int_equal(got->len, want->len);
	for (i = 0; i < want->len; i++) {
		if (!g_bytes_equal(g_ptr_array_index(want, i), g_ptr_array_index(got, i)))
			fail_msg("message %zu of %u differs from fixbuf's", i, want->len);
	}
	g_ptr_array_free(want, TRUE);
	g_ptr_array_free(got, TRUE);
}

/* Records of every shape, mixed: sets change within messages. */
static void mixed_shapes_are_fixbufs_octets(void **state)
{
	(void)state;
	same_messages(0x9e3779b97f4a7c15ull, RECORDS, RECORDS / 20);
	same_messages(12345, RECORDS, RECORDS / 20);
}

/* One record: one message, one set. */
static void a_single_record_is_fixbufs_octets(void **state)
{
	(void)state;
	same_messages(777, 1, 1);
}

static void every_shape_has_a_plan(void **state)
{
	struct bpfix_wire_plan plans[BPFIX_N_FLOW_SHAPES];
	fbTemplate_t *wire;
	struct model m;
	size_t i;

	(void)state;
	model_open(&m);
	assert_true(bpfix_wire_plans_read(m.session, plans));
	for (i = 0; i < BPFIX_N_FLOW_SHAPES; i++) {
		wire = fbSessionGetTemplate(m.session, FALSE, (uint16_t)(BPFIX_TID_FIRST + i), NULL);
		assert_non_null(wire);
		assert_int_equal(plans[i].n_fields, fbTemplateCountElements(wire));
		assert_true(plans[i].record_len > 30);
	}
	model_close(&m, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_shape_has_a_plan),
		cmocka_unit_test(mixed_shapes_are_fixbufs_octets),
		cmocka_unit_test(a_single_record_is_fixbufs_octets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
