// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sweep + export of a full kernel flow map: the kernel engine is opened with a flow map of
 * max_flows entries, filled from user space (bpf_map_update_batch) with N flows. A new exporter's
 * first sweep, before any of them is due, reads the whole map (the table's first sweep always
 * does, and a fill from user space makes no flow notices); its second, a minute later, finds
 * them all idle and exports them over UDP to a sink on 127.0.0.1 that decodes the IPFIX messages
 * and counts data records of the flow templates. Timed: that second sweep + send (the deadline
 * sweep of a running exporter, which knows its flows); the first is printed too.
 * Then the scan cost: the map filled again with N flows none of which ends, a new exporter sweeps
 * once a second (of pcap time) SCAN_SWEEPS times; the process's CPU (getrusage) per sweep after
 * the first is the CPU a sweep spends per second with N live flows (sweep_scan_cpu_s). The first
 * reads the whole map, as any table's first sweep does (and as a sweep does after 1 M flows made
 * at once by the program: their notices overflow the ring buffer, at most 16 MiB); the next ones
 * take the flows due from the table's timer wheel, none here (sweep_scan_idle_cpu_s). Then the same
 * exporter goes on with the flows sending: each gets a packet every BUSY_TRAFFIC_S s (the map
 * rewritten), none ends, each comes due once per idle timeout; the mean CPU per sweep over one
 * idle timeout of sweeps is sweep_scan_cpu_s.
 * Usage: sweep_export [N [max_flows]] (default 1000000, 1310720). Needs root.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "export/exporter.h"
#include "meter/bpf_loader.h"
#include "meter/kernel_source.h"

#define NS_PER_S 1000000000ull
#define FILL_BATCH 65536
#define SCAN_SWEEPS 4
/* busy_cpu: flows last seen at 2 s (idle timeout 15 s) are first due at the sweep of 17 s, the
 * 11th after the scan's; then every 15 s: 15 sweeps from the 12th hold one such wave */
#define BUSY_WARMUP 11
#define BUSY_SWEEPS 15
#define BUSY_TRAFFIC_S 5

/* ---- the sink: a UDP collector that only counts ---- */

struct sink {
	int fd;
	__u16 port;
	atomic_ullong data_records;	/* in data sets of non-options templates */
	atomic_ullong option_records;
	atomic_ullong messages;
	atomic_ullong unknown_sets;	/* data sets whose template was not seen (yet) */
	atomic_ullong varlen_sets;	/* data sets of variable-length records (type records) */
	atomic_ullong last_rx_ns;
	atomic_int stop;
	__u16 reclen[65536];		/* template id -> fixed record length, 0 unknown */
	__u8 is_options[65536];
	__u8 is_varlen[65536];		/* its records are not counted: RFC 5610 type records */
};

static __u64 now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Parse template records of a set of @len octets at @p; @options for set id 3. */
static void parse_templates(struct sink *s, const __u8 *p, unsigned int len, int options)
{
	unsigned int off = 0;

	while (off + 4 <= len) {
		__u16 tid = get16(p + off), nfields = get16(p + off + 2), i;
		unsigned int reclen = 0, o = off + 4 + (options ? 2 : 0);

		if (tid < 256)
			break; /* padding */
		for (i = 0; i < nfields && o + 4 <= len; i++) {
			__u16 ie = get16(p + o), flen = get16(p + o + 2);

			reclen = flen == 65535 || reclen == 65535 ? 65535 : reclen + flen;
			o += ie & 0x8000 ? 8 : 4;
		}
		s->reclen[tid] = reclen == 65535 ? 0 : reclen;
		s->is_options[tid] = (__u8)options;
		s->is_varlen[tid] = reclen == 65535;
		off = o;
	}
}

static void parse_message(struct sink *s, const __u8 *p, unsigned int n)
{
	unsigned int off = 16, len;

	if (n < 16 || get16(p) != 10)
		return;
	len = get16(p + 2);
	if (len > n)
		len = n;
	s->messages++;
	while (off + 4 <= len) {
		__u16 sid = get16(p + off), slen = get16(p + off + 2);

		if (slen < 4 || off + slen > len)
			break;
		if (sid == 2 || sid == 3)
			parse_templates(s, p + off + 4, slen - 4, sid == 3);
		else if (sid >= 256) {
			if (s->is_varlen[sid])
				s->varlen_sets++;
			else if (!s->reclen[sid])
				s->unknown_sets++;
			else if (s->is_options[sid])
				s->option_records += (slen - 4) / s->reclen[sid];
			else
				s->data_records += (slen - 4) / s->reclen[sid];
		}
		off += slen;
	}
}

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	static __u8 buf[65536];
	ssize_t n;

	while (!s->stop) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n < 0)
			continue; /* timeout: check stop */
		s->last_rx_ns = now_mono();
		parse_message(s, buf, (unsigned int)n);
	}
	return NULL;
}

