// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform core: clocks and power while the device is open.
 *
 * A SoC device usually needs its clocks running and its power domain on
 * before its registers answer. While user space has the device open, the
 * core holds a runtime PM reference (so the bus and the power domain
 * resume it) and keeps all of the device's clocks ("clocks" in the device
 * tree) enabled. Both are released on close, including when the process
 * dies; the device may then be suspended.
 */

#include <linux/clk.h>
#include <linux/pm_runtime.h>

#include "vfio_platform_priv.h"

/**
 * vfio_platform_power_init() - find the clocks of a device
 * @vpdev: the device, described but not yet registered
 *
 * Return: 0 or a negative errno (-EPROBE_DEFER while a clock provider is
 * not there yet).
 */
int vfio_platform_power_init(struct vfio_platform_device *vpdev)
{
	struct device *dev = vpdev->vdev.dev;
	int ret;

	ret = clk_bulk_get_all(dev, &vpdev->clks);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot get its clocks\n");
	vpdev->num_clks = ret;
	return 0;
}

/**
 * vfio_platform_power_release() - drop what vfio_platform_power_init() took
 * @vpdev: the device
 */
void vfio_platform_power_release(struct vfio_platform_device *vpdev)
{
	if (vpdev->num_clks > 0)
		clk_bulk_put_all(vpdev->num_clks, vpdev->clks);
	vpdev->clks = NULL;
	vpdev->num_clks = 0;
}

/**
 * vfio_platform_power_on() - resume the device and enable its clocks
 * @vpdev: the device, being opened
 *
 * Return: 0 or a negative errno; nothing is held on failure.
 */
int vfio_platform_power_on(struct vfio_platform_device *vpdev)
{
	struct device *dev = vpdev->vdev.dev;
	int ret;

	ret = pm_runtime_resume_and_get(dev);
	if (ret < 0 && ret != -EACCES)
		return ret;
	/* -EACCES: runtime PM is disabled for the device; it stays as it is. */
	if (ret == -EACCES)
		pm_runtime_get_noresume(dev);

	ret = clk_bulk_prepare_enable(vpdev->num_clks, vpdev->clks);
	if (ret)
		pm_runtime_put(dev);
	return ret;
}

/**
 * vfio_platform_power_off() - undo vfio_platform_power_on()
 * @vpdev: the device, being closed
 */
void vfio_platform_power_off(struct vfio_platform_device *vpdev)
{
	clk_bulk_disable_unprepare(vpdev->num_clks, vpdev->clks);
	pm_runtime_put(vpdev->vdev.dev);
}
