// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-tree information of vfio-platform devices: the child nodes whose
 * resources belong to a device, and the capabilities that tell user space
 * which device-tree node and which "reg" or "interrupts" entry each region
 * and interrupt stands for.
 */

#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_irq.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "vfio_platform_priv.h"

/* One helper fills both: they must stay the same. */
static_assert(sizeof(struct vfio_irq_info_cap_devtree) ==
	      sizeof(struct vfio_region_info_cap_devtree));
static_assert(offsetof(struct vfio_irq_info_cap_devtree, index) ==
	      offsetof(struct vfio_region_info_cap_devtree, index));
static_assert(offsetof(struct vfio_irq_info_cap_devtree, path) ==
	      offsetof(struct vfio_region_info_cap_devtree, path));

/**
 * vfio_platform_of_is_part() - whether a child node is a part of its parent
 * @child: a direct child of the device's node
 *
 * A part is an available child node without a "compatible" property: no
 * driver can match it, so only its parent's driver uses it (the channels
 * of a DMA controller). A child with a "compatible" is a device of its own
 * (an I2C client, an MFD cell, a node of a simple-bus) whether or not the
 * kernel has made a device of it at this moment: unbinding an I2C or SPI
 * controller or an MFD parent depopulates its children, and their
 * resources, an interrupt routed through another controller for instance,
 * must not then become the parent's. The answer depends on the device tree
 * alone, so a device's regions and interrupts are numbered the same way
 * at every bind.
 *
 * Return: true if @child is a part.
 */
VISIBLE_IF_KUNIT bool vfio_platform_of_is_part(const struct device_node *child)
{
	return !of_property_present(child, "compatible") &&
	       of_device_is_available(child);
}
EXPORT_SYMBOL_IF_KUNIT(vfio_platform_of_is_part);

/*
 * A "reg" entry that does not translate to a CPU address is not MMIO: the
 * address of a graph port@N, or of a node in a bus-private address space
 * (no "ranges" in the parent). It is left out; the regions that are added
 * keep the index of their entry, so the devtree capability stays exact.
 */
static int vfio_platform_of_add_regions(struct vfio_platform_device *vpdev,
					struct device_node *child)
{
	int cells = of_n_addr_cells(child) + of_n_size_cells(child);
	struct resource res;
	int i, n, ret;

	n = of_property_count_u32_elems(child, "reg");
	if (n <= 0 || !of_n_size_cells(child))
		return 0;
	for (i = 0; i < n / cells; i++) {
		if (of_address_to_resource(child, i, &res)) {
			dev_dbg(vpdev->vdev.dev, "%pOF: reg entry %d is not MMIO\n",
				child, i);
			continue;
		}
		ret = vfio_platform_add_region(vpdev, &res, child, i);
		if (ret)
			return ret;
	}
	return 0;
}

static int vfio_platform_of_add_irqs(struct vfio_platform_device *vpdev,
				     struct device_node *child)
{
	int i, n, irq, ret;

	n = of_irq_count(child);
	for (i = 0; i < n; i++) {
		irq = of_irq_get(child, i);
		ret = irq > 0 ? vfio_platform_add_irq(vpdev, irq, child, i) :
				irq ?: -ENXIO;
		if (ret) {
			dev_err_probe(vpdev->vdev.dev, ret,
				      "%pOF: interrupt %d\n", child, i);
			return ret;
		}
	}
	return 0;
}

/**
 * vfio_platform_of_add_children() - add the resources of a node's parts
 * @vpdev: the device, allocated but not yet registered
 * @np: the device's own node, whose resources are already added, or NULL
 *
 * A device-tree device can describe parts of itself in child nodes, such
 * as the channels of a DMA controller, each with its own "reg" and
 * "interrupts". Adds, after the device's own, the regions of every part
 * (an available direct child node without a "compatible" property, see
 * vfio_platform_of_is_part()), child after child in device-tree order and
 * in "reg" order within a child; then their interrupts in the same order.
 * Only "reg" entries that translate to CPU addresses are regions. A device
 * without parts has exactly the regions and interrupts of its own node.
 *
 * Return: 0 or a negative errno; an interrupt that cannot be mapped is an
 * error (-EPROBE_DEFER while its controller is not there yet).
 */
int vfio_platform_of_add_children(struct vfio_platform_device *vpdev,
				  struct device_node *np)
{
	int ret;

