/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Constants BPF code needs that vmlinux.h cannot carry: they are macros in the UAPI headers
 * (linux/pkt_cls.h, errno), and BTF records types, not macros.
 */
#ifndef BPFIX_TC_COMPAT_BPF_H
#define BPFIX_TC_COMPAT_BPF_H

#define TC_ACT_UNSPEC (-1) /* let the next filter decide: the packet's fate is not ours */
#define EEXIST 17

#endif /* BPFIX_TC_COMPAT_BPF_H */
