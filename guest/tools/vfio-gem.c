// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space driver for a Cadence GEM (the Ethernet MAC of the Xilinx
 * ZynqMP and Versal) over vfio-platform, for the GEM tests of
 * guest/versal.sh: it sends and receives the test frames of gem-frame.h
 * through the GEM's own DMA, without the kernel's macb driver.
 *
 * The device is opened through its no-IOMMU VFIO group and its registers
 * mapped (region 0). One huge page (hugetlbfs: not moved by compaction)
 * holds a transmit and a receive descriptor ring of queue 0 and their
 * buffers; the GEM gets their physical addresses from /proc/self/pagemap.
 * The other priority queues the GEM has (DCFG6) point at a descriptor the
 * GEM does not own, so that it finds nothing to send or fill there.
 * Descriptors are 64-bit ones (word 2: the upper address bits) where the
 * GEM has 64-bit DMA (DCFG6), else 32-bit ones.
 *
 * Interrupts: transmit complete (TCOMP) and receive complete (RCOMP) on
 * the GEM's line, through a VFIO eventfd. The line is level triggered:
 * VFIO masks it before it signals the eventfd; the handler reads ISR
 * (clear on read), which lowers the line, then unmasks it
 * (VFIO_IRQ_SET_ACTION_UNMASK).
 *
 * Caches: where the device-tree node does not say "dma-coherent", buffers
 * and descriptors are cleaned before the GEM reads them and invalidated
 * before the CPU reads what the GEM wrote. A cache line holds several
 * descriptors, so the CPU writes a line of the receive ring only when the
 * GEM has handed back all of its descriptors (refill by whole lines), and
 * writes the transmit ring only while the transmitter is idle.
 *
 * Usage: vfio-gem [-t COUNT] [-r COUNT] [-w MS] [-d DST] [-s STREAM]
 *		   [-S STREAM] DEVICE
 *   -t COUNT   send frames 0..COUNT-1 of stream -s (default 1) to DST
 *		(default broadcast), one at a time, each completion taken as
 *		an interrupt;
 *   -r COUNT   then (whether or not sending failed) say "ready" and
 *		receive frames 0..COUNT-1 of stream -S (default 2), sent to
 *		broadcast, each once, every byte checked (and the FCS where
 *		the frame carries one), in any order (see gem-frame.h); wait
 *		up to MS milliseconds (-w, default 5000) for all of them.
 *   DEVICE: a GEM bound to vfio-platform, e.g. ff0c0000.ethernet.
 * Prints a one-line summary; exits 0 if every frame was sent and every
 * frame came intact, 1 if not, 2 on a usage error, 3 if the GEM or its
 * DMA memory cannot be set up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfio-platform-user.h"
#include "gem-frame.h"

#define GEM_NCR			0x000	/* network control */
#define GEM_NCR_RE		(1u << 2)
#define GEM_NCR_TE		(1u << 3)
#define GEM_NCR_TSTART		(1u << 9)
#define GEM_NCFGR		0x004	/* network configuration */
#define GEM_NCFGR_FD		(1u << 1)
#define GEM_NCFGR_GBE		(1u << 10)
#define GEM_NCFGR_DRFCS		(1u << 17)	/* strip the FCS */
#define GEM_NCFGR_RXCOEN	(1u << 24)
#define GEM_DMACFG		0x010
#define GEM_DMACFG_ENDIA	(3u << 6)	/* swap descriptors, data */
#define GEM_DMACFG_TXCOEN	(1u << 11)	/* checksum offload */
#define GEM_DMACFG_RXBS(x)	((x) << 16)	/* in 64-byte units */
#define GEM_DMACFG_RXBS_MASK	(0xffu << 16)
#define GEM_DMACFG_BD_EXT	(3u << 28)	/* timestamp words */
#define GEM_DMACFG_ADDR64	(1u << 30)
#define GEM_TSR			0x014	/* transmit status, write 1 to clear */
#define GEM_TSR_TXCOMPL		(1u << 5)
#define GEM_RBQP		0x018
#define GEM_TBQP		0x01c
#define GEM_RSR			0x020	/* receive status, write 1 to clear */
#define GEM_RSR_BNA		(1u << 0)
#define GEM_ISR			0x024	/* clear on read */
#define GEM_IER			0x028
#define GEM_IDR			0x02c
#define GEM_DCFG6		0x294
#define GEM_DCFG6_DAW64		(1u << 23)
#define GEM_TBQP_Q(q)		(0x440 + ((q) - 1) * 4)
#define GEM_RBQP_Q(q)		(0x480 + ((q) - 1) * 4)
#define GEM_TBQPH		0x4c8
#define GEM_RBQPH		0x4d4
#define GEM_IDR_Q(q)		(0x620 + ((q) - 1) * 4)
#define GEM_REGS_NEEDED		0x700

