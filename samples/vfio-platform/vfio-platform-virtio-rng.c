// SPDX-License-Identifier: GPL-2.0-only
/*
 * A user-space virtio-rng driver over vfio-platform.
 *
 * It drives a virtio-mmio device with a virtio entropy device behind it
 * (QEMU: -device virtio-rng-device) through VFIO: it resets the device,
 * negotiates features, sets up one virtqueue in its own memory, posts a
 * buffer, waits for the interrupt on an eventfd and prints the random
 * bytes the device wrote. Legacy (version 1) and modern (version 2)
 * virtio-mmio devices both work.
 *
 * The device writes to memory by DMA. Without an IOMMU (VFIO's no-IOMMU
 * mode) it uses physical addresses, which the driver finds in
 * /proc/self/pagemap for a page it has locked, as DPDK does in no-IOMMU
 * mode. A real driver would allocate DMA memory that cannot move (huge
 * pages); a locked page is enough for a sample.
 *
 * Usage: vfio-platform-virtio-rng DEVICE [BYTES]
 *   DEVICE: a platform device bound to vfio-platform, e.g.
 *           a003e00.virtio_mmio; BYTES: 1 to 256, default 32.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "vfio-platform-user.h"

#define QUEUE_SIZE	8		/* descriptors in the virtqueue */
#define LEGACY_ALIGN	64		/* used ring alignment (legacy) */
#define BUF_OFFSET	2048		/* the buffer, in the queue's page */
#define MAX_BYTES	256
#define IRQ_TIMEOUT_MS	5000

struct rng {
	struct vfp_device dev;
	struct vfio_region_info regs;
	__u32 version;
	void *page;			/* virtqueue + buffer, locked */
	__u64 page_phys;
	struct vring ring;
};

static int rd(struct rng *r, __u32 off, __u32 *val)
{
	return vfp_read32(&r->dev, &r->regs, off, val);
}

static int wr(struct rng *r, __u32 off, __u32 val)
{
	return vfp_write32(&r->dev, &r->regs, off, val);
}

/* Is this a virtio-mmio device with an entropy device behind it? */
static int check_device(struct rng *r)
{
	__u32 magic, id;

	if (rd(r, VIRTIO_MMIO_MAGIC_VALUE, &magic) ||
	    rd(r, VIRTIO_MMIO_VERSION, &r->version) ||
	    rd(r, VIRTIO_MMIO_DEVICE_ID, &id))
		return -1;
	if (magic != ('v' | 'i' << 8 | 'r' << 16 | 't' << 24)) {
		fprintf(stderr, "%s: not a virtio-mmio device (magic %#x)\n",
			r->dev.name, magic);
		return -1;
	}
	if (r->version != 1 && r->version != 2) {
		fprintf(stderr, "%s: unknown virtio-mmio version %u\n",
			r->dev.name, r->version);
		return -1;
	}
	if (id != VIRTIO_ID_RNG) {
		fprintf(stderr, "%s: not a virtio entropy device (device ID %u%s)\n",
			r->dev.name, id, id ? "" : ": an empty slot");
		return -1;
	}
	return 0;
}

/* Reset the device, as VFIO_DEVICE_RESET does where the kernel can. */
static int reset(struct rng *r)
{
	if (r->dev.info.flags & VFIO_DEVICE_FLAGS_RESET &&
	    ioctl(r->dev.fd, VFIO_DEVICE_RESET)) {
		perror("VFIO_DEVICE_RESET");
		return -1;
	}
	return wr(r, VIRTIO_MMIO_STATUS, 0);
}

/* Accept no feature but VIRTIO_F_VERSION_1, which version 2 requires. */
static int negotiate(struct rng *r)
{
	__u32 status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	__u32 high = 0;

	if (wr(r, VIRTIO_MMIO_STATUS, status))
		return -1;
	if (r->version == 2) {
		if (wr(r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1) ||
		    rd(r, VIRTIO_MMIO_DEVICE_FEATURES, &high))
			return -1;
		if (!(high & 1u << (VIRTIO_F_VERSION_1 - 32))) {
			fprintf(stderr, "%s: version 2 without VIRTIO_F_VERSION_1\n",
				r->dev.name);
			return -1;
		}
		if (wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1) ||
		    wr(r, VIRTIO_MMIO_DRIVER_FEATURES,
		       1u << (VIRTIO_F_VERSION_1 - 32)))
			return -1;
	}
	if (wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0) ||
	    wr(r, VIRTIO_MMIO_DRIVER_FEATURES, 0))
		return -1;
	if (r->version == 1)
		return wr(r, VIRTIO_MMIO_GUEST_PAGE_SIZE, getpagesize());
	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	if (wr(r, VIRTIO_MMIO_STATUS, status) ||
	    rd(r, VIRTIO_MMIO_STATUS, &status))
		return -1;
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		fprintf(stderr, "%s: features not accepted\n", r->dev.name);
		return -1;
	}
	return 0;
}

/* A page of locked memory and its physical address, for the device. */
static int alloc_dma_page(struct rng *r)
{
	long size = getpagesize();

	r->page = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE,
		       -1, 0);
	if (r->page == MAP_FAILED) {
		perror("mmap");
		return -1;
	}
	memset(r->page, 0, size);
	r->page_phys = vfp_phys_addr(r->page);
	if (!r->page_phys) {
		fprintf(stderr, "no physical address in /proc/self/pagemap\n");
		return -1;
	}
	return 0;
}

