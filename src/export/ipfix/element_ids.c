// SPDX-License-Identifier: GPL-2.0-only
/* Element names to numbers through fixbuf's information model and ours (element_ids.h). */
#include <errno.h>

#include <fixbuf/public.h>

#include "export/ipfix/element_ids.h"
#include "export/ipfix/templates.h"
#include "util/log.h"

int bpfix_ipfix_element_ids(const char *const *names, size_t n, struct bpfix_element_id *ids)
{
	fbInfoModel_t *model = fbInfoModelAlloc();
	fbInfoElement_t *ours = bpfix_ipfix_new_elements(1); /* any PEN: only numbers are asked */
	const fbInfoElement_t *ie;
	int err = 0;
	size_t i;

	fbInfoModelAddElementArray(model, ours);
	for (i = 0; i < n && !err; i++) {
		ie = fbInfoModelGetElementByName(model, names[i]);
		if (!ie) {
			bpfix_err("information element '%s' is unknown\n", names[i]);
			err = -ENOENT;
			break;
		}
		ids[i].id = ie->num;
		ids[i].enterprise = ie->ent != 0;
	}
	fbInfoModelFree(model);
	g_free(ours);
	return err;
}
