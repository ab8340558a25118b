/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the user-space vfio-platform driver samples share: find a device
 * bound to vfio-platform or vfio-amba, open it through its VFIO group,
 * access its registers and wait for its interrupts.
 */
#ifndef VFIO_PLATFORM_USER_H
#define VFIO_PLATFORM_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include <linux/vfio.h>

struct vfp_device {
	const char *name;		/* e.g. "a003e00.virtio_mmio" */
	const char *bus;		/* "platform" or "amba" */
	bool noiommu;			/* opened through a no-IOMMU group */
	int container;
	int group;
	int fd;				/* the VFIO device fd */
	struct vfio_device_info info;
};

/* What vfp_open() requires of the device's VFIO group. */
enum vfp_iommu {
	VFP_NOIOMMU_ONLY,	/* DMA with physical addresses */
	VFP_ANY_IOMMU,		/* no DMA: a real IOMMU group or no-IOMMU */
};

/*
 * Open @name on @bus ("platform" or "amba") through VFIO. Checks, each
 * with a message on stderr that says what to do: the caller is root, the
 * device exists and is bound to vfio-platform/vfio-amba, and (for
 * VFP_NOIOMMU_ONLY) VFIO's no-IOMMU mode is on. Returns 0 or -1.
 */
int vfp_open(struct vfp_device *d, const char *bus, const char *name,
	     enum vfp_iommu iommu);
void vfp_close(struct vfp_device *d);

/* VFIO_DEVICE_GET_REGION_INFO of region @index; 0 or -1. */
int vfp_region(struct vfp_device *d, unsigned int index,
	       struct vfio_region_info *info);

/* 32-bit register access through the device fd; 0 or -1. */
int vfp_read32(struct vfp_device *d, const struct vfio_region_info *r,
	       __u32 off, __u32 *val);
int vfp_write32(struct vfp_device *d, const struct vfio_region_info *r,
		__u32 off, __u32 val);

/*
 * Print the device-tree node of the device and of each of its regions
 * and interrupts (the VFIO device-tree capabilities), and the kind of each
 * interrupt line.
 */
void vfp_print_layout(struct vfp_device *d);

/*
 * Route interrupt @index to a new eventfd (VFIO_IRQ_SET_ACTION_TRIGGER);
 * returns the eventfd or -1. *@level tells whether the line is level
 * triggered (automasked: unmask it with vfp_irq_unmask() once handled).
 */
int vfp_irq_eventfd(struct vfp_device *d, unsigned int index, bool *level);
int vfp_irq_unmask(struct vfp_device *d, unsigned int index);

/* Wait up to @ms for @efd: 1 = interrupt, 0 = timeout, -1 = error. */
int vfp_irq_wait(int efd, int ms);

/* Physical address of a locked page of this process; 0 if unknown. */
__u64 vfp_phys_addr(const void *p);

/* Make memory writes visible to a DMA-coherent device before MMIO. */
static inline void vfp_dma_wmb(void)
{
#ifdef __aarch64__
	__asm__ __volatile__("dmb oshst" : : : "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Order reads of device-written memory after an interrupt or a read. */
static inline void vfp_dma_rmb(void)
{
#ifdef __aarch64__
	__asm__ __volatile__("dmb oshld" : : : "memory");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

#endif /* VFIO_PLATFORM_USER_H */
