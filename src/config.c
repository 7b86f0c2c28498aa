// SPDX-License-Identifier: GPL-2.0-only
/*
 * The option table and what reads it: getopt_long for the command line, GKeyFile for the config
 * file, and the printers for --help and --print-config. Values are checked once, here, with
 * messages that say where the value came from and what is accepted. GError stays in this file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_flow.h"
#include "config.h"
#include "ipfix/ipfix.h"
#include "log.h"

enum value_type {
	VALUE_U32,
	VALUE_STRING,
	VALUE_STRING_LIST, /* repeatable on the command line; ';'-separated in the file */
	VALUE_CHOICE,	   /* one of the option's choices */
	VALUE_COLLECTORS,  /* a VALUE_STRING_LIST of HOST:PORT */
};

struct option_spec {
	const char *name; /* command line --name */
	int short_name;
	const char *section; /* config file [section] key; NULL: command line only */
	const char *key;
	enum value_type type;
	size_t offset;
	__u32 min, max;
	const char *metavar;
	const char *help;
	const char *const *choices; /* VALUE_CHOICE: NULL-terminated */
};

static const char *const engines[] = { "host", "kernel", NULL };
static const char *const directions[] = { "both", "ingress", "egress", NULL };

#define FIELD(f) offsetof(struct bpfix_config, f)