static int sink_open(struct sink *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 50000 };
	socklen_t alen = sizeof(a);
	int rcvbuf = 512 << 20, got = 0;
	socklen_t glen = sizeof(got);

	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s->fd < 0)
		return -errno;
	/* as root, past net.core.rmem_max */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &got, &glen);
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen))
		return -errno;
	s->port = ntohs(a.sin_port);
	printf("sink: 127.0.0.1:%u, SO_RCVBUF %d\n", s->port, got);
	return 0;
}

/* Kernel UDP drops of the sink's socket (/proc/net/udp "drops" column). */
static long long udp_drops(__u16 port)
{
	char line[512];
	long long drops = -1;
	FILE *f = fopen("/proc/net/udp", "r");
	unsigned int lport;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *last;

		if (!colon || sscanf(colon + 1, " %*x:%x", &lport) != 1 || lport != port)
			continue;
		last = strrchr(line, ' ');
		if (last)
			drops = strtoll(last + 1, NULL, 10);
	}
	fclose(f);
	return drops;
}

/* ---- the flow map ---- */

/* The engine's flow map among this process's fds: LRU hash, 64-octet key, 72-octet value. */
static int find_flow_map(__u32 max_flows)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int found = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		struct bpf_map_info info = { 0 };
		__u32 ilen = sizeof(info);

		if (de->d_name[0] == '.' || bpf_obj_get_info_by_fd(fd, &info, &ilen))
			continue;
		if (info.type == BPF_MAP_TYPE_LRU_HASH &&
		    info.key_size == sizeof(struct bpfix_flow_key) &&
		    info.value_size == sizeof(struct bpfix_flow_stats) &&
		    info.max_entries == max_flows) {
			found = fd;
			break;
		}
	}
	closedir(d);
	return found;
}

static void flow_of(__u32 i, struct bpfix_flow_key *k, struct bpfix_flow_stats *v)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->src_addr[0] = 10;
	k->src_addr[1] = (__u8)(i >> 16);
	k->src_addr[2] = (__u8)(i >> 8);
	k->src_addr[3] = (__u8)i;
	k->dst_addr[0] = 192;
	k->dst_addr[1] = 0;
	k->dst_addr[2] = 2;
	k->dst_addr[3] = (__u8)(i >> 24) + 1;
	k->src_port = (__u16)(1024 + i % 60000);
	k->dst_port = 443;
	k->ip_version = 4;
	k->protocol = 6;
	k->direction = BPFIX_DIR_INGRESS;
	v->packets = 10 + i % 7;
	v->octets = v->packets * 600;
	v->first_ns = 1 * NS_PER_S + i;
	v->last_ns = 2 * NS_PER_S + i;
	v->tcp_flags = 0x18;
	v->ttl_range = BPFIX_TTL_RANGE(60, 64);
}

/* The @n flows into the map; @more > 0: as if each got @more packets since, the last at @last_ns. */
static int fill_at(int fd, __u32 n, __u64 last_ns, __u32 more)
{
	static struct bpfix_flow_key keys[FILL_BATCH];
	static struct bpfix_flow_stats vals[FILL_BATCH];
	__u32 done = 0, i, count;
	int err;

	while (done < n) {
		count = n - done < FILL_BATCH ? n - done : FILL_BATCH;
		for (i = 0; i < count; i++) {
			flow_of(done + i, &keys[i], &vals[i]);
			if (more) {
				vals[i].packets += more;
				vals[i].octets += (__u64)more * 600;
				vals[i].last_ns = last_ns + done + i;
			}
		}
		err = bpf_map_update_batch(fd, keys, vals, &count, NULL);
		if (err) {
			fprintf(stderr, "bpf_map_update_batch at %u: %s\n", done, strerror(-err));
			return err;
		}
		done += count;
	}
	return 0;
}

static int fill(int fd, __u32 n)
{
	return fill_at(fd, n, 0, 0);
}

