/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel/user ABI of bpfix: flow key, flow statistics, per-packet metadata, parse results
 * and counter indices. One definition, read by the TC program, the host engine and user space;
 * layouts are pinned with _Static_assert so clang -target bpf and the host compiler must agree.
 */
#ifndef BPFIX_FLOW_H
#define BPFIX_FLOW_H

#include "bpfix_compat.h"

/* Only the first BPFIX_PARSE_WINDOW octets of a frame are parsed, in the kernel and on the host. */
#define BPFIX_PARSE_WINDOW 512
#define BPFIX_MAX_VLAN 4	 /* tags walked before giving up (QinQ, triple tags) */
#define BPFIX_MAX_MPLS 4	 /* MPLS label stack entries walked */
#define BPFIX_MAX_IPV6_EXT 8	 /* IPv6 extension headers walked (RFC 8200 §4) */
#define BPFIX_MAX_GTPU_EXT 4	 /* GTP-U extension headers walked (TS 29.281 §5.2) */
#define BPFIX_GTPU_PORT 2152	 /* GTP-U's registered UDP port (TS 29.281 §4.4.2) */
#define BPFIX_DEFAULT_MAX_FLOWS 65536

enum bpfix_direction {
	BPFIX_DIR_INGRESS = 0, /* values of IE 61 flowDirection */
	BPFIX_DIR_EGRESS = 1,
};

/*
 * A flow: one direction of one conversation at one observation point (DESIGN.md §4).
 * Addresses are in network order (IPv4 in the first 4 octets, the rest zero); ports are in host
 * order. The whole key is zeroed before filling because padding is hashed.
 */
struct bpfix_flow_key {
	__u8 src_addr[16];
	__u8 dst_addr[16];
	__u8 tun_addr[16];	/* GTP-U: the endpoint that owns the TEID; zero otherwise */
	__u32 teid;		/* GTP-U TEID, host order; zero otherwise */
	__u32 ifindex;
	__u16 src_port;		/* ICMP/ICMPv6: 0 */
	__u16 dst_port;		/* ICMP/ICMPv6: type << 8 | code */
	__u8 ip_version;	/* 4 or 6 */
	__u8 protocol;
	__u8 direction;		/* enum bpfix_direction */
	__u8 tun_version;	/* outer IP version of a tunnelled flow, 0 if none */
};

/*
 * Per-flow totals. Counters only grow in the kernel; user space subtracts what it exported.
 * What is per record (first_ns, the record word: TCP flags, TTL range; tcp_loss) is closed in the
 * kernel by the close program (bpfix_flow_close), never written by user space (DESIGN.md §4); the
 * next packet opens the next record. Times are the program's clock: monotonic ns live, pcap epoch
 * ns in replay. 96 octets: the map holds one per flow (bench/map_memory.c).
 */
struct bpfix_flow_stats {
	__u64 packets;
	__u64 octets;		/* IP octets of the flow's own packets (IP total length) */
	__u64 first_ns;		/* earliest packet of the record being built; 0 before its first */
	__u64 last_ns;		/* latest packet of the flow */
	__u64 life;		/* this life of the key, unique (BPFIX_LIFE in the kernel): user space
				 * tells a flow evicted and created again from the one it saw */
	union {			/* the per-record attributes in one word, exchanged at once */
		__u32 record;
		struct {
			__u16 ttl_range; /* minimum TTL in bits 0-7, maximum in 8-15 */
			__u8 tcp_flags;	 /* OR of the TCP flags octet (atomic OR on the word) */
			__u8 record_pad;
		};
	};
	/* attributes of the flow's first packet */
	__u32 vlan_id : 12;	/* outermost VLAN id, 0 if untagged */
	__u32 tos : 8;		/* IPv4 TOS / IPv6 traffic class */
	__u32 qfi : 6;		/* GTP-U: QoS flow id of the PDU Session Container */
	__u32 pdu_type : 4;	/* GTP-U: its PDU type, 0 downlink, 1 uplink */
	__u32 has_pdu_session : 1; /* GTP-U: a PDU Session Container gave qfi and pdu_type */
	__u32 first_pad : 1;
	__u8 tun_src_addr[16];	/* GTP-U: outer source address */
	/* TCP analysis (DESIGN.md §4a, common/bpfix_tcp.h); zero for other protocols */
	__u64 tcp_loss;		/* this record's sequence gaps (bits 0-31) and retransmitted
				 * segments (32-63): BPFIX_TCP_LOSS_*; closed with the record */
	__u64 tcp_seq;		/* highest sequence end seen in this direction (bits 0-31) and the
				 * BPFIX_TCP_* state (32-63): one word, compare-and-swap */
	__u32 tcp_isn;		/* sequence number of this direction's SYN (BPFIX_TCP_ISN_SEEN) */
	__u32 tcp_probe_seq;	/* where the last 1-octet segment started (BPFIX_TCP_PROBE_SEEN) */
	__u32 rtt_server_us;	/* SYN to SYN-ACK at the observer, if BPFIX_TCP_RTT_SERVER */
	__u32 rtt_client_us;	/* SYN-ACK to the client's first ACK, if BPFIX_TCP_RTT_CLIENT */
};

