// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vfio-platform reset hook in a module of its own, as a vendor would
 * write one for an IP block: it registers a reset function for the
 * compatible string "vfiotest,reset-sample" and declares the module alias
 * the vfio-platform core asks for ("vfio-reset:vfiotest,reset-sample"), so
 * the core loads it when it takes such a device.
 *
 * The sample device is a virtio-mmio slot: the reset writes 0 to its
 * Status register. The number of resets is a read-only module parameter,
 * so a test can watch the hook run.
 */

#include <linux/io.h>
#include <linux/module.h>
#include <linux/vfio_platform.h>

#define SAMPLE_COMPATIBLE	"vfiotest,reset-sample"
#define VIRTIO_MMIO_STATUS	0x70

static unsigned int resets;
module_param(resets, uint, 0444);
MODULE_PARM_DESC(resets, "Number of resets done by this hook");

static int vfio_platform_reset_sample(struct vfio_platform_device *vpdev)
{
	void __iomem *base = vfio_platform_region_ioaddr(vpdev, 0);

	if (!base)
		return -ENOMEM;
	writel(0, base + VIRTIO_MMIO_STATUS);
	WRITE_ONCE(resets, resets + 1);
	return 0;
}

static struct vfio_platform_reset_hook vfio_platform_reset_sample_hook = {
	.compatible = SAMPLE_COMPATIBLE,
	.reset = vfio_platform_reset_sample,
};

static int __init vfio_platform_reset_sample_init(void)
{
	return vfio_platform_register_reset(&vfio_platform_reset_sample_hook);
}
module_init(vfio_platform_reset_sample_init);

static void __exit vfio_platform_reset_sample_exit(void)
{
	vfio_platform_unregister_reset(&vfio_platform_reset_sample_hook);
}
module_exit(vfio_platform_reset_sample_exit);

VFIO_PLATFORM_RESET_ALIAS(SAMPLE_COMPATIBLE);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample vfio-platform reset hook module");
