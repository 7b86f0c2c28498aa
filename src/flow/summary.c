// SPDX-License-Identifier: GPL-2.0-only
/* Collects and prints the run summary; the counters' names come from counters.c. */
#include <string.h>

#include <glib.h>

#include "meter/counters.h"
#include "util/log.h"
#include "flow/summary.h"

static void add_line(struct bpfix_summary *sum, const char *name, __u64 value)
{
	sum->lines[sum->n++] = (struct bpfix_counter_value){ name, value };
}

int bpfix_summary_collect(struct bpfix_summary *sum, struct bpfix_flow_source *source,
			  struct bpfix_flow_table *table, struct bpfix_ipfix *ipfix,
			  const __u64 *frames_read, bool final)
{
	struct bpfix_flow_table_stats ft;
	struct bpfix_ipfix_stats ix;
	__u64 c[BPFIX_CNT_MAX], not_metered = 0;
	int i, err;

	memset(sum, 0, sizeof(*sum));
	err = source->ops->read_counters(source->ctx, c);
	if (err) {
		bpfix_warn("cannot read the packet counters: %s\n", strerror(-err));
		return err;
	}
	bpfix_flow_table__get_stats(table, &ft);
	bpfix_ipfix__get_stats(ipfix, &ix);

	if (frames_read)
		add_line(sum, "packets read", *frames_read);
	for (i = 0; i < BPFIX_CNT_MAX; i++) {
		if (i >= BPFIX_CNT_NOT_METERED_NON_IP && i <= BPFIX_CNT_NOT_METERED_INTERNAL)
			not_metered += c[i];
		/* the three totals always, the rest when they happened */
		if (i <= BPFIX_CNT_OCTETS_METERED || c[i])
			add_line(sum, bpfix_counter_name(i), c[i]);
	}
	add_line(sum, "packets exported", ft.packets);
	add_line(sum, "octets exported", ft.octets);
	add_line(sum, "records sent", ix.records);
	if (ft.records_failed)
		add_line(sum, "records not sent", ft.records_failed);
	if (ft.flows_evicted)
		add_line(sum, "flows evicted", ft.flows_evicted);
	if (ix.failures)
		add_line(sum, "export failures", ix.failures);

	sum->stats = (struct bpfix_export_stats){
		.packets_seen = c[BPFIX_CNT_SEEN],
		.packets_not_metered = not_metered,
		.flows_observed = c[BPFIX_CNT_FLOWS_CREATED],
		.records_exported = ix.records,
		.records_not_sent = ft.records_failed,
		.counters = sum->lines,
	};
	/* before the end, packets still in the map are neither exported nor lost */
	if (final) {
		sum->stats.packets_lost = c[BPFIX_CNT_METERED] - ft.packets;
		add_line(sum, "packets lost to flow map eviction", sum->stats.packets_lost);
		add_line(sum, "octets lost to flow map eviction", c[BPFIX_CNT_OCTETS_METERED] - ft.octets);
		add_line(sum, "flows lost to flow map eviction", c[BPFIX_CNT_FLOWS_CREATED] - ft.flows_ended);
	}
	if (!final)
		add_line(sum, "flows active", ft.flows_active);
	sum->stats.n_counters = sum->n;
	return 0;
}

void bpfix_summary_print(const struct bpfix_summary *sum, FILE *out)
{
	size_t i;

	for (i = 0; i < sum->n; i++)
		fprintf(out, "%s: %llu\n", sum->lines[i].name, (unsigned long long)sum->lines[i].value);
}

void bpfix_summary_log(const struct bpfix_summary *sum)
{
	GString *line = g_string_new("statistics:");
	size_t i;

	for (i = 0; i < sum->n; i++)
		g_string_append_printf(line, "%s %s %llu", i ? "," : "", sum->lines[i].name,
				       (unsigned long long)sum->lines[i].value);
	bpfix_info("%s\n", line->str);
	g_string_free(line, TRUE);
}