/*
 * The state half of tcp_seq (BPFIX_TCP_STATE): the TCP flags of the flow's first packet in the
 * low octet (whether its start was seen), then what the TCP analysis knows of the direction.
 */
#define BPFIX_TCP_FIRST_FLAGS 0xffu
#define BPFIX_TCP_SEQ_SEEN (1u << 8)	   /* the highest end is known */
#define BPFIX_TCP_ISN_SEEN (1u << 9)	   /* tcp_isn holds this direction's SYN */
#define BPFIX_TCP_PROBE_SEEN (1u << 10)	   /* tcp_probe_seq holds a 1-octet segment's start */
#define BPFIX_TCP_RST_SEEN (1u << 11)	   /* an RST went this way: the next SYN starts afresh */
#define BPFIX_TCP_HS_PENDING (1u << 12)	   /* sent the SYN: its next segment ends the handshake */
#define BPFIX_TCP_RTT_SERVER (1u << 13)	   /* rtt_server_us is measured */
#define BPFIX_TCP_RTT_CLIENT (1u << 14)	   /* rtt_client_us is measured */
#define BPFIX_TCP_RTT_SERVER_AMBIGUOUS (1u << 15) /* the SYN was retransmitted: t1 is its last */
#define BPFIX_TCP_RTT_CLIENT_AMBIGUOUS (1u << 16) /* the SYN-ACK was: t2 is its last */
#define BPFIX_TCP_RTT_BITS                                                                 \
	(BPFIX_TCP_RTT_SERVER | BPFIX_TCP_RTT_CLIENT | BPFIX_TCP_RTT_SERVER_AMBIGUOUS |    \
	 BPFIX_TCP_RTT_CLIENT_AMBIGUOUS)

#define BPFIX_TCP_STATE(seq_word) ((__u32)((seq_word) >> 32))
#define BPFIX_TCP_SEQ_END(seq_word) ((__u32)(seq_word))
#define BPFIX_TCP_SEQ_WORD(state, end) ((__u64)(state) << 32 | (__u32)(end))
#define BPFIX_TCP_LOSS_GAPS(loss) ((__u32)(loss))
#define BPFIX_TCP_LOSS_RETRANS(loss) ((__u32)((loss) >> 32))

/* ttl_range: packing and the two halves; the empty range (after a record closed): min 255, max 0 */
#define BPFIX_TTL_RANGE(min, max) ((__u32)(min) | (__u32)(max) << 8)
#define BPFIX_TTL_RANGE_EMPTY BPFIX_TTL_RANGE(0xff, 0)
#define BPFIX_TTL_MIN(range) ((__u8)((range) & 0xff))
#define BPFIX_TTL_MAX(range) ((__u8)((range) >> 8))

/* The record word of struct bpfix_flow_stats, to build or take apart a whole word. */
union bpfix_record_word {
	__u32 word;
	struct {
		__u16 ttl_range;
		__u8 tcp_flags;
		__u8 pad;
	};
};

/* a life is this CPU's count of flows created, shifted over the CPU number (kernel) */
#define BPFIX_LIFE_CPU_BITS 16
#define BPFIX_LIFE(seq, cpu) ((__u64)(seq) << BPFIX_LIFE_CPU_BITS | (cpu))

/*
 * The close program (bpf/flow.bpf.c bpfix_close; the host engine does the same): user space puts
 * the flows whose record ends in the BPF_F_MMAPABLE array bpfix_closing, one struct bpfix_close
 * each, and runs the program with their count in struct bpfix_close_ctx.
 */
