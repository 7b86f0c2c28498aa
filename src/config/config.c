// SPDX-License-Identifier: GPL-2.0-only
/*
 * The option table and what reads it: getopt_long for the command line, GKeyFile for the config
 * file, and the printers for --help and --print-config. Values are checked once, here, with
 * messages that say where the value came from and what is accepted. GError stays in this file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bpfix_flow.h"
#include "config/config.h"
#include "export/ipfix/ipfix.h"
#include "util/log.h"
#include "live/tc_attach.h"

enum value_type {
	VALUE_U32,
	VALUE_STRING,
	VALUE_STRING_LIST, /* repeatable on the command line; ';'-separated in the file */
	VALUE_CHOICE,	   /* one of the option's choices */
	VALUE_COLLECTORS,  /* a VALUE_STRING_LIST of HOST:PORT */
	VALUE_INTERFACES,  /* a VALUE_STRING_LIST of NAME-or-GLOB[:DIRECTION] */
	VALUE_LISTEN,	   /* [ADDR:]PORT, or empty: off */
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
static const char *const log_levels[] = { "error", "warning", "info", "debug", NULL };

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
	  "idle timeout of other flows (SCTP, GRE, any protocol but TCP, UDP and ICMP); 0: "
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
	{ "interface", 'i', "live", "interfaces", VALUE_INTERFACES, FIELD(interfaces), 0, 0,
	  "IF[:DIR]", "run: meter this interface, or every interface matching a glob such as "
	  "'veth*' (also those that appear later), on the hooks DIR (both, ingress or egress; "
	  "default: direction); repeat for several (in the file: separated by ';')", NULL },
	{ "direction", 0, "live", "direction", VALUE_CHOICE, FIELD(direction), 0, 0,
	  "both|ingress|egress", "run: the clsact hooks of interfaces without their own :DIR",
	  directions },
	{ "tc-handle", 0, "live", "tc_handle", VALUE_U32, FIELD(tc_handle), 1, UINT32_MAX, "N",
	  "run: handle of bpfix's tc filters; a restart replaces filters at this handle and "
	  "priority (a killed bpfix's), so give each bpfix on a host its own", NULL },
	{ "tc-priority", 0, "live", "tc_priority", VALUE_U32, FIELD(tc_priority), 1, 65535, "N",
	  "run: priority of bpfix's tc filters (1 runs first, before filters that may drop)", NULL },
	{ "sweep-interval", 0, "live", "sweep_interval", VALUE_U32, FIELD(sweep_interval_s), 1, 60,
	  "S", "run: read the flow map and export what ended every S seconds", NULL },
	{ "log-level", 0, "log", "level", VALUE_CHOICE, FIELD(log_level), 0, 0,
	  "error|warning|info|debug", "run: what bpfix logs on stderr (info: also periodic "
	  "statistics; debug: also libbpf's log)", log_levels },
	{ "metrics", 0, "metrics", "listen", VALUE_LISTEN, FIELD(metrics), 0, 0, "[ADDR:]PORT",
	  "run: serve Prometheus text metrics over HTTP here (a port alone: on 127.0.0.1); empty: "
	  "off", NULL },
	{ "engine", 0, "replay", "engine", VALUE_CHOICE, FIELD(engine), 0, 0, "host|kernel",
	  "replay engine: host (the parser and accounting compiled for the host; no privilege) or "
	  "kernel (the TC program itself under BPF_PROG_TEST_RUN; needs root)", engines },
	{ 0 },
};

#define OPT_CONFIG 'c'
#define OPT_HELP 'h'
#define OPT_PRINT_CONFIG 0x80

