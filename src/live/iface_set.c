// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interface names and globs to clsact attachments, kept current with rtnetlink link events
 * (RTMGRP_LINK). An interface that failed to attach is not retried until it is recreated, so a
 * flapping link does not repeat the error on every event.
 */
#include <errno.h>
#include <fnmatch.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "live/iface_set.h"
#include "live/iface_spec.h"
#include "util/log.h"

struct spec {
	char pattern[16];
	bool ingress, egress;
};

struct bpfix_iface_set {
	struct bpfix_iface_set_opts opts; /* entries not kept: specs below */
	GArray *specs;			  /* struct spec, first match wins */
	GPtrArray *links;		  /* struct bpfix_tc_attachment * */
	GHashTable *failed;		  /* ifindexes whose attach failed */
	int nl_fd;
};

/* The entries were checked by the configuration; one that fails here is skipped. */
static GArray *parse_specs(char *const *entries, enum bpfix_hooks default_hooks)
{
	GArray *specs = g_array_new(FALSE, TRUE, sizeof(struct spec));
	struct bpfix_iface_spec parsed;
	size_t i;

	for (i = 0; entries[i]; i++) {
		struct spec s = { 0 };

		if (bpfix_iface_spec_parse(entries[i], default_hooks, &parsed))
			continue;
		memcpy(s.pattern, parsed.pattern, sizeof(s.pattern));
		s.ingress = bpfix_hooks_ingress(parsed.hooks);
		s.egress = bpfix_hooks_egress(parsed.hooks);
		g_array_append_val(specs, s);
	}
	return specs;
}

static bool is_glob(const char *pattern)
{
	return strpbrk(pattern, "*?[") != NULL;
}

/* A plain name must exist when it is configured; a glob waits for its interfaces. */
static int check_names(const GArray *specs)
{
	guint i;

	for (i = 0; i < specs->len; i++) {
		const struct spec *s = &g_array_index(specs, struct spec, i);

		if (!is_glob(s->pattern) && !if_nametoindex(s->pattern)) {
			bpfix_err("no interface '%s' (%s): check the name with 'ip link', or use a glob "
				  "such as '%s*' to meter it once it appears\n", s->pattern,
				  strerror(errno), s->pattern);
			return -ENODEV;
		}
	}
	return 0;
}

static const struct spec *match(const GArray *specs, const char *ifname)
{
	guint i;

	for (i = 0; i < specs->len; i++) {
		const struct spec *s = &g_array_index(specs, struct spec, i);

		if (!fnmatch(s->pattern, ifname, 0))
			return s;
	}
	return NULL;
}

static int find_link(const struct bpfix_iface_set *set, int ifindex)
{
	guint i;

	for (i = 0; i < set->links->len; i++)
		if (bpfix_tc_ifindex(g_ptr_array_index(set->links, i)) == ifindex)
			return (int)i;
	return -1;
}

static int attach(struct bpfix_iface_set *set, const char *ifname, int ifindex,
		  const struct spec *s)
{
	struct bpfix_tc_attachment *a;

	a = bpfix_tc_attach(ifname, s->ingress ? set->opts.ingress_fd : -1,
			    s->egress ? set->opts.egress_fd : -1, &set->opts.place);
	if (!a) {
		g_hash_table_add(set->failed, GINT_TO_POINTER(ifindex));
		return -errno;
	}
	g_ptr_array_add(set->links, a);
	bpfix_info("metering %s (%s%s%s)\n", ifname, s->ingress ? "ingress" : "",
		   s->ingress && s->egress ? ", " : "", s->egress ? "egress" : "");
	return 0;
}

/* Attach to every interface present that matches and is not attached yet. */
static int attach_matching(struct bpfix_iface_set *set, bool fail_fast)
{
	struct if_nameindex *all = if_nameindex(), *it;
	const struct spec *s;
	int err, first = 0;

	if (!all) {
		bpfix_err("cannot list the interfaces: %s\n", strerror(errno));
		return -errno;
	}
	for (it = all; it->if_index; it++) {
		s = match(set->specs, it->if_name);
		if (!s || find_link(set, (int)it->if_index) >= 0 ||
		    g_hash_table_contains(set->failed, GINT_TO_POINTER(it->if_index)))
			continue;
		err = attach(set, it->if_name, (int)it->if_index, s);
		first = first ? first : err;
		if (err && fail_fast)
			break;
	}
	if_freenameindex(all);
	return first;
}

