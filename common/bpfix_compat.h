/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Type and inline bridge for headers compiled by both clang -target bpf and the host compiler.
 * It provides fixed-width types, forced inlining, BPF global functions and byte-order helpers;
 * nothing from libc.
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

/*
 * A function the BPF verifier checks once, on its own, rather than at every call site: in BPF a
 * global (non-static) function that is never inlined; on the host an ordinary inline function.
 * The verifier knows its arguments by their types only (DESIGN.md §9): take scalars and pointers
 * to sized types (no pointer inside a struct: it arrives as a scalar), check the pointers for
 * NULL and every offset against the sizes, and return a scalar.
 */
#if defined(__bpf__)
#define BPFIX_BPF_GLOBAL __attribute__((noinline))
#else
#define BPFIX_BPF_GLOBAL BPFIX_INLINE
#endif

/*
 * An add to a flow's counters: atomic in BPF, where CPUs add to one flow at once; a plain add on
 * the host, whose engine meters from one thread (a locked add costs tens of cycles a packet).
 */
#if defined(__bpf__)
#define bpfix_shared_add(p, v) __sync_fetch_and_add((p), (v))
#else
#define bpfix_shared_add(p, v) ((void)(*(p) += (v)))
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define bpfix_be16_to_host(x) __builtin_bswap16(x)
#define bpfix_be32_to_host(x) __builtin_bswap32(x)
#else
#define bpfix_be16_to_host(x) (x)
#define bpfix_be32_to_host(x) (x)
#endif

#endif /* BPFIX_COMPAT_H */
