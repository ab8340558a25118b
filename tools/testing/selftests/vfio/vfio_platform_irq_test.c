// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform: interrupts. Level lines (PL031 RTC alarm, PL061 GPIO)
 * are automasked and need an unmask; an edge line (virtio-mmio balloon
 * config change, raised by the host) is not.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define PL031		"9010000.pl031"
#define PL061		"9030000.pl061"
#define BALLOON		"a003c00.virtio_mmio"
#define VIRTIO_SLOT	"a000000.virtio_mmio"

/* PL031 registers */
#define RTC_DR		0x00
#define RTC_MR		0x04
#define RTC_IMSC	0x10
#define RTC_RIS		0x14
#define RTC_MIS		0x18
#define RTC_ICR		0x1c

/* PL061 registers */
#define GPIO_DIR	0x400
#define GPIO_IS		0x404
#define GPIO_IBE	0x408
#define GPIO_IEV	0x40c
#define GPIO_IE		0x410
#define GPIO_RIS	0x414
#define GPIO_MIS	0x418
#define GPIO_IC		0x41c

/* virtio-mmio registers */
#define VIRTIO_DEVICE_ID	0x008
#define VIRTIO_INT_STATUS	0x060
#define VIRTIO_INT_ACK		0x064
#define VIRTIO_STATUS		0x070
#define VIRTIO_ID_BALLOON	5
#define VIRTIO_DRIVER_OK	(0x1 | 0x2 | 0x4)	/* ACK|DRIVER|DRIVER_OK */

#define LEVEL_FLAGS	(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | \
			 VFIO_IRQ_INFO_AUTOMASKED)

#define FIRE_MS		3000	/* the PL031 alarm fires after ~1 s */
#define QUIET_MS	300

#define TRIGGER		VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK		VFIO_IRQ_SET_ACTION_MASK
#define UNMASK		VFIO_IRQ_SET_ACTION_UNMASK

/*
 * The eventfds come first: once the device is bound, a failing setup must
 * give it back itself (the harness only tears down completed setups).
 */
static int irq_dev_setup(struct vpt_dev *dev, struct vfio_region_info *r0,
			 int *efd, int *unmask_efd, const char *bus,
			 const char *name)
{
	*efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (*efd < 0)
		return -errno;
	*unmask_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (*unmask_efd < 0)
		return -errno;
	return vpt_setup(dev, bus, name, r0);
}

#define RD(off) ({ \
	uint32_t __v = 0; \
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->r0, off, &__v)); \
	__v; \
})

#define WR(off, val) \
	ASSERT_EQ(0, vpt_write32(self->dev.fd, &self->r0, off, val))

/* An event arrives on @efd within @ms. */
#define EXPECT_EVENT(efd, ms) do { \
	uint64_t __cnt = 0; \
	int __ms = (ms); \
	ASSERT_EQ(1, vpt_eventfd_wait(efd, __ms, &__cnt)) \
		TH_LOG("no interrupt within %d ms", __ms); \
	EXPECT_LE(1, __cnt); \
} while (0)

/* No event arrives on @efd for @ms. */
#define EXPECT_NO_EVENT(efd, ms) do { \
	uint64_t __cnt = 0; \
	ASSERT_EQ(0, vpt_eventfd_wait(efd, ms, &__cnt)) \
		TH_LOG("unexpected interrupt (count %llu)", \
		       (unsigned long long)__cnt); \
} while (0)

/* ---- PL031 RTC alarm: level-high ---- */

FIXTURE(pl031) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int efd;
	int unmask_efd;
};

FIXTURE_SETUP(pl031)
{
	int ret = irq_dev_setup(&self->dev, &self->r0, &self->efd,
				&self->unmask_efd, "amba", PL031);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PL031, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", PL031, strerror(-ret));
	/* No alarm left over from the native driver. */
	vpt_write32(self->dev.fd, &self->r0, RTC_IMSC, 0);
	vpt_write32(self->dev.fd, &self->r0, RTC_ICR, 1);
}

FIXTURE_TEARDOWN_PARENT(pl031)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* Alarm at the next second: the line rises within about a second. */
#define PL031_ARM() do { \
	WR(RTC_MR, RD(RTC_DR) + 1); \
	WR(RTC_IMSC, 1); \
} while (0)

/* Acknowledge at the device: the line falls. */
#define PL031_ACK() do { \
	WR(RTC_ICR, 1); \
	WR(RTC_IMSC, 0); \
} while (0)

