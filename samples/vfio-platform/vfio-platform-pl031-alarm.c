// SPDX-License-Identifier: GPL-2.0-only
/*
 * A user-space driver for an ARM PL031 real-time clock over vfio-amba.
 *
 * It maps the RTC's registers, prints the time, arms the match register
 * a few seconds ahead (one by default), waits for the alarm interrupt on an eventfd,
 * acknowledges it in the device and unmasks the line: the PL031's
 * interrupt is level triggered, so the kernel masks it before signalling
 * the eventfd and keeps it masked until user space says it is handled.
 *
 * The device does no DMA: it works behind an IOMMU (type1 container) and
 * in VFIO's no-IOMMU mode alike.
 *
 * Usage: vfio-platform-pl031-alarm DEVICE [SECONDS]
 *   DEVICE: an AMBA device bound to vfio-amba, e.g. 9010000.pl031;
 *   SECONDS: 1 to 60, default 1.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vfio-platform-user.h"

#define RTCDR		0x00	/* data: seconds */
#define RTCMR		0x04	/* match */
#define RTCIMSC		0x10	/* interrupt mask set/clear */
#define RTCRIS		0x14	/* raw interrupt status */
#define RTCMIS		0x18	/* masked interrupt status */
#define RTCICR		0x1c	/* interrupt clear */
#define PERIPHID0	0xfe0
#define RTC_BIT_AI	1	/* the alarm interrupt */
#define MAX_SECONDS	60

/* Single 32-bit accesses to the mapped registers, never merged or torn. */
static __u32 reg_read(void *base, unsigned int off)
{
	return __atomic_load_n((__u32 *)((char *)base + off),
			       __ATOMIC_RELAXED);
}

static void reg_write(void *base, unsigned int off, __u32 val)
{
	__atomic_store_n((__u32 *)((char *)base + off), val,
			 __ATOMIC_RELAXED);
}

/* PeriphID0..3: 0x31 0x10 0x14 0x00 for a PL031 (part 0x031, ARM). */
static int check_device(const char *name, void *base)
{
	static const __u8 id[] = { 0x31, 0x10, 0x04, 0x00 };
	unsigned int i;
	__u8 b;

	for (i = 0; i < sizeof(id); i++) {
		b = reg_read(base, PERIPHID0 + 4 * i) & 0xff;
		/* PeriphID2: the revision in bits 7:4 may differ. */
		if ((i == 2 ? b & 0x0f : b) != id[i]) {
			fprintf(stderr, "%s: not a PL031 (PeriphID%u is %#x)\n",
				name, i, b);
			return -1;
		}
	}
	return 0;
}

static void print_time(const char *what, __u32 secs)
{
	time_t t = secs;
	char buf[64];

	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	printf("%s %s (%u)\n", what, buf, secs);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct vfio_region_info regs = { 0 };
	struct vfp_device dev;
	void *base = MAP_FAILED;
	__u32 match;
	double start;
	unsigned int secs = 1;
	bool level;
	int efd, ret = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DEVICE [SECONDS]\n", argv[0]);
		return 2;
	}
	if (argc == 3) {
		secs = strtoul(argv[2], NULL, 0);
		if (!secs || secs > MAX_SECONDS) {
			fprintf(stderr, "SECONDS: 1 to %d\n", MAX_SECONDS);
			return 2;
		}
	}
	if (vfp_open(&dev, "amba", argv[1], VFP_ANY_IOMMU))
		return 1;
	if (vfp_region(&dev, 0, &regs))
		goto out;
	if (!(regs.flags & VFIO_REGION_INFO_FLAG_MMAP) || regs.size < 0x1000) {
		fprintf(stderr, "%s: region 0 cannot be mapped\n", argv[1]);
		goto out;
	}
	base = mmap(NULL, regs.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    dev.fd, regs.offset);
	if (base == MAP_FAILED) {
		perror("mmap");
		goto out;
	}
	if (check_device(argv[1], base))
		goto out;
	vfp_print_layout(&dev);
	printf("%s through %s\n", argv[1],
	       dev.noiommu ? "VFIO no-IOMMU mode" : "an IOMMU (type1)");

	efd = vfp_irq_eventfd(&dev, 0, &level);
	if (efd < 0)
		goto out;
	reg_write(base, RTCIMSC, 0);
	reg_write(base, RTCICR, RTC_BIT_AI);
	match = reg_read(base, RTCDR) + secs;
	print_time("time: ", match - secs);
	reg_write(base, RTCMR, match);
	reg_write(base, RTCIMSC, RTC_BIT_AI);
	print_time("alarm:", match);

	start = now();
	fflush(stdout);
	if (vfp_irq_wait(efd, (secs + 2) * 1000) <= 0) {
		fprintf(stderr, "%s: no alarm interrupt in %u s\n", argv[1],
			secs + 2);
		goto out;
	}
	printf("alarm interrupt after %.2f s: RIS %u MIS %u, DR %u\n",
	       now() - start, reg_read(base, RTCRIS), reg_read(base, RTCMIS),
	       reg_read(base, RTCDR));
	if (!(reg_read(base, RTCMIS) & RTC_BIT_AI)) {
		fprintf(stderr, "%s: interrupt without a pending alarm\n",
			argv[1]);
		goto out;
	}
	/* Acknowledge in the device first, then let the line through. */
	reg_write(base, RTCICR, RTC_BIT_AI);
	reg_write(base, RTCIMSC, 0);
	if (level && vfp_irq_unmask(&dev, 0))
		goto out;
	printf("acknowledged (MIS %u)%s\n", reg_read(base, RTCMIS),
	       level ? ", line unmasked" : "");
	ret = 0;
out:
	if (base != MAP_FAILED)
		munmap(base, regs.size);
	vfp_close(&dev);
	return ret;
}
