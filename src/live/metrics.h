/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpfix's own counters over HTTP in the Prometheus text format (libmicrohttpd, its own thread).
 * The live loop publishes a copy of the statistics after each sweep; scrapes read that copy.
 * Which lines there are and their metric names are the counter table's, not this module's.
 */
#ifndef BPFIX_METRICS_H
#define BPFIX_METRICS_H

#include "flow/summary.h"

struct bpfix_metrics;

/* Serve on @listen ("PORT": 127.0.0.1:PORT, or "ADDR:PORT"). NULL after printing why. */
struct bpfix_metrics *bpfix_metrics__start(const char *listen);
/* Replace what scrapes see: the summary's lines, as the counter table names them. */
void bpfix_metrics__publish(struct bpfix_metrics *m, const struct bpfix_summary *sum);
void bpfix_metrics__stop(struct bpfix_metrics *m);

#endif /* BPFIX_METRICS_H */
