/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The numbers of IPFIX information elements named in templates/, for encoders that do not use
 * fixbuf (NetFlow v9, whose field types are IPFIX's numbers below 32768): fixbuf's information
 * model knows the IANA elements and templates/elements.def adds bpfix's. Names in, numbers out;
 * nothing is encoded here.
 */
#ifndef BPFIX_IPFIX_ELEMENT_IDS_H
#define BPFIX_IPFIX_ELEMENT_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpfix_element_id {
	uint16_t id;	 /* the element's number (without the enterprise bit) */
	bool enterprise; /* bpfix's own, under its private enterprise number; else IANA's */
};

/* Look up each of @names (@n of them) into @ids; 0, or -ENOENT for a name no model knows. */
int bpfix_ipfix_element_ids(const char *const *names, size_t n, struct bpfix_element_id *ids);

#endif /* BPFIX_IPFIX_ELEMENT_IDS_H */
