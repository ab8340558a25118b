// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform as QEMU 7.2 uses it: replay, call for call, what
 * hw/vfio/platform.c and hw/vfio/common.c do to assign a platform device
 * (vfio_get_group, vfio_connect_container, vfio_get_device,
 * vfio_populate_device, vfio_region_mmap, vfio_set_resample_eventfd,
 * vfio_set_trigger_eventfd), then drive the device as a guest would and
 * complete the interrupt cycle the way QEMU does (resamplefd, then
 * vfio_unmask_single_irqindex).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define RTC_DR		0x00
#define RTC_MR		0x04
#define RTC_IMSC	0x10
#define RTC_MIS		0x18
#define RTC_ICR		0x1c

#define MAX_REGIONS	4
#define MAX_IRQS	4

enum guest_job { JOB_NONE, JOB_PL031, JOB_FWCFG, JOB_VIRTIO };

/* What QEMU's VFIOPlatformDevice knows about the device. */
struct qemu_dev {
	struct vpt_dev dev;
	struct vfio_device_info info;
	struct vfio_region_info regions[MAX_REGIONS];
	void *maps[MAX_REGIONS];
	struct vfio_irq_info irqs[MAX_IRQS];
	int trigger[MAX_IRQS];
	int unmask[MAX_IRQS];
};

FIXTURE(replay) {
	struct qemu_dev q;
};

FIXTURE_VARIANT(replay) {
	const char *bus;
	const char *name;
	enum guest_job job;
};

FIXTURE_VARIANT_ADD(replay, pl031) {
	.bus = "amba",
	.name = "9010000.pl031",
	.job = JOB_PL031,
};

FIXTURE_VARIANT_ADD(replay, fw_cfg) {
	.bus = "platform",
	.name = "9020000.fw-cfg",
	.job = JOB_FWCFG,
};

FIXTURE_VARIANT_ADD(replay, virtio_mmio) {
	.bus = "platform",
	.name = "a000000.virtio_mmio",
	.job = JOB_VIRTIO,
};

FIXTURE_SETUP(replay)
{
	int i, ret;

	for (i = 0; i < MAX_IRQS; i++) {
		self->q.trigger[i] = -1;
		self->q.unmask[i] = -1;
	}
	memset(self->q.maps, 0, sizeof(self->q.maps));
	ret = vpt_bind(&self->q.dev, variant->bus, variant->name);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("binding %s to vfio: %s", variant->name,
				 strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(replay)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->q.dev));
}

/* vfio_get_group() + vfio_connect_container() + vfio_get_device() */
static int qemu_get_device(struct vpt_dev *d, struct vfio_device_info *info)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	unsigned long type;
	char path[PATH_MAX];
	int ret;

	/* QEMU takes /dev/vfio/N; no-IOMMU groups are what we have here. */
	ret = vpt_group_path(d, path, sizeof(path), &type);
	if (ret)
		return ret;

	d->group = open(path, O_RDWR);
	if (d->group < 0)
		return -errno;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status))
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;

	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0)
		return -errno;
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return -EPROTO;
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, type) != 1)
		return -EPROTONOSUPPORT;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		return -errno;
	if (ioctl(d->container, VFIO_SET_IOMMU, type))
		return -errno;

	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->name);
	if (d->fd < 0)
		return -errno;

	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(d->fd, VFIO_DEVICE_GET_INFO, info) ? -errno : 0;
}

/* vfio_get_region_info(): grow the buffer while the kernel asks for more. */
static int qemu_get_region_info(int fd, unsigned int index,
				struct vfio_region_info *out)
{
	size_t argsz = sizeof(*out);
	struct vfio_region_info *info;

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		info->index = index;
		if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			free(info);
			return -errno;
		}
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		free(info);
	}
	memcpy(out, info, sizeof(*out));
	free(info);
	return 0;
}

/* vfio_set_trigger_eventfd() and vfio_set_resample_eventfd() */
static int qemu_set_irq_eventfd(int fd, unsigned int pin, uint32_t action,
				int efd)
{
	size_t argsz = sizeof(struct vfio_irq_set) + sizeof(int32_t);
	struct vfio_irq_set *irq_set = calloc(1, argsz);
	int32_t *pfd;
	int ret;

	if (!irq_set)
		return -ENOMEM;
	irq_set->argsz = argsz;
	irq_set->flags = VFIO_IRQ_SET_DATA_EVENTFD | action;
	irq_set->index = pin;
	irq_set->start = 0;
	irq_set->count = 1;
	pfd = (int32_t *)&irq_set->data;
	*pfd = efd;
	ret = ioctl(fd, VFIO_DEVICE_SET_IRQS, irq_set) ? -errno : 0;
	free(irq_set);
	return ret;
}

/* vfio_unmask_single_irqindex() */
static int qemu_unmask_single_irqindex(int fd, unsigned int index)
{
	struct vfio_irq_set irq_set = {
		.argsz = sizeof(irq_set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = index,
		.start = 0,
		.count = 1,
	};

	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &irq_set) ? -errno : 0;
}

static void guest_pl031(struct __test_metadata *_metadata,
			struct qemu_dev *q)
{
	void *rtc = q->maps[0];
	uint64_t cnt;
	int round;

	ASSERT_NE(NULL, rtc) TH_LOG("the PL031 region was not mapped");
	EXPECT_EQ(0x31, vpt_mmio_read32(rtc, 0xfe0));
	ASSERT_LE(1, q->info.num_irqs);
	ASSERT_LE(0, q->unmask[0]);

