/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which capabilities loading and attaching the TC program needs, and which of them this process
 * lacks, so a refusal can name the missing one instead of a bare "Operation not permitted".
 */
#ifndef BPFIX_PRIVILEGE_H
#define BPFIX_PRIVILEGE_H

#include <stddef.h>

/* Writes the missing ones' names ("CAP_BPF, CAP_NET_ADMIN") into @buf; empty if none is. */
void bpfix_missing_capabilities(char *buf, size_t len);

#endif /* BPFIX_PRIVILEGE_H */
