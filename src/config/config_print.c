// SPDX-License-Identifier: GPL-2.0-only
/*
 * The printers of the option table: the option lines of --help and --print-config (a commented
 * config file with every key, its help and default). They read a configuration, never change one.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "config/option_table.h"

/* "run: " or "replay: " for an option of one subcommand only, else "". */
static const char *mode_prefix(const struct option_spec *o)
{
	switch (bpfix_option_modes(o)) {
	case BPFIX_MODE_RUN:
		return "run: ";
	case BPFIX_MODE_REPLAY:
		return "replay: ";
	default:
		return "";
	}
}

void bpfix_config_print_options(FILE *out, enum bpfix_mode modes)
{
	const struct option_spec *o;
	struct bpfix_config defaults;
	char left[64];

	bpfix_config_init(&defaults);
	for (o = bpfix_options; o->name; o++) {
		if (!(bpfix_option_modes(o) & modes))
			continue;
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
				 *o->metavar ? " " : "", o->metavar);
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 *o->metavar ? " " : "", o->metavar);
		/* a subcommand's own help names no subcommand */
		fprintf(out, "  %-30s %s%s", left, modes == BPFIX_MODE_ALL ? mode_prefix(o) : "",
			o->help);
		if (o->type == VALUE_U32)
			fprintf(out, " (default %u)", *(__u32 *)bpfix_option_slot(&defaults, o));
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
		def = g_strdup_printf("%u", *(__u32 *)bpfix_option_slot(defaults, o));
	else if (o->type == VALUE_CHOICE)
		def = g_strdup(o->choices[*(int *)bpfix_option_slot(defaults, o)]);
	else if (o->type == VALUE_STRING && *(char **)bpfix_option_slot(defaults, o))
		def = g_strdup(*(char **)bpfix_option_slot(defaults, o));
	else if (o->type == VALUE_FLAG)
		def = g_strdup(*(bool *)bpfix_option_slot(defaults, o) ? "true" : "false");
	else
		def = g_strdup("empty");
	text = g_strdup_printf("%s%s (default: %s)", mode_prefix(o), o->help, def);
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
	for (o = bpfix_options; o->name; o++) {
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
		case VALUE_CHOICE:
			fprintf(out, "%s\n", o->choices[*(const int *)value]);
			break;
		case VALUE_FLAG:
			fprintf(out, "%s\n", *(const bool *)value ? "true" : "false");
			break;
		case VALUE_STRING:
		case VALUE_LISTEN:
			fprintf(out, "%s\n", *(char *const *)value ? *(char *const *)value : "");
			break;
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
