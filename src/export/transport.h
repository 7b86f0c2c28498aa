/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where encoded export messages go: one transport per destination, a UDP collector
 * (udp_transport.c) or a file (file_transport.c). An encoder hands over whole messages; the
 * transport sends or writes each one whole and counts it as accepted or lost, keeping the last
 * failure. It never reads a message: all it is told is how many records one holds and whether
 * it carries the encoder's templates. Encoding, templates and their refresh are the encoder's.
 */
#ifndef BPFIX_TRANSPORT_H
#define BPFIX_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <linux/types.h>

#include "export/pace.h"

/* Every message and record handed to a transport ends in exactly one of sent and lost. */
struct bpfix_transport_counters {
	__u64 messages_sent;	/* accepted whole: taken by the socket (UDP), written (file) */
	__u64 octets_sent;
	__u64 records_sent;	/* in the messages sent */
	__u64 messages_lost;	/* not accepted, refused after all, or never handed over */
	__u64 octets_lost;	/* of those handed over */
	__u64 records_lost;
};

struct bpfix_transport;

struct bpfix_transport_ops {
	/* Whether a message can go now (UDP: connected; tries again now and then, never waits). */
	bool (*ready)(struct bpfix_transport *t);
	/*
	 * Send or write one whole message of @len octets holding @records records; @templates: it
	 * carries the encoder's templates (datagram transports hold data back after a loss until
	 * such a message gets through). 0, or a negative errno once the message is counted lost.
	 */
	int (*send)(struct bpfix_transport *t, const void *msg, size_t len, __u64 records,
		    bool templates);
	/*
	 * @messages messages with @records records meant for @t never reached it (it was not
	 * ready, or they could not be encoded): counted as lost. @why: the cause, NULL: the last.
	 */
	void (*lost)(struct bpfix_transport *t, __u64 messages, __u64 records, const char *why);
	/* Release the socket or file, and @t. */
	void (*close)(struct bpfix_transport *t);
};

struct bpfix_transport {
	const struct bpfix_transport_ops *ops;
	char *name;		/* for people: "collector 127.0.0.1:4739", "file x.ipfix" */
	const char *proto;	/* what its messages are, for people: "IPFIX" */
	const char *hint;	/* for people: what to look at when messages are lost */
	size_t max_message;	/* the largest message it takes, in octets; 0: any */
	/*
	 * Messages may vanish unseen and the receiver may restart without a word (UDP): templates
	 * are sent again now and then. Otherwise (a file) what is written stays written.
	 */
	bool datagram;
	/*
	 * The receiver may lack the templates (a new connection, a loss): set by the transport,
	 * cleared by the encoder when its message being built holds them.
	 */
	bool want_templates;
	struct sockaddr_storage local; /* our end of the socket (the exporter address); none: 0 */
	struct bpfix_transport_counters counters;
	char why[320];		/* the last failure, for people */
	struct bpfix_pace pace;	/* datagrams only; rate 0: unpaced (a file is never paced) */
};

/*
 * A UDP collector at @spec ("HOST:PORT" or "[V6]:PORT") for messages of @proto. One that cannot
 * be reached now is kept (what is meant for it is counted as lost until it can) and said so
 * once. NULL with errno set: EINVAL for a malformed @spec (printed), ENOMEM.
 */
struct bpfix_transport *bpfix_udp_transport__new(const char *spec, const char *proto);
/* The file @path ("-": standard output), added to when @append. NULL with errno set (printed). */
struct bpfix_transport *bpfix_file_transport__new(const char *path, bool append, const char *proto);
/* Closes @t; NULL is fine. */
void bpfix_transport__free(struct bpfix_transport *t);
/* Print what was lost to @t, if anything; then -EIO, else 0. */
int bpfix_transport__report_losses(const struct bpfix_transport *t);

/*
 * Pace @t's messages: at most @rate records a second, @depth messages at once (rate 0: unpaced).
 * Only datagram transports are paced: a file takes what it is given.
 */
void bpfix_transport__set_pace(struct bpfix_transport *t, __u32 rate, __u32 depth);
/*
 * Its messages wait for the pace at most until @deadline_ns (CLOCK_MONOTONIC;
 * BPFIX_PACE_NO_DEADLINE: as long as it takes); past it they go at once, counted.
 */
void bpfix_transport__set_pace_deadline(struct bpfix_transport *t, __u64 deadline_ns);
/* Records its pace lets go from now until @until_ns (BPFIX_PACE_UNLIMITED: unpaced). */
__u64 bpfix_transport__room(const struct bpfix_transport *t, __u64 until_ns);

/* For the transports themselves: the counters (and the last failure) of one outcome. */
void bpfix_transport_count_sent(struct bpfix_transport *t, size_t len, __u64 records);
void bpfix_transport_count_lost(struct bpfix_transport *t, __u64 messages, __u64 octets,
				__u64 records, const char *why);

#endif /* BPFIX_TRANSPORT_H */