TEST_F(pl031, irq_info)
{
	struct vfio_irq_info info;

	ASSERT_EQ(0, vpt_irq_info(self->dev.fd, 0, &info));
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(LEVEL_FLAGS, info.flags & LEVEL_FLAGS);
	EXPECT_EQ(-EINVAL, vpt_irq_info(self->dev.fd, 1, &info));
}

TEST_F_TIMEOUT(pl031, level_automask_unmask_ioctl, 20)
{
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	PL031_ARM();
	EXPECT_EVENT(self->efd, FIRE_MS);
	EXPECT_EQ(1, RD(RTC_MIS) & 1);

	/* Automasked: the line is still high but no second event. */
	EXPECT_NO_EVENT(self->efd, QUIET_MS);
	EXPECT_EQ(1, RD(RTC_RIS) & 1);

	PL031_ACK();
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, UNMASK, 1));
	EXPECT_NO_EVENT(self->efd, QUIET_MS);
	PL031_ARM();
	EXPECT_EVENT(self->efd, FIRE_MS);
	PL031_ACK();
}

/* QEMU's resamplefd: the unmask eventfd re-enables the masked line. */
TEST_F_TIMEOUT(pl031, unmask_eventfd, 20)
{
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, UNMASK,
				     self->unmask_efd));
	PL031_ARM();
	EXPECT_EVENT(self->efd, FIRE_MS);

	/* Still masked: a new alarm is not delivered ... */
	PL031_ACK();
	PL031_ARM();
	EXPECT_NO_EVENT(self->efd, 2000);
	EXPECT_EQ(1, RD(RTC_RIS) & 1);
	/* ... until the unmask eventfd is signalled. */
	ASSERT_EQ(0, eventfd_write(self->unmask_efd, 1));
	EXPECT_EVENT(self->efd, 1000);
	PL031_ACK();

	/* Tearing the unmask eventfd down is not an error. */
	EXPECT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, UNMASK, -1));
}

TEST_F_TIMEOUT(pl031, mask_ioctl, 20)
{
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, MASK, 1));
	PL031_ARM();
	EXPECT_NO_EVENT(self->efd, 2000);
	/* The line is really high: masking held it back. */
	EXPECT_EQ(1, RD(RTC_MIS) & 1);
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, UNMASK, 1));
	EXPECT_EVENT(self->efd, 1000);
	PL031_ACK();
}

TEST_F_TIMEOUT(pl031, data_bool, 20)
{
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));

	/* Loopback trigger: false does nothing, true signals. */
	ASSERT_EQ(0, vpt_irq_bool(self->dev.fd, 0, TRIGGER, 0));
	EXPECT_NO_EVENT(self->efd, 100);
	ASSERT_EQ(0, vpt_irq_bool(self->dev.fd, 0, TRIGGER, 1));
	EXPECT_EVENT(self->efd, 1000);
	ASSERT_EQ(0, vpt_irq_bool(self->dev.fd, 0, UNMASK, 1));

	/* Mask true holds the real line back, unmask false keeps it so. */
	ASSERT_EQ(0, vpt_irq_bool(self->dev.fd, 0, MASK, 1));
	ASSERT_EQ(0, vpt_irq_bool(self->dev.fd, 0, UNMASK, 0));
	PL031_ARM();
	EXPECT_NO_EVENT(self->efd, 2000);
	EXPECT_EQ(1, RD(RTC_MIS) & 1);
	ASSERT_EQ(0, vpt_irq_bool(self->dev.fd, 0, UNMASK, 1));
	EXPECT_EVENT(self->efd, 1000);
	PL031_ACK();
}

TEST_F_TIMEOUT(pl031, trigger_teardown, 20)
{
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));
	PL031_ARM();
	EXPECT_NO_EVENT(self->efd, 2000);
	EXPECT_EQ(1, RD(RTC_MIS) & 1);

	/* A new trigger sees the line that is still high. */
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	EXPECT_EVENT(self->efd, 1000);
	PL031_ACK();
}