#define GEM_INT_RCOMP		(1u << 1)
#define GEM_INT_TUND		(1u << 4)
#define GEM_INT_TXERR		(1u << 6)
#define GEM_INT_ROVR		(1u << 10)
#define GEM_INT_HRESP		(1u << 11)
#define GEM_INT_TCOMP		(1u << 7)
#define GEM_INT_ERR		(GEM_INT_TUND | GEM_INT_TXERR | GEM_INT_ROVR | \
				 GEM_INT_HRESP)

/* Descriptor word 0 (address) and word 1 (control/status) bits. */
#define RX_W0_OWN		(1u << 0)	/* the GEM filled it */
#define RX_W0_WRAP		(1u << 1)
#define RX_W1_LEN		0x1fffu
#define RX_W1_SOF		(1u << 14)
#define RX_W1_EOF		(1u << 15)
#define TX_W1_LAST		(1u << 15)
#define TX_W1_WRAP		(1u << 30)
#define TX_W1_USED		(1u << 31)	/* the CPU owns it */

#define RING			64	/* descriptors per ring */
#define BUF_SIZE		2048	/* bytes per buffer */
/* Where things are in the huge page. */
#define TX_RING_OFF		0x0000
#define RX_RING_OFF		0x1000
#define TX_IDLE_OFF		0x2000	/* for the other queues */
#define RX_IDLE_OFF		0x2040
#define TX_BUF_OFF		0x10000
#define RX_BUF_OFF		0x40000
#define PAGE_NEEDED		(RX_BUF_OFF + RING * BUF_SIZE)
#define TX_TIMEOUT_MS		1000

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct gem {
	struct vfp_device dev;
	struct vfio_region_info regs;
	void *base;		/* the GEM's registers, mapped */
	unsigned char *mem;	/* the huge page */
	size_t mem_size;
	__u64 phys;
	bool coherent;
	bool dma64;		/* 64-bit descriptors */
	unsigned int desc_size;	/* bytes: 8 or 16 */
	unsigned int line;	/* cache line, bytes */
	unsigned int queues;	/* bit q: queue q exists */
	int efd;
	bool level;
	__u32 pending;		/* ISR bits seen, not yet consumed */
	unsigned int irqs, unmasks, spurious;
};

static __u32 rd(struct gem *g, unsigned int off)
{
	return __atomic_load_n((__u32 *)((char *)g->base + off),
			       __ATOMIC_RELAXED);
}

static void wr(struct gem *g, unsigned int off, __u32 val)
{
	__atomic_store_n((__u32 *)((char *)g->base + off), val,
			 __ATOMIC_RELAXED);
}

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool node_has(const char *name, const char *prop)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/of_node/%s",
		 name, prop);
	return access(path, F_OK) == 0;
}

static unsigned int cache_line(void)
{
#ifdef __aarch64__
	unsigned long ctr;

	__asm__ __volatile__("mrs %0, ctr_el0" : "=r"(ctr));
	return 4u << ((ctr >> 16) & 0xf);	/* DminLine */
#else
	return 64;
#endif
}

/*
 * Cache maintenance to the point of coherency for a non-coherent GEM:
 * clean (the GEM is about to read) or clean and invalidate (the GEM
 * wrote, or is about to write).
 */
