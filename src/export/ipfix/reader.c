// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading an IPFIX file back (reader.h): the framing checked with plain reads, then libfixbuf's
 * file collector transcodes every data record into the flow record in memory. Nothing here adds
 * records up or prints them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "export/ipfix/reader.h"
#include "export/ipfix/templates.h"
#include "util/log.h"

#define IPFIX_VERSION 10
#define MESSAGE_HEADER_LEN 16 /* RFC 7011 §3.1 */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Every message of the file @fd (@path) whole and of version 10, counted into *messages; 0, or
 * a negative errno after saying what is wrong (fixbuf stops quietly at a message cut short, as
 * at the end of a file).
 */
static int check_framing(int fd, const char *path, uint64_t *messages)
{
	uint8_t header[MESSAGE_HEADER_LEN];
	uint64_t offset = 0;
	uint16_t version, len;
	struct stat st;
	ssize_t got;

	*messages = 0;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		bpfix_err("%s: not a regular file (bpfix report reads an IPFIX file)\n", path);
		return -EINVAL;
	}
	for (; offset < (uint64_t)st.st_size; offset += len, (*messages)++) {
		got = pread(fd, header, sizeof(header), (off_t)offset);
		if (got < 0) {
			bpfix_err("%s: cannot read: %s\n", path, strerror(errno));
			return -errno;
		}
		version = got >= 2 ? get16(header) : 0;
		len = got >= 4 ? get16(header + 2) : MESSAGE_HEADER_LEN;
		if (got >= 2 && version != IPFIX_VERSION) {
			bpfix_err("%s: not an IPFIX file: the message at offset %llu has version %u "
				  "(IPFIX is 10%s)\n", path, (unsigned long long)offset, version,
				  version == 9 || version == 5 ? "; 9 and 5 are NetFlow" : "");
			return -EINVAL;
		}
		if (len < MESSAGE_HEADER_LEN) {
			bpfix_err("%s: not an IPFIX file: the message at offset %llu says it has %u "
				  "octets, fewer than its header\n", path, (unsigned long long)offset,
				  len);
			return -EINVAL;
		}
		if (offset + len > (uint64_t)st.st_size) {
			bpfix_err("%s: cut short: the IPFIX message at offset %llu has %u octets, the "
				  "file ends %llu octets into it (a copy not finished, or a writer "
				  "that was killed)\n", path, (unsigned long long)offset, len,
				  (unsigned long long)(st.st_size - offset));
			return -EINVAL;
		}
	}
	if (!*messages) {
		bpfix_err("%s: empty: no IPFIX message in it\n", path);
		return -EINVAL;
	}
	return 0;
}

/* What the collector needs: fixbuf's model with bpfix's elements, the session, the buffer. */
struct reader {
	fbInfoModel_t *model;
	fbInfoElement_t *elements;
	fBuf_t *buf;
	uint32_t pen;
};

/*
 * The shape bits a template's fields give; *foreign: the enterprise number of its elements if
 * they are all another's than @pen (a file written with another --enterprise-number), else 0.
 */
static uint32_t template_shape(fbTemplate_t *tmpl, uint32_t pen, uint32_t *foreign)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} marks[] = {
		{ "sourceIPv4Address", BPFIX_SHAPE_IPV4 },
		{ "sourceIPv6Address", BPFIX_SHAPE_IPV6 },
		{ "bpfixTunnelDestinationIPv4Address", BPFIX_SHAPE_OUTER4 | BPFIX_SHAPE_GTPU },
		{ "bpfixTunnelDestinationIPv6Address", BPFIX_SHAPE_OUTER6 | BPFIX_SHAPE_GTPU },
		{ "gtpuTEid", BPFIX_SHAPE_GTPU },
		{ "gtpuQFI", BPFIX_SHAPE_PDU },
		{ "bpfixTcpServerRttMicroseconds", BPFIX_SHAPE_TCP },
	};
	const fbInfoElement_t *ie;
	bool ours = false;
	uint32_t shape = 0, i, n = fbTemplateCountElements(tmpl);

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (fbTemplateContainsElementByName(tmpl, &(fbInfoElementSpec_t){
							  (char *)marks[i].name, 0, 0 }))
			shape |= marks[i].bit;
	*foreign = 0;
	for (i = 0; i < n; i++) {
		ie = fbTemplateGetIndexedIE(tmpl, i);
		if (ie->ent == pen)
			ours = true;
		else if (ie->ent && !*foreign)
			*foreign = ie->ent;
	}
	if (ours)
		*foreign = 0;
	return shape;
}