#define BPFIX_CLOSE_BATCH 1024	/* entries of bpfix_closing: flows per run */

enum bpfix_close_op {
	BPFIX_CLOSE_RECORD = 1,	/* active timeout: close the record, the flow goes on */
	BPFIX_CLOSE_REMOVE,	/* idle or end detected: read and remove the flow, if nothing came */
	BPFIX_CLOSE_PEEK,	/* read the flow, whatever its life, and leave it (a due flow of
				 * the deadline sweep whose end the table cannot tell by itself) */
};

enum bpfix_close_status {
	BPFIX_CLOSE_PENDING = 0, /* not acted on (yet): what user space writes */
	BPFIX_CLOSE_DONE,	/* stats: the totals and the record's fields at that instant */
	BPFIX_CLOSE_GONE,	/* no flow under the key (evicted or removed since the walk) */
	BPFIX_CLOSE_OTHER_LIFE,	/* the key has another life (the walk's was evicted): left alone;
				 * PEEK: stats are that life's */
	BPFIX_CLOSE_ALIVE,	/* REMOVE: packets came since the walk: left alone; stats as read */
};

struct bpfix_close {
	struct bpfix_flow_key key;	/* in */
	__u32 op;			/* in: enum bpfix_close_op */
	__u32 status;			/* out: enum bpfix_close_status */
	/* in: the flow as the walk saw it (its life; REMOVE: its packets and last_ns, which must
	 * not have changed); out, DONE and ALIVE (and PEEK's OTHER_LIFE): the flow at that instant */
	struct bpfix_flow_stats stats;
};

/*
 * Flow notices (bpf/flow.bpf.c's ring buffer bpfix_notices; the host engine queues the same): what
 * the flow table needs to know when a flow could end without reading the whole map. Bits of
 * bpfix_notice.kinds; one notice may carry several.
 */
enum bpfix_notice_kind {
	BPFIX_NOTICE_CREATED = 1,	/* a new flow (its insert succeeded): stats as inserted */
	BPFIX_NOTICE_STARTED = 2,	/* its record's start was set (first packet after a close) or
					 * moved earlier (a packet out of time order) */
	BPFIX_NOTICE_CLOSING = 4,	/* its record gained FIN or RST */
};

struct bpfix_notice {
	struct bpfix_flow_key key;
	struct bpfix_flow_stats stats;	/* the flow when the notice was made (read without atomics:
					 * what a record of a flow gone unseen is made of) */
	__u32 kinds;			/* enum bpfix_notice_kind bits */
	__u32 pad;
};

struct bpfix_close_ctx {
	__u32 count;			/* entries of bpfix_closing to act on, from the first */
};

/*
 * The connection map (DESIGN.md §4a): a TCP handshake under way, keyed by the conversation at one
 * observation point whatever the direction and tunnel: the two endpoints in a canonical order
 * (the lower address, then port, first), the interface, and for GTP-U the outer address pair in
 * the same order, without TEID (uplink and downlink tunnels differ). Zeroed before filling.
 */
struct bpfix_conn_key {
	__u8 addr[2][16];
	__u8 tun_addr[2][16];	/* GTP-U: the outer endpoints, lower first; zero otherwise */
	__u32 ifindex;
	__u16 port[2];
	__u8 ip_version;
	__u8 tun_version;
	__u16 pad;
};

enum bpfix_conn_state {
	BPFIX_CONN_SYN = 1,	/* a SYN seen, no answer yet */
	BPFIX_CONN_SYNACK,	/* the server answered: t2 and its ISN are known */
	BPFIX_CONN_SIMULTANEOUS, /* both sides sent a SYN: nothing to measure */
};

struct bpfix_conn {
	__u64 syn_ns;		/* t1: the latest SYN */
	__u64 synack_ns;	/* t2: the latest SYN-ACK answering it */
	__u32 client_isn;
	__u32 server_isn;
	__u32 rtt_server_us;	/* t2 - t1, from the first SYN-ACK after the latest SYN */
	__u8 client;		/* the endpoint (0 or 1 of the key) that sent the SYN */
	__u8 state;		/* enum bpfix_conn_state */
	__u16 ambiguous;	/* BPFIX_CONN_AMBIGUOUS(BPFIX_TCP_RTT_*_AMBIGUOUS) */
};