static void cache_range(struct gem *g, const void *p, size_t len,
			bool invalidate)
{
#ifdef __aarch64__
	unsigned long a, end = (unsigned long)p + len;

	if (g->coherent)
		return;
	for (a = (unsigned long)p & ~(unsigned long)(g->line - 1); a < end;
	     a += g->line) {
		if (invalidate)
			__asm__ __volatile__("dc civac, %0" : : "r"(a) : "memory");
		else
			__asm__ __volatile__("dc cvac, %0" : : "r"(a) : "memory");
	}
	__asm__ __volatile__("dsb sy" : : : "memory");
#else
	(void)g;
	(void)p;
	(void)len;
	(void)invalidate;
#endif
}

static __u32 *desc(struct gem *g, unsigned int ring_off, unsigned int i)
{
	return (__u32 *)(g->mem + ring_off + i * g->desc_size);
}

/* Descriptor words are shared with the GEM: single 32-bit accesses. */
static __u32 dget(const __u32 *d, unsigned int w)
{
	return __atomic_load_n(&d[w], __ATOMIC_RELAXED);
}

static void dset(__u32 *d, unsigned int w, __u32 val)
{
	__atomic_store_n(&d[w], val, __ATOMIC_RELAXED);
}

static void desc_set_addr(struct gem *g, __u32 *d, __u64 addr,
			  __u32 low_bits)
{
	if (g->dma64)
		dset(d, 2, (__u32)(addr >> 32));
	dset(d, 0, (__u32)addr | low_bits);
}

/*
 * Wait up to @ms for the GEM's interrupt: read (and so clear) ISR, which
 * lowers the line, then unmask the line in VFIO. 1: an interrupt came
 * (its ISR bits added to g->pending), 0: none, -1: error.
 */
static int take_irq(struct gem *g, int ms)
{
	__u32 isr;
	int ret;

	ret = vfp_irq_wait(g->efd, ms);
	if (ret <= 0)
		return ret;
	g->irqs++;
	isr = rd(g, GEM_ISR);
	if (!isr)
		g->spurious++;
	g->pending |= isr;
	if (g->level) {
		if (vfp_irq_unmask(&g->dev, 0))
			return -1;
		g->unmasks++;
	}
	if (isr & GEM_INT_ERR) {
		fprintf(stderr, "%s: error interrupt: ISR %#x\n", g->dev.name, isr);
		return -1;
	}
	return 1;
}

static void rx_give(struct gem *g, unsigned int i)
{
	__u32 *d = desc(g, RX_RING_OFF, i);

	dset(d, 1, 0);
	desc_set_addr(g, d, g->phys + RX_BUF_OFF + i * BUF_SIZE,
		      i == RING - 1 ? RX_W0_WRAP : 0);
}

