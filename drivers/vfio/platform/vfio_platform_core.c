// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform core: the VFIO device of a device that is a set of MMIO
 * regions and interrupt lines. Bus front-ends (vfio-platform, vfio-amba)
 * and variant drivers describe the device with vfio_platform_add_region()
 * and vfio_platform_add_irq() and register it; the core does the rest.
 *
 * Lifecycle: open powers the device (runtime PM, clocks), resets it when
 * it has a reset method and starts with every line free; close frees the
 * lines, resets the device, drops the kernel's mappings of its regions and
 * lets the device power down.
 */

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_platform_priv.h"

#define DRIVER_DESC "VFIO core for platform and AMBA devices"

/**
 * vfio_platform_add_region() - describe one MMIO region of a device
 * @vpdev: the device, allocated but not yet registered
 * @res: the region; must be an IORESOURCE_MEM resource
 * @np: device-tree node that describes the region, or NULL
 * @index: index of the region in the "reg" property of @np
 *
 * Regions get VFIO region indexes in the order they are added. A region is
 * readable, writable unless @res is IORESOURCE_READONLY, and mmap'able
 * when its start and size are page aligned: a smaller region shares its
 * page with other devices and is reachable by read and write only.
 *
 * Return: 0 or a negative errno.
 */
int vfio_platform_add_region(struct vfio_platform_device *vpdev,
			     const struct resource *res,
			     struct device_node *np, unsigned int index)
{
	struct vfio_platform_region *regions, *region;

	if (resource_type(res) != IORESOURCE_MEM || !resource_size(res))
		return -EINVAL;

	regions = krealloc_array(vpdev->regions, vpdev->num_regions + 1,
				 sizeof(*regions), GFP_KERNEL);
	if (!regions)
		return -ENOMEM;
	vpdev->regions = regions;

	region = &regions[vpdev->num_regions++];
	*region = (struct vfio_platform_region) {
		.phys = res->start,
		.size = resource_size(res),
		.flags = VFIO_REGION_INFO_FLAG_READ,
		.of_node = of_node_get(np),
		.of_index = index,
	};
	if (!(res->flags & IORESOURCE_READONLY))
		region->flags |= VFIO_REGION_INFO_FLAG_WRITE;
	if (PAGE_ALIGNED(region->phys) && PAGE_ALIGNED(region->size))
		region->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_platform_add_region);

/**
 * vfio_platform_add_irq() - describe one interrupt line of a device
 * @vpdev: the device, allocated but not yet registered
 * @irq: Linux IRQ number of the line
 * @np: device-tree node that describes the line, or NULL
 * @index: index of the line in the "interrupts" property of @np
 *
 * Lines get VFIO IRQ indexes in the order they are added. A level
 * triggered line (or one of unknown type) is maskable and automasked, an
 * edge triggered line is not.
 *
 * Return: 0 or a negative errno.
 */
int vfio_platform_add_irq(struct vfio_platform_device *vpdev, int irq,
			  struct device_node *np, unsigned int index)
{
	struct vfio_platform_irq *irqs, *line;

	if (irq <= 0)
		return -EINVAL;

	irqs = krealloc_array(vpdev->irqs, vpdev->num_irqs + 1, sizeof(*irqs),
			      GFP_KERNEL);
	if (!irqs)
		return -ENOMEM;
	vpdev->irqs = irqs;

	line = &irqs[vpdev->num_irqs++];
	*line = (struct vfio_platform_irq) {
		.irq = irq,
		.flags = VFIO_IRQ_INFO_EVENTFD,
		.of_node = of_node_get(np),
		.of_index = index,
	};
	spin_lock_init(&line->lock);
	if (!(irq_get_trigger_type(irq) & IRQ_TYPE_EDGE_BOTH))
		line->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_platform_add_irq);

/**
 * vfio_platform_core_init_dev() - vfio_device_ops.init of the core
 * @vdev: the VFIO device embedded in a struct vfio_platform_device
 *
 * Return: 0.
 */
