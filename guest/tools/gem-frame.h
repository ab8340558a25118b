/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test frames of the GEM tests (guest/versal.sh), shared by the
 * user-space GEM driver (vfio-gem.c) and the kernel's side (packet-io.c):
 * Ethernet frames of the local experimental EtherType 0x88b5 whose every
 * byte follows from a stream number and a sequence number, so that a
 * receiver checks all of them.
 *
 *   0..5    destination        6..11  source (02:00:00:00:00:STREAM)
 *   12..13  EtherType 0x88b5
 *   14..17  sequence number (big endian)
 *   18..19  frame length (big endian)
 *   20..21  stream (big endian): who sent it, in which test
 *   22..    pattern: gem_frame_byte(stream, seq, i)
 *
 * Frame N of a stream is gem_frame_len(N) bytes long (60 to 1514, without
 * the FCS), a different length for each of the first frames.
 */
#ifndef GEM_FRAME_H
#define GEM_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GEM_FRAME_ETHERTYPE	0x88b5
#define GEM_FRAME_MIN		60
#define GEM_FRAME_MAX		1514
#define GEM_FRAME_HDR		22

static inline size_t gem_frame_len(unsigned int seq)
{
	return GEM_FRAME_MIN + (seq * 331u) % (GEM_FRAME_MAX - GEM_FRAME_MIN + 1);
}

static inline uint8_t gem_frame_byte(unsigned int stream, unsigned int seq,
				     size_t i)
{
	return (uint8_t)(stream * 101u + seq * 31u + i * 7u + (i >> 8));
}

/* Build frame @seq of @stream to @dst in @buf; returns its length. */
static inline size_t gem_frame_build(uint8_t *buf, const uint8_t dst[6],
				     unsigned int stream, unsigned int seq)
{
	size_t len = gem_frame_len(seq), i;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, "\x02\x00\x00\x00\x00", 5);
	buf[11] = (uint8_t)stream;
	buf[12] = GEM_FRAME_ETHERTYPE >> 8;
	buf[13] = GEM_FRAME_ETHERTYPE & 0xff;
	buf[14] = (uint8_t)(seq >> 24);
	buf[15] = (uint8_t)(seq >> 16);
	buf[16] = (uint8_t)(seq >> 8);
	buf[17] = (uint8_t)seq;
	buf[18] = (uint8_t)(len >> 8);
	buf[19] = (uint8_t)len;
	buf[20] = (uint8_t)(stream >> 8);
	buf[21] = (uint8_t)stream;
	for (i = GEM_FRAME_HDR; i < len; i++)
		buf[i] = gem_frame_byte(stream, seq, i);
	return len;
}

/* The frame's EtherType is ours (other traffic is not checked). */
static inline int gem_frame_ours(const uint8_t *buf, size_t len)
{
	return len >= 14 && buf[12] == (GEM_FRAME_ETHERTYPE >> 8) &&
	       buf[13] == (GEM_FRAME_ETHERTYPE & 0xff);
}

/* The Ethernet FCS (CRC-32) of @len bytes, as sent on the wire. */
static inline uint32_t gem_frame_fcs(const uint8_t *buf, size_t len)
{
	uint32_t crc = 0xffffffff;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= buf[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

/*
 * Check every byte of a received frame of ours against frame @seq of
 * @stream to @dst (@len bytes as received). Returns -1 if it matches,
 * -2 if it matches and carries its FCS too, else the offset of the first
 * wrong byte (the expected length if only the length is wrong).
 *
 * The FCS: macb computes it in software and tells the GEM not to add one
 * (NOCRC); QEMU's GEM hands the frame on with those 4 bytes and the
 * receiving GEM model does not strip them. A real receiving GEM (and macb)
 * strips the FCS.
 */
static inline long gem_frame_check(const uint8_t *buf, size_t len,
				   const uint8_t dst[6], unsigned int stream,
				   unsigned int seq)
{
	uint8_t want[GEM_FRAME_MAX];
	size_t wlen = gem_frame_build(want, dst, stream, seq), i;
	uint32_t fcs;

	for (i = 0; i < len && i < wlen; i++)
		if (buf[i] != want[i])
			return (long)i;
	if (len == wlen)
		return -1;
	if (len != wlen + 4)
		return (long)wlen;
	fcs = gem_frame_fcs(want, wlen);
	for (i = 0; i < 4; i++)
		if (buf[wlen + i] != (uint8_t)(fcs >> (8 * i)))
			return (long)(wlen + i);
	return -2;
}

#endif /* GEM_FRAME_H */