static int setup_queue(struct rng *r)
{
	__u64 desc, avail, used;
	__u32 max;

	if (wr(r, VIRTIO_MMIO_QUEUE_SEL, 0) ||
	    rd(r, VIRTIO_MMIO_QUEUE_NUM_MAX, &max))
		return -1;
	if (max < QUEUE_SIZE) {
		fprintf(stderr, "%s: queue 0 has %u entries\n", r->dev.name,
			max);
		return -1;
	}
	vring_init(&r->ring, QUEUE_SIZE, r->page, LEGACY_ALIGN);
	desc = r->page_phys;
	avail = desc + ((char *)r->ring.avail - (char *)r->page);
	used = desc + ((char *)r->ring.used - (char *)r->page);
	if (wr(r, VIRTIO_MMIO_QUEUE_NUM, QUEUE_SIZE))
		return -1;
	if (r->version == 1)
		return wr(r, VIRTIO_MMIO_QUEUE_ALIGN, LEGACY_ALIGN) ||
		       wr(r, VIRTIO_MMIO_QUEUE_PFN, desc / getpagesize());
	return wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (__u32)desc) ||
	       wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32) ||
	       wr(r, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (__u32)avail) ||
	       wr(r, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32) ||
	       wr(r, VIRTIO_MMIO_QUEUE_USED_LOW, (__u32)used) ||
	       wr(r, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32) ||
	       wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* Post one device-writable buffer, wait for it, return the bytes got. */
static int get_random(struct rng *r, int efd, unsigned int len)
{
	struct vring_used *used = r->ring.used;
	__u32 isr, got;
	__u16 idx;
	int ret;

	r->ring.desc[0].addr = r->page_phys + BUF_OFFSET;
	r->ring.desc[0].len = len;
	r->ring.desc[0].flags = VRING_DESC_F_WRITE;
	r->ring.avail->ring[0] = 0;
	vfp_dma_wmb();
	__atomic_store_n(&r->ring.avail->idx, 1, __ATOMIC_RELAXED);
	vfp_dma_wmb();
	if (wr(r, VIRTIO_MMIO_QUEUE_NOTIFY, 0))
		return -1;

	ret = vfp_irq_wait(efd, IRQ_TIMEOUT_MS);
	if (ret <= 0) {
		fprintf(stderr, "%s: no interrupt in %d ms\n", r->dev.name,
			IRQ_TIMEOUT_MS);
		return -1;
	}
	if (rd(r, VIRTIO_MMIO_INTERRUPT_STATUS, &isr) ||
	    wr(r, VIRTIO_MMIO_INTERRUPT_ACK, isr))
		return -1;
	idx = __atomic_load_n(&used->idx, __ATOMIC_RELAXED);
	vfp_dma_rmb();
	if (!(isr & VIRTIO_MMIO_INT_VRING) || idx != 1 ||
	    used->ring[0].id != 0) {
		fprintf(stderr, "%s: interrupt status %#x, used index %u: no buffer back\n",
			r->dev.name, isr, idx);
		return -1;
	}
	got = used->ring[0].len;
	return got <= len ? (int)got : -1;
}

int main(int argc, char **argv)
{
	struct rng r = { 0 };
	unsigned int len = 32;
	bool level;
	int efd, got, i, ret = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DEVICE [BYTES]\n", argv[0]);
		return 2;
	}
	if (argc == 3) {
		len = strtoul(argv[2], NULL, 0);
		if (!len || len > MAX_BYTES) {
			fprintf(stderr, "BYTES: 1 to %d\n", MAX_BYTES);
			return 2;
		}
	}
	if (vfp_open(&r.dev, "platform", argv[1], VFP_NOIOMMU_ONLY))
		return 1;
	if (vfp_region(&r.dev, 0, &r.regs) || check_device(&r))
		goto out;
	vfp_print_layout(&r.dev);
	printf("virtio-mmio version %u (%s)\n", r.version,
	       r.version == 1 ? "legacy" : "modern");
	if (reset(&r) || negotiate(&r) || alloc_dma_page(&r) ||
	    setup_queue(&r))
		goto out;
	efd = vfp_irq_eventfd(&r.dev, 0, &level);
	if (efd < 0)
		goto out;
	if (wr(&r, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	       VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK |
	       (r.version == 2 ? VIRTIO_CONFIG_S_FEATURES_OK : 0)))
		goto out;
	printf("virtqueue 0: %d entries at physical %#llx\n", QUEUE_SIZE,
	       (unsigned long long)r.page_phys);
	got = get_random(&r, efd, len);
	if (got < 0 || (level && vfp_irq_unmask(&r.dev, 0)))
		goto out;
	printf("%d random bytes:", got);
	for (i = 0; i < got; i++)
		printf("%s%02x", i % 16 ? " " : "\n  ",
		       ((unsigned char *)r.page)[BUF_OFFSET + i]);
	printf("\n");
	ret = 0;
out:
	/* Stop DMA before the page goes away; closing resets it too. */
	if (r.dev.fd >= 0)
		wr(&r, VIRTIO_MMIO_STATUS, 0);
	vfp_close(&r.dev);
	return ret;
}