static int setup(struct gem *g)
{
	__u32 ncfgr, dmacfg, dcfg6;
	unsigned int i, q;

	/* Quiet: no transfers, no interrupts, no stale status. */
	wr(g, GEM_NCR, 0);
	wr(g, GEM_IDR, ~0u);
	rd(g, GEM_ISR);
	wr(g, GEM_TSR, ~0u);
	wr(g, GEM_RSR, ~0u);

	dcfg6 = rd(g, GEM_DCFG6);
	g->dma64 = dcfg6 & GEM_DCFG6_DAW64;
	g->desc_size = g->dma64 ? 16 : 8;
	g->queues = (dcfg6 & 0xfe) | 1;
	if (!g->dma64 && (g->phys >> 32)) {
		fprintf(stderr, "%s: 32-bit DMA, memory at %#llx\n", g->dev.name,
			(unsigned long long)g->phys);
		return -1;
	}
	g->line = cache_line();
	if (g->line < g->desc_size || g->line > 256 ||
	    RING % (g->line / g->desc_size)) {
		fprintf(stderr, "%s: cache line of %u bytes\n", g->dev.name,
			g->line);
		return -1;
	}

	/* Full duplex, gigabit (the fixed link), no FCS, no checksum offload. */
	ncfgr = rd(g, GEM_NCFGR) & ~GEM_NCFGR_RXCOEN;
	wr(g, GEM_NCFGR, ncfgr | GEM_NCFGR_FD | GEM_NCFGR_GBE | GEM_NCFGR_DRFCS);
	dmacfg = rd(g, GEM_DMACFG) & ~(GEM_DMACFG_ENDIA | GEM_DMACFG_TXCOEN |
				       GEM_DMACFG_RXBS_MASK | GEM_DMACFG_BD_EXT |
				       GEM_DMACFG_ADDR64);
	dmacfg |= GEM_DMACFG_RXBS(BUF_SIZE / 64);
	if (g->dma64)
		dmacfg |= GEM_DMACFG_ADDR64;
	wr(g, GEM_DMACFG, dmacfg);

	/* Transmit ring: all the CPU's; receive ring: all the GEM's. */
	for (i = 0; i < RING; i++) {
		__u32 *d = desc(g, TX_RING_OFF, i);

		desc_set_addr(g, d, g->phys + TX_BUF_OFF + i * BUF_SIZE, 0);
		dset(d, 1, TX_W1_USED | (i == RING - 1 ? TX_W1_WRAP : 0));
		rx_give(g, i);
	}
	/* The other queues: one descriptor each that the GEM does not own. */
	dset(desc(g, TX_IDLE_OFF, 0), 1, TX_W1_USED | TX_W1_WRAP);
	desc_set_addr(g, desc(g, TX_IDLE_OFF, 0), g->phys + TX_BUF_OFF, 0);
	desc_set_addr(g, desc(g, RX_IDLE_OFF, 0), g->phys + RX_BUF_OFF,
		      RX_W0_OWN | RX_W0_WRAP);
	cache_range(g, g->mem, PAGE_NEEDED, true);
	vfp_dma_wmb();

	wr(g, GEM_TBQPH, (__u32)(g->phys >> 32));
	wr(g, GEM_RBQPH, (__u32)(g->phys >> 32));
	wr(g, GEM_TBQP, (__u32)(g->phys + TX_RING_OFF));
	wr(g, GEM_RBQP, (__u32)(g->phys + RX_RING_OFF));
	for (q = 1; q < 8; q++) {
		if (!(g->queues & (1u << q)))
			continue;
		wr(g, GEM_IDR_Q(q), ~0u);
		wr(g, GEM_TBQP_Q(q), (__u32)(g->phys + TX_IDLE_OFF));
		wr(g, GEM_RBQP_Q(q), (__u32)(g->phys + RX_IDLE_OFF));
	}
	wr(g, GEM_IER, GEM_INT_TCOMP | GEM_INT_RCOMP | GEM_INT_ERR);
	wr(g, GEM_NCR, GEM_NCR_RE | GEM_NCR_TE);
	return 0;
}

/* Send frames 0..@count-1 of @stream, each to completion. */
static int send_frames(struct gem *g, unsigned int count, unsigned int stream,
		       const uint8_t dst[6], unsigned int *tcomp)
{
	unsigned int n;

	for (n = 0; n < count; n++) {
		unsigned int i = n % RING;
		__u32 *d = desc(g, TX_RING_OFF, i);
		unsigned char *buf = g->mem + TX_BUF_OFF + i * BUF_SIZE;
		long end = ms_now() + TX_TIMEOUT_MS;
		size_t len = gem_frame_build(buf, dst, stream, n);
		__u32 w1;

		cache_range(g, buf, len, false);
		/* The transmitter is idle: the CPU may write the ring. */
		cache_range(g, d, g->desc_size, true);
		dset(d, 1, len | TX_W1_LAST | (i == RING - 1 ? TX_W1_WRAP : 0));
		cache_range(g, d, g->desc_size, false);
		vfp_dma_wmb();
		wr(g, GEM_NCR, GEM_NCR_RE | GEM_NCR_TE | GEM_NCR_TSTART);
		while (!(g->pending & GEM_INT_TCOMP)) {
			long left = end - ms_now();
			int ret = left > 0 ? take_irq(g, left) : 0;

			if (ret < 0)
				return -1;
			if (!ret) {
				fprintf(stderr,
					"%s: frame %u: no transmit-complete interrupt in %d ms (TSR %#x, ISR %#x)\n",
					g->dev.name, n, TX_TIMEOUT_MS,
					rd(g, GEM_TSR), rd(g, GEM_ISR));
				return -1;
			}
		}
		g->pending &= ~GEM_INT_TCOMP;
		(*tcomp)++;
		wr(g, GEM_TSR, GEM_TSR_TXCOMPL);
		cache_range(g, d, g->desc_size, true);
		vfp_dma_rmb();
		w1 = dget(d, 1);
		if (!(w1 & TX_W1_USED)) {
			fprintf(stderr, "%s: frame %u: descriptor not handed back (%#x)\n",
				g->dev.name, n, w1);
			return -1;
		}
	}
	return 0;
}