static const struct option_spec options[] = {
	{ "collector", 0, "export", "collectors", VALUE_COLLECTORS, FIELD(collectors), 0, 0,
	  "HOST:PORT", "send IPFIX over UDP to this collector (IPv6: [ADDR]:PORT); repeat for "
	  "several (in the file: separated by ';'); none: " BPFIX_DEFAULT_COLLECTOR " unless an output "
	  "file is set", NULL },
	{ "output", 'o', "export", "output", VALUE_STRING, FIELD(output), 0, 0, "FILE",
	  "also write the records to this IPFIX file (RFC 5655)", NULL },
	{ "observation-domain", 0, "export", "observation_domain", VALUE_U32,
	  FIELD(observation_domain), 1, UINT32_MAX, "N",
	  "IPFIX observation domain of flow records (0 is the statistics' own, RFC 7011 §3.1)", NULL },
	{ "template-refresh", 0, "export", "template_refresh", VALUE_U32, FIELD(template_refresh_s),
	  1, 86400, "S", "resend templates to UDP collectors every S seconds (RFC 7011 §8.4)", NULL },
	{ "template-refresh-messages", 0, "export", "template_refresh_messages", VALUE_U32,
	  FIELD(template_refresh_messages), 1, 1000000, "M",
	  "also resend templates to UDP collectors every M messages", NULL },
	{ "enterprise-number", 0, "export", "enterprise_number", VALUE_U32, FIELD(pen), 1,
	  UINT32_MAX, "PEN", "private enterprise number of bpfix's own IPFIX elements (tunnel "
	  "endpoints); 32473 is RFC 5612's documentation number", NULL },
	{ "stats-interval", 0, "export", "stats_interval", VALUE_U32, FIELD(stats_interval_s), 1,
	  86400, "S", "run: send exporter statistics (options records, domain 0) every S seconds", NULL },
	{ "idle-timeout", 0, "flows", "idle_timeout", VALUE_U32, FIELD(idle_timeout_s), 1, 86400, "S",
	  "end a flow after S seconds without packets", NULL },
	{ "idle-timeout-tcp", 0, "flows", "idle_timeout_tcp", VALUE_U32, FIELD(idle_timeout_tcp_s),
	  0, 86400, "S", "idle timeout of TCP flows; 0: idle_timeout", NULL },
	{ "idle-timeout-udp", 0, "flows", "idle_timeout_udp", VALUE_U32, FIELD(idle_timeout_udp_s),
	  0, 86400, "S", "idle timeout of UDP flows (GTP-U inner UDP too); 0: idle_timeout", NULL },
	{ "idle-timeout-icmp", 0, "flows", "idle_timeout_icmp", VALUE_U32,
	  FIELD(idle_timeout_icmp_s), 0, 86400, "S",
	  "idle timeout of ICMP and ICMPv6 flows; 0: idle_timeout", NULL },
	{ "idle-timeout-other", 0, "flows", "idle_timeout_other", VALUE_U32,
	  FIELD(idle_timeout_other_s), 0, 86400, "S",
	  "idle timeout of other flows (SCTP, fragments without ports, other protocols); 0: "
	  "idle_timeout", NULL },
	{ "active-timeout", 0, "flows", "active_timeout", VALUE_U32, FIELD(active_timeout_s), 1,
	  86400, "S", "export a record of a flow that goes on every S seconds", NULL },
	{ "active-timeout-tcp", 0, "flows", "active_timeout_tcp", VALUE_U32,
	  FIELD(active_timeout_tcp_s), 0, 86400, "S", "active timeout of TCP flows; 0: "
	  "active_timeout", NULL },
	{ "active-timeout-udp", 0, "flows", "active_timeout_udp", VALUE_U32,
	  FIELD(active_timeout_udp_s), 0, 86400, "S", "active timeout of UDP flows; 0: "
	  "active_timeout", NULL },
	{ "active-timeout-icmp", 0, "flows", "active_timeout_icmp", VALUE_U32,
	  FIELD(active_timeout_icmp_s), 0, 86400, "S", "active timeout of ICMP and ICMPv6 flows; 0: "
	  "active_timeout", NULL },
	{ "active-timeout-other", 0, "flows", "active_timeout_other", VALUE_U32,
	  FIELD(active_timeout_other_s), 0, 86400, "S", "active timeout of other flows; 0: "
	  "active_timeout", NULL },
	{ "tcp-linger", 0, "flows", "tcp_linger", VALUE_U32, FIELD(tcp_linger_s), 0, 3600, "S",
	  "a TCP flow with FIN or RST ends (end detected) after S seconds without packets, before "
	  "its idle timeout; stragglers such as the last ACK still join it", NULL },
	{ "max-flows", 0, "flows", "max_flows", VALUE_U32, FIELD(max_flows), 1, 1u << 26, "N",
	  "entries of the kernel flow map", NULL },
	{ "gtpu-port", 0, "gtpu", "port", VALUE_U32, FIELD(gtpu_port), 0, 65535, "PORT",
	  "UDP port of GTP-U (to or from it), decapsulated to the inner flow; 0 turns that off", NULL },
	{ "interface", 'i', "live", "interfaces", VALUE_STRING_LIST, FIELD(interfaces), 0, 0, "IF",
	  "run: meter this interface; repeat for several (in the file: separated by ';')", NULL },
	{ "direction", 0, "live", "direction", VALUE_CHOICE, FIELD(direction), 0, 0,
	  "both|ingress|egress", "run: which clsact hooks to meter on each interface", directions },
	{ "engine", 0, "replay", "engine", VALUE_CHOICE, FIELD(engine), 0, 0, "host|kernel",
	  "replay engine: host (the parser and accounting compiled for the host; no privilege) or "
	  "kernel (the TC program itself under BPF_PROG_TEST_RUN; needs root)", engines },
	{ 0 },
};

#define OPT_CONFIG 'c'
#define OPT_HELP 'h'

void bpfix_config_init(struct bpfix_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->collectors = g_new0(char *, 1);
	cfg->interfaces = g_new0(char *, 1);
	cfg->direction = g_strdup("both");
	cfg->stats_interval_s = 60;
	cfg->engine = g_strdup("host");
	cfg->idle_timeout_s = 15;
	cfg->active_timeout_s = 60;
	cfg->max_flows = BPFIX_DEFAULT_MAX_FLOWS;
	cfg->observation_domain = 1;
	cfg->template_refresh_s = 60;
	cfg->template_refresh_messages = 100;
	cfg->tcp_linger_s = 1;
	cfg->pen = 32473;
	cfg->gtpu_port = BPFIX_GTPU_PORT;
}