static long count_flows(int fd)
{
	static struct bpfix_flow_key keys[FILL_BATCH];
	static struct bpfix_flow_stats vals[FILL_BATCH];
	__u32 in_b, out_b, count;
	void *in = NULL;
	long total = 0;
	int err;

	for (;;) {
		count = FILL_BATCH;
		err = bpf_map_lookup_batch(fd, in, &out_b, keys, vals, &count, NULL);
		if (err && err != -ENOENT)
			return err;
		total += count;
		if (err == -ENOENT)
			return total;
		in_b = out_b;
		in = &in_b;
	}
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median CPU seconds of sweeps 2..SCAN_SWEEPS over @n live flows of which none ends (their
 * last packet at 2 s + i ns, idle timeout 15 s), one a second; negative errno, or -EPROTO when a
 * record went out (a flow ended). @ex is a new exporter over the filled map. */
static double scan_cpu(struct bpfix_exporter *ex, struct sink *s, __u32 n)
{
	unsigned long long before = s->data_records;
	double cpu[SCAN_SWEEPS];
	int i, err;

	for (i = 0; i < SCAN_SWEEPS; i++) {
		double c0 = cpu_s();

		err = bpfix_exporter__sweep(ex, 3 * NS_PER_S + n + (__u64)i * NS_PER_S);
		if (!err)
			err = bpfix_exporter__tick(ex, false);
		cpu[i] = cpu_s() - c0;
		if (err)
			return err;
		printf("scan sweep %d of %u live flows: %.3f s CPU\n", i + 1, n, cpu[i]);
	}
	usleep(300000);
	if (s->data_records != before)
		return -EPROTO;
	qsort(cpu + 1, SCAN_SWEEPS - 1, sizeof(cpu[0]), cmp_double);
	return cpu[1 + (SCAN_SWEEPS - 1) / 2];
}

/*
 * Mean CPU seconds per sweep over one idle timeout of sweeps (BUSY_SWEEPS, one a second of pcap
 * time) with @n live flows that keep sending: every BUSY_TRAFFIC_S seconds each one gets a packet
 * (the map rewritten as the program would have counted it), so none ends, but each comes due once
 * per idle timeout and is looked at (its removal refused: alive). Starts where scan_cpu ended;
 * the sweeps up to the first such wave are not counted. Negative errno, -EPROTO if a record went
 * out.
 */
static double busy_cpu(struct bpfix_exporter *ex, struct sink *s, int fd, __u32 n)
{
	unsigned long long before = s->data_records;
	double total = 0, c0;
	__u64 now;
	int i, err;

	for (i = 0; i < BUSY_WARMUP + BUSY_SWEEPS; i++) {
		now = (3 + SCAN_SWEEPS + (__u64)i) * NS_PER_S + n;
		if (i % BUSY_TRAFFIC_S == 0 && fill_at(fd, n, now - NS_PER_S / 2, 1 + (__u32)i))
			return -EIO;
		c0 = cpu_s();
		err = bpfix_exporter__sweep(ex, now);
		if (!err)
			err = bpfix_exporter__tick(ex, false);
		if (err)
			return err;
		if (i >= BUSY_WARMUP)
			total += cpu_s() - c0;
	}
	usleep(300000);
	if (s->data_records != before)
		return -EPROTO;
	return total / BUSY_SWEEPS;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv)
{
	__u32 n = argc > 1 ? (__u32)strtoul(argv[1], NULL, 0) : 1000000;
	__u32 max_flows = argc > 2 ? (__u32)strtoul(argv[2], NULL, 0) : n + n / 4;
	struct bpfix_bpf_opts bopts = { .max_flows = max_flows,
					.max_conns = BPFIX_DEFAULT_MAX_CONNECTIONS, .replay = true,
					.gtpu_port = 2152 };
	struct bpfix_flow_table_opts topts = {
		.idle_timeout_ns = 15 * NS_PER_S,
		.active_timeout_ns = 1800 * NS_PER_S,
		.tcp_linger_ns = 1 * NS_PER_S,
		.clock_to_epoch_ns = 0, /* replay: the clock is already epoch ns */
	};
	char collector[64];
	const char *collectors[1] = { collector };
	struct bpfix_ipfix_opts xopts = { .collectors = collectors, .n_collectors = 1,
					  .observation_domain = 1, .template_refresh_s = 60,
					  .template_refresh_messages = 100, .pen = 32473,
					  /* unpaced: the sink drains all, the sweep is measured */
					  .pace_rate = 0 };
	struct bpfix_kernel_source *source = NULL;
	struct bpfix_bpf *bpf = NULL;
	struct bpfix_exporter *ex = NULL;
	static struct sink sink;
	pthread_t thr;
	long in_map, missing, forced_missing;
	unsigned long long records_before;
	long long drops;
	double scan, busy = -1, first_walk;
	__u64 t0, t1, t2, t3, t4, now_ns;
	int fd, err, ret = 1;

	libbpf_set_print(quiet);
	if (sink_open(&sink)) {
		perror("sink");
		return 1;
	}
	pthread_create(&thr, NULL, sink_main, &sink);
	snprintf(collector, sizeof(collector), "127.0.0.1:%u", sink.port);

	bpf = bpfix_bpf__load(&bopts);
	if (bpf)
		source = bpfix_kernel_source__new(bpf);
	if (!source)
		goto out;
	fd = find_flow_map(max_flows);
	if (fd < 0) {
		fprintf(stderr, "cannot find the engine's flow map\n");
		goto out;
	}
	t0 = now_mono();
	if (fill(fd, n))
		goto out;
	in_map = count_flows(fd);
	printf("filled %u flows into a %u-entry map in %.3f s; %ld in the map\n", n, max_flows,
	       (now_mono() - t0) / 1e9, in_map);

	ex = bpfix_exporter__new(bpfix_kernel_source__source(source), &topts, &xopts);
	if (!ex)
		goto out;
	/* first_ns = 1.x s in "pcap epoch": the first sweep a second after the last packet, when
	 * none is due; the second a minute later, when every flow is idle */
	t1 = now_mono();
	err = bpfix_exporter__sweep(ex, 3 * NS_PER_S + n);
	first_walk = (now_mono() - t1) / 1e9;
	if (err || sink.data_records) {
		fprintf(stderr, "first sweep: %s\n", err ? strerror(-err) : "records went out");
		goto out;
	}
	printf("first sweep (reads the whole map) over %u flows, none due: %.3f s\n", n, first_walk);
	now_ns = 2 * NS_PER_S + n + 60 * NS_PER_S;

	t1 = now_mono();
	err = bpfix_exporter__sweep(ex, now_ns);
	if (!err)
		err = bpfix_exporter__tick(ex, false);
	t2 = now_mono();
	if (err)
		fprintf(stderr, "sweep/tick: %s\n", strerror(-err));
	/* wait until the sink has been quiet for 300 ms */
	while (now_mono() - sink.last_rx_ns < 300000000ull || !sink.last_rx_ns)
		usleep(50000);
	drops = udp_drops(sink.port);
	missing = (long)n - (long)sink.data_records;
	printf("idle sweep+export of %u flows: %.3f s (%.0f flows/s)\n", n, (t2 - t1) / 1e9,
	       n / ((t2 - t1) / 1e9));

	/* the same flows again, ended by the forced end (shutdown, end of replay): one drain */
	records_before = sink.data_records;
	if (fill(fd, n))
		goto out;
	t3 = now_mono();
	err = bpfix_exporter__finish(ex, NULL);
	t4 = now_mono();
	if (err)
		fprintf(stderr, "finish: %s\n", strerror(-err));
	while (now_mono() - sink.last_rx_ns < 300000000ull)
		usleep(50000);
	forced_missing = (long)n - (long)(sink.data_records - records_before);
	printf("forced end of %u flows: %.3f s (%.0f flows/s), %ld missing\n", n,
	       (t4 - t3) / 1e9, n / ((t4 - t3) / 1e9), forced_missing);
	printf("sink: %llu messages, %llu data records, %llu options records, %llu sets of type "
	       "records (not counted), %llu sets without template, %lld UDP drops at the sink "
	       "socket; flows left in map %ld\n",
	       (unsigned long long)sink.messages, (unsigned long long)sink.data_records,
	       (unsigned long long)sink.option_records, (unsigned long long)sink.varlen_sets,
	       (unsigned long long)sink.unknown_sets, drops, count_flows(fd));

	/* the scan: the same flows again, none ending, swept once a second by a new exporter */
	bpfix_exporter__free(ex);
	ex = NULL;
	if (fill(fd, n))
		goto out;
	ex = bpfix_exporter__new(bpfix_kernel_source__source(source), &topts, &xopts);
	if (!ex)
		goto out;
	scan = scan_cpu(ex, &sink, n);
	if (scan < 0)
		fprintf(stderr, "scan sweeps: %s\n", scan == -EPROTO ? "a flow ended (records went out)"
								   : strerror((int)-scan));
	else
		busy = busy_cpu(ex, &sink, fd, n);
	if (busy < 0 && scan >= 0)
		fprintf(stderr, "busy scan sweeps: %s\n",
			busy == -EPROTO ? "a flow ended (records went out)" : strerror((int)-busy));
	else if (busy >= 0)
		printf("busy scan: %u flows sending, one sweep a second: %.3f s CPU per sweep (mean "
		       "over %d sweeps, one idle timeout)\n", n, busy, BUSY_SWEEPS);
	printf("RESULT sweep_1m_s=%.3f sweep_1m_missing=%ld sweep_1m_forced_s=%.3f "
	       "sweep_1m_forced_missing=%ld sweep_1m_first_walk_s=%.3f sweep_flows=%u "
	       "sweep_sink_drops=%lld",
	       (t2 - t1) / 1e9, missing, (t4 - t3) / 1e9, forced_missing, first_walk, n, drops);
	if (scan >= 0)
		printf(" sweep_scan_idle_cpu_s=%.3f", scan);
	if (busy >= 0)
		printf(" sweep_scan_cpu_s=%.3f", busy);
	printf("\n");
	ret = 0;
out:
	sink.stop = 1;
	pthread_join(thr, NULL);
	bpfix_exporter__free(ex);
	bpfix_kernel_source__free(source);
	bpfix_bpf__free(bpf);
	return ret;
}