static void reader_free(struct reader *r)
{
	if (r->buf)
		fBufFree(r->buf); /* with its session and collector */
	if (r->model)
		fbInfoModelFree(r->model);
	g_free(r->elements);
}

static int reader_open(struct reader *r, const char *path, uint32_t pen)
{
	fbSession_t *session;
	fbCollector_t *coll;
	GError *err = NULL;

	memset(r, 0, sizeof(*r));
	r->pen = pen;
	r->model = fbInfoModelAlloc();
	r->elements = bpfix_ipfix_new_elements(pen);
	fbInfoModelAddElementArray(r->model, r->elements);
	session = fbSessionAlloc(r->model);
	if (!bpfix_ipfix_add_memory_template(r->model, session, &err)) {
		fbSessionFree(session);
		goto fail;
	}
	coll = fbCollectorAllocFile(NULL, path, &err);
	if (!coll) {
		fbSessionFree(session);
		goto fail;
	}
	r->buf = fBufAllocForCollection(session, coll);
	if (fBufSetInternalTemplate(r->buf, BPFIX_TID_MEMORY, &err))
		return 0;
fail:
	bpfix_err("%s: cannot read it: %s\n", path, err ? err->message : "libfixbuf failed");
	g_clear_error(&err);
	return -EIO;
}

/*
 * The next record into @out; 1, 0 at the end of the file, or a negative errno. *options: it is
 * an options record; *foreign: template_shape's.
 */
static int next_record(struct reader *r, const char *path, struct bpfix_read_flow *out,
		       bool *options, uint32_t *foreign)
{
	fbTemplate_t *tmpl;
	GError *err = NULL;
	uint16_t tid;
	size_t len = sizeof(out->flow);

	tmpl = fBufNextCollectionTemplate(r->buf, &tid, &err);
	if (tmpl) {
		*options = fbTemplateGetOptionsScope(tmpl) != 0;
		out->shape = template_shape(tmpl, r->pen, foreign);
		memset(&out->flow, 0, sizeof(out->flow));
		if (fBufNext(r->buf, (uint8_t *)&out->flow, &len, &err))
			return 1;
	}
	if (g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOF)) {
		g_clear_error(&err);
		return 0;
	}
	bpfix_err("%s: libfixbuf cannot decode it: %s\n", path, err ? err->message : "?");
	g_clear_error(&err);
	return -EIO;
}

int bpfix_ipfix_read_file(const char *path, uint32_t pen, bpfix_read_flow_fn fn, void *arg,
			  struct bpfix_read_totals *totals)
{
	struct bpfix_read_flow rec;
	struct reader r;
	uint32_t foreign;
	bool options;
	int fd, rc;

	memset(totals, 0, sizeof(*totals));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		bpfix_err("%s: cannot open: %s\n", path, strerror(errno));
		return rc;
	}
	rc = check_framing(fd, path, &totals->messages);
	close(fd);
	if (rc)
		return rc;
	rc = reader_open(&r, path, pen);
	while (!rc && (rc = next_record(&r, path, &rec, &options, &foreign)) == 1) {
		rc = 0;
		if (options) {
			totals->other_records++;
			continue;
		}
		if (foreign) {
			bpfix_err("%s: its flow records carry elements of enterprise number %u, not "
				  "%u: written with --enterprise-number %u? Give that to bpfix report\n",
				  path, foreign, pen, foreign);
			rc = -ENOENT;
			break;
		}
		totals->flow_records++;
		rc = fn(&rec, arg);
	}
	reader_free(&r);
	return rc;
}
