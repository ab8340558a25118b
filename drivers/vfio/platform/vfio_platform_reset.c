// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform core: choosing and running a device's reset method.
 *
 * A device gets the first method it has, in this order:
 *  1. its reset lines (device tree "resets", through the reset controller
 *     framework), or ACPI _RST: a reset of the hardware itself;
 *  2. a reset hook for one of its compatible strings: built in
 *     (vfio_platform_reset_hooks.c) or registered by a module, which the
 *     core loads by the alias "vfio-reset:<compatible>";
 *  3. none. The device still binds, VFIO_DEVICE_FLAGS_RESET is not
 *     reported, and it cannot be opened unless the administrator opted in
 *     (reset_required=0 of the front-end, see vfio_platform_core.c).
 *
 * The reset runs when the device is opened, when it is closed, and on
 * VFIO_DEVICE_RESET, with the device's regions out of user space's reach
 * (see vfio_platform_core.c).
 *
 * Reset lines are the device's alone or not used at all. A line that
 * another available device-tree node also names (a sibling IP block on
 * the same SoC reset) is not asserted: that would reset the sibling too,
 * and taking such a line exclusive while the sibling's driver holds it
 * shared (or the reverse) is a misuse the reset framework WARNs about.
 * The device then falls back to a reset hook, or has no reset method.
 *
 * A controller that cannot pulse a line (reset_control_reset() returns
 * -ENOTSUPP) gets assert, then deassert. How long the line must stay
 * asserted is the device's property, not vfio-platform's: the device
 * node says it in "reset-assert-us" (the name the MDIO and Ethernet PHY
 * bindings use for the same delay), and without it the line is
 * deasserted as soon as the controller has asserted it.
 */

#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kmod.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/reset.h>

#include "vfio_platform_priv.h"

static LIST_HEAD(vfio_platform_reset_hooks);
static DEFINE_MUTEX(vfio_platform_reset_lock);

/**
 * __vfio_platform_register_reset() - register a device-specific reset hook
 * @hook: the hook; it must stay valid until unregistered
 * @owner: the module that provides it
 *
 * Use vfio_platform_register_reset().
 *
 * Return: 0, or -EEXIST when a hook for the compatible string exists.
 */
int __vfio_platform_register_reset(struct vfio_platform_reset_hook *hook,
				   struct module *owner)
{
	struct vfio_platform_reset_hook *h;
	int ret = 0;