void bpfix_config_init(struct bpfix_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->collectors = g_new0(char *, 1);
	cfg->interfaces = g_new0(char *, 1);
	cfg->direction = g_strdup("both");
	cfg->tc_handle = BPFIX_TC_HANDLE;
	cfg->tc_priority = BPFIX_TC_PRIORITY;
	cfg->sweep_interval_s = 1;
	cfg->log_level = g_strdup("info");
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
	g_free(cfg->log_level);
	g_free(cfg->metrics);
	g_free(cfg->output);
	g_free(cfg->engine);
}

static void *slot(struct bpfix_config *cfg, const struct option_spec *o)
{
	return (char *)cfg + o->offset;
}

void bpfix_config_split_interface(const char *entry, const char *default_direction,
				  char pattern[16], const char **direction)
{
	const char *colon = strchr(entry, ':');
	size_t n = colon ? (size_t)(colon - entry) : strlen(entry);

	snprintf(pattern, 16, "%.*s", (int)(n < 15 ? n : 15), entry);
	*direction = colon ? colon + 1 : default_direction;
}

static bool interface_valid(const char *entry)
{
	const char *colon = strchr(entry, ':');
	size_t n = colon ? (size_t)(colon - entry) : strlen(entry), i;

	if (!n || n > 15 || (colon && !g_strv_contains(directions, colon + 1)))
		return false;
	for (i = 0; i < n; i++)
		if (entry[i] == '/' || g_ascii_isspace(entry[i]))
			return false;
	return true;
}

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

