/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * TCP analysis, shared by the TC program and the host engine (DESIGN.md §4a): per direction, the
 * sequence gaps (data missing before the observer) and retransmitted segments (ending at or below
 * the highest sequence end seen), and the handshake's round-trip times split at the observer. A
 * flow's value holds its direction's state; a handshake under way also lives in the connection
 * map, which only SYN, SYN-ACK and the client's next segment touch (the flow's HS_PENDING bit
 * says when). No map access here: each engine finds the connection and does what
 * bpfix_conn_step says. Other protocols never get here.
 */
#ifndef BPFIX_TCP_H
#define BPFIX_TCP_H

#include "bpfix_account.h"
#include "bpfix_proto.h"

/* A segment further than this from the highest end is not loss: resynchronise (RFC 1982 sense) */
#define BPFIX_TCP_SEQ_JUMP (1 << 30)
#define BPFIX_RTT_MAX_US 0xfffffffeu /* longer round trips are written as this */
#define BPFIX_TCP_SYN_DATA_MAX 0x10000u /* a SYN-ACK acknowledges at most this beyond the SYN */

/* A parsed TCP packet in sequence space, and when and from which end the observer saw it. */
struct bpfix_tcp_seg {
	__u64 now_ns;	/* the engine's clock */
	__u32 seq;
	__u32 ack;
	__u32 len;	/* sequence space it covers: payload octets, + 1 for SYN, + 1 for FIN */
	__u32 payload;
	__u8 flags;
	__u8 unsized;	/* the payload is not known (a G-PDU in outer fragments): no gap or
			 * retransmission is told from it */
	__u8 side;	/* which endpoint of the connection's key sent it (handshake steps) */
	__u8 pad;
};

/*
 * The segment @m is, seen at @now_ns, if it is TCP with its header read; 0 if not. A GSO
 * super-packet covers [seq, seq + payload): its IP length is the super-packet's. @whole: the IP
 * length is the packet's own (not a G-PDU's first fragment, bpfix_gtpu_credit). The first
 * fragment of a fragmented IP packet carries only the start of its segment: unsized too.
 */
BPFIX_INLINE int bpfix_tcp_seg_of(const struct bpfix_pkt_meta *m, int whole, __u64 now_ns,
				  struct bpfix_tcp_seg *seg)
{
	__u32 headers;

	if (m->protocol != BPFIX_IPPROTO_TCP || !m->l4_off)
		return 0;
	headers = m->l4_off - m->l3_off + m->l4_hdr_len;
	seg->now_ns = now_ns;
	seg->seq = m->tcp_seq;
	seg->ack = m->tcp_ack;
	seg->flags = m->tcp_flags;
	seg->payload = m->ip_len > headers ? m->ip_len - headers : 0;
	seg->len = seg->payload + !!(m->tcp_flags & BPFIX_TCP_SYN) +
		   !!(m->tcp_flags & BPFIX_TCP_FIN);
	seg->unsized = (__u8)((whole ^ 1) | m->more_fragments);
	return 1;
}

/* What a segment was to its direction's sequence state (bits: a segment may be two). */
#define BPFIX_SEG_GAP 0x01	/* starts beyond the highest end: data missing before it */
#define BPFIX_SEG_RETRANS 0x02	/* starts below the highest end (partial overlap included) */
#define BPFIX_SEG_RESYNC 0x04	/* over BPFIX_TCP_SEQ_JUMP away: the highest end starts again */
#define BPFIX_SEG_RESTART 0x08	/* a SYN with a new ISN, the first, or after an RST: tcp_isn */
#define BPFIX_SEG_PROBE 0x10	/* a 1-octet segment at a new place: tcp_probe_seq */

/*
 * The rule, on the state word @old (tcp_seq) and the direction's @isn and @probe_seq: what @seg
 * is, and the word after it in *next. Comparisons are modulo 2^32. Only segments with data, SYN
 * or FIN are classified; the first only sets the highest end; a keep-alive (one octet just below
 * the highest end) and a 1-octet segment repeated where the last one was (a zero-window probe)
 * never count. A SYN that repeats the direction's ISN is a retransmission like any segment; any
 * other SYN starts the direction afresh (port reuse, or after an RST), round-trip times
 * included. An RST is never classified; the next SYN after it starts afresh. A BPF global
 * function: the verifier checks it once, not once per compare-and-swap try.
 */
