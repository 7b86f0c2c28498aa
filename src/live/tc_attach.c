// SPDX-License-Identifier: GPL-2.0-only
/*
 * clsact attachment with libbpf's bpf_tc_* API (libbpf 1.1 has no tcx). libbpf cannot list a
 * hook's filters, so whether a clsact we created is empty again is asked of the kernel with an
 * RTM_GETTFILTER dump over rtnetlink. This file does not load programs.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "util/log.h"
#include "live/tc_attach.h"
#include "live/tc_owner.h"

struct bpfix_tc_attachment {
	char ifname[IF_NAMESIZE];
	int ifindex;
	struct bpfix_tc_place place;
	bool created_clsact;
	bool attached[2]; /* by enum bpf_tc_attach_point: ingress, egress */
	int owner_fd;	  /* our claim on the handle (tc_owner.h) while attached */
};

static const enum bpf_tc_attach_point points[2] = { BPF_TC_INGRESS, BPF_TC_EGRESS };
static const char *const point_names[2] = { "ingress", "egress" };

static int detach_one(struct bpfix_tc_attachment *a, int i)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex, .attach_point = points[i]);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = a->place.handle, .priority = a->place.priority);
	int err = bpf_tc_detach(&hook, &opts);

	a->attached[i] = false;
	/* ENODEV: the interface went away meanwhile, and our filter with it */
	if (err && err != -ENOENT && err != -ENODEV) {
		bpfix_err("cannot detach from %s %s: %s\n", a->ifname, point_names[i], strerror(-err));
		return err;
	}
	return 0;
}

/* Filters left under one clsact hook (any owner), or a negative errno. */
static int count_filters(int ifindex, __u32 parent)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
			.nlmsg_type = RTM_GETTFILTER,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = parent },
	};
	char buf[16384];
	int fd, n, count = 0, err = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		err = -errno;
	while (!err && !done) {
		struct nlmsghdr *nh;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			err = -errno;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				break;
			}
			/* one message per filter chain element; the chain head has no handle */
			if (nh->nlmsg_type == RTM_NEWTFILTER &&
			    ((struct tcmsg *)NLMSG_DATA(nh))->tcm_handle)
				count++;
		}
	}
	close(fd);
	return err ? err : count;
}

/* Remove the clsact qdisc if we created it and nobody else's filter is on it now. */
static int restore_qdisc(struct bpfix_tc_attachment *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int in, out, err;

	if (!a->created_clsact)
		return 0;
	in = count_filters(a->ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
	out = count_filters(a->ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));
	if (in == -ENODEV || out == -ENODEV)
		return 0; /* the interface is gone, its qdisc with it */
	if (in < 0 || out < 0) {
		bpfix_warn("cannot list the filters on %s (%s): its clsact qdisc is left in place\n",
			   a->ifname, strerror(-(in < 0 ? in : out)));
		return 0;
	}
	if (in || out)
		return 0; /* someone attached after us: theirs stays */
	err = bpf_tc_hook_destroy(&hook);
	if (err && err != -ENOENT && err != -EINVAL) {
		bpfix_err("cannot remove the clsact qdisc bpfix created on %s: %s\n", a->ifname,
			  strerror(-err));
		return err;
	}
	return 0;
}

int bpfix_tc_detach(struct bpfix_tc_attachment *a)
{
	int i, err, first = 0;

	if (!a)
		return 0;
	for (i = 0; i < 2; i++) {
		if (!a->attached[i])
			continue;
		err = detach_one(a, i);
		first = first ? first : err;
	}
	err = restore_qdisc(a);
	first = first ? first : err;
	bpfix_tc_owner_release(a->owner_fd);
	free(a);
	return first;
}

static void explain_attach_error(const struct bpfix_tc_attachment *a, const char *what, int err)
{
	if (err == -EPERM || err == -EACCES)
		bpfix_err("cannot %s on %s (%s): attaching needs CAP_NET_ADMIN; run as root or grant "
			  "it\n", what, a->ifname, strerror(-err));
	else
		bpfix_err("cannot %s on %s: %s\n", what, a->ifname, strerror(-err));
}

void bpfix_tc_forget(struct bpfix_tc_attachment *a)
{
	if (a)
		bpfix_tc_owner_release(a->owner_fd);
	free(a);
}

const char *bpfix_tc_ifname(const struct bpfix_tc_attachment *a)
{
	return a->ifname;
}

void bpfix_tc_hooks(const struct bpfix_tc_attachment *a, bool *ingress, bool *egress)
{
	*ingress = a->attached[0];
	*egress = a->attached[1];
}

struct bpfix_tc_attachment *bpfix_tc_attach(const char *ifname, int ingress_fd, int egress_fd,
					    const struct bpfix_tc_place *place)
{
	struct bpfix_tc_attachment *a = calloc(1, sizeof(*a));
	const int fds[2] = { ingress_fd, egress_fd };
	int i, err;

	if (!a)
		return NULL;
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	a->place = *place;
	a->ifindex = if_nametoindex(ifname);
	if (!a->ifindex) {
		err = -errno;
		bpfix_err("no interface '%s' (%s): check the name with 'ip link'\n", ifname,
			  strerror(errno));
		free(a);
		errno = -err;
		return NULL;
	}
	/* before anything is touched: a live bpfix's filters at this handle are not ours */
	a->owner_fd = bpfix_tc_owner_claim(a->ifindex, a->ifname, place);
	if (a->owner_fd < 0) {
		err = a->owner_fd;
		free(a);
		errno = -err;
		return NULL;
	}
	{
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex, .attach_point = BPF_TC_INGRESS);

		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			explain_attach_error(a, "create the clsact qdisc", err);
			goto fail;
		}
		a->created_clsact = !err;
	}
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex, .attach_point = points[i]);
		/* replace: a filter at our claimed handle is left over from a killed bpfix */
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = fds[i], .flags = BPF_TC_F_REPLACE,
			    .handle = place->handle, .priority = place->priority);

		if (fds[i] < 0)
			continue;
		err = bpf_tc_attach(&hook, &opts);
		if (err) {
			char what[64];

			snprintf(what, sizeof(what), "attach the %s program", point_names[i]);
			explain_attach_error(a, what, err);
			goto fail;
		}
		a->attached[i] = true;
	}
	return a;
fail:
	bpfix_tc_detach(a); /* nothing half-done stays behind */
	errno = -err;
	return NULL;
}

int bpfix_tc_ifindex(const struct bpfix_tc_attachment *a)
{
	return a->ifindex;
}