TEST_F_TIMEOUT(pl031, bad_set_irqs, 20)
{
	int32_t fds[2] = { self->efd, self->efd };
	int fd = self->dev.fd;
	uint8_t one = 1;
	int ret;

	ASSERT_EQ(0, vpt_irq_eventfd(fd, 0, TRIGGER, self->efd));

	EXPECT_EQ(-EINVAL, vpt_irq_eventfd(fd, 1, TRIGGER, self->efd));
	EXPECT_EQ(-EINVAL, vpt_irq_none(fd, 1, UNMASK, 1));
	EXPECT_EQ(-EINVAL, vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | TRIGGER,
					0, 1, 1, fds, sizeof(fds[0])));
	EXPECT_EQ(-EINVAL, vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | TRIGGER,
					0, 0, 2, fds, sizeof(fds)));
	EXPECT_EQ(-EINVAL, vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | UNMASK,
					0, 1, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | UNMASK |
					(1U << 12), 0, 0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_NONE |
					VFIO_IRQ_SET_DATA_BOOL | UNMASK,
					0, 0, 1, &one, 1));
	/* Two actions at once: the VFIO core leaves that to the driver. */
	ret = vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | MASK | UNMASK, 0, 0, 1,
			   NULL, 0);
	EXPECT_TRUE(ret == -EINVAL || ret == -ENOTTY) TH_LOG("ret %d", ret);

	/* None of this disturbed the trigger that was set. */
	PL031_ARM();
	EXPECT_EVENT(self->efd, FIRE_MS);
	PL031_ACK();
}

/* A bad eventfd is refused and leaves the trigger that was set alone. */
TEST_F_TIMEOUT(pl031, bad_eventfd, 20)
{
	int fd = self->dev.fd;
	int closed_fd, ret;

	ASSERT_EQ(0, vpt_irq_eventfd(fd, 0, TRIGGER, self->efd));

	closed_fd = dup(self->efd);
	ASSERT_LE(0, closed_fd);
	close(closed_fd);
	EXPECT_EQ(-EBADF, vpt_irq_eventfd(fd, 0, TRIGGER, closed_fd));
	/* A file that is not an eventfd. */
	ret = vpt_irq_eventfd(fd, 0, TRIGGER, self->dev.group);
	EXPECT_TRUE(ret == -EINVAL || ret == -EBADF) TH_LOG("ret %d", ret);
	ret = vpt_irq_eventfd(fd, 0, UNMASK, closed_fd);
	EXPECT_TRUE(ret == -EINVAL || ret == -EBADF) TH_LOG("ret %d", ret);

	PL031_ARM();
	EXPECT_EVENT(self->efd, FIRE_MS);
	PL031_ACK();
}

/* ---- PL061 GPIO: level, raised by the guest alone ---- */

FIXTURE(pl061) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int efd;
	int unmask_efd;
};

FIXTURE_SETUP(pl061)
{
	int ret = irq_dev_setup(&self->dev, &self->r0, &self->efd,
				&self->unmask_efd, "amba", PL061);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PL061, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", PL061, strerror(-ret));
	vpt_write32(self->dev.fd, &self->r0, GPIO_IE, 0);
	vpt_write32(self->dev.fd, &self->r0, GPIO_IC, 0xff);
}

FIXTURE_TEARDOWN_PARENT(pl061)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* Pin 0 reads low: "level low" on it is true at once. */
#define PL061_RAISE() do { \
	WR(GPIO_DIR, 0); \
	WR(GPIO_IBE, 0); \
	WR(GPIO_IEV, 0); \
	WR(GPIO_IS, 1); \
	WR(GPIO_IC, 0xff); \
	WR(GPIO_IE, 1); \
} while (0)

#define PL061_CLEAR() do { \
	WR(GPIO_IE, 0); \
	WR(GPIO_IEV, 1); \
	WR(GPIO_IC, 1); \
} while (0)

TEST_F(pl061, level_irq)
{
	struct vfio_irq_info info;
	int ret;

	ASSERT_EQ(0, vpt_irq_info(self->dev.fd, 0, &info));
	EXPECT_EQ(1, info.count);
	EXPECT_EQ(LEVEL_FLAGS, info.flags & LEVEL_FLAGS);

	/*
	 * Also where gpio-pl061 had the PL061 and chained its handler to
	 * this line: removing a chained handler gives the line back.
	 */
	ret = vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd);
	ASSERT_EQ(0, ret) TH_LOG("the PL061 IRQ cannot be requested: %s",
				 strerror(-ret));

	PL061_RAISE();
	EXPECT_EVENT(self->efd, 1000);
	EXPECT_EQ(1, RD(GPIO_MIS) & 1);
	EXPECT_NO_EVENT(self->efd, QUIET_MS);
	PL061_CLEAR();
	EXPECT_EQ(0, RD(GPIO_MIS) & 1);
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, UNMASK, 1));
	EXPECT_NO_EVENT(self->efd, QUIET_MS);

	/* Round trip again through the unmask eventfd. */
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, UNMASK,
				     self->unmask_efd));
	PL061_RAISE();
	EXPECT_EVENT(self->efd, 1000);
	PL061_CLEAR();
	ASSERT_EQ(0, eventfd_write(self->unmask_efd, 1));
	EXPECT_NO_EVENT(self->efd, QUIET_MS);
	PL061_RAISE();
	EXPECT_EVENT(self->efd, 1000);
	PL061_CLEAR();

	/* Leave the controller as the native driver expects it. */
	WR(GPIO_IS, 0);
	WR(GPIO_IEV, 0);
	WR(GPIO_IC, 0xff);
}