BPFIX_BPF_GLOBAL __u32 bpfix_tcp_classify(__u64 old, __u32 isn, __u32 probe_seq,
					  const struct bpfix_tcp_seg *seg, __u64 *next)
{
	__u32 state = BPFIX_TCP_STATE(old), high = BPFIX_TCP_SEQ_END(old);
	__u32 end, verdict = 0;
	__s32 start;

	if (!seg || !next)
		return 0;
	end = seg->seq + seg->len;

	if (!(seg->flags & BPFIX_TCP_SYN)) {
		state &= ~BPFIX_TCP_HS_PENDING; /* the sender's next segment after its SYN */
	} else {
		if (!(seg->flags & BPFIX_TCP_ACK))
			state |= BPFIX_TCP_HS_PENDING;
		if (!(state & BPFIX_TCP_ISN_SEEN) || seg->seq != isn ||
		    (state & BPFIX_TCP_RST_SEEN)) {
			state &= ~(BPFIX_TCP_RST_SEEN | BPFIX_TCP_PROBE_SEEN | BPFIX_TCP_RTT_BITS);
			state |= BPFIX_TCP_ISN_SEEN | BPFIX_TCP_SEQ_SEEN;
			*next = BPFIX_TCP_SEQ_WORD(state, end);
			return BPFIX_SEG_RESTART;
		}
	}
	if (seg->flags & BPFIX_TCP_RST)
		state |= BPFIX_TCP_RST_SEEN;
	*next = BPFIX_TCP_SEQ_WORD(state, high);
	if (!seg->len || seg->unsized || (seg->flags & BPFIX_TCP_RST))
		return 0;
	if (!(state & BPFIX_TCP_SEQ_SEEN)) {
		*next = BPFIX_TCP_SEQ_WORD(state | BPFIX_TCP_SEQ_SEEN, end);
		return 0;
	}
	start = (__s32)(seg->seq - high);
	if (seg->len == 1 && seg->payload == 1) {
		if (start == -1 || ((state & BPFIX_TCP_PROBE_SEEN) && seg->seq == probe_seq))
			return 0; /* a keep-alive, or the probe again */
		state |= BPFIX_TCP_PROBE_SEEN;
		verdict = BPFIX_SEG_PROBE;
		*next = BPFIX_TCP_SEQ_WORD(state, high);
	}
	if (start > BPFIX_TCP_SEQ_JUMP || start < -BPFIX_TCP_SEQ_JUMP) {
		*next = BPFIX_TCP_SEQ_WORD(state, end);
		return verdict | BPFIX_SEG_RESYNC;
	}
	if ((__s32)(end - high) > 0)
		*next = BPFIX_TCP_SEQ_WORD(state, end);
	if (start > 0)
		return verdict | BPFIX_SEG_GAP;
	if (start < 0)
		return verdict | BPFIX_SEG_RETRANS;
	return verdict;
}

/* What a TCP segment asks of the connection map. */
enum bpfix_hs_step {
	BPFIX_HS_NONE = 0,
	BPFIX_HS_SYN,		/* a SYN without ACK: a handshake starts, or its SYN again */
	BPFIX_HS_SYNACK,	/* the answer: t2, the server-side round trip */
	BPFIX_HS_END,		/* the SYN's sender's next segment: t3, the client side */
};

/*
 * A segment the analysis has nothing to do with: no data, SYN, FIN or RST (a pure ACK), in a
 * direction with no handshake pending. Most of the ACKs of a download; what bpfix_tcp_classify
 * would leave alone, decided without the call.
 */
BPFIX_INLINE int bpfix_tcp_idle_ack(const struct bpfix_flow_stats *s,
				     const struct bpfix_tcp_seg *seg)
{
	return !seg->len && !(seg->flags & BPFIX_TCP_RST) &&
	       !(BPFIX_TCP_STATE(*(const volatile __u64 *)&s->tcp_seq) & BPFIX_TCP_HS_PENDING);
}

/* bpfix_tcp_account's result: the step in the low octet, and these */
#define BPFIX_TCP_STEP(result) ((result) & 0xff)
#define BPFIX_TCP_RESTARTED 0x100 /* a SYN that started its direction afresh */
#define BPFIX_TCP_RESYNCED 0x200  /* a jump: counted in BPFIX_CNT_TCP_SEQ_RESYNC */