void bpfix_config_free(struct bpfix_config *cfg)
{
	g_strfreev(cfg->collectors);
	g_strfreev(cfg->interfaces);
	g_free(cfg->direction);
	g_free(cfg->output);
	g_free(cfg->engine);
}

static void *slot(struct bpfix_config *cfg, const struct option_spec *o)
{
	return (char *)cfg + o->offset;
}

/* Check and store one value; @where says where it came from, for the message. */
static int set_value(struct bpfix_config *cfg, const struct option_spec *o, const char *text,
		     const char *where, bool append)
{
	unsigned long long v;
	char *end;

	switch (o->type) {
	case VALUE_U32:
		errno = 0;
		v = strtoull(text, &end, 10);
		if (errno || end == text || *end || text[0] == '-' || v < o->min || v > o->max) {
			bpfix_err("%s takes a whole number from %u to %u, not '%s'\n", where, o->min,
				  o->max, text);
			return -EINVAL;
		}
		*(__u32 *)slot(cfg, o) = (__u32)v;
		return 0;
	case VALUE_CHOICE:
		if (!g_strv_contains(o->choices, text)) {
			bpfix_err("%s takes %s, not '%s'\n", where, o->metavar, text);
			return -EINVAL;
		}
		/* fall through */
	case VALUE_STRING:
		g_free(*(char **)slot(cfg, o));
		*(char **)slot(cfg, o) = *text ? g_strdup(text) : NULL;
		return 0;
	case VALUE_COLLECTORS: {
		char host[256], port[8];

		if (*text && bpfix_split_hostport(text, host, sizeof(host), port, sizeof(port))) {
			bpfix_err("%s takes HOST:PORT ([ADDR]:PORT for IPv6, port 1-65535), not '%s'\n",
				  where, text);
			return -EINVAL;
		}
	}
		/* fall through */
	case VALUE_STRING_LIST: {
		char ***list = slot(cfg, o);
		guint n = append ? g_strv_length(*list) : 0;

		if (!append) {
			g_strfreev(*list);
			*list = g_new0(char *, 1);
		}
		if (!*text)
			return 0;
		*list = g_renew(char *, *list, n + 2);
		(*list)[n] = g_strdup(text);
		(*list)[n + 1] = NULL;
		return 0;
	}
	}
	return -EINVAL;
}

static const struct option_spec *find_key(const char *section, const char *key)
{
	const struct option_spec *o;

	for (o = options; o->name; o++)
		if (o->section && !strcmp(o->section, section) && !strcmp(o->key, key))
			return o;
	return NULL;
}

static int load_keys(struct bpfix_config *cfg, GKeyFile *kf, const char *path)
{
	gchar **groups = g_key_file_get_groups(kf, NULL), **keys;
	const struct option_spec *o;
	char where[512];
	int err = 0;
	gsize i, j;

	for (i = 0; groups[i] && !err; i++) {
		keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
		for (j = 0; keys && keys[j] && !err; j++) {
			gchar *value = g_key_file_get_value(kf, groups[i], keys[j], NULL);
			gchar **items;
			gsize k;

			snprintf(where, sizeof(where), "%s: [%s] %s", path, groups[i], keys[j]);
			o = find_key(groups[i], keys[j]);
			if (!o) {
				bpfix_err("%s: unknown key (see etc/bpfix.conf or bpfix --print-config)\n",
					  where);
				err = -EINVAL;
			} else if (o->type == VALUE_STRING_LIST || o->type == VALUE_COLLECTORS) {
				items = g_strsplit(value, ";", -1);
				set_value(cfg, o, "", where, false);
				for (k = 0; items[k] && !err; k++) {
					g_strstrip(items[k]);
					if (*items[k])
						err = set_value(cfg, o, items[k], where, true);
				}
				g_strfreev(items);
			} else {
				err = set_value(cfg, o, g_strstrip(value), where, false);
			}
			g_free(value);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return err;
}

int bpfix_config_load_file(struct bpfix_config *cfg, const char *path)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	int err;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
		/* GLib's parse messages name the offending line */
		bpfix_err("config file %s: %s\n", path, gerr->message);
		err = gerr->domain == G_FILE_ERROR ? -ENOENT : -EINVAL;
		g_error_free(gerr);
		g_key_file_free(kf);
		return err;
	}
	err = load_keys(cfg, kf, path);
	g_key_file_free(kf);
	return err;
}