	vpt_mmio_write32(rtc, RTC_IMSC, 0);
	vpt_mmio_write32(rtc, RTC_ICR, 1);
	for (round = 0; round < 2; round++) {
		vpt_mmio_write32(rtc, RTC_MR, vpt_mmio_read32(rtc, RTC_DR) + 1);
		vpt_mmio_write32(rtc, RTC_IMSC, 1);
		ASSERT_EQ(1, vpt_eventfd_wait(q->trigger[0], 3000, &cnt))
			TH_LOG("round %d: no interrupt", round);
		EXPECT_EQ(1, vpt_mmio_read32(rtc, RTC_MIS) & 1);
		/* The guest handles it and EOIs ... */
		vpt_mmio_write32(rtc, RTC_ICR, 1);
		vpt_mmio_write32(rtc, RTC_IMSC, 0);
		/* ... and QEMU unmasks: through KVM's resamplefd, or itself. */
		if (round == 0) {
			ASSERT_EQ(0, eventfd_write(q->unmask[0], 1));
		} else {
			ASSERT_EQ(0, qemu_unmask_single_irqindex(q->dev.fd,
								 0));
		}
	}
}

static void guest_fwcfg(struct __test_metadata *_metadata,
			struct qemu_dev *q)
{
	const uint64_t base = q->regions[0].offset;
	const uint8_t sel[2] = { 0, 0 };
	char sig[5] = "";
	int i;

	/* Not mmap'able: QEMU forwards each guest access with pread/pwrite. */
	EXPECT_EQ(NULL, q->maps[0]);
	ASSERT_EQ(2, pwrite(q->dev.fd, sel, 2, base + 8));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1, pread(q->dev.fd, &sig[i], 1, base));
	EXPECT_STREQ("QEMU", sig);
}

static void guest_virtio(struct __test_metadata *_metadata,
			 struct qemu_dev *q)
{
	uint32_t magic;

	EXPECT_EQ(NULL, q->maps[0]);
	ASSERT_EQ(4, pread(q->dev.fd, &magic, 4, q->regions[0].offset));
	EXPECT_EQ(0x74726976, magic);
}

TEST_F_TIMEOUT(replay, realize, 30)
{
	struct qemu_dev *q = &self->q;
	unsigned int i;
	int ret;

	ret = qemu_get_device(&q->dev, &q->info);
	ASSERT_EQ(0, ret) TH_LOG("vfio_get_device: %s", strerror(-ret));

	/* vfio_populate_device() */
	ASSERT_TRUE(q->info.flags & VFIO_DEVICE_FLAGS_PLATFORM)
		TH_LOG("QEMU: \"this isn't a platform device\" (flags 0x%x)",
		       q->info.flags);
	ASSERT_LE(q->info.num_regions, MAX_REGIONS);
	ASSERT_LE(q->info.num_irqs, MAX_IRQS);

	for (i = 0; i < q->info.num_regions; i++) {
		struct vfio_region_info *r = &q->regions[i];
		int prot = 0;
		void *p;

		ret = qemu_get_region_info(q->dev.fd, i, r);
		ASSERT_EQ(0, ret) TH_LOG("region %u: %s", i, strerror(-ret));
		ASSERT_NE(0, r->size);
		if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		/* vfio_region_mmap() */
		if (r->flags & VFIO_REGION_INFO_FLAG_READ)
			prot |= PROT_READ;
		if (r->flags & VFIO_REGION_INFO_FLAG_WRITE)
			prot |= PROT_WRITE;
		p = vpt_mmap(&q->dev, q->dev.fd, r->size, prot, r->offset);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("QEMU: Failed to mmap region %u",
						i);
		q->maps[i] = p;
	}

	for (i = 0; i < q->info.num_irqs; i++) {
		struct vfio_irq_info *irq = &q->irqs[i];

		memset(irq, 0, sizeof(*irq));
		irq->argsz = sizeof(*irq);
		irq->index = i;
		ASSERT_EQ(0, ioctl(q->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, irq));
		ASSERT_TRUE(irq->flags & VFIO_IRQ_INFO_EVENTFD);
		/* vfio_init_intp() */
		q->trigger[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ASSERT_LE(0, q->trigger[i]);
		if (irq->flags & VFIO_IRQ_INFO_AUTOMASKED) {
			q->unmask[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
			ASSERT_LE(0, q->unmask[i]);
		}
	}

	/* vfio_start_irqfd_injection(): resamplefd first, then trigger. */
	for (i = 0; i < q->info.num_irqs; i++) {
		if (q->unmask[i] >= 0) {
			ret = qemu_set_irq_eventfd(q->dev.fd, i,
						   VFIO_IRQ_SET_ACTION_UNMASK,
						   q->unmask[i]);
			ASSERT_EQ(0, ret) TH_LOG("resamplefd %u: %s", i,
						 strerror(-ret));
		}
		ret = qemu_set_irq_eventfd(q->dev.fd, i,
					   VFIO_IRQ_SET_ACTION_TRIGGER,
					   q->trigger[i]);
		ASSERT_EQ(0, ret) TH_LOG("trigger %u: %s", i, strerror(-ret));
	}

	/* vfio_platform_reset() on system reset, when the device has one. */
	if (q->info.flags & VFIO_DEVICE_FLAGS_RESET)
		ASSERT_EQ(0, ioctl(q->dev.fd, VFIO_DEVICE_RESET));

	switch (variant->job) {
	case JOB_PL031:
		guest_pl031(_metadata, q);
		break;
	case JOB_FWCFG:
		guest_fwcfg(_metadata, q);
		break;
	case JOB_VIRTIO:
		guest_virtio(_metadata, q);
		break;
	default:
		break;
	}

	/* QEMU exits: the kernel cleans up after the closed fds. */
	for (i = 0; i < MAX_REGIONS; i++) {
		if (q->maps[i])
			EXPECT_EQ(0, vpt_munmap(&q->dev, q->maps[i]));
		q->maps[i] = NULL;
	}
}

TEST_HARNESS_MAIN
