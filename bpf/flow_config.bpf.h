/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every load-time knob of the TC program, in one place. They are read-only data the loader
 * sets between open and load; the verifier then prunes the branches they turn off.
 */
#ifndef BPFIX_FLOW_CONFIG_BPF_H
#define BPFIX_FLOW_CONFIG_BPF_H

/*
 * Replay: the clock is skb->tstamp (the pcap time BPF_PROG_TEST_RUN was given) instead of the
 * monotonic kernel clock, and the interface index is 0 since no real interface saw the packet.
 */
const volatile __u8 bpfix_replay = 0;

/* UDP port whose packets are looked into as GTP-U (0: none); TS 29.281 registers 2152. */
const volatile __u16 bpfix_gtpu_port = 2152;

/*
 * The TCP analysis (common/bpfix_tcp.h). Always on in bpfix; bench/kernel_cost loads the program
 * once more with it off, to measure what it costs per packet.
 */
const volatile __u8 bpfix_tcp_analysis = 1;

/*
 * Live: stamp packets with bpf_ktime_get_coarse_ns (the monotonic clock as of the last tick, a
 * few milliseconds coarse) instead of bpf_ktime_get_ns, which costs the most of any step of the
 * program in some VMs (--clock coarse). The TCP handshake's round-trip times still read the
 * precise clock: only those packets pay it.
 */
const volatile __u8 bpfix_coarse_clock = 0;

#endif /* BPFIX_FLOW_CONFIG_BPF_H */