static void build_longopts(struct option *longopts)
{
	const struct option_spec *o;
	int n = 0;

	for (o = options; o->name; o++, n++)
		longopts[n] = (struct option){ o->name, required_argument, NULL, n + 0x100 };
	longopts[n++] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
	longopts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	longopts[n] = (struct option){ 0 };
}

static int short_to_index(int c)
{
	int i;

	for (i = 0; options[i].name; i++)
		if (options[i].short_name && options[i].short_name == c)
			return i;
	return -1;
}

int bpfix_config_parse_args(struct bpfix_config *cfg, int argc, char **argv, int *first_operand)
{
	struct option longopts[sizeof(options) / sizeof(options[0]) + 2];
	const char *shortopts = "c:ho:i:"; /* options may follow the captures, as with most tools */
	bool given[sizeof(options) / sizeof(options[0])] = { false };
	char where[64];
	int c, idx, err;

	build_longopts(longopts);
	/* pass 1: the config file, so the command line overrides it whatever the order */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == OPT_CONFIG) {
			err = bpfix_config_load_file(cfg, optarg);
			if (err)
				return err;
		}
	}
	/* pass 2: everything else */
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == OPT_CONFIG)
			continue;
		if (c == OPT_HELP)
			return BPFIX_CONFIG_HELP;
		idx = c >= 0x100 ? c - 0x100 : short_to_index(c);
		if (idx < 0)
			return -EINVAL; /* getopt printed why */
		snprintf(where, sizeof(where), "--%s", options[idx].name);
		/* a list's first option replaces the file's list, the next ones add to it */
		err = set_value(cfg, &options[idx], optarg, where, given[idx]);
		if (err)
			return err;
		given[idx] = true;
	}
	*first_operand = optind;
	return 0;
}

void bpfix_config_print_options(FILE *out)
{
	const struct option_spec *o;
	struct bpfix_config defaults;
	char left[64];

	bpfix_config_init(&defaults);
	for (o = options; o->name; o++) {
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s %s", o->short_name, o->name, o->metavar);
		else
			snprintf(left, sizeof(left), "    --%s %s", o->name, o->metavar);
		fprintf(out, "  %-30s %s", left, o->help);
		if (o->type == VALUE_U32)
			fprintf(out, " (default %u)", *(__u32 *)slot(&defaults, o));
		fprintf(out, "; [%s] %s\n", o->section, o->key);
	}
	bpfix_config_free(&defaults);
	fprintf(out, "  %-30s %s\n", "-c, --config FILE",
		"read options from this config file first (see etc/bpfix.conf)");
	fprintf(out, "  %-30s %s\n", "-h, --help", "show this help");
}

void bpfix_config_print(const struct bpfix_config *cfg, FILE *out)
{
	const struct option_spec *o;
	const char *section = NULL;

	fprintf(out, "# bpfix configuration (bpfix replay -c FILE). Every key, with its value;\n"
		     "# command-line options override the file.\n");
	for (o = options; o->name; o++) {
		const void *value = (const char *)cfg + o->offset;

		if (!section || strcmp(section, o->section)) {
			section = o->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fprintf(out, "# %s\n%s = ", o->help, o->key);
		switch (o->type) {
		case VALUE_U32:
			fprintf(out, "%u\n", *(const __u32 *)value);
			break;
		case VALUE_STRING:
		case VALUE_CHOICE:
			fprintf(out, "%s\n", *(char *const *)value ? *(char *const *)value : "");
			break;
		case VALUE_STRING_LIST:
		case VALUE_COLLECTORS: {
			gchar *joined = g_strjoinv(";", *(char **const *)value);

			fprintf(out, "%s\n", joined);
			g_free(joined);
			break;
		}
		}
	}
}
