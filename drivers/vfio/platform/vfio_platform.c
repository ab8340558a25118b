// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform: the platform bus front-end of the vfio-platform core.
 * Exposes every MEM resource and every interrupt of a platform device,
 * then those of the child nodes that are parts of it rather than devices
 * of their own (see vfio_platform_of_add_children()).
 */

#include <linux/module.h>
#include <linux/platform_device.h>
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

static int vfio_platform_describe(struct vfio_platform_device *vpdev,
				  struct platform_device *pdev)
{
	struct device_node *np = pdev->dev.of_node;
	struct resource *res;
	int i, nirq, irq, ret;

	for (i = 0; (res = platform_get_resource(pdev, IORESOURCE_MEM, i)); i++) {
		ret = vfio_platform_add_region(vpdev, res, np, i);
		if (ret)
			return ret;
	}

	nirq = platform_irq_count(pdev);
	if (nirq < 0)
		return nirq;
	for (i = 0; i < nirq; i++) {
		irq = platform_get_irq_optional(pdev, i);
		if (irq < 0)
			return irq;
		ret = vfio_platform_add_irq(vpdev, irq, np, i);
		if (ret)
			return ret;
	}
	return vfio_platform_of_add_children(vpdev, np);
}

static int vfio_platform_probe(struct platform_device *pdev)
{
	struct vfio_platform_device *vpdev;
	int ret;

	vpdev = vfio_alloc_device(vfio_platform_device, vdev, &pdev->dev,
				  &vfio_platform_core_ops);
	if (IS_ERR(vpdev))
		return PTR_ERR(vpdev);

	vpdev->flags = VFIO_DEVICE_FLAGS_PLATFORM;
	ret = vfio_platform_describe(vpdev, pdev);
	if (ret)
		goto err_put;

	/* Suspended until opened; the core resumes it while it is open. */
	pm_runtime_enable(&pdev->dev);
	ret = vfio_platform_core_register(vpdev, reset_required);
	if (ret) {
		pm_runtime_disable(&pdev->dev);
		goto err_put;
	}
	platform_set_drvdata(pdev, vpdev);
	return 0;

err_put:
	vfio_put_device(&vpdev->vdev);
	return ret;
}

static void vfio_platform_remove(struct platform_device *pdev)
{
	struct vfio_platform_device *vpdev = platform_get_drvdata(pdev);

	vfio_platform_core_unregister(vpdev);
	pm_runtime_disable(&pdev->dev);
	vfio_put_device(&vpdev->vdev);
}

/*
 * A meta-driver: it matches every platform device, and the driver core
 * binds it only where user space asks, by writing to its "bind" file or
 * by setting the device's driver_override to "vfio-platform".
 */
static struct platform_driver vfio_platform_driver = {
	.probe = vfio_platform_probe,
	.remove = vfio_platform_remove,
	.driver = {
		.name = "vfio-platform",
		.sysfs_bind_only = true,
	},
	.match_any_dev = true,
	.driver_managed_dma = true,
};
module_platform_driver(vfio_platform_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO for platform devices");