	if (!np)
		return 0;
	for_each_child_of_node_scoped(np, child) {
		if (!vfio_platform_of_is_part(child))
			continue;
		ret = vfio_platform_of_add_regions(vpdev, child);
		if (ret)
			return ret;
	}
	for_each_child_of_node_scoped(np, child) {
		if (!vfio_platform_of_is_part(child))
			continue;
		ret = vfio_platform_of_add_irqs(vpdev, child);
		if (ret)
			return ret;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_platform_of_add_children);

/* The capability layout shared by regions and interrupts. */
static int vfio_platform_of_path_cap(struct vfio_info_cap *caps, u16 id,
				     struct device_node *np,
				     unsigned int index)
{
	struct vfio_region_info_cap_devtree *cap;
	struct vfio_info_cap_header *header;
	size_t len;
	char *path;

	path = kasprintf(GFP_KERNEL, "%pOF", np);
	if (!path)
		return -ENOMEM;
	len = strlen(path) + 1;
	header = vfio_info_cap_add(caps, struct_size(cap, path, len), id, 1);
	if (IS_ERR(header)) {
		kfree(path);
		return PTR_ERR(header);
	}
	cap = container_of(header, struct vfio_region_info_cap_devtree, header);
	cap->index = index;
	cap->path_len = len;
	memcpy(cap->path, path, len);
	kfree(path);
	return 0;
}

/*
 * Copy a capability chain out after an info structure of @infosz bytes,
 * the way every VFIO info ioctl does: the chain when *@argsz has room for
 * it, else only the size needed in *@argsz. Frees the chain.
 */
static int vfio_platform_of_caps_out(struct vfio_info_cap *caps,
				     void __user *arg, size_t infosz,
				     u32 *argsz, u32 *cap_offset)
{
	int ret = 0;

	*cap_offset = 0;
	if (*argsz < infosz + caps->size) {
		*argsz = infosz + caps->size;
	} else {
		vfio_info_cap_shift(caps, infosz);
		if (copy_to_user(arg + infosz, caps->buf, caps->size))
			ret = -EFAULT;
		else
			*cap_offset = infosz;
	}
	kfree(caps->buf);
	return ret;
}

/**
 * vfio_platform_of_region_info() - the device-tree capability of a region
 * @region: the region
 * @info: VFIO_DEVICE_GET_REGION_INFO reply being built
 * @arg: user buffer of the reply
 *
 * For a region described by a device-tree node, adds the capability chain
 * (struct vfio_region_info_cap_devtree) to @info and, when info->argsz
 * has room for it, copies it after @info into @arg.
 *
 * Return: 0 or a negative errno.
 */
int vfio_platform_of_region_info(struct vfio_platform_region *region,
				 struct vfio_region_info *info,
				 void __user *arg)
{
	struct vfio_info_cap caps = {};
	int ret;

	if (!region->of_node)
		return 0;
	ret = vfio_platform_of_path_cap(&caps, VFIO_REGION_INFO_CAP_DEVTREE,
					region->of_node, region->of_index);
	if (ret)
		return ret;
	info->flags |= VFIO_REGION_INFO_FLAG_CAPS;
	return vfio_platform_of_caps_out(&caps, arg, sizeof(*info),
					 &info->argsz, &info->cap_offset);
}

/**
 * vfio_platform_of_irq_info() - the device-tree capability of an interrupt
 * @irq: the interrupt line
 * @info: VFIO_DEVICE_GET_IRQ_INFO reply being built; the caller's argsz
 *	covers cap_offset
 * @arg: user buffer of the reply
 *
 * The interrupt counterpart of vfio_platform_of_region_info(), with
 * struct vfio_irq_info_cap_devtree.
 *
 * Return: 0 or a negative errno.
 */
int vfio_platform_of_irq_info(struct vfio_platform_irq *irq,
			      struct vfio_irq_info *info, void __user *arg)
{
	struct vfio_info_cap caps = {};
	int ret;

	info->cap_offset = 0;
	if (!irq->of_node)
		return 0;
	ret = vfio_platform_of_path_cap(&caps, VFIO_IRQ_INFO_CAP_DEVTREE,
					irq->of_node, irq->of_index);
	if (ret)
		return ret;
	info->flags |= VFIO_IRQ_INFO_FLAG_CAPS;
	return vfio_platform_of_caps_out(&caps, arg, sizeof(*info),
					 &info->argsz, &info->cap_offset);
}

/**
 * vfio_platform_of_device_info() - the device-tree capability of a device
 * @vpdev: the device
 * @info: VFIO_DEVICE_GET_INFO reply being built; the caller's argsz
 *	covers cap_offset
 * @arg: user buffer of the reply
 *
 * For a device described by a device-tree node, adds the capability chain
 * (struct vfio_device_info_cap_devtree: the node's path and "compatible"
 * list) to @info and, when info->argsz has room for it, copies it after
 * @info into @arg.
 *
 * Return: 0 or a negative errno.
 */
int vfio_platform_of_device_info(struct vfio_platform_device *vpdev,
				 struct vfio_device_info *info,
				 void __user *arg)
{
	struct device_node *np = vpdev->vdev.dev->of_node;
	struct vfio_device_info_cap_devtree *cap;
	struct vfio_info_cap_header *header;
	struct vfio_info_cap caps = {};
	size_t path_len, size;
	const void *compat;
	int compat_len = 0;
	char *path;

	info->cap_offset = 0;
	if (!np)
		return 0;
	path = kasprintf(GFP_KERNEL, "%pOF", np);
	if (!path)
		return -ENOMEM;
	path_len = strlen(path) + 1;
	compat = of_get_property(np, "compatible", &compat_len);
	if (!compat)
		compat_len = 0;
	size = size_add(struct_size(cap, strings, path_len), compat_len);
	header = vfio_info_cap_add(&caps, size, VFIO_DEVICE_INFO_CAP_DEVTREE, 1);
	if (IS_ERR(header)) {
		kfree(path);
		return PTR_ERR(header);
	}
	cap = container_of(header, struct vfio_device_info_cap_devtree, header);
	cap->path_len = path_len;
	cap->compat_len = compat_len;
	memcpy(cap->strings, path, path_len);
	if (compat_len)
		memcpy(cap->strings + path_len, compat, compat_len);
	kfree(path);

	info->flags |= VFIO_DEVICE_FLAGS_CAPS;
	return vfio_platform_of_caps_out(&caps, arg, sizeof(*info),
					 &info->argsz, &info->cap_offset);
}
