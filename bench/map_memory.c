// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory of the kernel flow map per flow: the map is created as the skeleton creates it (LRU
 * hash, struct bpfix_flow_key -> struct bpfix_flow_stats) with max_entries N, and the kernel's
 * own accounting is read from the fd's fdinfo "memlock:" line (since 6.4 it is the map's
 * mem_usage, element overhead and per-CPU LRU lists included). Bytes per flow = memlock / N.
 * Usage: map_memory [N ...] (default 65536 1048576). The RESULT is for the largest N. The TCP
 * connection map (struct bpfix_conn_key -> struct bpfix_conn) at its default size is printed too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpfix_flow.h"

static long long fdinfo_value(int fd, const char *field)
{
	char path[64], line[256];
	long long v = -1;
	size_t n = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The TCP connection map at its default size: kernel memory it takes whatever the flows. */
static void conn_memory(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	long long memlock;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bpfix_conns", sizeof(struct bpfix_conn_key),
			    sizeof(struct bpfix_conn), BPFIX_DEFAULT_MAX_CONNECTIONS, &o);
	if (fd < 0) {
		fprintf(stderr, "creating the connection map: %s\n", strerror(-fd));
		return;
	}
	memlock = fdinfo_value(fd, "memlock");
	printf("connection map, max_entries %u (default): memlock %lld B = %.1f B per entry "
	       "(payload %zu B)\n", BPFIX_DEFAULT_MAX_CONNECTIONS, memlock,
	       (double)memlock / BPFIX_DEFAULT_MAX_CONNECTIONS,
	       sizeof(struct bpfix_conn_key) + sizeof(struct bpfix_conn));
	close(fd);
}

int main(int argc, char **argv)
{
	static const unsigned long def[] = { 65536, 1048576 };
	unsigned long sizes[16];
	int nsizes = 0, i;
	double last = 0;
	struct utsname u;

	for (i = 1; i < argc && nsizes < 16; i++)
		sizes[nsizes++] = strtoul(argv[i], NULL, 0);
	if (!nsizes) {
		memcpy(sizes, def, sizeof(def));
		nsizes = 2;
	}
	uname(&u);
	printf("map_memory: kernel %s, key %zu B, value %zu B, LRU hash (common LRU, as the "
	       "skeleton)\n", u.release, sizeof(struct bpfix_flow_key),
	       sizeof(struct bpfix_flow_stats));
	for (i = 0; i < nsizes; i++) {
		LIBBPF_OPTS(bpf_map_create_opts, o);
		long long memlock;
		int fd;

		fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bpfix_flows",
				    sizeof(struct bpfix_flow_key), sizeof(struct bpfix_flow_stats),
				    sizes[i], &o);
		if (fd < 0) {
			fprintf(stderr, "creating a %lu-entry map: %s\n", sizes[i], strerror(-fd));
			return 1;
		}
		memlock = fdinfo_value(fd, "memlock");
		if (memlock < 0) {
			fprintf(stderr, "no memlock in fdinfo\n");
			return 1;
		}
		last = (double)memlock / sizes[i];
		printf("max_entries %8lu: memlock %lld B = %.1f B per flow (payload %zu B)\n",
		       sizes[i], memlock, last,
		       sizeof(struct bpfix_flow_key) + sizeof(struct bpfix_flow_stats));
		close(fd);
	}
	conn_memory();
	printf("RESULT bytes_per_flow=%.0f kernel=%s\n", last, u.release);
	return 0;
}
