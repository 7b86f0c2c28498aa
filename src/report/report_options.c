// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command line of `bpfix report` and its help. Its options are not configuration keys: the
 * report reads a file, it meters nothing (the option table of config/ is the meter's).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_options.h"
#include "util/log.h"

#define DEFAULT_PEN 32473 /* as bpfix's own --enterprise-number */

void bpfix_report_usage(FILE *out)
{
	fputs("Usage: bpfix report [--format text|csv|json] [--sort KEY] [--enterprise-number PEN]\n"
	      "                    FILE.ipfix\n\n"
	      "Reads an IPFIX file bpfix wrote (--output) and prints, per GTP-U tunnel and QoS flow\n"
	      "(TEID, the tunnel endpoint that owns it, QFI) and per server address: records,\n"
	      "packets, octets, packets of TCP records; the median and 95th percentile of the TCP\n"
	      "handshake round trips measured at the observer (server side: SYN to SYN-ACK; client\n"
	      "side: SYN-ACK to the client's next segment), each connection once in every group\n"
	      "it is in, with how many were measured; sequence gaps (loss before the observer, or\n"
	      "reordering) and retransmitted segments (loss after it, or a hole filled), each per\n"
	      "100 packets of TCP records. Worst first.\n\n"
	      "  --format FORMAT          text (default: round trips in ms, TEIDs in hex), csv or\n"
	      "                           json (round trips in µs, numbers in decimal; a value a\n"
	      "                           group does not have is empty or null, '-' in text)\n"
	      "  --sort KEY               what worst means: loss (default: gaps + retransmissions\n"
	      "                           per 100 TCP packets), gaps, retransmissions, server-rtt,\n"
	      "                           client-rtt (their 95th percentile), packets, octets; ties\n"
	      "                           go by loss, server-rtt, client-rtt, packets, octets,\n"
	      "                           then the name; a group without the measure goes last\n"
	      "  --enterprise-number PEN  the private enterprise number of bpfix's elements in the\n"
	      "                           file (bpfix's --enterprise-number; default 32473)\n"
	      "  -h, --help               this help\n\n"
	      "The server of a flow is the responder: for TCP the destination of a flow whose\n"
	      "first packet was a SYN, the source of one whose first packet was a SYN-ACK;\n"
	      "otherwise (UDP, SCTP, TCP seen mid-stream) the end with the lower port (the lower\n"
	      "address if the ports are equal); without ports (ICMP...) the destination.\n"
	      "Percentiles by nearest rank (an even count's median is the lower middle sample).\n"
	      "One observation point: a round trip needs the handshake seen there, a gap may be\n"
	      "reordering, a GSO super-packet counts as its segments.\n\n"
	      "Exit status: 0 done, 1 the file cannot be read (missing, not IPFIX, cut short),\n"
	      "2 bad command line.\n", out);
}

/* The value of @name in @names (@n of them), or -1. */
static int index_of(const char *name, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

static int parse_pen(const char *text, uint32_t *pen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || *text == '-' || v > UINT32_MAX) {
		bpfix_err("report: --enterprise-number '%s' is not a number from 0 to 4294967295\n",
			  text);
		return -EINVAL;
	}
	*pen = (uint32_t)v;
	return 0;
}

int bpfix_report_parse(int argc, char **argv, struct bpfix_report_opts *o)
{
	static const char *const formats[] = { "text", "csv", "json" };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "sort", required_argument, NULL, 's' },
		{ "enterprise-number", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	memset(o, 0, sizeof(*o));
	o->pen = DEFAULT_PEN;
	o->out = stdout;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return BPFIX_REPORT_HELP;
		case 'f':
			i = index_of(optarg, formats, 3);
			if (i < 0) {
				bpfix_err("report: --format '%s': text, csv or json\n", optarg);
				return -EINVAL;
			}
			o->format = (enum bpfix_report_format)i;
			break;
		case 's':
			i = index_of(optarg, bpfix_report_sort_names, BPFIX_SORT_MAX);
			if (i < 0) {
				bpfix_err("report: --sort '%s': loss, gaps, retransmissions, "
					  "server-rtt, client-rtt, packets or octets\n", optarg);
				return -EINVAL;
			}
			o->sort = (enum bpfix_report_sort)i;
			break;
		case 'e':
			if (parse_pen(optarg, &o->pen))
				return -EINVAL;
			break;
		case ':':
			bpfix_err("report: %s needs a value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			bpfix_err("report: unknown option '%s'\n", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (argc - optind != 1) {
		bpfix_err("report: %s\n", argc - optind ? "one IPFIX file at a time"
							 : "which IPFIX file? (bpfix report FILE)");
		return -EINVAL;
	}
	o->path = argv[optind];
	return 0;
}