static int open_link_events(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		bpfix_err("cannot listen to link events on rtnetlink: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct bpfix_iface_set *bpfix_iface_set__new(const struct bpfix_iface_set_opts *opts)
{
	struct bpfix_iface_set *set = g_new0(struct bpfix_iface_set, 1);
	int err;

	set->opts = *opts;
	set->opts.entries = NULL;
	set->specs = parse_specs(opts->entries, opts->default_hooks);
	set->links = g_ptr_array_new();
	set->failed = g_hash_table_new(NULL, NULL);
	/* listen first: an interface created while we enumerate is not missed */
	set->nl_fd = open_link_events();
	err = set->nl_fd < 0 ? -EIO : check_names(set->specs);
	if (!err)
		err = attach_matching(set, true);
	if (!err && !set->links->len)
		bpfix_warn("no interface matches yet; waiting for one to appear\n");
	if (err) {
		bpfix_iface_set__free(set);
		errno = -err;
		return NULL;
	}
	return set;
}

int bpfix_iface_set__fd(const struct bpfix_iface_set *set)
{
	return set->nl_fd;
}

static void link_gone(struct bpfix_iface_set *set, int ifindex)
{
	int i = find_link(set, ifindex);

	g_hash_table_remove(set->failed, GINT_TO_POINTER(ifindex));
	if (i < 0)
		return;
	bpfix_info("%s is gone; its flows are still exported\n",
		   bpfix_tc_ifname(g_ptr_array_index(set->links, i)));
	bpfix_tc_forget(g_ptr_array_steal_index(set->links, i));
}

static void link_appeared(struct bpfix_iface_set *set, struct nlmsghdr *nh)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	struct rtattr *rta;
	const struct spec *s;

	if (find_link(set, ifi->ifi_index) >= 0 ||
	    g_hash_table_contains(set->failed, GINT_TO_POINTER(ifi->ifi_index)))
		return;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_IFNAME)
			continue;
		s = match(set->specs, RTA_DATA(rta));
		if (s)
			attach(set, RTA_DATA(rta), ifi->ifi_index, s);
		return;
	}
}

/* Events were dropped (ENOBUFS): find out from the interfaces themselves. */
static void resync(struct bpfix_iface_set *set)
{
	char name[IF_NAMESIZE];
	guint i = 0;

	while (i < set->links->len) {
		int ifindex = bpfix_tc_ifindex(g_ptr_array_index(set->links, i));

		if (!if_indextoname((unsigned int)ifindex, name)) {
			link_gone(set, ifindex);
			continue;
		}
		i++;
	}
	attach_matching(set, false);
}

void bpfix_iface_set__handle_events(struct bpfix_iface_set *set)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh;
	int n;

	for (;;) {
		n = (int)recv(set->nl_fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == ENOBUFS)
				resync(set);
			else if (errno != EAGAIN && errno != EINTR)
				bpfix_warn("reading link events failed: %s\n", strerror(errno));
			if (errno != ENOBUFS)
				return;
			continue;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned int)n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == RTM_NEWLINK)
				link_appeared(set, nh);
			else if (nh->nlmsg_type == RTM_DELLINK)
				link_gone(set, ((struct ifinfomsg *)NLMSG_DATA(nh))->ifi_index);
		}
	}
}

int bpfix_iface_set__update(struct bpfix_iface_set *set, char *const *entries,
			    enum bpfix_hooks default_hooks)
{
	GArray *specs = parse_specs(entries, default_hooks);
	const struct spec *s;
	bool in, out;
	guint i = 0;
	int err;

	err = check_names(specs);
	if (err) {
		g_array_free(specs, TRUE);
		return err;
	}
	g_array_free(set->specs, TRUE);
	set->specs = specs;
	g_hash_table_remove_all(set->failed);
	/* let go of what is no longer wanted as it is; changed hooks are attached again below */
	while (i < set->links->len) {
		struct bpfix_tc_attachment *a = g_ptr_array_index(set->links, i);

		s = match(set->specs, bpfix_tc_ifname(a));
		bpfix_tc_hooks(a, &in, &out);
		if (s && s->ingress == in && s->egress == out) {
			i++;
			continue;
		}
		if (s)
			bpfix_info("%s: moving to its new hooks\n", bpfix_tc_ifname(a));
		else
			bpfix_info("%s: no longer configured; its flows are still exported\n",
				   bpfix_tc_ifname(a));
		bpfix_tc_detach(g_ptr_array_steal_index(set->links, i));
	}
	return attach_matching(set, false);
}

int bpfix_iface_set__free(struct bpfix_iface_set *set)
{
	int err, first = 0;

	if (!set)
		return 0;
	while (set->links->len) {
		err = bpfix_tc_detach(g_ptr_array_steal_index(set->links, set->links->len - 1));
		first = first ? first : err;
	}
	g_ptr_array_free(set->links, TRUE);
	g_array_free(set->specs, TRUE);
	g_hash_table_destroy(set->failed);
	if (set->nl_fd >= 0)
		close(set->nl_fd);
	g_free(set);
	return first;
}