/*
 * Receive frames 0..@count-1 of @stream (to broadcast) within @ms, each
 * once and intact (gem_frame_rx()); frames of other EtherTypes are
 * counted and dropped.
 */
static int receive_frames(struct gem *g, struct gem_frame_rx *r,
			  unsigned int stream, long ms, unsigned int *rcomp)
{
	unsigned int group = g->line / g->desc_size, head = 0, j;
	long end = ms_now() + ms;
	char why[160];

	while (r->got < r->count) {
		__u32 *d = desc(g, RX_RING_OFF, head);
		unsigned char *buf = g->mem + RX_BUF_OFF + head * BUF_SIZE;
		__u32 w0, w1, len;
		long left;
		int ret;

		cache_range(g, d, g->desc_size, true);
		vfp_dma_rmb();
		w0 = dget(d, 0);
		if (!(w0 & RX_W0_OWN)) {
			/* Nothing more: wait for the next interrupt. */
			left = end - ms_now();
			ret = left > 0 ? take_irq(g, left) : 0;
			if (ret < 0)
				return -1;
			if (!ret) {
				fprintf(stderr, "%s: %u of %u frames in %ld ms (RSR %#x)\n",
					g->dev.name, r->got, r->count, ms,
					rd(g, GEM_RSR));
				return -1;
			}
			if (g->pending & GEM_INT_RCOMP)
				(*rcomp)++;
			g->pending &= ~GEM_INT_RCOMP;
			continue;
		}
		w1 = dget(d, 1);
		len = w1 & RX_W1_LEN;
		if ((w1 & (RX_W1_SOF | RX_W1_EOF)) != (RX_W1_SOF | RX_W1_EOF) ||
		    len > BUF_SIZE) {
			fprintf(stderr, "%s: descriptor %u: status %#x\n",
				g->dev.name, head, w1);
			return -1;
		}
		cache_range(g, buf, len, true);
		vfp_dma_rmb();
		if (gem_frame_rx(r, buf, len, broadcast, stream, why,
				 sizeof(why))) {
			fprintf(stderr, "%s: %s\n", g->dev.name, why);
			return -1;
		}
		/* A whole cache line of descriptors done: give it back. */
		if ((head + 1) % group == 0) {
			for (j = head + 1 - group; j <= head; j++)
				rx_give(g, j);
			cache_range(g, desc(g, RX_RING_OFF, head + 1 - group),
				    g->line, true);
			vfp_dma_wmb();
			/* The GEM stopped at a descriptor it did not own. */
			if (rd(g, GEM_RSR) & GEM_RSR_BNA) {
				wr(g, GEM_RSR, GEM_RSR_BNA);
				wr(g, GEM_NCR, GEM_NCR_RE | GEM_NCR_TE);
			}
		}
		head = (head + 1) % RING;
	}
	return 0;
}

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t COUNT] [-r COUNT] [-w MS] [-d DST] [-s STREAM] [-S STREAM] DEVICE\n",
		prog);
}

