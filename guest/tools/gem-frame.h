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
 *
 * A receiver of frames 0..COUNT-1 (gem_frame_rx()) wants each of them
 * once, every byte right, and counts those that come out of order: QEMU's
 * network layer queues a frame for a NIC that cannot take it at that
 * moment and delivers the next one first if the NIC can take that.
 */
#ifndef GEM_FRAME_H
#define GEM_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* What a receiver of frames 0..count-1 of one stream has seen. */
struct gem_frame_rx {
	unsigned int count;
	unsigned int got;	/* distinct frames, intact */
	unsigned int next;	/* the sequence number expected next */
	unsigned int reordered;	/* frames that came before an earlier one */
	unsigned int fcs;	/* frames that carried their FCS */
	unsigned int other;	/* frames of other EtherTypes, ignored */
	uint8_t *seen;
};

static inline int gem_frame_rx_init(struct gem_frame_rx *r, unsigned int count)
{
	memset(r, 0, sizeof(*r));
	r->count = count;
	r->seen = calloc(count ? count : 1, 1);
	return r->seen ? 0 : -1;
}

/*
 * One received frame (@len bytes) for frames of @stream to @dst: 0 if it
 * is the intact frame of a sequence number not seen yet, or not ours; -1
 * (and why in @why) if not.
 */
static inline int gem_frame_rx(struct gem_frame_rx *r, const uint8_t *buf,
			       size_t len, const uint8_t dst[6],
			       unsigned int stream, char *why, size_t whylen)
{
	unsigned int seq;
	long bad;

	if (!gem_frame_ours(buf, len)) {
		r->other++;
		return 0;
	}
	if (len < GEM_FRAME_HDR) {
		snprintf(why, whylen, "a frame of %zu bytes", len);
		return -1;
	}
	seq = (unsigned int)buf[14] << 24 | buf[15] << 16 | buf[16] << 8 | buf[17];
	if (seq >= r->count || r->seen[seq]) {
		snprintf(why, whylen, "frame %u %s (%zu bytes, after %u of %u)",
			 seq, seq >= r->count ? "not sent" : "twice", len,
			 r->got, r->count);
		return -1;
	}
	bad = gem_frame_check(buf, len, dst, stream, seq);
	if (bad >= 0) {
		snprintf(why, whylen,
			 "frame %u (%zu bytes, %zu expected): byte %ld is %#x, not %#x",
			 seq, len, gem_frame_len(seq), bad,
			 bad < (long)len ? buf[bad] : 0,
			 gem_frame_byte(stream, seq, bad));
		return -1;
	}
	if (bad == -2)
		r->fcs++;
	if (seq != r->next)
		r->reordered++;
	r->next = seq + 1;
	r->seen[seq] = 1;
	r->got++;
	return 0;
}

#endif /* GEM_FRAME_H */
