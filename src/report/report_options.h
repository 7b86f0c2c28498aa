/* SPDX-License-Identifier: GPL-2.0-only */
/* The command line of `bpfix report` (report_options.c). */
#ifndef BPFIX_REPORT_OPTIONS_H
#define BPFIX_REPORT_OPTIONS_H

#include <stdio.h>

#include "report/report.h"

#define BPFIX_REPORT_HELP 1 /* --help was asked for */

/* The options from @argv (argv[0]: "report"): 0, BPFIX_REPORT_HELP, or -EINVAL after saying why. */
int bpfix_report_parse(int argc, char **argv, struct bpfix_report_opts *o);
void bpfix_report_usage(FILE *out);

#endif /* BPFIX_REPORT_OPTIONS_H */
