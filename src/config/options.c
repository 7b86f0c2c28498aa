// SPDX-License-Identifier: GPL-2.0-only
/*
 * The option table: every option of bpfix once, with its checks. Values are checked here, with
 * messages that say where the value came from and what is accepted. Reading the command line or
 * a file, and printing, are elsewhere (config.c, config_file.c, config_print.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "config/option_table.h"
#include "export/collector_spec.h"
#include "util/hostport.h"

#define FIELD(f) offsetof(struct bpfix_config, f)

/* The timeout of one protocol class: --KIND-timeout-CLS, [flows] KIND_timeout_CLS. */
#define CLASS_TIMEOUT(kind, cls, CLS, flows)                                                  \
	{ #kind "-timeout-" cls, 0, "flows", #kind "_timeout_" cls, VALUE_U32,               \
	  FIELD(kind##_timeout_proto_s[CLS]), 0, 86400, "S",                                   \
	  #kind " timeout of " flows "; 0: " #kind "_timeout", NULL, BPFIX_MODE_ALL }
#define CLASS_TIMEOUTS(kind)                                                                  \
	CLASS_TIMEOUT(kind, "tcp", BPFIX_PROTO_TCP, "TCP flows"),                             \
	CLASS_TIMEOUT(kind, "udp", BPFIX_PROTO_UDP, "UDP flows (GTP-U inner UDP too)"),       \
	CLASS_TIMEOUT(kind, "icmp", BPFIX_PROTO_ICMP, "ICMP and ICMPv6 flows"),               \
	CLASS_TIMEOUT(kind, "other", BPFIX_PROTO_OTHER,                                       \
		      "other flows (SCTP, GRE, any protocol but TCP, UDP and ICMP)")

static const char *const engine_names[] = { [BPFIX_ENGINE_HOST] = "host",
					    [BPFIX_ENGINE_KERNEL] = "kernel", NULL };

static const char *const clock_names[] = { [BPFIX_CLOCK_PRECISE] = "precise",
					   [BPFIX_CLOCK_COARSE] = "coarse", NULL };

/* VALUE_CHOICE slots are written as int */
_Static_assert(sizeof(enum bpfix_clock) == sizeof(int), "enum size");
_Static_assert(sizeof(enum bpfix_engine_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(enum bpfix_hooks) == sizeof(int), "enum size");
_Static_assert(sizeof(enum bpfix_log_level) == sizeof(int), "enum size");

const struct option_spec bpfix_options[] = {
	{ "collector", 0, "export", "collectors", VALUE_COLLECTORS, FIELD(collectors), 0, 0,
	  "[FORMAT://]HOST:PORT", "send records over UDP to this collector (IPv6: [ADDR]:PORT) as "
	  "IPFIX (ipfix://, the default) or NetFlow v9 (netflow9:// or v9://); repeat for several "
	  "(in the file: separated by ';'); none: " BPFIX_DEFAULT_COLLECTOR " unless an output file "
	  "is set", NULL, BPFIX_MODE_ALL },
	{ "output", 'o', "export", "output", VALUE_STRING, FIELD(output), 0, 0, "FILE",
	  "also write the records to this IPFIX file (RFC 5655; always IPFIX: NetFlow v9 has no "
	  "file format)", NULL, BPFIX_MODE_ALL },
	{ "observation-domain", 0, "export", "observation_domain", VALUE_U32,
	  FIELD(observation_domain), 1, UINT32_MAX, "N",
	  "IPFIX observation domain (NetFlow v9 source id) of flow records (0 is the statistics' "
	  "own, RFC 7011 §3.1)", NULL, BPFIX_MODE_ALL },
	{ "template-refresh", 0, "export", "template_refresh", VALUE_U32, FIELD(template_refresh_s),
	  1, 86400, "S", "resend templates to UDP collectors every S seconds (RFC 7011 §8.4)",
	  NULL, BPFIX_MODE_ALL },
	{ "template-refresh-messages", 0, "export", "template_refresh_messages", VALUE_U32,
	  FIELD(template_refresh_messages), 1, 1000000, "M",
	  "also resend templates to UDP collectors every M messages", NULL, BPFIX_MODE_ALL },
	{ "enterprise-number", 0, "export", "enterprise_number", VALUE_U32, FIELD(pen), 1,
	  UINT32_MAX, "PEN", "private enterprise number of bpfix's own IPFIX elements (tunnel "
	  "endpoints); 32473 is RFC 5612's documentation number", NULL, BPFIX_MODE_ALL },
	{ "pace-rate", 0, "export", "pace_records_per_second", VALUE_U32, FIELD(pace_rate), 0,
	  100000000, "N", "send each UDP collector at most N flow records a second (a message "
	  "without flow records counts as one; a file is never paced): replay waits for it; run "
	  "leaves ended flows in the flow map, still counting, until it allows, each at most its "
	  "active timeout (then its record goes beyond the pace, counted), and at its end waits at "
	  "most 20 s; 0: unpaced, and a burst may overrun the collector's socket buffer",
	  NULL, BPFIX_MODE_ALL },
	{ "pace-depth", 0, "export", "pace_depth_messages", VALUE_U32, FIELD(pace_depth), 1, 65535,
	  "M", "let at most M messages at once go to a UDP collector after a pause (32 messages of "
	  "1400 octets take about 70 KiB of Linux's default 208 KiB socket buffer)",
	  NULL, BPFIX_MODE_ALL },
	{ "stats-interval", 0, "export", "stats_interval", VALUE_U32, FIELD(stats_interval_s), 1,
	  86400, "S", "send exporter statistics (options records, domain 0) every S seconds", NULL,
	  BPFIX_MODE_RUN },
	{ "idle-timeout", 0, "flows", "idle_timeout", VALUE_U32, FIELD(idle_timeout_s), 1, 86400, "S",
	  "end a flow after S seconds without packets", NULL, BPFIX_MODE_ALL },
	CLASS_TIMEOUTS(idle),
	{ "active-timeout", 0, "flows", "active_timeout", VALUE_U32, FIELD(active_timeout_s), 1,
	  86400, "S", "export a record of a flow that goes on every S seconds",
	  NULL, BPFIX_MODE_ALL },
	CLASS_TIMEOUTS(active),
	{ "tcp-linger", 0, "flows", "tcp_linger", VALUE_U32, FIELD(tcp_linger_s), 0, 3600, "S",
	  "a TCP flow with FIN or RST ends (end detected) after S seconds without packets, before "
	  "its idle timeout; stragglers such as the last ACK still join it", NULL, BPFIX_MODE_ALL },
	{ "max-flows", 0, "flows", "max_flows", VALUE_U32, FIELD(max_flows), 1, 1u << 26, "N",
	  "entries of the kernel flow map", NULL, BPFIX_MODE_ALL },
	{ "max-connections", 0, "flows", "max_connections", VALUE_U32, FIELD(max_connections), 1,
	  1u << 24, "N", "TCP handshakes tracked at once to measure their round-trip times (entries "
	  "of the connection map; when full the oldest goes, counted as evicted)", NULL,
	  BPFIX_MODE_ALL },
	{ "gtpu-port", 0, "gtpu", "port", VALUE_U32, FIELD(gtpu_port), 0, 65535, "PORT",
	  "UDP port of GTP-U (to or from it), decapsulated to the inner flow; 0 turns that off",
	  NULL, BPFIX_MODE_ALL },
	{ "interface", 'i', "live", "interfaces", VALUE_INTERFACES, FIELD(interfaces), 0, 0,
	  "IF[:DIR]", "meter this interface, or every interface matching a glob such as 'veth*' "
	  "(also those that appear later), on the hooks DIR (both, ingress or egress; default: "
	  "direction); repeat for several (in the file: separated by ';')", NULL, BPFIX_MODE_RUN },
	{ "direction", 0, "live", "direction", VALUE_CHOICE, FIELD(direction), 0, 0,
	  "both|ingress|egress", "the clsact hooks of interfaces without their own :DIR",
	  bpfix_hooks_names, BPFIX_MODE_RUN },
	{ "tc-handle", 0, "live", "tc_handle", VALUE_U32, FIELD(tc_handle), 1, UINT32_MAX, "N",
	  "handle of bpfix's tc filters; a restart replaces filters at this handle and priority (a "
	  "killed bpfix's), so give each bpfix on a host its own", NULL, BPFIX_MODE_RUN },
	{ "tc-priority", 0, "live", "tc_priority", VALUE_U32, FIELD(tc_priority), 1, 65535, "N",
	  "priority of bpfix's tc filters (1 runs first, before filters that may drop)", NULL,
	  BPFIX_MODE_RUN },
	{ "sweep-interval", 0, "live", "sweep_interval", VALUE_U32, FIELD(sweep_interval_s), 1, 60,
	  "S", "export what ended every S seconds (the flows due, or the whole map when it must)",
	  NULL, BPFIX_MODE_RUN },
	{ "clock", 0, "live", "clock", VALUE_CHOICE, FIELD(clock), 0, 0, "precise|coarse",
	  "the clock that stamps each packet: precise (bpf_ktime_get_ns) or coarse "
	  "(bpf_ktime_get_coarse_ns: cheaper per packet, but flow start and end times are as of "
	  "the last kernel tick, up to 1000/HZ ms early; TCP round-trip times stay precise)",
	  clock_names, BPFIX_MODE_RUN },
	{ "log-level", 0, "log", "level", VALUE_CHOICE, FIELD(log_level), 0, 0,
	  "error|warning|info|debug", "what bpfix logs on stderr (info: also periodic statistics; "
	  "debug: also libbpf's log)", bpfix_log_level_names, BPFIX_MODE_RUN },
	{ "metrics", 0, "metrics", "listen", VALUE_LISTEN, FIELD(metrics), 0, 0, "[ADDR:]PORT",
	  "serve Prometheus text metrics over HTTP here (a port alone: on 127.0.0.1); empty: off",
	  NULL, BPFIX_MODE_RUN },
	{ "engine", 0, "replay", "engine", VALUE_CHOICE, FIELD(engine), 0, 0, "host|kernel",
	  "meter with host (the parser and accounting compiled for the host; no privilege) or "
	  "kernel (the TC program itself under BPF_PROG_TEST_RUN; needs root)", engine_names,
	  BPFIX_MODE_REPLAY },
	{ "quiet", 'q', "replay", "quiet", VALUE_FLAG, FIELD(quiet), 0, 0, "",
	  "no progress line (packets, rate, flows, how much of the capture was read), which is "
	  "shown twice a second when stderr is a terminal", NULL, BPFIX_MODE_REPLAY },
	{ 0 },
};

const size_t bpfix_n_options = sizeof(bpfix_options) / sizeof(bpfix_options[0]) - 1;

/* PORT, or ADDR:PORT with a literal address ([ADDR]:PORT for IPv6) */
static bool listen_valid(const char *text)
{
	char host[256], port[8];
	struct in6_addr addr;

	if (strspn(text, "0123456789") == strlen(text))
		return strlen(text) <= 5 && atoi(text) >= 1 && atoi(text) <= 65535;
	if (bpfix_split_hostport(text, host, sizeof(host), port, sizeof(port)))
		return false;
	return inet_pton(AF_INET, host, &addr) == 1 || inet_pton(AF_INET6, host, &addr) == 1;
}

static int choice_index(const char *const *choices, const char *text)
{
	int i;

	for (i = 0; choices[i]; i++)
		if (!strcmp(choices[i], text))
			return i;
	return -1;
}

static void set_string(char **slot, const char *text)
{
	g_free(*slot);
	*slot = *text ? g_strdup(text) : NULL;
}

static void set_list_item(char ***list, const char *text, bool append)
{
	guint n = append ? g_strv_length(*list) : 0;

	if (!append) {
		g_strfreev(*list);
		*list = g_new0(char *, 1);
	}
	if (!*text)
		return;
	*list = g_renew(char *, *list, n + 2);
	(*list)[n] = g_strdup(text);
	(*list)[n + 1] = NULL;
}

int bpfix_option_set(struct bpfix_config *cfg, const struct option_spec *o, const char *text,
		     const char *where, bool append)
{
	enum bpfix_export_format format;
	struct bpfix_iface_spec spec;
	char host[256], port[8];
	const char *hostport;
	unsigned long long v;
	char *end;
	int i;

	switch (o->type) {
	case VALUE_U32:
		errno = 0;
		v = strtoull(text, &end, g_str_has_prefix(text, "0x") ? 16 : 10);
		if (errno || end == text || *end || text[0] == '-' || v < o->min || v > o->max) {
			bpfix_err("%s takes a whole number from %u to %u, not '%s'\n", where, o->min,
				  o->max, text);
			return -EINVAL;
		}
		*(__u32 *)bpfix_option_slot(cfg, o) = (__u32)v;
		return 0;
	case VALUE_CHOICE:
		i = choice_index(o->choices, text);
		if (i < 0) {
			bpfix_err("%s takes %s, not '%s'\n", where, o->metavar, text);
			return -EINVAL;
		}
		*(int *)bpfix_option_slot(cfg, o) = i;
		return 0;
	case VALUE_STRING:
		set_string(bpfix_option_slot(cfg, o), text);
		return 0;
	case VALUE_FLAG:
		if (strcmp(text, "true") && strcmp(text, "false")) {
			bpfix_err("%s takes true or false, not '%s'\n", where, text);
			return -EINVAL;
		}
		*(bool *)bpfix_option_slot(cfg, o) = !strcmp(text, "true");
		return 0;
	case VALUE_LISTEN:
		if (*text && !listen_valid(text)) {
			bpfix_err("%s takes [ADDR:]PORT (ADDR an IP address, [ADDR] for IPv6, port "
				  "1-65535), not '%s'\n", where, text);
			return -EINVAL;
		}
		set_string(bpfix_option_slot(cfg, o), text);
		return 0;
	case VALUE_INTERFACES:
		if (*text && bpfix_iface_spec_parse(text, BPFIX_HOOKS_BOTH, &spec)) {
			bpfix_err("%s takes NAME[:DIR]: an interface name or glob of 1-15 characters "
				  "without '/', ':' or spaces, DIR both, ingress or egress; not '%s'\n",
				  where, text);
			return -EINVAL;
		}
		set_list_item(bpfix_option_slot(cfg, o), text, append);
		return 0;
	case VALUE_COLLECTORS:
		hostport = *text ? bpfix_collector_spec_parse(text, &format) : text;
		if (!hostport) {
			bpfix_err("%s: unknown format in '%s': write " BPFIX_COLLECTOR_SCHEMES
				  " (or nothing: IPFIX) before HOST:PORT\n", where, text);
			return -EINVAL;
		}
		if (*text && bpfix_split_hostport(hostport, host, sizeof(host), port, sizeof(port))) {
			bpfix_err("%s takes [FORMAT://]HOST:PORT ([ADDR]:PORT for IPv6, port 1-65535), "
				  "not '%s'\n", where, text);
			return -EINVAL;
		}
		set_list_item(bpfix_option_slot(cfg, o), text, append);
		return 0;
	}
	return -EINVAL;
}

const struct option_spec *bpfix_option_by_key(const char *section, const char *key)
{
	const struct option_spec *o;

	for (o = bpfix_options; o->name; o++)
		if (!strcmp(o->section, section) && !strcmp(o->key, key))
			return o;
	return NULL;
}

bool bpfix_option_section_known(const char *section)
{
	const struct option_spec *o;

	for (o = bpfix_options; o->name; o++)
		if (!strcmp(o->section, section))
			return true;
	return false;
}

char *bpfix_option_section_list(void)
{
	GString *list = g_string_new(NULL);
	const struct option_spec *o;

	for (o = bpfix_options; o->name; o++)
		if (!strstr(list->str, o->section))
			g_string_append_printf(list, "%s%s", list->len ? ", " : "", o->section);
	return g_string_free(list, FALSE);
}
