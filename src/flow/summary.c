// SPDX-License-Identifier: GPL-2.0-only
/*
 * Collects and prints the run summary: the values come from the source, the flow table and the
 * exporting process; which lines, in what order and under what names is the counter table's.
 */
#include <string.h>

#include <glib.h>

#include "util/log.h"
#include "flow/summary.h"

static bool shown(const struct bpfix_stat_desc *d, __u64 value, bool replay, bool final)
{
	switch (d->show) {
	case BPFIX_SHOW_ALWAYS:
		return true;
	case BPFIX_SHOW_NONZERO:
		return value;
	case BPFIX_SHOW_REPLAY:
		return replay;
	case BPFIX_SHOW_FINAL:
		return final;
	case BPFIX_SHOW_NOT_FINAL:
		return !final;
	}
	return false;
}

/*
 * What was metered and never exported; 0, not a wrapped number, when more went out than the
 * program metered (flows a benchmark wrote into the map itself).
 */
static __u64 short_of(__u64 metered, __u64 exported)
{
	return metered > exported ? metered - exported : 0;
}

int bpfix_summary_collect(struct bpfix_summary *sum, struct bpfix_flow_source *source,
			  struct bpfix_flow_table *table,
			  const struct bpfix_export_totals *exported, const __u64 *frames_read,
			  bool final)
{
	__u64 v[BPFIX_STAT_MAX] = { 0 }, *c = &v[BPFIX_STAT_COUNTER_FIRST], not_metered = 0;
	struct bpfix_flow_table_stats ft;
	const struct bpfix_stat_desc *d;
	int i, err;

	memset(sum, 0, sizeof(*sum));
	err = source->ops->read_counters(source->ctx, c);
	if (err) {
		bpfix_warn("cannot read the packet counters: %s\n", strerror(-err));
		return err;
	}
	bpfix_flow_table__get_stats(table, &ft);
	for (i = BPFIX_CNT_NOT_METERED_NON_IP; i <= BPFIX_CNT_NOT_METERED_INTERNAL; i++)
		not_metered += c[i];

	v[BPFIX_STAT_PACKETS_READ] = frames_read ? *frames_read : 0;
	v[BPFIX_STAT_PACKETS_EXPORTED] = ft.packets;
	v[BPFIX_STAT_OCTETS_EXPORTED] = ft.octets;
	v[BPFIX_STAT_RECORDS_SENT] = exported->records;
	v[BPFIX_STAT_RECORDS_NOT_SENT] = exported->records_lost;
	v[BPFIX_STAT_RECORDS_UNPACED] = exported->records_unpaced;
	v[BPFIX_STAT_PACE_HELD_MS] = exported->pace_held_ns / 1000000;
	v[BPFIX_STAT_FLOWS_HELD] = ft.flows_held;
	v[BPFIX_STAT_FLOWS_EVICTED] = ft.flows_evicted;
	v[BPFIX_STAT_EXPORT_FAILURES] = exported->failures;
	/* before the end, packets still in the map are neither exported nor lost */
	if (final) {
		v[BPFIX_STAT_PACKETS_LOST] = short_of(c[BPFIX_CNT_METERED], ft.packets);
		v[BPFIX_STAT_OCTETS_LOST] = short_of(c[BPFIX_CNT_OCTETS_METERED], ft.octets);
		v[BPFIX_STAT_FLOWS_LOST] = short_of(c[BPFIX_CNT_FLOWS_CREATED], ft.flows_ended);
	}
	v[BPFIX_STAT_FLOWS_ACTIVE] = ft.flows_active;
	if (ft.flows_evicted || v[BPFIX_STAT_FLOWS_LOST])
		v[BPFIX_STAT_FLOWS_PEAK] = sum->flows_peak = ft.flows_peak;

	for (i = 0; i < BPFIX_STAT_MAX; i++) {
		d = bpfix_stat_desc(i);
		if (shown(d, v[i], frames_read != NULL, final))
			sum->lines[sum->n++] = (struct bpfix_counter_value){ d, v[i] };
	}
	sum->stats = (struct bpfix_export_stats){
		.packets_seen = c[BPFIX_CNT_SEEN],
		.packets_not_metered = not_metered,
		.flows_observed = c[BPFIX_CNT_FLOWS_CREATED],
		.packets_lost = v[BPFIX_STAT_PACKETS_LOST],
		.counters = sum->lines,
		.n_counters = sum->n,
	};
	return 0;
}

void bpfix_summary_print(const struct bpfix_summary *sum, FILE *out)
{
	size_t i;

	for (i = 0; i < sum->n; i++)
		fprintf(out, "%s: %llu\n", sum->lines[i].desc->summary,
			(unsigned long long)sum->lines[i].value);
}

void bpfix_summary_print_speed(FILE *out, __u64 packets, __u64 elapsed_us)
{
	fprintf(out, "elapsed: %llu.%03llu s\n", (unsigned long long)(elapsed_us / 1000000),
		(unsigned long long)(elapsed_us / 1000 % 1000));
	fprintf(out, "rate: %llu packets/s\n",
		(unsigned long long)(elapsed_us ? packets * 1000000 / elapsed_us : 0));
}

void bpfix_summary_log(const struct bpfix_summary *sum)
{
	GString *line = g_string_new("statistics:");
	size_t i;

	for (i = 0; i < sum->n; i++)
		g_string_append_printf(line, "%s %s %llu", i ? "," : "",
				       sum->lines[i].desc->summary,
				       (unsigned long long)sum->lines[i].value);
	bpfix_info("%s\n", line->str);
	g_string_free(line, TRUE);
}
