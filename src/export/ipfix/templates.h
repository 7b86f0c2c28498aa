/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal to export/ipfix: the templates and elements bpfix exports (the record conversion is
 * record_layout.h's).
 * Template ids: internal ones are private to a session; external ids are what collectors see.
 */
#ifndef BPFIX_IPFIX_TEMPLATES_H
#define BPFIX_IPFIX_TEMPLATES_H

#include <stdbool.h>

#include <fixbuf/public.h>

#include "flow/record.h"
#include "export/ipfix/record_layout.h"

#define BPFIX_TID_MEMORY 0x1000	       /* the flow record in memory (internal) */
#define BPFIX_TID_FIRST 256	       /* external flow templates: one per shape from here */
#define BPFIX_TID_STATS_SUMMARY 0x1001 /* statistics: same id inside and on the wire */
#define BPFIX_TID_STATS_COUNTER 0x1002
#define BPFIX_TID_TYPE_RECORDS 0x1003  /* RFC 5610 element type records (statistics' domain) */
#define BPFIX_MAX_EXTERNAL 32	       /* external templates of one domain, at most */

/* Our elements for fbInfoModelAddElementArray (which keeps the pointer: free after the model). */
fbInfoElement_t *bpfix_ipfix_new_elements(__u32 pen);
/* The internal template of the flow record in memory (record_layout.h), BPFIX_TID_MEMORY. */
gboolean bpfix_ipfix_add_memory_template(fbInfoModel_t *model, fbSession_t *session, GError **err);
/* The flow templates (that one and the external ones), in the session's current domain. */
gboolean bpfix_ipfix_add_flow_templates(fbInfoModel_t *model, fbSession_t *session, GError **err);
/*
 * The statistics templates and the RFC 5610 type-record template: internal, and external in
 * BPFIX_STATS_DOMAIN; back to @flow_domain.
 */
gboolean bpfix_ipfix_add_stats_templates(fbInfoModel_t *model, fbSession_t *session,
					 uint32_t flow_domain, GError **err);
/*
 * The external templates of the flows' domain (@stats false) or of the statistics' one, type
 * records aside, in the order they go out, into @tids (BPFIX_MAX_EXTERNAL); their count.
 */
size_t bpfix_ipfix_external_tids(bool stats, uint16_t *tids);
/* Octets of external template @tid of the session's current domain in a set of its own. */
size_t bpfix_ipfix_template_octets(fbSession_t *session, uint16_t tid);
/* The external template of a record's shape. */
uint16_t bpfix_ipfix_template_id(const struct bpfix_record *rec);

#endif /* BPFIX_IPFIX_TEMPLATES_H */
