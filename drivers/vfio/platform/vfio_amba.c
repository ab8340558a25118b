// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-amba: the AMBA bus front-end of the vfio-platform core. Exposes the
 * primecell's register window and its interrupts.
 *
 * The device reports VFIO_DEVICE_FLAGS_PLATFORM as well as _AMBA: to user
 * space a primecell is a platform device with a peripheral ID, and VMMs
 * (QEMU's hw/vfio/platform.c) refuse a device without the PLATFORM flag.
 */

#include <linux/amba/bus.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <linux/vfio_platform_core.h>

/*
 * A device without a reset method keeps running after its user is gone,
 * DMA included: it binds, but is opened only where the administrator opted
 * in by setting this to 0 (read when the device is bound).
 */
static bool reset_required = true;
module_param(reset_required, bool, 0644);
MODULE_PARM_DESC(reset_required,
		 "Refuse to open devices that have no reset method; 0 allows them (read at bind, default: Y)");

static int vfio_amba_describe(struct vfio_platform_device *vpdev,
			      struct amba_device *adev)
{
	struct device_node *np = adev->dev.of_node;
	unsigned int i;
	int ret;

	ret = vfio_platform_add_region(vpdev, &adev->res, np, 0);
	for (i = 0; !ret && i < AMBA_NR_IRQS && adev->irq[i]; i++)
		ret = vfio_platform_add_irq(vpdev, adev->irq[i], np, i);
	return ret;
}

static int vfio_amba_probe(struct amba_device *adev, const struct amba_id *id)
{
	struct vfio_platform_device *vpdev;
	int ret;

	vpdev = vfio_alloc_device(vfio_platform_device, vdev, &adev->dev,
				  &vfio_platform_core_ops);
	if (IS_ERR(vpdev))
		return PTR_ERR(vpdev);

	vpdev->flags = VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA;
	ret = vfio_amba_describe(vpdev, adev);
	if (!ret)
		ret = vfio_platform_core_register(vpdev, reset_required);
	if (ret) {
		vfio_put_device(&vpdev->vdev);
		return ret;
	}
	amba_set_drvdata(adev, vpdev);
	/*
	 * The bus probes with a runtime PM reference held; drop it so the
	 * device (and its bus clock) may suspend until it is opened.
	 */
	pm_runtime_put(&adev->dev);
	return 0;
}

static void vfio_amba_remove(struct amba_device *adev)
{
	struct vfio_platform_device *vpdev = amba_get_drvdata(adev);

	vfio_platform_core_unregister(vpdev);
	/* Balance the put of probe; the bus drops its own reference. */
	pm_runtime_get_noresume(&adev->dev);
	vfio_put_device(&vpdev->vdev);
}

/*
 * A meta-driver: it matches every AMBA device, and the driver core binds it
 * only where user space asks, by writing to its "bind" file or by setting
 * the device's driver_override to "vfio-amba".
 */
static struct amba_driver vfio_amba_driver = {
	.probe = vfio_amba_probe,
	.remove = vfio_amba_remove,
	.drv = {
		.name = "vfio-amba",
		.sysfs_bind_only = true,
	},
	.match_any_dev = true,
	.driver_managed_dma = true,
};
module_amba_driver(vfio_amba_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO for AMBA devices");