int main(int argc, char **argv)
{
	struct gem g = { .base = MAP_FAILED, .efd = -1 };
	unsigned long tx_count = 0, rx_count = 0, tx_stream = 1, rx_stream = 2;
	unsigned int tcomp = 0, rcomp = 0, tx_irqs = 0;
	struct gem_frame_rx r;
	uint8_t dst[6];
	long wait_ms = 5000;
	int c, ret = 3;

	memcpy(dst, broadcast, 6);
	while ((c = getopt(argc, argv, "t:r:w:d:s:S:")) != -1) {
		unsigned int b[6], i;

		switch (c) {
		case 't':
			tx_count = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rx_count = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			wait_ms = strtol(optarg, NULL, 0);
			break;
		case 's':
			tx_stream = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			rx_stream = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			if (sscanf(optarg, "%x:%x:%x:%x:%x:%x", &b[0], &b[1],
				   &b[2], &b[3], &b[4], &b[5]) != 6) {
				print_usage(argv[0]);
				return 2;
			}
			for (i = 0; i < 6; i++)
				dst[i] = (uint8_t)b[i];
			break;
		default:
			print_usage(argv[0]);
			return 2;
		}
	}
	if (optind != argc - 1 || (!tx_count && !rx_count) ||
	    tx_count > 1000000 || rx_count > 1000000 || wait_ms <= 0 ||
	    tx_stream > 255 || rx_stream > 255) {
		print_usage(argv[0]);
		return 2;
	}
	if (gem_frame_rx_init(&r, rx_count))
		return 3;
	if (vfp_open(&g.dev, "platform", argv[optind], VFP_NOIOMMU_ONLY))
		return 3;
	if (vfp_region(&g.dev, 0, &g.regs))
		goto out;
	if (!(g.regs.flags & VFIO_REGION_INFO_FLAG_MMAP) ||
	    g.regs.size < GEM_REGS_NEEDED) {
		fprintf(stderr, "%s: region 0 cannot be mapped\n", g.dev.name);
		goto out;
	}
	g.base = mmap(NULL, g.regs.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g.dev.fd, g.regs.offset);
	if (g.base == MAP_FAILED) {
		perror("mmap");
		goto out;
	}
	g.coherent = node_has(g.dev.name, "dma-coherent");
	g.mem = vfp_dma_alloc(&g.mem_size);
	if (!g.mem)
		goto out;
	g.phys = vfp_phys_addr(g.mem);
	if (!g.phys || g.mem_size < PAGE_NEEDED) {
		fprintf(stderr, "%s: no physical address for the DMA memory\n",
			g.dev.name);
		goto out;
	}
	g.efd = vfp_irq_eventfd(&g.dev, 0, &g.level);
	if (g.efd < 0 || setup(&g))
		goto out;
	/* A failed direction does not stop the other one. */
	ret = 0;
	if (tx_count) {
		if (send_frames(&g, tx_count, tx_stream, dst, &tcomp))
			ret = 1;
		tx_irqs = g.irqs;
	}
	if (rx_count) {
		printf("ready\n");
		fflush(stdout);
		if (receive_frames(&g, &r, rx_stream, wait_ms, &rcomp))
			ret = 1;
	}
	printf("%s: %s: tx %u of %lu frames, rx %u of %lu frames (%u out of order, %u with their FCS, %u other), every byte checked; interrupts tx %u (TCOMP %u) rx %u (RCOMP %u), unmasks %u, spurious %u; %s descriptors, %s\n",
	       g.dev.name, ret ? "FAILED" : "ok", tcomp, tx_count, r.got,
	       rx_count, r.reordered, r.fcs, r.other, tx_irqs, tcomp,
	       g.irqs - tx_irqs, rcomp, g.unmasks, g.spurious, g.dma64 ? "64-bit" : "32-bit",
	       g.coherent ? "coherent" : "non-coherent");
out:
	/* Stop the GEM before its memory goes; closing resets it too. */
	if (g.base != MAP_FAILED) {
		wr(&g, GEM_NCR, 0);
		wr(&g, GEM_IDR, ~0u);
		munmap(g.base, g.regs.size);
	}
	vfp_close(&g.dev);
	if (g.mem)
		munmap(g.mem, g.mem_size);
	free(r.seen);
	return ret;
}
