/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow records read back from an IPFIX file (RFC 5655), for `bpfix report`: the file's framing is
 * checked first (every message whole, version 10, so a file cut short or that is no IPFIX is
 * named as such), then libfixbuf decodes each data record of a flow template into the in-memory
 * flow record of templates/flow.def (record_layout.h), whichever template it came in, with the
 * shape that template had. Options records (exporter statistics, RFC 5610 type records) are
 * skipped. What the records add up to is src/report/'s; fixbuf stays in export/ipfix/.
 */
#ifndef BPFIX_IPFIX_READER_H
#define BPFIX_IPFIX_READER_H

#include <stdint.h>

#include "export/ipfix/record_layout.h"

/* One flow record as its template gave it. */
struct bpfix_read_flow {
	struct bpfix_ipfix_flow flow; /* a field its template lacks is 0 */
	uint32_t shape;		      /* BPFIX_SHAPE_* of the fields its template had */
};

/* A record to the caller; a non-zero return (negative errno) stops the reading with it. */
typedef int (*bpfix_read_flow_fn)(const struct bpfix_read_flow *r, void *arg);

struct bpfix_read_totals {
	uint64_t messages;	/* IPFIX messages in the file */
	uint64_t flow_records;	/* handed to the callback */
	uint64_t other_records; /* options records: statistics, element type records */
};

/*
 * Hand every flow record of the IPFIX file @path to @fn, in file order. @pen: the private
 * enterprise number bpfix's own elements have in it. Returns 0, the callback's error, or a
 * negative errno after printing what is wrong with the file: it cannot be read (-errno), it is
 * empty, no IPFIX or cut short (-EINVAL), its records carry bpfix's elements under another
 * enterprise number (-ENOENT, naming it), libfixbuf refused a message (-EIO).
 */
int bpfix_ipfix_read_file(const char *path, uint32_t pen, bpfix_read_flow_fn fn, void *arg,
			  struct bpfix_read_totals *totals);

#endif /* BPFIX_IPFIX_READER_H */