	mutex_lock(&vfio_platform_reset_lock);
	list_for_each_entry(h, &vfio_platform_reset_hooks, node) {
		if (!strcmp(h->compatible, hook->compatible)) {
			ret = -EEXIST;
			goto out;
		}
	}
	hook->owner = owner;
	list_add_tail(&hook->node, &vfio_platform_reset_hooks);
out:
	mutex_unlock(&vfio_platform_reset_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(__vfio_platform_register_reset);

/**
 * vfio_platform_unregister_reset() - unregister a device-specific reset hook
 * @hook: a registered hook
 *
 * Devices that use the hook hold a reference to its module, so a module
 * unregisters its hooks only when no such device is left.
 */
void vfio_platform_unregister_reset(struct vfio_platform_reset_hook *hook)
{
	mutex_lock(&vfio_platform_reset_lock);
	list_del(&hook->node);
	mutex_unlock(&vfio_platform_reset_lock);
}
EXPORT_SYMBOL_GPL(vfio_platform_unregister_reset);

/* The hook for @compat with a reference on its module, or NULL. */
static struct vfio_platform_reset_hook *vfio_platform_get_hook(const char *compat)
{
	struct vfio_platform_reset_hook *h, *found = NULL;

	mutex_lock(&vfio_platform_reset_lock);
	list_for_each_entry(h, &vfio_platform_reset_hooks, node) {
		if (!strcmp(h->compatible, compat) && try_module_get(h->owner)) {
			found = h;
			break;
		}
	}
	mutex_unlock(&vfio_platform_reset_lock);
	return found;
}

/* The longest "reset-assert-us" taken: a second is more than any block needs. */
#define VFIO_PLATFORM_RESET_ASSERT_MAX_US	USEC_PER_SEC

static int vfio_platform_reset_lines(struct vfio_platform_device *vpdev)
{
	int ret = reset_control_reset(vpdev->rstc);

	/*
	 * A controller that cannot pulse the line: assert, hold it for the
	 * time the device node asks for, deassert. The reset framework
	 * reports that with -ENOTSUPP.
	 */
	if (ret == -ENOTSUPP) {
		ret = reset_control_assert(vpdev->rstc);
		if (ret)
			return ret;
		if (vpdev->reset_assert_us)
			fsleep(vpdev->reset_assert_us);
		ret = reset_control_deassert(vpdev->rstc);
	}
	return ret;
}

/* Whether @np is @dev_np or one of its descendants (a part of the device). */
static bool vfio_platform_node_within(struct device_node *np,
				      struct device_node *dev_np)
{
	struct device_node *p = of_node_get(np);

	while (p) {
		if (p == dev_np) {
			of_node_put(p);
			return true;
		}
		p = of_get_next_parent(p);
	}
	return false;
}

/* Whether @np's "resets" has the line @line (same controller and cells). */
static bool vfio_platform_names_line(struct device_node *np,
				     const struct of_phandle_args *line)
{
	struct of_phandle_args args;
	bool same = false;
	int i;

	for (i = 0; !same; i++) {
		if (of_parse_phandle_with_args(np, "resets", "#reset-cells", i, &args))
			break;
		same = args.np == line->np &&
		       args.args_count == line->args_count &&
		       !memcmp(args.args, line->args,
			       line->args_count * sizeof(line->args[0]));
		of_node_put(args.np);
	}
	return same;
}

/*
 * Another available device-tree node that names one of the reset lines of
 * @np, with a reference, or NULL. Lines are compared by their specifier
 * (controller and cells), as the device tree writes them.
 */
static struct device_node *vfio_platform_reset_sibling(struct device_node *np)
{
	struct device_node *sib = NULL;
	struct of_phandle_args mine;
	int i;

	for (i = 0; !sib; i++) {
		if (of_parse_phandle_with_args(np, "resets", "#reset-cells", i, &mine))
			break;
		for_each_node_with_property(sib, "resets") {
			if (!vfio_platform_node_within(sib, np) &&
			    of_device_is_available(sib) &&
			    vfio_platform_names_line(sib, &mine))
				break; /* keeps the iterator's reference */
		}
		of_node_put(mine.np);
	}
	return sib;
}

/*
 * Take the device's reset lines when they are its alone. Return: 0 with
 * vpdev->rstc set or left NULL (no lines, or lines not used), or a
 * negative errno.
 */
static int vfio_platform_reset_get_lines(struct vfio_platform_device *vpdev)
{
	struct device *dev = vpdev->vdev.dev;
	struct device_node *sib;
	struct reset_control *rstc;
	u32 us = 0;

	if (!of_property_present(dev->of_node, "resets"))
		return 0;
	sib = vfio_platform_reset_sibling(dev->of_node);
	if (sib) {
		dev_info(dev, "reset line shared with %pOF: not used, it would reset that device too\n",
			 sib);
		of_node_put(sib);
		return 0;
	}
	if (!of_property_read_u32(dev->of_node, "reset-assert-us", &us) &&
	    us > VFIO_PLATFORM_RESET_ASSERT_MAX_US) {
		dev_err(dev, "reset-assert-us %u is over %ld\n", us,
			VFIO_PLATFORM_RESET_ASSERT_MAX_US);
		return -EINVAL;
	}

	rstc = of_reset_control_array_get_optional_exclusive(dev->of_node);
	if (IS_ERR(rstc))
		return dev_err_probe(dev, PTR_ERR(rstc), "cannot get its resets\n");
	vpdev->rstc = rstc;
	vpdev->reset_assert_us = us;
	return 0;
}

#ifdef CONFIG_ACPI
static bool vfio_platform_has_acpi_rst(struct device *dev)
{
	return has_acpi_companion(dev) && acpi_has_method(ACPI_HANDLE(dev), "_RST");
}

/*
 * Run the device's _RST. Not device_reset(): after _RST it also asks the
 * reset controller framework for a mandatory line, which an ACPI device
 * does not have, and fails every reset with -ENOENT (or -ENOTSUPP).
 */
static int vfio_platform_reset_acpi(struct vfio_platform_device *vpdev)
{
	struct device *dev = vpdev->vdev.dev;
	acpi_status status;

	status = acpi_evaluate_object(ACPI_HANDLE(dev), "_RST", NULL, NULL);
	if (ACPI_FAILURE(status)) {
		dev_err_ratelimited(dev, "_RST failed: %s\n", acpi_format_exception(status));
		return -EIO;
	}
	return 0;
}
#else
static bool vfio_platform_has_acpi_rst(struct device *dev)
{
	return false;
}

static int vfio_platform_reset_acpi(struct vfio_platform_device *vpdev)
{
	return -ENODEV;
}
#endif

static int vfio_platform_reset_by_hook(struct vfio_platform_device *vpdev)
{
	return vpdev->reset_hook->reset(vpdev);
}

/* Find the device's reset hook, loading its module if need be. */
static struct vfio_platform_reset_hook *
vfio_platform_find_hook(struct device_node *np)
{
	struct vfio_platform_reset_hook *hook;
	const char *compat;
	struct property *prop;

	of_property_for_each_string(np, "compatible", prop, compat) {
		hook = vfio_platform_get_hook(compat);
		if (!hook && !request_module("vfio-reset:%s", compat))
			hook = vfio_platform_get_hook(compat);
		if (hook)
			return hook;
	}
	return NULL;
}

/**
 * vfio_platform_reset_init() - choose the reset method of a device
 * @vpdev: the device, described but not yet registered
 *
 * Reset lines that another device-tree node also names are left alone
 * (see the top of this file).
 *
 * Return: 0, or a negative errno (-EPROBE_DEFER while a reset controller
 * is not there yet, -EINVAL for a "reset-assert-us" over a second).
 */
int vfio_platform_reset_init(struct vfio_platform_device *vpdev)
{
	struct device *dev = vpdev->vdev.dev;
	int ret;

	if (vfio_platform_has_acpi_rst(dev)) {
		vpdev->reset = vfio_platform_reset_acpi;
		return 0;
	}

	ret = vfio_platform_reset_get_lines(vpdev);
	if (ret)
		return ret;
	if (vpdev->rstc) {
		vpdev->reset = vfio_platform_reset_lines;
		return 0;
	}

	vpdev->reset_hook = vfio_platform_find_hook(dev->of_node);
	if (vpdev->reset_hook)
		vpdev->reset = vfio_platform_reset_by_hook;
	return 0;
}

/**
 * vfio_platform_reset_release() - drop what vfio_platform_reset_init() took
 * @vpdev: the device
 */
void vfio_platform_reset_release(struct vfio_platform_device *vpdev)
{
	reset_control_put(vpdev->rstc);
	vpdev->rstc = NULL;
	if (vpdev->reset_hook)
		module_put(vpdev->reset_hook->owner);
	vpdev->reset_hook = NULL;
	vpdev->reset = NULL;
}

/* Register the hooks the core carries; called once at module init. */
int __init vfio_platform_reset_hooks_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vfio_platform_builtin_resets_count; i++) {
		ret = vfio_platform_register_reset(&vfio_platform_builtin_resets[i]);
		if (ret)
			return ret;
	}
	return 0;
}

void vfio_platform_reset_hooks_exit(void)
{
	unsigned int i;

	for (i = 0; i < vfio_platform_builtin_resets_count; i++)
		vfio_platform_unregister_reset(&vfio_platform_builtin_resets[i]);
}
