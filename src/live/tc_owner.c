// SPDX-License-Identifier: GPL-2.0-only
/*
 * The claim on (interface, tc handle, priority): a listening abstract UNIX socket. Its owner's
 * pid, for the message, comes from SO_PEERCRED of a connection to it. No file, nothing to clean.
 */
#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "live/tc_owner.h"
#include "util/log.h"

static socklen_t owner_address(struct sockaddr_un *addr, int ifindex,
			       const struct bpfix_tc_place *place)
{
	int n;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	/* abstract: a leading NUL; the name's length is part of the address */
	n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "bpfix/tc/%d/%#x/%u",
		     ifindex, place->handle, place->priority);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* The pid listening on @addr, or 0 when it cannot be told. */
static pid_t owner_pid(const struct sockaddr_un *addr, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct ucred cred = { 0 };
	socklen_t cred_len = sizeof(cred);

	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)addr, len) ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len))
		cred.pid = 0;
	close(fd);
	return cred.pid;
}

int bpfix_tc_owner_claim(int ifindex, const char *ifname, const struct bpfix_tc_place *place)
{
	struct sockaddr_un addr;
	socklen_t len = owner_address(&addr, ifindex, place);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;
	pid_t pid;

	if (fd < 0) {
		err = -errno;
		bpfix_err("cannot claim the tc filters on %s: socket: %s\n", ifname, strerror(errno));
		return err;
	}
	if (!bind(fd, (const struct sockaddr *)&addr, len) && !listen(fd, 1))
		return fd;
	err = -errno;
	close(fd);
	if (err != -EADDRINUSE) {
		bpfix_err("cannot claim the tc filters on %s: %s\n", ifname, strerror(-err));
		return err;
	}
	pid = owner_pid(&addr, len);
	if (pid > 0)
		bpfix_err("%s is metered by another running bpfix (process %d) at tc handle %#x "
			  "priority %u: stop it, or give this one its own --tc-handle\n", ifname,
			  (int)pid, place->handle, place->priority);
	else
		bpfix_err("%s is metered by another running bpfix at tc handle %#x priority %u: stop "
			  "it, or give this one its own --tc-handle\n", ifname, place->handle,
			  place->priority);
	return -EBUSY;
}

void bpfix_tc_owner_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
