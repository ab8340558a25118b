// SPDX-License-Identifier: GPL-2.0
/*
 * Hold a platform device open through VFIO (no-IOMMU group) for the guest
 * scripts: print its number of IRQ indexes, route each index to an
 * eventfd (one line per index: "irq N: ok" or the error), say "held" and
 * wait to be killed. The close when it dies is the close-time reset the
 * scripts then check. Built with samples/vfio-platform/vfio-platform-user.c.
 *
 * Usage: vfio-hold DEVICE
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vfio-platform-user.h"

int main(int argc, char **argv)
{
	struct vfp_device d;
	unsigned int i;
	bool level;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DEVICE\n", argv[0]);
		return 2;
	}
	if (vfp_open(&d, "platform", argv[1], VFP_NOIOMMU_ONLY))
		return 1;
	printf("irqs %u\n", d.info.num_irqs);
	for (i = 0; i < d.info.num_irqs; i++) {
		int efd = vfp_irq_eventfd(&d, i, &level);

		if (efd < 0)
			printf("irq %u: %s\n", i, strerror(errno));
		else
			printf("irq %u: ok, %s\n", i, level ? "level" : "edge");
	}
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}
