/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Integers between a record in memory (host order) and an export message (network order), for
 * the encoders that write messages themselves (IPFIX flow data, NetFlow v9). Nothing else.
 */
#ifndef BPFIX_EXPORT_WIRE_H
#define BPFIX_EXPORT_WIRE_H

#include <stdint.h>
#include <string.h>

static inline void bpfix_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void bpfix_put_be32(uint8_t *p, uint32_t v)
{
	bpfix_put_be16(p, (uint16_t)(v >> 16));
	bpfix_put_be16(p + 2, (uint16_t)v);
}

/* The low @len octets of @v, big-endian (reduced-size encoding, RFC 7011 §6.2). */
static inline void bpfix_put_be(uint8_t *p, uint64_t v, unsigned int len)
{
	unsigned int i;

	for (i = len; i > 0; i--, v >>= 8)
		p[i - 1] = (uint8_t)v;
}

/* A host-order integer of @len octets (1, 2, 4 or 8) in memory. */
static inline uint64_t bpfix_memory_integer(const uint8_t *mem, unsigned int len)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (len) {
	case 1:
		return *mem;
	case 2:
		memcpy(&v16, mem, 2);
		return v16;
	case 4:
		memcpy(&v32, mem, 4);
		return v32;
	default:
		memcpy(&v64, mem, 8);
		return v64;
	}
}

#endif /* BPFIX_EXPORT_WIRE_H */