/* Check and store one value; @where says where it came from, for the message. */
static int set_value(struct bpfix_config *cfg, const struct option_spec *o, const char *text,
		     const char *where, bool append)
{
	unsigned long long v;
	char *end;

	switch (o->type) {
	case VALUE_U32:
		errno = 0;
		v = strtoull(text, &end, g_str_has_prefix(text, "0x") ? 16 : 10);
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
	case VALUE_LISTEN:
		if (*text && !listen_valid(text)) {
			bpfix_err("%s takes [ADDR:]PORT (ADDR an IP address, [ADDR] for IPv6, port "
				  "1-65535), not '%s'\n", where, text);
			return -EINVAL;
		}
		g_free(*(char **)slot(cfg, o));
		*(char **)slot(cfg, o) = *text ? g_strdup(text) : NULL;
		return 0;
	case VALUE_INTERFACES:
		if (*text && !interface_valid(text)) {
			bpfix_err("%s takes NAME[:DIR]: an interface name or glob of 1-15 characters "
				  "without '/', ':' or spaces, DIR both, ingress or egress; not '%s'\n",
				  where, text);
			return -EINVAL;
		}
		goto list;
	case VALUE_COLLECTORS: {
		char host[256], port[8];

		if (*text && bpfix_split_hostport(text, host, sizeof(host), port, sizeof(port))) {
			bpfix_err("%s takes HOST:PORT ([ADDR]:PORT for IPv6, port 1-65535), not '%s'\n",
				  where, text);
			return -EINVAL;
		}
	}
		/* fall through */
	case VALUE_STRING_LIST:
	list: {
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

static bool known_section(const char *name)
{
	const struct option_spec *o;

	for (o = options; o->name; o++)
		if (o->section && !strcmp(o->section, name))
			return true;
	return false;
}

static gchar *section_list(void)
{
	GString *list = g_string_new(NULL);
	const struct option_spec *o;

	for (o = options; o->name; o++)
		if (o->section && !strstr(list->str, o->section))
			g_string_append_printf(list, "%s%s", list->len ? ", " : "", o->section);
	return g_string_free(list, FALSE);
}

static gchar *pos_key(const char *group, const char *key)
{
	return g_strdup_printf("%s\n%s", group, key);
}

/*
 * Check the file's shape line by line, as GKeyFile does not say where things are: every line a
 * comment, a known [section] or a key = value inside one, no key twice. Returns the line of each
 * "section\nkey", or NULL after printing FILE:LINE: and what is wrong.
 */
static GHashTable *scan_file(const char *path, const gchar *text)
{
	GHashTable *lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gchar **all = g_strsplit(text, "\n", -1), *group = NULL, *name, *key, *msg = NULL;
	int i, first;

	for (i = 0; all[i] && !msg; i++) {
		gchar *line = g_strstrip(all[i]);

		if (!*line || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			g_free(group);
			group = g_strndup(line + 1, strcspn(line + 1, "]"));
			if (line[strlen(line) - 1] != ']' || strchr(group, '[')) {
				msg = g_strdup_printf("'%s' is not a [section] header", line);
			} else if (!known_section(group)) {
				name = section_list();
				msg = g_strdup_printf("[%s]: unknown section (%s)", group, name);
				g_free(name);
			}
			continue;
		}
		if (!strchr(line, '=')) {
			msg = g_strdup_printf("'%s' is not KEY = VALUE, a [section] or a # comment", line);
			continue;
		}
		if (!group) {
			msg = g_strdup_printf("'%s' comes before any [section]", line);
			continue;
		}
		name = g_strstrip(g_strndup(line, strcspn(line, "=")));
		key = pos_key(group, name);
		first = GPOINTER_TO_INT(g_hash_table_lookup(lines, key));
		if (first)
			msg = g_strdup_printf("[%s] %s: duplicate key (first on line %d)", group, name,
					      first);
		g_hash_table_insert(lines, key, GINT_TO_POINTER(i + 1));
		g_free(name);
	}
	if (msg) {
		bpfix_err("%s:%d: %s\n", path, i, msg);
		g_hash_table_destroy(lines);
		lines = NULL;
	}
	g_free(msg);
	g_free(group);
	g_strfreev(all);
	return lines;
}

static int key_line(GHashTable *lines, const char *group, const char *key)
{
	gchar *k = pos_key(group, key);
	int line = GPOINTER_TO_INT(g_hash_table_lookup(lines, k));

	g_free(k);
	return line;
}

static int load_keys(struct bpfix_config *cfg, GKeyFile *kf, const char *path, GHashTable *lines)
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

			snprintf(where, sizeof(where), "%s:%d: [%s] %s", path,
				 key_line(lines, groups[i], keys[j]), groups[i], keys[j]);
			o = find_key(groups[i], keys[j]);
			if (!o) {
				bpfix_err("%s: unknown key (see etc/bpfix.conf or bpfix --print-config)\n",
					  where);
				err = -EINVAL;
			} else if (o->type == VALUE_STRING_LIST || o->type == VALUE_COLLECTORS ||
				   o->type == VALUE_INTERFACES) {
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
	GHashTable *lines = NULL;
	GError *gerr = NULL;
	gchar *text = NULL;
	gsize len;
	int err;

	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		/* GLib's message repeats the path; the system's reason is enough */
		bpfix_err("config file %s: %s\n", path,
			  g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_ISDIR) ? "Is a directory" :
			  g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? strerror(ENOENT) :
			  g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_ACCES) ? strerror(EACCES) :
			  gerr->message);
		g_error_free(gerr);
		g_key_file_free(kf);
		return -ENOENT;
	}
	lines = scan_file(path, text);
	if (!lines) {
		err = -EINVAL;
	} else if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &gerr)) {
		bpfix_err("config file %s: %s\n", path, gerr->message); /* scan_file missed it */
		g_error_free(gerr);
		err = -EINVAL;
	} else {
		err = load_keys(cfg, kf, path, lines);
	}
	if (lines)
		g_hash_table_destroy(lines);
	g_free(text);
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
	longopts[n++] = (struct option){ "print-config", no_argument, NULL, OPT_PRINT_CONFIG };
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
	struct option longopts[sizeof(options) / sizeof(options[0]) + 3];
	/* ':' first: a missing value is told apart; options may follow the captures */
	const char *shortopts = ":c:ho:i:";
	bool given[sizeof(options) / sizeof(options[0])] = { false };
	bool print = false;
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
	/* pass 2: everything else; getopt's own messages would name the subcommand, not bpfix */
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == OPT_CONFIG)
			continue;
		if (c == OPT_HELP)
			return BPFIX_CONFIG_HELP;
		if (c == OPT_PRINT_CONFIG) {
			print = true;
			continue;
		}
		if (c == ':' || c == '?') {
			const char *arg = argv[optind - 1];
			char shortname[3] = { '-', (char)optopt, 0 };

			if (strncmp(arg, "--", 2)) /* a short option, maybe in a group like -xo */
				arg = shortname;
			if (c == ':')
				bpfix_err("option '%.*s' needs a value\n", (int)strcspn(arg, "="), arg);
			else
				bpfix_err("unknown option '%.*s'\n", (int)strcspn(arg, "="), arg);
			return -EINVAL;
		}
		idx = c >= 0x100 ? c - 0x100 : short_to_index(c);
		snprintf(where, sizeof(where), "--%s", options[idx].name);
		/* a list's first option replaces the file's list, the next ones add to it */
		err = set_value(cfg, &options[idx], optarg, where, given[idx]);
		if (err)
			return err;
		given[idx] = true;
	}
	*first_operand = optind;
	return print ? BPFIX_CONFIG_PRINT : 0;
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
	fprintf(out, "  %-30s %s\n", "    --print-config",
		"print the configuration these options give, as a config file, and exit");
	fprintf(out, "  %-30s %s\n", "-h, --help", "show this help");
}