/* bpfix_conn.ambiguous holds the flow state's ambiguity bits, shifted down to fit */
#define BPFIX_CONN_AMBIGUOUS(state_bits) ((__u16)((state_bits) >> 15))
#define BPFIX_CONN_STATE_BITS(ambiguous) ((__u32)(ambiguous) << 15)
#define BPFIX_DEFAULT_MAX_CONNECTIONS 16384

/*
 * What the parser learnt about one packet: values and offsets, never pointers. The first part
 * describes the flow's IP packet: the inner one of a decapsulated GTP-U G-PDU, else the first.
 */
struct bpfix_pkt_meta {
	__u8 src_addr[16];
	__u8 dst_addr[16];
	__u32 ip_len;		/* IPv4 total length, or IPv6 payload length + 40 */
	__u16 l3_off;		/* offset of the flow's IP header in the frame */
	__u16 l4_off;		/* offset of its L4 header, 0 if none was reached */
	__u16 src_port;
	__u16 dst_port;
	__u8 ip_version;
	__u8 protocol;
	__u8 tos;
	__u8 ttl;
	__u8 tcp_flags;
	__u8 diag;		/* enum bpfix_diag: why L4 was not read, if it was not */
	__u8 l4_hdr_len;	/* TCP: data offset in octets; UDP-like: 8; else 0 */
	__u8 jumbo_hbh_len;	/* 8: the hop-by-hop header Linux adds to IPv6 BIG TCP, which
				 * segmentation removes (bpfix_parse_ipv6); else 0 */
	__u8 more_fragments;	/* 1: the first fragment of a fragmented packet (its L4 payload
				 * goes on in the later fragments) */
	__u8 flow_pad[3];
	__u32 tcp_seq;		/* TCP: sequence and acknowledgment numbers, host order */
	__u32 tcp_ack;
	/* end of the flow's IP packet (BPFIX_META_FLOW_END) */
	__u16 vlan_id;		/* outermost VLAN id, 0 if untagged */
	__u8 gtp_diag;		/* enum bpfix_gtp_diag: why a GTP-U packet was not decapsulated */
	/* GTP-U: set when the packet was decapsulated (tun_version != 0) */
	__u8 tun_version;	/* outer IP version, 0 if not decapsulated */
	__u8 tun_src_addr[16];	/* outer source */
	__u8 tun_dst_addr[16];	/* outer destination: the endpoint that allocated the TEID */
	__u32 teid;
	__u8 has_pdu_session;	/* a PDU Session Container gave qfi and pdu_type */
	__u8 qfi;
	__u8 pdu_type;
	__u8 pad;
};

#define BPFIX_META_FLOW_END __builtin_offsetof(struct bpfix_pkt_meta, vlan_id)

/* Parse outcome. Anything but OK means the packet is not metered, counted under one reason. */
enum bpfix_parse_rc {
	BPFIX_PARSE_OK = 0,
	BPFIX_PARSE_NOT_IP,		/* EtherType is not IPv4/IPv6 (ARP, LLDP, MPLS, ...) */
	BPFIX_PARSE_TRUNC_L2,		/* Ethernet or VLAN header cut short */
	BPFIX_PARSE_TRUNC_IP,		/* IP header cut short (or beyond the parse window) */
	BPFIX_PARSE_BAD_IP_VERSION,	/* version nibble disagrees with the EtherType */
	BPFIX_PARSE_BAD_IHL,		/* IPv4 IHL < 5 */
	BPFIX_PARSE_BAD_IP_LEN,		/* IPv4 total length shorter than its header */
	BPFIX_PARSE_VLAN_DEPTH,		/* more than BPFIX_MAX_VLAN tags */
	BPFIX_PARSE_MPLS_DEPTH,		/* more than BPFIX_MAX_MPLS labels */
	BPFIX_PARSE_MPLS_NOT_IP,	/* MPLS payload is not IP (pseudowire, control word) */
	BPFIX_PARSE_RC_MAX,
};

/* Why a metered packet's L4 fields are zero. Diagnostic only: such packets are metered. */
enum bpfix_diag {
	BPFIX_DIAG_NONE = 0,
	BPFIX_DIAG_FRAGMENT,		/* non-first fragment: no L4 header by design */
	BPFIX_DIAG_L4_TRUNC,		/* L4 header cut short */
	BPFIX_DIAG_IPV6_EXT_TRUNC,	/* IPv6 extension header cut short */
	BPFIX_DIAG_IPV6_EXT_DEPTH,	/* more than BPFIX_MAX_IPV6_EXT extension headers */
	BPFIX_DIAG_MAX,
};