/* ---- virtio-mmio: edge-rising (device tree) or level-high (ACPI) ---- */

/*
 * The trigger of a virtio-mmio slot's line is what the firmware says:
 * rising edge in QEMU's device tree, level high in its ACPI tables (the
 * DSDT's Interrupt descriptors). A slot without a device-tree node came
 * from ACPI.
 */
static bool virtio_line_is_level(const struct vpt_dev *d)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/of_node",
		 d->bus, d->name);
	return access(path, F_OK) != 0;
}

FIXTURE(virtio_slot) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int efd;
	int unmask_efd;
};

FIXTURE_SETUP(virtio_slot)
{
	int ret = irq_dev_setup(&self->dev, &self->r0, &self->efd,
				&self->unmask_efd, "platform", VIRTIO_SLOT);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", VIRTIO_SLOT, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", VIRTIO_SLOT, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(virtio_slot)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(virtio_slot, edge_irq_info)
{
	bool level = virtio_line_is_level(&self->dev);
	struct vfio_irq_info info;

	ASSERT_EQ(0, vpt_irq_info(self->dev.fd, 0, &info));
	EXPECT_EQ(1, info.count);
	EXPECT_TRUE(info.flags & VFIO_IRQ_INFO_EVENTFD);
	EXPECT_EQ(level, (info.flags & VFIO_IRQ_INFO_AUTOMASKED) != 0);

	/* An edge line can be armed and disarmed. */
	EXPECT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	EXPECT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));
}

FIXTURE(balloon) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int efd;
	int unmask_efd;
	bool resized;
};

FIXTURE_SETUP(balloon)
{
	uint32_t id = 0;
	int ret;

	self->resized = false;
	ret = irq_dev_setup(&self->dev, &self->r0, &self->efd,
			    &self->unmask_efd, "platform", BALLOON);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", BALLOON, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", BALLOON, strerror(-ret));
	vpt_read32(self->dev.fd, &self->r0, VIRTIO_DEVICE_ID, &id);
	if (id != VIRTIO_ID_BALLOON) {
		vpt_close(&self->dev);
		vpt_restore(&self->dev);
		SKIP(return, "%s is not a virtio-balloon (device id %u)",
		     BALLOON, id);
	}
}

FIXTURE_TEARDOWN_PARENT(balloon)
{
	/* Give the native driver a balloon that wants all memory back. */
	if (self->resized) {
		vpt_host_request("balloon 512");
		vpt_msleep(1000);
	}
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/*
 * Ask the host to resize the balloon and see the config interrupt. A
 * level line is masked by then (automasked): unmask it after the ack.
 */
#define BALLOON_RESIZE(mb) do { \
	uint32_t __isr; \
	ASSERT_EQ(0, vpt_host_request("balloon " #mb)); \
	self->resized = true; \
	EXPECT_EVENT(self->efd, 5000); \
	__isr = RD(VIRTIO_INT_STATUS); \
	EXPECT_NE(0, __isr); \
	WR(VIRTIO_INT_ACK, __isr); \
	EXPECT_EQ(0, RD(VIRTIO_INT_STATUS) & __isr); \
	if (level) \
		ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, UNMASK, 1)); \
} while (0)

TEST_F_TIMEOUT(balloon, edge_irq, 30)
{
	bool level = virtio_line_is_level(&self->dev);
	struct vfio_irq_info info;

	ASSERT_EQ(0, vpt_irq_info(self->dev.fd, 0, &info));
	EXPECT_TRUE(info.flags & VFIO_IRQ_INFO_EVENTFD);
	EXPECT_EQ(level, (info.flags & VFIO_IRQ_INFO_AUTOMASKED) != 0);

	WR(VIRTIO_STATUS, 0);
	WR(VIRTIO_STATUS, VIRTIO_DRIVER_OK);
	EXPECT_EQ(VIRTIO_DRIVER_OK, RD(VIRTIO_STATUS));
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
	EXPECT_NO_EVENT(self->efd, 100);

	BALLOON_RESIZE(200);
	/* Edge: after the ack, the next config change raises it again. */
	BALLOON_RESIZE(512);
	self->resized = false;
	EXPECT_NO_EVENT(self->efd, QUIET_MS);
	WR(VIRTIO_STATUS, 0);
}

TEST_HARNESS_MAIN
