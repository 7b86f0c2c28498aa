// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config file: read with GKeyFile after a line scan of our own, since GKeyFile does not say
 * where things are, so every error names FILE:LINE. It stores values through the option table;
 * it knows no option by name. GError stays in this file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "config/option_table.h"

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
			} else if (!bpfix_option_section_known(group)) {
				name = bpfix_option_section_list();
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
			o = bpfix_option_by_key(groups[i], keys[j]);
			if (!o) {
				bpfix_err("%s: unknown key (see etc/bpfix.conf or bpfix --print-config)\n",
					  where);
				err = -EINVAL;
			} else if (bpfix_option_is_list(o)) {
				items = g_strsplit(value, ";", -1);
				bpfix_option_set(cfg, o, "", where, false);
				for (k = 0; items[k] && !err; k++) {
					g_strstrip(items[k]);
					if (*items[k])
						err = bpfix_option_set(cfg, o, items[k], where, true);
				}
				g_strfreev(items);
			} else {
				err = bpfix_option_set(cfg, o, g_strstrip(value), where, false);
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
	} else if (!g_key_file_load_from_data(kf, text, len,
					      /* else key[de] is dropped, not reported unknown */
					      G_KEY_FILE_KEEP_TRANSLATIONS, &gerr)) {
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
