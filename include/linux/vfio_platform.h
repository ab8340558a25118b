/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device-specific reset functions for vfio-platform: a device that user
 * space lets go of must be put back into a quiescent state, and a platform
 * device has no standard way to do that. A reset function for an IP block
 * is registered under the block's device-tree compatible string; the
 * vfio-platform core looks it up when it takes a device, and loads the
 * module that provides it by the alias "vfio-reset:<compatible>".
 */
#ifndef _LINUX_VFIO_PLATFORM_H
#define _LINUX_VFIO_PLATFORM_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/vfio_platform_core.h>

/**
 * struct vfio_platform_reset_hook - a reset function for one kind of device
 * @compatible: device-tree compatible string of the devices it resets
 * @reset: the function; it may use vfio_platform_region_ioaddr()
 * @owner: the module that provides it
 * @node: entry in the list of registered hooks
 */
struct vfio_platform_reset_hook {
	const char *compatible;
	vfio_platform_reset_t reset;
	struct module *owner;
	struct list_head node;
};

int __vfio_platform_register_reset(struct vfio_platform_reset_hook *hook,
				   struct module *owner);
void vfio_platform_unregister_reset(struct vfio_platform_reset_hook *hook);

/**
 * vfio_platform_register_reset() - register a reset hook of this module
 * @hook: the hook; it must stay valid until unregistered
 *
 * Return: 0 or -EEXIST when a hook for the compatible string exists.
 */
#define vfio_platform_register_reset(hook) \
	__vfio_platform_register_reset(hook, THIS_MODULE)

/**
 * VFIO_PLATFORM_RESET_ALIAS() - let the core load this module on demand
 * @compat: the compatible string the module provides a reset hook for
 */
#define VFIO_PLATFORM_RESET_ALIAS(compat) MODULE_ALIAS("vfio-reset:" compat)

void __iomem *vfio_platform_region_ioaddr(struct vfio_platform_device *vpdev,
					  unsigned int index);

#endif /* _LINUX_VFIO_PLATFORM_H */
