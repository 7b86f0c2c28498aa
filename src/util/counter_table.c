// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rows of the counter table, and nothing else. Each name is spelled out: rewording a summary
 * line must not rename a metric or change what collectors key the statistics records on. Reasons
 * hold no '"' or '\', so they go into a Prometheus label as they are.
 */
#include "util/counter_table.h"

#define ROW(id_, kind_, show_, summary_, metric_, reason_, ipfix_)                           \
	[id_] = { .id = id_, .summary = summary_, .metric = metric_, .reason = reason_,      \
		  .kind = BPFIX_STAT_KIND_##kind_, .show = BPFIX_SHOW_##show_,                  \
		  .ipfix_name = BPFIX_FITS(ipfix_) }
/* a string literal of at most BPFIX_IPFIX_NAME_MAX octets, checked when compiled */
#define BPFIX_FITS(s) \
	((s) + 0 * sizeof(struct { _Static_assert(sizeof(s) <= BPFIX_IPFIX_NAME_MAX + 1, \
						  "ipfix name too long: " s); int ok; }))
#define CNT(name) BPFIX_STAT_OF_COUNTER(BPFIX_CNT_##name)

static const struct bpfix_stat_desc rows[] = {
	ROW(BPFIX_STAT_PACKETS_READ, COUNTER, REPLAY, "packets read",
	    "bpfix_packets_read_total", NULL, "packets read"),
	/* the meter's packet counters: the totals always, the rest when they happened */
	ROW(CNT(SEEN), COUNTER, ALWAYS, "packets seen",
	    "bpfix_packets_seen_total", NULL, "packets seen"),
	ROW(CNT(METERED), COUNTER, ALWAYS, "packets metered",
	    "bpfix_packets_metered_total", NULL, "packets metered"),
	ROW(CNT(FLOWS_CREATED), COUNTER, ALWAYS, "flows",
	    "bpfix_flows_total", NULL, "flows"),
	ROW(CNT(OCTETS_METERED), COUNTER, ALWAYS, "octets metered",
	    "bpfix_octets_metered_total", NULL, "octets metered"),
	ROW(CNT(NOT_METERED_NON_IP), COUNTER, NONZERO, "not metered (not IP)",
	    "bpfix_not_metered_total", "not IP", "not metered (not IP)"),
	ROW(CNT(NOT_METERED_TRUNCATED), COUNTER, NONZERO, "not metered (truncated)",
	    "bpfix_not_metered_total", "truncated", "not metered (truncated)"),
	ROW(CNT(NOT_METERED_MALFORMED), COUNTER, NONZERO, "not metered (malformed)",
	    "bpfix_not_metered_total", "malformed", "not metered (malformed)"),
	ROW(CNT(NOT_METERED_UNSUPPORTED), COUNTER, NONZERO, "not metered (unsupported)",
	    "bpfix_not_metered_total", "unsupported", "not metered (unsupported)"),
	ROW(CNT(NOT_METERED_MAP_FULL), COUNTER, NONZERO, "not metered (flow map full)",
	    "bpfix_not_metered_total", "flow map full", "not metered (flow map full)"),
	ROW(CNT(NOT_METERED_INTERNAL), COUNTER, NONZERO, "not metered (internal error)",
	    "bpfix_not_metered_total", "internal error", "not metered (internal error)"),
	ROW(CNT(DIAG_FRAGMENT), COUNTER, NONZERO, "metered without ports (non-first fragment)",
	    "bpfix_metered_without_ports_total", "non-first fragment",
	    "metered without ports (non-first fragment)"),
	ROW(CNT(DIAG_L4_TRUNC), COUNTER, NONZERO, "metered without ports (L4 header truncated)",
	    "bpfix_metered_without_ports_total", "L4 header truncated",
	    "metered without ports (L4 header truncated)"),
	ROW(CNT(DIAG_IPV6_EXT_TRUNC), COUNTER, NONZERO,
	    "metered without ports (IPv6 extension header truncated)",
	    "bpfix_metered_without_ports_total", "IPv6 extension header truncated",
	    "metered without ports (IPv6 extension header truncated)"),
	ROW(CNT(DIAG_IPV6_EXT_DEPTH), COUNTER, NONZERO,
	    "metered without ports (IPv6 extension chain too long)",
	    "bpfix_metered_without_ports_total", "IPv6 extension chain too long",
	    "metered without ports (IPv6 extension chain too long)"),
	ROW(CNT(GTP_DECAPSULATED), COUNTER, NONZERO, "GTP-U decapsulated",
	    "bpfix_gtp_u_decapsulated_total", NULL, "GTP-U decapsulated"),
	ROW(CNT(GTP_NOT_GPDU), COUNTER, NONZERO,
	    "GTP-U metered as outer UDP (not a G-PDU: echo, error, end marker)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "not a G-PDU: echo, error, end marker",
	    "GTP-U metered as outer UDP (not a G-PDU: echo, error, end marker)"),
	ROW(CNT(GTP_NOT_V1), COUNTER, NONZERO, "GTP-U metered as outer UDP (not GTPv1-U)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "not GTPv1-U",
	    "GTP-U metered as outer UDP (not GTPv1-U)"),
	ROW(CNT(GTP_TRUNC), COUNTER, NONZERO, "GTP-U metered as outer UDP (GTP header truncated)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "GTP header truncated",
	    "GTP-U metered as outer UDP (GTP header truncated)"),
	ROW(CNT(GTP_EXT_LEN_ZERO), COUNTER, NONZERO,
	    "GTP-U metered as outer UDP (extension header length 0)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "extension header length 0",
	    "GTP-U metered as outer UDP (extension header length 0)"),
	ROW(CNT(GTP_EXT_DEPTH), COUNTER, NONZERO,
	    "GTP-U metered as outer UDP (extension chain too long)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "extension chain too long",
	    "GTP-U metered as outer UDP (extension chain too long)"),
	ROW(CNT(GTP_NO_TPDU), COUNTER, NONZERO, "GTP-U metered as outer UDP (G-PDU without T-PDU)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "G-PDU without T-PDU",
	    "GTP-U metered as outer UDP (G-PDU without T-PDU)"),
	ROW(CNT(GTP_INNER_NOT_IP), COUNTER, NONZERO,
	    "GTP-U metered as outer UDP (inner packet not IP)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "inner packet not IP",
	    "GTP-U metered as outer UDP (inner packet not IP)"),
	ROW(CNT(GTP_INNER_BAD), COUNTER, NONZERO,
	    "GTP-U metered as outer UDP (inner IP truncated or malformed)",
	    "bpfix_gtp_u_metered_as_outer_udp_total", "inner IP truncated or malformed",
	    "GTP-U metered as outer UDP (inner IP truncated or malformed)"),
	/* G-PDUs in outer fragments: how many tails went to outer flows (bpfix_gtpu_credit) */
	ROW(CNT(GTP_FRAGMENTED), COUNTER, NONZERO,
	    "GTP-U outer fragmented (first fragment decapsulated, the rest metered as outer UDP)",
	    "bpfix_gtp_u_outer_fragmented_total", NULL,
	    "GTP-U outer fragmented (first fragment decapsulated, the rest metered as outer UDP)"),
	/* the TCP analysis (DESIGN.md §4a): handshakes in the connection map, sequence resyncs */
	ROW(CNT(TCP_HANDSHAKES), COUNTER, NONZERO, "TCP handshakes seen",
	    "bpfix_tcp_handshakes_total", NULL, "TCP handshakes seen"),
	ROW(CNT(TCP_HANDSHAKES_DONE), COUNTER, NONZERO,
	    "TCP handshakes ended (client's next segment, or a new SYN in their place)",
	    "bpfix_tcp_handshakes_ended_total", NULL,
	    "TCP handshakes ended (client's next segment, or a new SYN in their place)"),
	ROW(CNT(TCP_HANDSHAKES_MEASURED), COUNTER, NONZERO,
	    "TCP handshakes measured (both round-trip times)",
	    "bpfix_tcp_handshakes_measured_total", NULL,
	    "TCP handshakes measured (both round-trip times)"),
	ROW(CNT(TCP_HANDSHAKES_EVICTED), COUNTER, NONZERO,
	    "TCP handshakes lost to connection map eviction",
	    "bpfix_tcp_handshakes_evicted_total", NULL,
	    "TCP handshakes lost to connection map eviction"),
	ROW(CNT(TCP_SEQ_RESYNC), COUNTER, NONZERO,
	    "TCP sequence jumps over 2^30 (resynchronised, not loss)",
	    "bpfix_tcp_sequence_resyncs_total", NULL,
	    "TCP sequence jumps over 2^30 (resynchronised, not loss)"),
	/* the deadline sweep's backstop: a lost notice makes the next sweep read the whole map */
	ROW(CNT(NOTICES_LOST), COUNTER, NONZERO,
	    "flow notices lost (ring buffer full: the next sweep read the whole map)",
	    "bpfix_flow_notices_lost_total", NULL, "flow notices lost"),
	/* what the flow table and the exporting process did */
	ROW(BPFIX_STAT_PACKETS_EXPORTED, COUNTER, ALWAYS, "packets exported",
	    "bpfix_packets_exported_total", NULL, "packets exported"),
	ROW(BPFIX_STAT_OCTETS_EXPORTED, COUNTER, ALWAYS, "octets exported",
	    "bpfix_octets_exported_total", NULL, "octets exported"),
	ROW(BPFIX_STAT_RECORDS_SENT, COUNTER, ALWAYS, "records sent",
	    "bpfix_records_sent_total", NULL, "records sent"),
	ROW(BPFIX_STAT_RECORDS_NOT_SENT, COUNTER, NONZERO, "records not sent",
	    "bpfix_records_not_sent_total", NULL, "records not sent"),
	/* pacing to UDP collectors: how long it held the export, and what it could not hold */
	ROW(BPFIX_STAT_RECORDS_UNPACED, COUNTER, NONZERO, "records sent beyond the pace",
	    "bpfix_records_sent_beyond_pace_total", NULL, "records sent beyond the pace"),
	ROW(BPFIX_STAT_PACE_HELD_MS, COUNTER, NONZERO, "export held by pacing (ms)",
	    "bpfix_export_held_by_pacing_milliseconds_total", NULL, "export held by pacing (ms)"),
	ROW(BPFIX_STAT_FLOWS_HELD, GAUGE, NONZERO, "flows held in the map for the pace",
	    "bpfix_flows_held_for_pace", NULL, "flows held in the map for the pace"),
	ROW(BPFIX_STAT_FLOWS_EVICTED, COUNTER, NONZERO, "flows evicted",
	    "bpfix_flows_evicted_total", NULL, "flows evicted"),
	ROW(BPFIX_STAT_EXPORT_FAILURES, COUNTER, NONZERO, "export failures",
	    "bpfix_export_failures_total", NULL, "export failures"),
	/* known at the end only: before it, what is in the map is neither exported nor lost */
	ROW(BPFIX_STAT_PACKETS_LOST, COUNTER, FINAL, "packets lost to eviction or removal race",
	    "bpfix_packets_lost_to_eviction_or_removal_race_total", NULL,
	    "packets lost to eviction or removal race"),
	ROW(BPFIX_STAT_OCTETS_LOST, COUNTER, FINAL, "octets lost to eviction or removal race",
	    "bpfix_octets_lost_to_eviction_or_removal_race_total", NULL,
	    "octets lost to eviction or removal race"),
	ROW(BPFIX_STAT_FLOWS_LOST, COUNTER, FINAL, "flows lost to eviction or removal race",
	    "bpfix_flows_lost_to_eviction_or_removal_race_total", NULL,
	    "flows lost to eviction or removal race"),
	ROW(BPFIX_STAT_FLOWS_ACTIVE, GAUGE, NOT_FINAL, "flows active",
	    "bpfix_flows_active", NULL, "flows active"),
	/* set only once flows were evicted or lost: what --max-flows must exceed */
	ROW(BPFIX_STAT_FLOWS_PEAK, GAUGE, NONZERO, "most flows in the flow map at a sweep",
	    "bpfix_flows_peak", NULL, "most flows in the flow map at a sweep"),
};

_Static_assert(sizeof(rows) / sizeof(rows[0]) == BPFIX_STAT_MAX, "a counter has no row");

const struct bpfix_stat_desc *bpfix_stat_desc(enum bpfix_stat id)
{
	return &rows[id];
}
