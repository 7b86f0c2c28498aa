/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Type and inline bridge for headers compiled by both clang -target bpf and the host compiler.
 * It provides fixed-width types, forced inlining and byte-order helpers; nothing from libc.
 */
#ifndef BPFIX_COMPAT_H
#define BPFIX_COMPAT_H

#if defined(__bpf__)
/* BPF code includes the pinned vmlinux.h first: it has the fixed-width types */
#ifndef __VMLINUX_H__
#error "include vmlinux.h before the common/ headers in BPF code"
#endif
#else
#include <linux/types.h>
#endif

#define BPFIX_INLINE static inline __attribute__((always_inline))

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define bpfix_be16_to_host(x) __builtin_bswap16(x)
#define bpfix_be32_to_host(x) __builtin_bswap32(x)
#else
#define bpfix_be16_to_host(x) (x)
#define bpfix_be32_to_host(x) (x)
#endif

#endif /* BPFIX_COMPAT_H */
