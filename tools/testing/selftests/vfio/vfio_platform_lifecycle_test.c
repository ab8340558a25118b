// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform: device fd life cycle. Close with an IRQ armed and a
 * mapping live, open again, and unbind while user space holds the device.
 * On the PL031 (its alarm is the interrupt) and on an empty virtio-mmio
 * slot, which also exists where ACPI enumerates the devices.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define PL031		"9010000.pl031"
#define VIRTIO_SLOT	"a000000.virtio_mmio"
#define VIRTIO_MAGIC	0x74726976	/* "virt" */
#define RTC_DR		0x00
#define RTC_MR		0x04
#define RTC_IMSC	0x10
#define RTC_RIS		0x14
#define RTC_ICR		0x1c
#define PL031_PERIPH_ID0	0x31

#define TRIGGER		VFIO_IRQ_SET_ACTION_TRIGGER

FIXTURE(life) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int efd;
};

FIXTURE_VARIANT(life) {
	const char *bus;
	const char *name;
	uint32_t id_off;	/* an ID register and its value */
	uint32_t id;
	bool alarm;		/* a PL031: its alarm raises the IRQ */
};

FIXTURE_VARIANT_ADD(life, pl031) {
	.bus = "amba", .name = PL031, .id_off = 0xfe0, .id = PL031_PERIPH_ID0,
	.alarm = true,
};

FIXTURE_VARIANT_ADD(life, virtio_slot) {
	.bus = "platform", .name = VIRTIO_SLOT, .id_off = 0, .id = VIRTIO_MAGIC,
};

FIXTURE_SETUP(life)
{
	int ret;

	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	ret = vpt_setup(&self->dev, variant->bus, variant->name, &self->r0);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", variant->name, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(life)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* Arm the alarm for the next second through device fd @fd. */
static int pl031_arm(int fd, const struct vfio_region_info *r)
{
	uint32_t dr;
	int ret;

	ret = vpt_write32(fd, r, RTC_ICR, 1);
	if (!ret)
		ret = vpt_read32(fd, r, RTC_DR, &dr);
	if (!ret)
		ret = vpt_write32(fd, r, RTC_MR, dr + 1);
	if (!ret)
		ret = vpt_write32(fd, r, RTC_IMSC, 1);
	return ret;
}

static int pl031_ack(int fd, const struct vfio_region_info *r)
{
	int ret = vpt_write32(fd, r, RTC_IMSC, 0);

	return ret ? ret : vpt_write32(fd, r, RTC_ICR, 1);
}

TEST_F_TIMEOUT(life, close_with_irq_and_mmap, 30)
{
	long page = sysconf(_SC_PAGESIZE);
	void *map;
	struct vfio_device_info info;
	int efd2, fd2, fd3;
	uint64_t cnt;
	uint32_t id;

	if (!variant->alarm)
		SKIP(return, "%s: no interrupt the test can raise alone",
		     variant->name);
	map = vpt_mmap(&self->dev, self->dev.fd, page, PROT_READ | PROT_WRITE,
		       self->r0.offset);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	ASSERT_EQ(0, pl031_arm(self->dev.fd, &self->r0));
	ASSERT_EQ(1, vpt_eventfd_wait(self->efd, 3000, &cnt));

	/* Close with the IRQ armed (and automasked, line high). */
	close(self->dev.fd);
	self->dev.fd = -1;
	/* The mapping outlives the fd. */
	EXPECT_EQ(PL031_PERIPH_ID0, vpt_mmio_read32(map, 0xfe0));

	fd2 = vpt_get_fd(&self->dev);
	ASSERT_LE(0, fd2) TH_LOG("reopen with a live mapping: %s",
				 strerror(-fd2));
	EXPECT_EQ(0, vpt_device_info(fd2, &info));
	EXPECT_EQ(0, vpt_read32(fd2, &self->r0, 0xfe0, &id));
	EXPECT_EQ(PL031_PERIPH_ID0, id);
	EXPECT_EQ(0, pl031_ack(fd2, &self->r0));

	/* Last user gone: the device is closed for real. */
	EXPECT_EQ(0, vpt_munmap(&self->dev, map));
	close(fd2);

	fd3 = vpt_get_fd(&self->dev);
	ASSERT_LE(0, fd3) TH_LOG("reopen: %s", strerror(-fd3));
	self->dev.fd = fd3;
	efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd2);
	EXPECT_EQ(0, vpt_irq_eventfd(fd3, 0, TRIGGER, efd2));
	EXPECT_EQ(0, pl031_arm(fd3, &self->r0));
	EXPECT_EQ(1, vpt_eventfd_wait(efd2, 3000, &cnt))
		TH_LOG("no interrupt after reopening");
	/* The eventfd of the closed instance stays silent. */
	EXPECT_EQ(0, vpt_eventfd_wait(self->efd, 0, &cnt));
	EXPECT_EQ(0, pl031_ack(fd3, &self->r0));
	EXPECT_EQ(0, vpt_irq_none(fd3, 0, TRIGGER, 0));
	close(efd2);
}

TEST_F(life, reopen_after_close)
{
	uint32_t id;
	int i, fd;

	for (i = 0; i < 3; i++) {
		close(self->dev.fd);
		self->dev.fd = -1;
		fd = vpt_get_fd(&self->dev);
		ASSERT_LE(0, fd) TH_LOG("open #%d: %s", i + 2, strerror(-fd));
		self->dev.fd = fd;
		ASSERT_EQ(0, vpt_read32(fd, &self->r0, variant->id_off, &id));
		EXPECT_EQ(variant->id, id);
	}
}

TEST_F_TIMEOUT(life, unbind_waits_for_close, 30)
{
	char path[128], drv[VPT_NAME_MAX], c;
	int status, i, sync[2];
	pid_t pid, w;
	uint32_t id;

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind",
		 variant->bus, vpt_vfio_driver(variant->bus));
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/*
		 * Only the parent may hold the device. *self is shared
		 * with it: close the fds, leave the numbers alone.
		 */
		close(self->dev.fd);
		close(self->dev.group);
		close(self->dev.container);
		close(sync[0]);
		if (write(sync[1], "u", 1) != 1)
			_exit(2);
		_exit(vpt_sysfs_write(path, self->dev.name) ? 1 : 0);
	}
	close(sync[1]);
	/* The child is about to write to unbind. */
	EXPECT_EQ(1, read(sync[0], &c, 1));
	close(sync[0]);

	vpt_msleep(500);
	w = waitpid(pid, &status, WNOHANG);
	EXPECT_EQ(0, w) TH_LOG("unbind returned while the device was open");
	/* Meanwhile the device keeps working for its user. */
	EXPECT_EQ(0, vpt_read32(self->dev.fd, &self->r0, variant->id_off, &id));
	EXPECT_EQ(variant->id, id);

	close(self->dev.fd);
	self->dev.fd = -1;
	for (i = 0; w == 0 && i < 100; i++) {
		vpt_msleep(50);
		w = waitpid(pid, &status, WNOHANG);
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, w) TH_LOG("unbind still blocked after close");
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, vpt_current_driver(variant->bus, self->dev.name, drv,
					sizeof(drv)));
	EXPECT_STREQ("", drv);
}

TEST_HARNESS_MAIN
