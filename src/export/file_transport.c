// SPDX-License-Identifier: GPL-2.0-only
/*
 * A file (or standard output) as a transport: each message written whole, or counted as lost
 * with the cause. A file loses nothing silently and has no receiver to restart, so nothing is
 * held back or resent here; nor is anything buffered: a message is in the file once sent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "export/transport.h"
#include "util/log.h"

struct file_transport {
	struct bpfix_transport base;
	int fd;
};

static bool file_ready(struct bpfix_transport *t)
{
	(void)t;
	return true;
}

static int file_send(struct bpfix_transport *t, const void *msg, size_t len, __u64 records,
		     bool templates)
{
	struct file_transport *f = (struct file_transport *)t;
	off_t start = lseek(f->fd, 0, SEEK_CUR); /* -1 on a pipe */
	const char *p = msg;
	size_t done = 0;
	char why[sizeof(t->why)];
	ssize_t rc = 0;
	int err;

	(void)templates;
	while (done < len) {
		rc = write(f->fd, p + done, len - done);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		done += rc;
	}
	if (done == len) {
		bpfix_transport_count_sent(t, len, records);
		return 0;
	}
	err = rc < 0 ? errno : ENOSPC; /* write() gives 0 only when there is no room */
	/* the file ends on a whole message: a decoder must not meet half of one */
	if (done && start >= 0 && (ftruncate(f->fd, start) || lseek(f->fd, start, SEEK_SET) < 0))
		bpfix_warn("%s: cannot cut the partly written message off: %s\n", t->name,
			   strerror(errno));
	snprintf(why, sizeof(why), "cannot write: %s", strerror(err));
	bpfix_transport_count_lost(t, 1, len, records, why);
	return -err;
}

static void file_lost(struct bpfix_transport *t, __u64 messages, __u64 records, const char *why)
{
	bpfix_transport_count_lost(t, messages, 0, records, why);
}

static void file_close(struct bpfix_transport *t)
{
	struct file_transport *f = (struct file_transport *)t;

	close(f->fd);
	g_free(t->name);
	free(f);
}

static const struct bpfix_transport_ops file_ops = {
	.ready = file_ready,
	.send = file_send,
	.lost = file_lost,
	.close = file_close,
};

struct bpfix_transport *bpfix_file_transport__new(const char *path, bool append, const char *proto)
{
	struct file_transport *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return NULL;
	/* "-": standard output */
	f->fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
					 (append ? O_APPEND : O_TRUNC), 0666)
				  : fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
	if (f->fd < 0) {
		err = errno;
		bpfix_err("cannot write %s file %s: %s\n", proto, path, strerror(err));
		free(f);
		errno = err;
		return NULL;
	}
	f->base.ops = &file_ops;
	f->base.name = g_strdup_printf("file %s", path);
	f->base.proto = proto;
	f->base.hint = "is there room on its file system?";
	return &f->base;
}