/*
 * Account @seg, @packets wire packets (a GSO super-packet's segments), to its direction's flow
 * @s: the sequence state (compare-and-swap with the other CPUs; after BPFIX_CAS_TRIES lost races
 * the segment is left unclassified), and this record's gaps and retransmitted segments. Returns
 * the step the connection map must take for it (enum bpfix_hs_step) with BPFIX_TCP_* bits.
 * A BPF global function: the verifier checks it once, not on every path that reaches it.
 */
BPFIX_BPF_GLOBAL __u32 bpfix_tcp_account(struct bpfix_flow_stats *s,
					 const struct bpfix_tcp_seg *seg, __u32 packets)
{
	__u32 isn, probe, verdict = 0, result = BPFIX_HS_NONE;
	__u64 old = 0, next = 0;
	int i;

	if (!s || !seg || bpfix_tcp_idle_ack(s, seg))
		return BPFIX_HS_NONE;
	isn = *(volatile __u32 *)&s->tcp_isn;
	probe = *(volatile __u32 *)&s->tcp_probe_seq;
	for (i = 0; i < BPFIX_CAS_TRIES; i++) {
		old = *(volatile __u64 *)&s->tcp_seq;
		verdict = bpfix_tcp_classify(old, isn, probe, seg, &next);
		if (next == old || __sync_val_compare_and_swap(&s->tcp_seq, old, next) == old)
			break;
	}
	if (i == BPFIX_CAS_TRIES)
		return BPFIX_HS_NONE;
	if (verdict & BPFIX_SEG_RESTART)
		*(volatile __u32 *)&s->tcp_isn = seg->seq;
	if (verdict & BPFIX_SEG_PROBE)
		*(volatile __u32 *)&s->tcp_probe_seq = seg->seq;
	if (verdict & BPFIX_SEG_GAP)
		__sync_fetch_and_add(&s->tcp_loss, 1);
	else if (verdict & BPFIX_SEG_RETRANS)
		__sync_fetch_and_add(&s->tcp_loss, (__u64)packets << 32);
	if (verdict & BPFIX_SEG_RESTART)
		result |= BPFIX_TCP_RESTARTED;
	if (verdict & BPFIX_SEG_RESYNC)
		result |= BPFIX_TCP_RESYNCED;
	if (seg->flags & BPFIX_TCP_SYN)
		result |= seg->flags & BPFIX_TCP_ACK ? BPFIX_HS_SYNACK : BPFIX_HS_SYN;
	else if ((BPFIX_TCP_STATE(old) & ~BPFIX_TCP_STATE(next)) & BPFIX_TCP_HS_PENDING)
		result |= BPFIX_HS_END; /* only the CPU whose swap cleared the bit */
	return result;
}

