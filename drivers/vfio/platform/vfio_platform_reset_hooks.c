// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform core: reset hooks for IP blocks that real SoCs carry and
 * that QEMU's virt machine emulates. Each puts the block into the state
 * its documentation says, and touches nothing else.
 */

#include <linux/io.h>

#include "vfio_platform_priv.h"

#define VIRTIO_MMIO_MAGIC		0x000
#define VIRTIO_MMIO_MAGIC_VALUE		0x74726976	/* "virt" */
#define VIRTIO_MMIO_STATUS		0x070

/*
 * virtio-mmio: writing 0 to Status is the device reset of the virtio
 * specification, for legacy and modern devices alike: the device drops
 * its queues, features and pending interrupts.
 */
static int vfio_platform_reset_virtio_mmio(struct vfio_platform_device *vpdev)
{
	void __iomem *base = vfio_platform_region_ioaddr(vpdev, 0);

	if (!base)
		return -ENOMEM;
	if (readl(base + VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE)
		return -ENODEV;
	writel(0, base + VIRTIO_MMIO_STATUS);
	return 0;
}

#define PL031_IMSC	0x10	/* interrupt mask set/clear */
#define PL031_ICR	0x1c	/* interrupt clear */

/*
 * PL031 RTC: mask and clear the match interrupt, so that an alarm a user
 * left armed cannot fire. The counter keeps running: it is the time.
 */
static int vfio_platform_reset_pl031(struct vfio_platform_device *vpdev)
{
	void __iomem *base = vfio_platform_region_ioaddr(vpdev, 0);

	if (!base)
		return -ENOMEM;
	writel(0, base + PL031_IMSC);
	writel(1, base + PL031_ICR);
	return 0;
}

#define PL061_DIR	0x400	/* direction, 1 = output */
#define PL061_IS	0x404	/* interrupt sense, 1 = level */
#define PL061_IBE	0x408	/* both edges */
#define PL061_IEV	0x40c	/* event: high level or rising edge */
#define PL061_IE	0x410	/* interrupt mask */
#define PL061_IC	0x41c	/* interrupt clear */
#define PL061_AFSEL	0x420	/* hardware control */

/*
 * PL061 GPIO: mask and clear every interrupt and bring the interrupt
 * configuration to its reset values; make every line an input under
 * software control, so that no line stays driven.
 */
static int vfio_platform_reset_pl061(struct vfio_platform_device *vpdev)
{
	void __iomem *base = vfio_platform_region_ioaddr(vpdev, 0);

	if (!base)
		return -ENOMEM;
	writeb(0, base + PL061_IE);
	writeb(0, base + PL061_IS);
	writeb(0, base + PL061_IBE);
	writeb(0, base + PL061_IEV);
	writeb(0xff, base + PL061_IC);
	writeb(0, base + PL061_DIR);
	writeb(0, base + PL061_AFSEL);
	return 0;
}

#define PL011_CR	0x30	/* control */
#define PL011_IMSC	0x38	/* interrupt mask set/clear */
#define PL011_ICR	0x44	/* interrupt clear */
#define PL011_ICR_ALL	0x7ff

/*
 * PL011 UART: disable the UART, its transmitter and receiver, mask and
 * clear every interrupt.
 */
static int vfio_platform_reset_pl011(struct vfio_platform_device *vpdev)
{
	void __iomem *base = vfio_platform_region_ioaddr(vpdev, 0);

	if (!base)
		return -ENOMEM;
	writel(0, base + PL011_CR);
	writel(0, base + PL011_IMSC);
	writel(PL011_ICR_ALL, base + PL011_ICR);
	return 0;
}

struct vfio_platform_reset_hook vfio_platform_builtin_resets[] = {
	{ .compatible = "virtio,mmio", .reset = vfio_platform_reset_virtio_mmio },
	{ .compatible = "arm,pl031", .reset = vfio_platform_reset_pl031 },
	{ .compatible = "arm,pl061", .reset = vfio_platform_reset_pl061 },
	{ .compatible = "arm,pl011", .reset = vfio_platform_reset_pl011 },
};

const unsigned int vfio_platform_builtin_resets_count =
	ARRAY_SIZE(vfio_platform_builtin_resets);
