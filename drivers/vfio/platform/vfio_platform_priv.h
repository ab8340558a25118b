/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internal interfaces of the vfio-platform core.
 */
#ifndef VFIO_PLATFORM_PRIV_H
#define VFIO_PLATFORM_PRIV_H

#include <linux/vfio_platform.h>

/*
 * File offsets: the region index sits above bit 40, the offset inside the
 * region below it. User space takes each region's base offset from
 * VFIO_DEVICE_GET_REGION_INFO and need not know the encoding.
 */
#define VFIO_PLATFORM_OFFSET_SHIFT	40
#define VFIO_PLATFORM_OFFSET_MASK	(BIT_ULL(VFIO_PLATFORM_OFFSET_SHIFT) - 1)
#define VFIO_PLATFORM_INDEX_TO_OFFSET(i) ((u64)(i) << VFIO_PLATFORM_OFFSET_SHIFT)

/*
 * Widest access of a bulk transfer. Many buses of platform devices are
 * 32 bits wide (AMBA APB: PL011, PL031, PL061, and a good part of any
 * SoC), and a 64-bit access to them faults or is split in ways the
 * device notices. Nothing tells which regions take 64-bit accesses, so
 * none is assumed to: a bulk transfer never invents an 8-byte access. An
 * 8-byte access happens only when user space asks for exactly 8 aligned
 * bytes.
 */
#define VFIO_PLATFORM_BULK_WIDTH	4

/**
 * vfio_platform_access_width() - width of the next access of a bulk transfer
 * @addr: offset of the access in the region
 * @len: bytes left to transfer
 *
 * The widest naturally aligned access that fits, up to
 * %VFIO_PLATFORM_BULK_WIDTH. A request of exactly 1, 2, 4 or 8 aligned
 * bytes does not come here: it is one access of that width.
 *
 * Return: 1, 2 or 4.
 */
static inline unsigned int vfio_platform_access_width(u64 addr, size_t len)
{
	unsigned int width = VFIO_PLATFORM_BULK_WIDTH;

	while (width > 1 && ((addr & (width - 1)) || len < width))
		width >>= 1;
	return width;
}

int vfio_platform_region_mmap(struct vfio_platform_device *vpdev,
			      struct vm_area_struct *vma);
int vfio_platform_region_info(struct vfio_platform_device *vpdev,
			      void __user *arg);
void vfio_platform_regions_unmap(struct vfio_platform_device *vpdev);

int vfio_platform_irq_info(struct vfio_platform_device *vpdev,
			   void __user *arg);
int vfio_platform_set_irqs(struct vfio_platform_device *vpdev,
			   void __user *arg);
void vfio_platform_irqs_teardown(struct vfio_platform_device *vpdev);

int vfio_platform_power_init(struct vfio_platform_device *vpdev);
void vfio_platform_power_release(struct vfio_platform_device *vpdev);
int vfio_platform_power_on(struct vfio_platform_device *vpdev);
void vfio_platform_power_off(struct vfio_platform_device *vpdev);

int vfio_platform_reset_init(struct vfio_platform_device *vpdev);
void vfio_platform_reset_release(struct vfio_platform_device *vpdev);
int vfio_platform_reset_hooks_init(void);
void vfio_platform_reset_hooks_exit(void);
extern struct vfio_platform_reset_hook vfio_platform_builtin_resets[];
extern const unsigned int vfio_platform_builtin_resets_count;

int vfio_platform_of_region_info(struct vfio_platform_region *region,
				 struct vfio_region_info *info,
				 void __user *arg);
int vfio_platform_of_irq_info(struct vfio_platform_irq *irq,
			      struct vfio_irq_info *info, void __user *arg);
int vfio_platform_of_device_info(struct vfio_platform_device *vpdev,
				 struct vfio_device_info *info,
				 void __user *arg);
#if IS_ENABLED(CONFIG_KUNIT)
struct device_node;
bool vfio_platform_of_is_part(const struct device_node *child);
#endif

#endif /* VFIO_PLATFORM_PRIV_H */