/* "# help (default: X)", wrapped at 100 columns */
static void print_comment(FILE *out, const struct option_spec *o, struct bpfix_config *defaults)
{
	gchar *text, *def = NULL, **words;
	size_t col = 1, i;

	if (o->type == VALUE_U32)
		def = g_strdup_printf("%u", *(__u32 *)slot(defaults, o));
	else if (o->type == VALUE_STRING || o->type == VALUE_CHOICE)
		def = g_strdup(*(char **)slot(defaults, o) ? *(char **)slot(defaults, o) : "empty");
	else
		def = g_strdup("empty");
	text = g_strdup_printf("%s (default: %s)", o->help, def);
	words = g_strsplit(text, " ", -1);
	fputc('#', out);
	for (i = 0; words[i]; i++) {
		if (col + 1 + strlen(words[i]) > 100) {
			fputs("\n#", out);
			col = 1;
		}
		col += fprintf(out, " %s", words[i]);
	}
	fputc('\n', out);
	g_strfreev(words);
	g_free(text);
	g_free(def);
}

void bpfix_config_print(const struct bpfix_config *cfg, FILE *out)
{
	const struct option_spec *o;
	const char *section = NULL;
	struct bpfix_config defaults;

	bpfix_config_init(&defaults);
	fprintf(out, "# bpfix configuration (bpfix run -c FILE, bpfix replay -c FILE). Every key, with\n"
		     "# its value; command-line options override the file. Lists are separated by ';'.\n");
	for (o = options; o->name; o++) {
		const void *value = (const char *)cfg + o->offset;

		if (!section || strcmp(section, o->section)) {
			section = o->section;
			fprintf(out, "\n[%s]\n", section);
		}
		print_comment(out, o, &defaults);
		fprintf(out, "%s = ", o->key);
		switch (o->type) {
		case VALUE_U32:
			fprintf(out, "%u\n", *(const __u32 *)value);
			break;
		case VALUE_STRING:
		case VALUE_CHOICE:
		case VALUE_LISTEN:
			fprintf(out, "%s\n", *(char *const *)value ? *(char *const *)value : "");
			break;
		case VALUE_STRING_LIST:
		case VALUE_COLLECTORS:
		case VALUE_INTERFACES: {
			gchar *joined = g_strjoinv(";", *(char **const *)value);

			fprintf(out, "%s\n", joined);
			g_free(joined);
			break;
		}
		}
	}
	bpfix_config_free(&defaults);
}