/*
 * Why a UDP packet on the GTP-U port was metered as an outer flow rather than decapsulated.
 * Diagnostic only: such packets are metered once, as the outer UDP flow.
 */
enum bpfix_gtp_diag {
	BPFIX_GTP_DIAG_NONE = 0,
	BPFIX_GTP_DIAG_NOT_GPDU,	/* echo, error indication, end marker...: no user data */
	BPFIX_GTP_DIAG_NOT_V1,		/* version is not 1 or PT is 0 (GTP', GTPv2 on the port) */
	BPFIX_GTP_DIAG_TRUNC,		/* header, optional word or extension cut short */
	BPFIX_GTP_DIAG_EXT_LEN_ZERO,	/* an extension header of length 0 (TS 29.281 §5.2.1) */
	BPFIX_GTP_DIAG_EXT_DEPTH,	/* more than BPFIX_MAX_GTPU_EXT extension headers */
	BPFIX_GTP_DIAG_NO_TPDU,		/* a G-PDU without a T-PDU */
	BPFIX_GTP_DIAG_INNER_NOT_IP,	/* the T-PDU is not IPv4/IPv6 (Ethernet, unstructured PDU) */
	BPFIX_GTP_DIAG_INNER_BAD,	/* the inner IP header is cut short or malformed */
	BPFIX_GTP_DIAG_MAX,
};

/*
 * Per-CPU counters. SEEN = METERED + the NOT_METERED_* sum, always. DIAG_* count metered packets
 * again, by what the parser could not read; they are not part of the sum.
 */
enum bpfix_counter {
	BPFIX_CNT_SEEN = 0,
	BPFIX_CNT_METERED,
	BPFIX_CNT_FLOWS_CREATED,
	BPFIX_CNT_OCTETS_METERED,	/* IP octets of the metered packets, as their flows count them */
	BPFIX_CNT_NOT_METERED_NON_IP,
	BPFIX_CNT_NOT_METERED_TRUNCATED,
	BPFIX_CNT_NOT_METERED_MALFORMED,
	BPFIX_CNT_NOT_METERED_UNSUPPORTED,
	BPFIX_CNT_NOT_METERED_MAP_FULL,	/* the flow map refused an insert */
	BPFIX_CNT_NOT_METERED_INTERNAL,	/* scratch lookup or copy failed: should never happen */
	BPFIX_CNT_DIAG_FRAGMENT,
	BPFIX_CNT_DIAG_L4_TRUNC,
	BPFIX_CNT_DIAG_IPV6_EXT_TRUNC,
	BPFIX_CNT_DIAG_IPV6_EXT_DEPTH,
	BPFIX_CNT_GTP_DECAPSULATED,	/* metered as their inner flow */
	BPFIX_CNT_GTP_NOT_GPDU,		/* the BPFIX_CNT_GTP_* below: metered as the outer flow */
	BPFIX_CNT_GTP_NOT_V1,
	BPFIX_CNT_GTP_TRUNC,
	BPFIX_CNT_GTP_EXT_LEN_ZERO,
	BPFIX_CNT_GTP_EXT_DEPTH,
	BPFIX_CNT_GTP_NO_TPDU,
	BPFIX_CNT_GTP_INNER_NOT_IP,
	BPFIX_CNT_GTP_INNER_BAD,
	BPFIX_CNT_GTP_FRAGMENTED,	/* decapsulated, from a first fragment (bpfix_gtpu_credit) */
	/* TCP analysis (common/bpfix_tcp.h); events, one each, not packets */
	BPFIX_CNT_TCP_HANDSHAKES,	/* SYNs that started a handshake in the connection map */
	BPFIX_CNT_TCP_HANDSHAKES_DONE,	/* handshakes the client's next segment ended */
	BPFIX_CNT_TCP_HANDSHAKES_MEASURED, /* of those, with both round-trip times */
	BPFIX_CNT_TCP_HANDSHAKES_EVICTED, /* handshakes the full connection map let go before
					   * their end (kernel: derived by user space) */
	BPFIX_CNT_TCP_SEQ_RESYNC,	/* segments over 2^30 off the highest end: resynchronised */
	BPFIX_CNT_NOTICES_LOST,		/* flow notices the full ring buffer refused: the next sweep
					 * reads the whole map (an event, not packets) */
	BPFIX_CNT_MAX,
};

