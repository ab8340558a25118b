/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO core for devices described by their MMIO regions and interrupt
 * lines: platform devices, AMBA primecells and their variant drivers.
 */
#ifndef _LINUX_VFIO_PLATFORM_CORE_H
#define _LINUX_VFIO_PLATFORM_CORE_H

#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct clk_bulk_data;
struct device_node;
struct eventfd_ctx;
struct reset_control;
struct resource;
struct vfio_platform_reset_hook;
struct virqfd;

/**
 * struct vfio_platform_region - one MMIO region of a device
 * @phys: physical start address
 * @size: size in bytes
 * @flags: VFIO_REGION_INFO_FLAG_* reported to user space
 * @ioaddr: kernel mapping, made on the first read or write, dropped on close
 * @of_node: device-tree node the region was described in, or NULL
 * @of_index: index of the region in the "reg" property of @of_node
 */
struct vfio_platform_region {
	phys_addr_t phys;
	resource_size_t size;
	u32 flags;
	void __iomem *ioaddr;
	struct device_node *of_node;
	unsigned int of_index;
};

/**
 * struct vfio_platform_irq - one interrupt line of a device
 * @irq: Linux IRQ number
 * @flags: VFIO_IRQ_INFO_* reported to user space
 * @lock: protects @masked, @disabled, @requested and @trigger against the
 *	handler and the mask and unmask eventfds
 * @masked: the line is masked, by the handler (automask) or by user space
 * @disabled: we hold one disable_irq() depth on the line
 * @requested: the line is requested and @trigger is set
 * @trigger: eventfd signalled on each interrupt
 * @mask_fd: eventfd that masks the line when signalled
 * @unmask_fd: eventfd that unmasks the line when signalled
 * @mask_ctx: the eventfd of @mask_fd (a reference), to refuse it as trigger
 * @unmask_ctx: the eventfd of @unmask_fd (a reference), likewise
 * @name: name of the line in /proc/interrupts while requested
 * @of_node: device-tree node the line was described in, or NULL
 * @of_index: index of the line in the "interrupts" property of @of_node
 */
struct vfio_platform_irq {
	int irq;
	u32 flags;
	spinlock_t lock; /* masked, disabled, requested, trigger */
	bool masked;
	bool disabled;
	bool requested;
	struct eventfd_ctx *trigger;
	struct virqfd *mask_fd;
	struct virqfd *unmask_fd;
	struct eventfd_ctx *mask_ctx;
	struct eventfd_ctx *unmask_ctx;
	char *name;
	struct device_node *of_node;
	unsigned int of_index;
};

struct vfio_platform_device;

/**
 * typedef vfio_platform_reset_t - reset a device to a quiescent state
 * @vpdev: the device; called with its igate held and its memory_lock held
 *	for writing: the hook may use vfio_platform_region_ioaddr(), user
 *	space cannot reach the regions meanwhile
 *
 * Return: 0 or a negative errno.
 */
typedef int (*vfio_platform_reset_t)(struct vfio_platform_device *vpdev);

/**
 * struct vfio_platform_device - a device driven through VFIO
 * @vdev: the VFIO device
 * @flags: VFIO_DEVICE_FLAGS_* of the bus (PLATFORM, AMBA)
 * @regions: MMIO regions, indexed as user space sees them
 * @num_regions: number of @regions
 * @irqs: interrupt lines, one VFIO IRQ index each
 * @num_irqs: number of @irqs
 * @igate: serialises interrupt configuration, reset and close
 * @map_lock: serialises the first mapping of a region
 * @memory_lock: taken for writing around a reset, for reading around each
 *	access to the regions by read, write and mmap faults: user space
 *	never touches a device that is being reset
 * @reset: the reset method, or NULL when the device has none
 * @reset_required: refuse to open the device while it has no @reset
 * @rstc: the device's reset lines, when @reset uses them
 * @reset_assert_us: how long @rstc stays asserted when the controller
 *	cannot pulse it ("reset-assert-us" of the device node, or 0)
 * @reset_hook: the device-specific reset hook, when @reset uses it
 * @clks: the device's clocks, enabled while it is open
 * @num_clks: number of @clks
 */
struct vfio_platform_device {
	struct vfio_device vdev;
	u32 flags;
	struct vfio_platform_region *regions;
	unsigned int num_regions;
	struct vfio_platform_irq *irqs;
	unsigned int num_irqs;
	struct mutex igate; /* interrupt configuration, reset, close */
	struct mutex map_lock; /* first mapping of a region */
	struct rw_semaphore memory_lock; /* regions against reset */
	vfio_platform_reset_t reset;
	bool reset_required;
	struct reset_control *rstc;
	u32 reset_assert_us;
	struct vfio_platform_reset_hook *reset_hook;
	struct clk_bulk_data *clks;
	int num_clks;
};

extern const struct vfio_device_ops vfio_platform_core_ops;

int vfio_platform_add_region(struct vfio_platform_device *vpdev,
			     const struct resource *res,
			     struct device_node *np, unsigned int index);
int vfio_platform_add_irq(struct vfio_platform_device *vpdev, int irq,
			  struct device_node *np, unsigned int index);
int vfio_platform_of_add_children(struct vfio_platform_device *vpdev,
				  struct device_node *np);
int vfio_platform_core_register(struct vfio_platform_device *vpdev,
				bool reset_required);
void vfio_platform_core_unregister(struct vfio_platform_device *vpdev);

int vfio_platform_core_init_dev(struct vfio_device *vdev);
void vfio_platform_core_release_dev(struct vfio_device *vdev);
int vfio_platform_core_open_device(struct vfio_device *vdev);
void vfio_platform_core_close_device(struct vfio_device *vdev);
long vfio_platform_core_ioctl(struct vfio_device *vdev, unsigned int cmd,
			      unsigned long arg);
ssize_t vfio_platform_core_read(struct vfio_device *vdev, char __user *buf,
				size_t count, loff_t *ppos);
ssize_t vfio_platform_core_write(struct vfio_device *vdev,
				 const char __user *buf, size_t count,
				 loff_t *ppos);
int vfio_platform_core_mmap(struct vfio_device *vdev,
			    struct vm_area_struct *vma);

#endif /* _LINUX_VFIO_PLATFORM_CORE_H */