/* -1, 0 or 1: 16 octets @a against @b, in any fixed order (both directions use the same). */
BPFIX_INLINE int bpfix_addr_cmp(const __u8 *a, const __u8 *b)
{
	__u32 x, y;
	int i;

	for (i = 0; i < 16; i += 4) {
		__builtin_memcpy(&x, a + i, 4);
		__builtin_memcpy(&y, b + i, 4);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/*
 * The connection map's key of @m's conversation at interface @ifindex (struct bpfix_conn_key);
 * returns which of the key's endpoints (0 or 1) sent @m.
 */
BPFIX_INLINE __u8 bpfix_conn_key_from_meta(struct bpfix_conn_key *k, const struct bpfix_pkt_meta *m,
					    __u32 ifindex)
{
	int order = bpfix_addr_cmp(m->src_addr, m->dst_addr);
	__u8 side = order > 0 || (order == 0 && m->src_port > m->dst_port);

	__builtin_memset(k, 0, sizeof(*k)); /* hashed whole */
	if (side) {
		__builtin_memcpy(k->addr[0], m->dst_addr, 16);
		__builtin_memcpy(k->addr[1], m->src_addr, 16);
		k->port[0] = m->dst_port;
		k->port[1] = m->src_port;
	} else {
		__builtin_memcpy(k->addr[0], m->src_addr, 16);
		__builtin_memcpy(k->addr[1], m->dst_addr, 16);
		k->port[0] = m->src_port;
		k->port[1] = m->dst_port;
	}
	if (m->tun_version) {
		order = bpfix_addr_cmp(m->tun_src_addr, m->tun_dst_addr);
		__builtin_memcpy(k->tun_addr[0], order > 0 ? m->tun_dst_addr : m->tun_src_addr, 16);
		__builtin_memcpy(k->tun_addr[1], order > 0 ? m->tun_src_addr : m->tun_dst_addr, 16);
		k->tun_version = m->tun_version;
	}
	k->ifindex = ifindex;
	k->ip_version = m->ip_version;
	return side;
}

/* Microseconds from @then to @now, at most BPFIX_RTT_MAX_US; -1 if @now is earlier. */
BPFIX_INLINE __s64 bpfix_rtt_us(__u64 then, __u64 now)
{
	__u64 us;

	if (now < then)
		return -1;
	us = (now - then) / 1000;
	return us > BPFIX_RTT_MAX_US ? BPFIX_RTT_MAX_US : (__s64)us;
}

/* Give the flow @s its round-trip times: the values first, then the bits that say they hold. */
BPFIX_INLINE void bpfix_tcp_set_rtt(struct bpfix_flow_stats *s, __u32 server_us, __u32 client_us,
				     __u32 bits)
{
	*(volatile __u32 *)&s->rtt_server_us = server_us;
	if (bits & BPFIX_TCP_RTT_CLIENT)
		*(volatile __u32 *)&s->rtt_client_us = client_us;
	__sync_fetch_and_or(&s->tcp_seq, BPFIX_TCP_SEQ_WORD(bits, 0));
}

/* What the engine does with the connection map's entry after bpfix_conn_step. */
enum bpfix_conn_action {
	BPFIX_CONN_KEEP = 0,	/* nothing (an entry found was changed in place) */
	BPFIX_CONN_INSERT,	/* insert the fresh entry (BPF_NOEXIST); if it went in, count
				 * BPFIX_CNT_TCP_HANDSHAKES */
	BPFIX_CONN_DELETE,	/* delete the entry; if it was there, count
				 * BPFIX_CNT_TCP_HANDSHAKES_DONE */
};

/* bpfix_conn_step's result: the action in the low octet, and these events, which count */
#define BPFIX_CONN_ACTION(result) ((enum bpfix_conn_action)((result) & 0xff))
#define BPFIX_CONN_EV_REPLACED 0x100 /* a new handshake took an old one's entry: both counted */
#define BPFIX_CONN_EV_MEASURED 0x200 /* both round trips went to the client's flow */

/*
 * The handshake step of @seg (@result: bpfix_tcp_account's; seg->side set by
 * bpfix_conn_key_from_meta), on the connection's entry @c (NULL: none), writing round-trip times
 * into the sender's flow @s.
 * A new entry is built in @fresh. t1 is the latest SYN, t2 the latest SYN-ACK acknowledging it
 * (a repeated one makes the client side ambiguous, as a repeated SYN the server side); the
 * server's flow gets t2 - t1 at its SYN-ACK, the client's flow both at its next segment if it
 * acknowledges the server's ISN + 1 (t3: a pure ACK or data, TCP Fast Open included); both sides
 * sending a SYN (simultaneous open) gives no measurement. Returns the engine's action with the
 * BPFIX_CONN_EV_* bits. A BPF global function, like bpfix_tcp_account.
 */
BPFIX_BPF_GLOBAL __u32 bpfix_conn_step(struct bpfix_conn *c, struct bpfix_conn *fresh, __u32 result,
				       const struct bpfix_tcp_seg *seg, struct bpfix_flow_stats *s)
{
	__u32 step = BPFIX_TCP_STEP(result), restart = result & BPFIX_TCP_RESTARTED, bits;
	__s64 server_us, client_us;
	__u64 now;
	__u8 side;

	if (!fresh || !seg || !s)
		return BPFIX_CONN_KEEP;
	now = seg->now_ns;
	side = seg->side;
	if (step == BPFIX_HS_SYN) {
		if (c && c->client != side) {
			c->state = BPFIX_CONN_SIMULTANEOUS; /* the other side sent one too */
			return BPFIX_CONN_KEEP;
		}
		if (c && !restart && c->state == BPFIX_CONN_SIMULTANEOUS)
			return BPFIX_CONN_KEEP;
		if (c && !restart && seg->seq == c->client_isn) {
			c->syn_ns = now; /* t1 again: the server side is ambiguous now */
			c->state = BPFIX_CONN_SYN;
			c->ambiguous |= BPFIX_CONN_AMBIGUOUS(BPFIX_TCP_RTT_SERVER_AMBIGUOUS);
			return BPFIX_CONN_KEEP;
		}
		__builtin_memset(fresh, 0, sizeof(*fresh));
		fresh->syn_ns = now;
		fresh->client_isn = seg->seq;
		fresh->client = side;
		fresh->state = BPFIX_CONN_SYN;
		if (!c)
			return BPFIX_CONN_INSERT;
		*c = *fresh;
		return BPFIX_CONN_KEEP | BPFIX_CONN_EV_REPLACED;
	}
	if (!c)
		return BPFIX_CONN_KEEP;
	if (step == BPFIX_HS_SYNACK) {
		/* it acknowledges the SYN, and any data on it (TCP Fast Open) */
		if (c->client == side || c->state == BPFIX_CONN_SIMULTANEOUS ||
		    seg->ack - (c->client_isn + 1) >= BPFIX_TCP_SYN_DATA_MAX)
			return BPFIX_CONN_KEEP; /* not this SYN's answer */
		if (c->state == BPFIX_CONN_SYNACK) {
			c->synack_ns = now; /* t2 again: the client side is ambiguous now */
			c->server_isn = seg->seq;
			c->ambiguous |= BPFIX_CONN_AMBIGUOUS(BPFIX_TCP_RTT_CLIENT_AMBIGUOUS);
			return BPFIX_CONN_KEEP;
		}
		server_us = bpfix_rtt_us(c->syn_ns, now);
		if (server_us < 0)
			return BPFIX_CONN_KEEP; /* an answer stamped before its SYN: no measure */
		c->synack_ns = now;
		c->server_isn = seg->seq;
		c->rtt_server_us = (__u32)server_us;
		c->state = BPFIX_CONN_SYNACK;
		bits = BPFIX_TCP_RTT_SERVER |
		       (BPFIX_CONN_STATE_BITS(c->ambiguous) & BPFIX_TCP_RTT_SERVER_AMBIGUOUS);
		bpfix_tcp_set_rtt(s, (__u32)server_us, 0, bits);
		return BPFIX_CONN_KEEP;
	}
	/* BPFIX_HS_END: the handshake is over for the map, measured or not */
	client_us = bpfix_rtt_us(c->synack_ns, now);
	if (c->state == BPFIX_CONN_SYNACK && c->client == side && (seg->flags & BPFIX_TCP_ACK) &&
	    (__s32)(seg->ack - (c->server_isn + 1)) >= 0 && client_us >= 0) {
		bits = BPFIX_TCP_RTT_SERVER | BPFIX_TCP_RTT_CLIENT |
		       BPFIX_CONN_STATE_BITS(c->ambiguous);
		bpfix_tcp_set_rtt(s, c->rtt_server_us, (__u32)client_us, bits);
		return BPFIX_CONN_DELETE | BPFIX_CONN_EV_MEASURED;
	}
	return BPFIX_CONN_DELETE;
}

/*
 * The counters a handshake step (@result: bpfix_conn_step's) adds one to, into @idx; returns how
 * many. @done: the engine's insert or delete took effect (an insert may lose to another CPU's, a
 * delete to the LRU's eviction).
 */
BPFIX_INLINE int bpfix_conn_counts(__u32 result, int done, enum bpfix_counter idx[BPFIX_COUNTS_MAX])
{
	enum bpfix_conn_action action = BPFIX_CONN_ACTION(result);
	int n = 0;

	if (result & BPFIX_CONN_EV_REPLACED) {
		idx[0] = BPFIX_CNT_TCP_HANDSHAKES;
		idx[1] = BPFIX_CNT_TCP_HANDSHAKES_DONE;
		return 2;
	}
	if (action == BPFIX_CONN_INSERT && done)
		idx[n++] = BPFIX_CNT_TCP_HANDSHAKES;
	else if (action == BPFIX_CONN_DELETE && done)
		idx[n++] = BPFIX_CNT_TCP_HANDSHAKES_DONE;
	if (result & BPFIX_CONN_EV_MEASURED)
		idx[n++] = BPFIX_CNT_TCP_HANDSHAKES_MEASURED;
	return n;
}

#endif /* BPFIX_TCP_H */