/* All the counters of one CPU, one per-CPU array entry: a packet looks them up once. */
struct bpfix_counter_values {
	__u64 n[BPFIX_CNT_MAX];
};

_Static_assert(sizeof(struct bpfix_flow_key) == 64, "bpfix_flow_key ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_key, teid) == 48, "bpfix_flow_key ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_key, src_port) == 56, "bpfix_flow_key ABI");
_Static_assert(sizeof(struct bpfix_flow_stats) == 96, "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_stats, tcp_loss) == 64, "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_stats, rtt_server_us) == 88,
	       "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_stats, life) == 32, "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_stats, record) == 40, "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_stats, tcp_flags) == 42, "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(struct bpfix_flow_stats, tun_src_addr) == 48,
	       "bpfix_flow_stats ABI");
_Static_assert(__builtin_offsetof(union bpfix_record_word, tcp_flags) ==
	       __builtin_offsetof(struct bpfix_flow_stats, tcp_flags) -
	       __builtin_offsetof(struct bpfix_flow_stats, record), "union bpfix_record_word: as in the flow");
_Static_assert(sizeof(struct bpfix_close) == 168, "bpfix_close ABI");
_Static_assert(sizeof(struct bpfix_notice) == 168, "bpfix_notice ABI");
_Static_assert(sizeof(struct bpfix_conn_key) == 76, "bpfix_conn_key ABI");
_Static_assert(sizeof(struct bpfix_conn) == 32, "bpfix_conn ABI");
_Static_assert(sizeof(struct bpfix_pkt_meta) == 108, "bpfix_pkt_meta ABI");
_Static_assert(BPFIX_META_FLOW_END == 64, "bpfix_pkt_meta: flow part first");
_Static_assert(__builtin_offsetof(struct bpfix_pkt_meta, teid) == 100, "bpfix_pkt_meta ABI");

/* The not-metered counter a parse failure goes to. */
BPFIX_INLINE enum bpfix_counter bpfix_counter_for_rc(enum bpfix_parse_rc rc)
{
	switch (rc) {
	case BPFIX_PARSE_NOT_IP:
		return BPFIX_CNT_NOT_METERED_NON_IP;
	case BPFIX_PARSE_TRUNC_L2:
	case BPFIX_PARSE_TRUNC_IP:
		return BPFIX_CNT_NOT_METERED_TRUNCATED;
	case BPFIX_PARSE_VLAN_DEPTH:
	case BPFIX_PARSE_MPLS_DEPTH:
	case BPFIX_PARSE_MPLS_NOT_IP:
		return BPFIX_CNT_NOT_METERED_UNSUPPORTED;
	default:
		return BPFIX_CNT_NOT_METERED_MALFORMED;
	}
}

/* The diagnostic counter a metered packet's diag goes to (SEEN means none). */
BPFIX_INLINE enum bpfix_counter bpfix_counter_for_diag(enum bpfix_diag diag)
{
	switch (diag) {
	case BPFIX_DIAG_FRAGMENT:
		return BPFIX_CNT_DIAG_FRAGMENT;
	case BPFIX_DIAG_L4_TRUNC:
		return BPFIX_CNT_DIAG_L4_TRUNC;
	case BPFIX_DIAG_IPV6_EXT_TRUNC:
		return BPFIX_CNT_DIAG_IPV6_EXT_TRUNC;
	case BPFIX_DIAG_IPV6_EXT_DEPTH:
		return BPFIX_CNT_DIAG_IPV6_EXT_DEPTH;
	default:
		return BPFIX_CNT_SEEN;
	}
}

/* The diagnostic counter of a GTP-U packet's outcome (SEEN means it was not GTP-U). */
BPFIX_INLINE enum bpfix_counter bpfix_counter_for_gtp(const struct bpfix_pkt_meta *m)
{
	if (m->tun_version)
		return BPFIX_CNT_GTP_DECAPSULATED;
	if (m->gtp_diag && m->gtp_diag < BPFIX_GTP_DIAG_MAX)
		return (enum bpfix_counter)(BPFIX_CNT_GTP_NOT_GPDU + m->gtp_diag - 1);
	return BPFIX_CNT_SEEN;
}

#endif /* BPFIX_FLOW_H */
