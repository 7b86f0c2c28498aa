/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Wire formats bpfix parses, as packed structs with network-order fields, and their constants.
 * Own names (bpfix_*) so they never clash with vmlinux.h or the host's netinet headers.
 */
#ifndef BPFIX_PROTO_H
#define BPFIX_PROTO_H

#include "bpfix_compat.h"

#define BPFIX_ETH_P_IPV4 0x0800
#define BPFIX_ETH_P_IPV6 0x86DD
#define BPFIX_ETH_P_8021Q 0x8100
#define BPFIX_ETH_P_8021AD 0x88A8
#define BPFIX_ETH_P_MPLS_UC 0x8847
#define BPFIX_ETH_P_MPLS_MC 0x8848

#define BPFIX_MPLS_BOTTOM_OF_STACK 0x00000100 /* RFC 3032 §2.1, in the host-order label entry */

#define BPFIX_IPPROTO_HOPOPTS 0
#define BPFIX_IPPROTO_ICMP 1
#define BPFIX_IPPROTO_TCP 6
#define BPFIX_IPPROTO_UDP 17
#define BPFIX_IPPROTO_ROUTING 43
#define BPFIX_IPPROTO_FRAGMENT 44
#define BPFIX_IPPROTO_ICMPV6 58
#define BPFIX_IPPROTO_DSTOPTS 60
#define BPFIX_IPPROTO_SCTP 132
#define BPFIX_IPPROTO_UDPLITE 136

#define BPFIX_IPV4_FRAG_OFFSET_MASK 0x1FFF /* RFC 791: 13-bit fragment offset */
#define BPFIX_IPV6_FRAG_OFFSET_MASK 0xFFF8 /* RFC 8200 §4.5: offset in the upper 13 bits */
#define BPFIX_IPV4_FLAG_MF 0x2000	   /* RFC 791: more fragments */
#define BPFIX_IPV6_FLAG_M 0x0001	   /* RFC 8200 §4.5: more fragments */

/* The most an IPv4 total length or an IPv6 payload length can say; longer packets say 0 */
#define BPFIX_IP_LEN_MAX 65535
/* Hop-by-hop options (RFC 8200 §4.2): Pad1 is one octet, every other option type-length-value */
#define BPFIX_IPV6_OPT_PAD1 0x00
#define BPFIX_IPV6_OPT_JUMBO 0xC2 /* Jumbo Payload (RFC 2675 §2): 4 octets of length */
/* A hop-by-hop header holding only a Jumbo Payload option, as Linux writes it for BIG TCP */
#define BPFIX_IPV6_JUMBO_HBH_LEN 8

/* GTP-U (3GPP TS 29.281 §5.1, §5.2) */
#define BPFIX_GTPU_VERSION_SHIFT 5
#define BPFIX_GTPU_FLAG_PT 0x10
#define BPFIX_GTPU_FLAG_E 0x04
#define BPFIX_GTPU_FLAG_S 0x02
#define BPFIX_GTPU_FLAG_PN 0x01
#define BPFIX_GTPU_MSG_GPDU 255
#define BPFIX_GTPU_EXT_PDU_SESSION 0x85 /* PDU Session Container (TS 38.415 §5.5.2) */
#define BPFIX_GTPU_QFI_MASK 0x3F

#define BPFIX_TCP_FIN 0x01
#define BPFIX_TCP_SYN 0x02
#define BPFIX_TCP_RST 0x04
#define BPFIX_TCP_ACK 0x10
#define BPFIX_TCP_ENDING (BPFIX_TCP_FIN | BPFIX_TCP_RST) /* the session ends this way */

struct bpfix_eth_hdr {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
} __attribute__((packed));

struct bpfix_vlan_hdr {
	__be16 tci;
	__be16 proto; /* EtherType of what follows the tag */
} __attribute__((packed));

struct bpfix_ipv4_hdr {
	__u8 version_ihl;
	__u8 tos;
	__be16 total_len;
	__be16 id;
	__be16 frag_off; /* flags (3 bits) and fragment offset (13 bits) */
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__u8 saddr[4];
	__u8 daddr[4];
} __attribute__((packed));

struct bpfix_ipv6_hdr {
	__be32 version_tc_label;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16];
	__u8 daddr[16];
} __attribute__((packed));

struct bpfix_mpls_hdr {
	__be32 entry; /* label (20 bits), traffic class (3), bottom of stack (1), TTL (8) */
} __attribute__((packed));

/* Hop-by-hop, routing and destination options share this start (RFC 8200 §4.3-4.6). */
struct bpfix_ipv6_ext_hdr {
	__u8 nexthdr;
	__u8 len; /* in 8-octet units, not counting the first 8 octets */
} __attribute__((packed));

struct bpfix_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset (13 bits), 2 reserved bits, M flag */
	__be32 id;
} __attribute__((packed));

struct bpfix_gtpu_hdr {
	__u8 flags;	/* version (3), PT, spare, E, S, PN */
	__u8 msg_type;
	__be16 length;	/* octets after the first 8 */
	__be32 teid;
} __attribute__((packed));

/* Present when any of E, S, PN is set; each field is meaningful only with its flag. */
struct bpfix_gtpu_opt_hdr {
	__be16 seq;
	__u8 npdu;
	__u8 next_ext;
} __attribute__((packed));

/* An option of the hop-by-hop or destination options header, up to its data. */
struct bpfix_ipv6_opt {
	__u8 type;
	__u8 len; /* octets of data after these two */
} __attribute__((packed));

/* The Jumbo Payload option: the packet's length after the IPv6 header, hop-by-hop included */
struct bpfix_ipv6_jumbo_opt {
	__u8 type;
	__u8 len; /* 4 */
	__be32 payload_len;
} __attribute__((packed));

/* The first four octets of TCP, UDP, UDP-Lite and SCTP. */
struct bpfix_ports_hdr {
	__be16 src;
	__be16 dst;
} __attribute__((packed));

struct bpfix_udp_hdr {
	__be16 src;
	__be16 dst;
	__be16 len; /* the datagram's: in a first fragment, more than the fragment carries */
	__be16 check;
} __attribute__((packed));

/* TCP up to its flags octet. */
struct bpfix_tcp_hdr {
	__be16 src;
	__be16 dst;
	__be32 seq;
	__be32 ack_seq;
	__u8 data_off;
	__u8 flags;
} __attribute__((packed));

struct bpfix_icmp_hdr {
	__u8 type;
	__u8 code;
} __attribute__((packed));

_Static_assert(sizeof(struct bpfix_eth_hdr) == 14, "Ethernet header");
_Static_assert(sizeof(struct bpfix_ipv4_hdr) == 20, "IPv4 header");
_Static_assert(sizeof(struct bpfix_ipv6_hdr) == 40, "IPv6 header");
_Static_assert(sizeof(struct bpfix_tcp_hdr) == 14, "TCP header up to flags");
_Static_assert(sizeof(struct bpfix_udp_hdr) == 8, "UDP header");
_Static_assert(sizeof(struct bpfix_ipv6_jumbo_opt) == 6, "Jumbo Payload option");
_Static_assert(sizeof(struct bpfix_gtpu_hdr) == 8, "GTP-U header");

#endif /* BPFIX_PROTO_H */