int vfio_platform_core_init_dev(struct vfio_device *vdev)
{
	struct vfio_platform_device *vpdev =
		container_of(vdev, struct vfio_platform_device, vdev);

	mutex_init(&vpdev->igate);
	mutex_init(&vpdev->map_lock);
	init_rwsem(&vpdev->memory_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_platform_core_init_dev);

/**
 * vfio_platform_core_release_dev() - vfio_device_ops.release of the core
 * @vdev: the VFIO device embedded in a struct vfio_platform_device
 *
 * Frees the device's description once the last reference is gone.
 */
void vfio_platform_core_release_dev(struct vfio_device *vdev)
{
	struct vfio_platform_device *vpdev =
		container_of(vdev, struct vfio_platform_device, vdev);
	unsigned int i;

	vfio_platform_reset_release(vpdev);
	vfio_platform_power_release(vpdev);
	for (i = 0; i < vpdev->num_regions; i++)
		of_node_put(vpdev->regions[i].of_node);
	for (i = 0; i < vpdev->num_irqs; i++)
		of_node_put(vpdev->irqs[i].of_node);
	kfree(vpdev->regions);
	kfree(vpdev->irqs);
	mutex_destroy(&vpdev->map_lock);
	mutex_destroy(&vpdev->igate);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_release_dev);

/*
 * Reset the device with its regions out of user space's reach: reads and
 * writes wait for memory_lock, and mappings are zapped, so that an access
 * through one faults and waits for the reset to finish (then resumes; see
 * vfio_platform_region_mmap()). On real SoCs an access to a block held in
 * reset can stall the bus or raise an SError. Called with igate held.
 */
static int vfio_platform_reset_locked(struct vfio_platform_device *vpdev)
{
	int ret;

	lockdep_assert_held(&vpdev->igate);
	down_write(&vpdev->memory_lock);
	unmap_mapping_range(vpdev->vdev.inode->i_mapping, 0, 0, true);
	ret = vpdev->reset(vpdev);
	up_write(&vpdev->memory_lock);
	return ret;
}

/**
 * vfio_platform_core_open_device() - vfio_device_ops.open_device of the core
 * @vdev: the VFIO device
 *
 * Powers the device up and resets it when it has a reset method: user
 * space starts from a known state, whatever the previous user or the
 * native driver left. A device without a reset method is not opened
 * unless the administrator opted in (reset_required=0 of the front-end):
 * it would keep running, DMA included, after its user is gone.
 *
 * Return: 0 or a negative errno; -EPERM for a device without a reset
 * method while reset_required is set.
 */
int vfio_platform_core_open_device(struct vfio_device *vdev)
{
	struct vfio_platform_device *vpdev =
		container_of(vdev, struct vfio_platform_device, vdev);
	int ret;

	if (!vpdev->reset && vpdev->reset_required) {
		dev_warn_ratelimited(vdev->dev,
				     "not opened: no reset method (to open it anyway: %s.reset_required=0, then bind again)\n",
				     dev_driver_string(vdev->dev));
		return -EPERM;
	}
	ret = vfio_platform_power_on(vpdev);
	if (ret)
		return ret;
	if (vpdev->reset) {
		mutex_lock(&vpdev->igate);
		ret = vfio_platform_reset_locked(vpdev);
		mutex_unlock(&vpdev->igate);
	}
	if (ret) {
		dev_warn(vdev->dev, "reset on open failed: %d\n", ret);
		vfio_platform_regions_unmap(vpdev);
		vfio_platform_power_off(vpdev);
	}
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_platform_core_open_device);

/**
 * vfio_platform_core_close_device() - vfio_device_ops.close_device of the core
 * @vdev: the VFIO device
 *
 * Frees every interrupt line, resets the device when it has a reset method
 * and drops the kernel's mappings of its regions.
 */
void vfio_platform_core_close_device(struct vfio_device *vdev)
{
	struct vfio_platform_device *vpdev =
		container_of(vdev, struct vfio_platform_device, vdev);

	mutex_lock(&vpdev->igate);
	vfio_platform_irqs_teardown(vpdev);
	if (vpdev->reset && vfio_platform_reset_locked(vpdev))
		dev_warn(vdev->dev, "reset on close failed\n");
	mutex_unlock(&vpdev->igate);
	vfio_platform_regions_unmap(vpdev);
	vfio_platform_power_off(vpdev);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_close_device);

static int vfio_platform_device_info(struct vfio_platform_device *vpdev,
				     void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = vpdev->flags;
	if (vpdev->reset)
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = vpdev->num_regions;
	info.num_irqs = vpdev->num_irqs;
	/* A caller that predates cap_offset gets what it always got. */
	if (info.argsz >= offsetofend(struct vfio_device_info, cap_offset)) {
		ret = vfio_platform_of_device_info(vpdev, &info, arg);
		if (ret)
			return ret;
		minsz = offsetofend(struct vfio_device_info, cap_offset);
	}

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static int vfio_platform_device_reset(struct vfio_platform_device *vpdev)
{
	int ret;

	if (!vpdev->reset)
		return -EINVAL;
	mutex_lock(&vpdev->igate);
	ret = vfio_platform_reset_locked(vpdev);
	mutex_unlock(&vpdev->igate);
	return ret;
}

/**
 * vfio_platform_core_ioctl() - vfio_device_ops.ioctl of the core
 * @vdev: the VFIO device
 * @cmd: the ioctl
 * @arg: its user space argument
 *
 * Return: 0 or a negative errno; -ENOTTY for an unknown @cmd.
 */
long vfio_platform_core_ioctl(struct vfio_device *vdev, unsigned int cmd,
			      unsigned long arg)
{
	struct vfio_platform_device *vpdev =
		container_of(vdev, struct vfio_platform_device, vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vfio_platform_device_info(vpdev, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return vfio_platform_region_info(vpdev, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return vfio_platform_irq_info(vpdev, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return vfio_platform_set_irqs(vpdev, uarg);
	case VFIO_DEVICE_RESET:
		return vfio_platform_device_reset(vpdev);
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_GPL(vfio_platform_core_ioctl);

/**
 * vfio_platform_core_mmap() - vfio_device_ops.mmap of the core
 * @vdev: the VFIO device
 * @vma: the mapping; vm_pgoff is the region offset plus offset in the region
 *
 * Return: 0 or a negative errno.
 */
int vfio_platform_core_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	return vfio_platform_region_mmap(container_of(vdev, struct vfio_platform_device, vdev),
					 vma);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_mmap);

/*
 * The ops of a device that needs nothing beyond the core: what user space
 * reaches through the device fd, then the device's life in the VFIO core,
 * then its IOMMU through iommufd (a platform device is its own physical
 * DMA requester).
 */
const struct vfio_device_ops vfio_platform_core_ops = {
	.name		= "vfio-platform",
	.ioctl		= vfio_platform_core_ioctl,
	.read		= vfio_platform_core_read,
	.write		= vfio_platform_core_write,
	.mmap		= vfio_platform_core_mmap,

	.init		= vfio_platform_core_init_dev,
	.open_device	= vfio_platform_core_open_device,
	.close_device	= vfio_platform_core_close_device,
	.release	= vfio_platform_core_release_dev,

	.bind_iommufd	= vfio_iommufd_physical_bind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
};
EXPORT_SYMBOL_GPL(vfio_platform_core_ops);

/**
 * vfio_platform_core_register() - make a described device available to VFIO
 * @vpdev: the device, with its regions and interrupt lines added
 * @reset_required: refuse to open the device if it has no reset method
 *
 * Chooses the device's reset method first (see vfio_platform_reset.c). A
 * device without one is registered all the same, so that binding works
 * for any device; with @reset_required (the front-ends' default) opening
 * it fails with -EPERM, without it user space gets the device in whatever
 * state the previous user left it.
 *
 * Return: 0 or a negative errno; -EPROBE_DEFER while the device's reset
 * controller is not there yet.
 */
int vfio_platform_core_register(struct vfio_platform_device *vpdev,
				bool reset_required)
{
	int ret;

	ret = vfio_platform_power_init(vpdev);
	if (ret)
		return ret;
	ret = vfio_platform_reset_init(vpdev);
	if (ret)
		return ret;
	vpdev->reset_required = reset_required;
	return vfio_register_group_dev(&vpdev->vdev);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_register);

/**
 * vfio_platform_core_unregister() - withdraw a device from VFIO
 * @vpdev: the device
 *
 * Waits until user space has closed the device.
 */
void vfio_platform_core_unregister(struct vfio_platform_device *vpdev)
{
	vfio_unregister_group_dev(&vpdev->vdev);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_unregister);

static int __init vfio_platform_core_init(void)
{
	return vfio_platform_reset_hooks_init();
}
module_init(vfio_platform_core_init);

static void __exit vfio_platform_core_exit(void)
{
	vfio_platform_reset_hooks_exit();
}
module_exit(vfio_platform_core_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(DRIVER_DESC);
