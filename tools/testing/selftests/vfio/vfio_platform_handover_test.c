// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handover from a native driver that is an interrupt controller: QEMU's
 * PL061 from gpio-pl061 (a gpiolib irqchip with a chained handler on the
 * PL061's own line) to vfio-amba and back, twice. vfio-amba must be able
 * to request the line gpio-pl061 chained to, take the level interrupt
 * through the eventfd, and gpio-pl061 must come back as a working GPIO
 * controller once vfio lets go.
 *
 * Runs where gpio-pl061 drives the PL061 (the "handover" test mode, with
 * QEMU's own device tree); elsewhere the test DTB hides the PL061 from
 * gpio-pl061 and this is a SKIP.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/input.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define PL061		"9030000.pl061"
#define PL061_DRIVER	"pl061_gpio"
#define VFIO_IRQ_NAME	"vfio-platform:" PL061 ":0"
#define GPIO_KEYS	"/sys/bus/platform/devices/gpio-keys"

#define GPIO_DIR	0x400
#define GPIO_IS		0x404
#define GPIO_IBE	0x408
#define GPIO_IEV	0x40c
#define GPIO_IE		0x410
#define GPIO_MIS	0x418
#define GPIO_IC		0x41c

#define TRIGGER		VFIO_IRQ_SET_ACTION_TRIGGER
#define UNMASK		VFIO_IRQ_SET_ACTION_UNMASK

/* Does file @path contain @needle? 1, 0, or -errno. */
static int file_has(const char *path, const char *needle)
{
	static char buf[65536];
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return !!strstr(buf, needle);
}

FIXTURE(handover) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int efd;
	bool keys_bound;	/* gpio-keys had PL061 line 3 before */
};

/*
 * gpio-keys uses PL061 line 3 (QEMU's power button). The driver core
 * does not unbind it with gpio-pl061 here (no device link), so it is
 * unbound before the PL061 changes hands and bound again after.
 */
static int gpio_keys_bind(bool bind)
{
	return vpt_sysfs_write(bind ? "/sys/bus/platform/drivers/gpio-keys/bind" :
				      "/sys/bus/platform/drivers/gpio-keys/unbind",
			       "gpio-keys");
}

FIXTURE_SETUP(handover)
{
	char drv[VPT_NAME_MAX];

	self->dev.fd = -1;
	self->dev.group = -1;
	self->dev.container = -1;
	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	if (access("/sys/bus/amba/devices/" PL061, F_OK))
		SKIP(return, PL061 ": no such device");
	ASSERT_EQ(0, vpt_current_driver("amba", PL061, drv, sizeof(drv)));
	if (strcmp(drv, PL061_DRIVER))
		SKIP(return, "gpio-pl061 does not drive the PL061 here (driver \"%s\")",
		     drv);
	self->keys_bound = !access(GPIO_KEYS "/driver", F_OK);
	if (self->keys_bound)
		ASSERT_EQ(0, gpio_keys_bind(false));
}

FIXTURE_TEARDOWN_PARENT(handover)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
	if (self->keys_bound && access(GPIO_KEYS "/driver", F_OK))
		EXPECT_EQ(0, gpio_keys_bind(true));
}

#define WR(off, val) \
	ASSERT_EQ(0, vpt_write32(self->dev.fd, &self->r0, off, val))

static uint32_t rd(int fd, const struct vfio_region_info *r, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	vpt_read32(fd, r, off, &v);
	return v;
}

TEST_F(handover, gpio_pl061_to_vfio_and_back)
{
	char drv[VPT_NAME_MAX];
	uint64_t cnt;
	int round, ret;

	for (round = 0; round < 2; round++) {
		/* gpio-pl061 has the PL061: its GPIO chip is registered. */
		ASSERT_EQ(1, file_has("/sys/kernel/debug/gpio", PL061))
			TH_LOG("round %d: no gpiochip of %s", round, PL061);

		ret = vpt_setup(&self->dev, "amba", PL061, &self->r0);
		ASSERT_EQ(0, ret) TH_LOG("round %d: %s to vfio-amba: %s", round,
					 PL061, strerror(-ret));
		ASSERT_STREQ(PL061_DRIVER, self->dev.orig_driver);
		EXPECT_EQ(0, file_has("/sys/kernel/debug/gpio", PL061));

		/*
		 * The line gpio-pl061 had chained its handler to: 6.12
		 * without the genirq fix fails this with -EINVAL.
		 */
		ret = vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd);
		ASSERT_EQ(0, ret) TH_LOG("round %d: the PL061 line cannot be requested: %s",
					 round, strerror(-ret));
		EXPECT_EQ(1, file_has("/proc/interrupts", VFIO_IRQ_NAME));

		/* The guest-only level interrupt: pin 0 reads low. */
		WR(GPIO_IE, 0);
		WR(GPIO_DIR, 0);
		WR(GPIO_IBE, 0);
		WR(GPIO_IEV, 0);
		WR(GPIO_IS, 1);
		WR(GPIO_IC, 0xff);
		WR(GPIO_IE, 1);
		ASSERT_EQ(1, vpt_eventfd_wait(self->efd, 2000, &cnt))
			TH_LOG("round %d: no interrupt on the eventfd", round);
		EXPECT_EQ(1, rd(self->dev.fd, &self->r0, GPIO_MIS) & 1);
		/* Automasked: no second event while the line stays high. */
		EXPECT_EQ(0, vpt_eventfd_wait(self->efd, 200, &cnt));
		WR(GPIO_IE, 0);
		WR(GPIO_IEV, 1);
		WR(GPIO_IC, 0xff);
		WR(GPIO_IS, 0);
		WR(GPIO_IEV, 0);
		ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, UNMASK, 1));
		EXPECT_EQ(0, vpt_eventfd_wait(self->efd, 200, &cnt));

		/* Give it back: gpio-pl061 chains its handler again. */
		ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));
		vpt_close(&self->dev);
		EXPECT_EQ(0, file_has("/proc/interrupts", VFIO_IRQ_NAME));
		ASSERT_EQ(0, vpt_restore(&self->dev))
			TH_LOG("round %d: gpio-pl061 did not bind again", round);
		ASSERT_EQ(0, vpt_current_driver("amba", PL061, drv, sizeof(drv)));
		ASSERT_STREQ(PL061_DRIVER, drv);
		EXPECT_EQ(1, file_has("/sys/kernel/debug/gpio", PL061))
			TH_LOG("round %d: gpiochip not back", round);
	}
}

/*
 * The /dev/input/eventN of gpio-keys (QEMU's power button on PL061 line
 * 3) into @path, once it has bound again (up to 3 s). 0 or -errno.
 */
static int gpio_keys_event(char *path, size_t len)
{
	struct dirent *de;
	char dir[PATH_MAX];
	int i, found = 0;
	DIR *d;

	for (i = 0; i < 300; i++) {
		if (!access(GPIO_KEYS "/driver", F_OK))
			break;
		vpt_msleep(10);
	}
	if (i == 300)
		return -ENODEV;
	snprintf(dir, sizeof(dir), "%s/input", GPIO_KEYS);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		DIR *d2;
		struct dirent *de2;
		char sub[PATH_MAX + 300];

		if (strncmp(de->d_name, "input", 5))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		d2 = opendir(sub);
		if (!d2)
			continue;
		while ((de2 = readdir(d2))) {
			if (!strncmp(de2->d_name, "event", 5)) {
				snprintf(path, len, "/dev/input/%s", de2->d_name);
				found = 1;
				break;
			}
		}
		closedir(d2);
	}
	closedir(d);
	return found ? 0 : -ENOENT;
}

/* A KEY_POWER press arrives on @fd within @ms. */
static int wait_power_key(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct input_event ev;

	while (poll(&pfd, 1, ms) == 1) {
		if (read(fd, &ev, sizeof(ev)) != sizeof(ev))
			return -EIO;
		if (ev.type == EV_KEY && ev.code == KEY_POWER && ev.value == 1)
			return 0;
	}
	return -ETIMEDOUT;
}

/*
 * After the handover and back, gpio-pl061's own interrupt path works: a
 * press of QEMU's power button (system_powerdown from the host drives
 * PL061 line 3) goes through the PL061's line, gpio-pl061's chained
 * handler and gpio-keys to an input event.
 */
TEST_F(handover, gpio_interrupts_after_handover)
{
	char ev[300];
	int fd, round;

	if (!self->keys_bound)
		SKIP(return, "gpio-keys does not use the PL061 here");
	for (round = 0; round < 2; round++) {
		/* Before: gpio-pl061's interrupt works. */
		ASSERT_EQ(0, gpio_keys_bind(true));
		ASSERT_EQ(0, gpio_keys_event(ev, sizeof(ev)))
			TH_LOG("round %d: gpio-keys did not bind", round);
		fd = open(ev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", ev, strerror(errno));
		ASSERT_EQ(0, vpt_host_request("system_powerdown"));
		EXPECT_EQ(0, wait_power_key(fd, 5000))
			TH_LOG("round %d: no KEY_POWER before the handover", round);
		close(fd);
		/* QEMU releases the key after 100 ms. */
		vpt_msleep(300);

		/* To vfio-amba, the line taken once, and back. */
		ASSERT_EQ(0, gpio_keys_bind(false));
		ASSERT_EQ(0, vpt_setup(&self->dev, "amba", PL061, &self->r0));
		ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, self->efd));
		ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));
		vpt_close(&self->dev);
		ASSERT_EQ(0, vpt_restore(&self->dev));
	}
	/* After: gpio-pl061 chained its handler again, and it works. */
	ASSERT_EQ(0, gpio_keys_bind(true));
	ASSERT_EQ(0, gpio_keys_event(ev, sizeof(ev)))
		TH_LOG("gpio-keys did not bind again");
	fd = open(ev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vpt_host_request("system_powerdown"));
	EXPECT_EQ(0, wait_power_key(fd, 5000))
		TH_LOG("no KEY_POWER after gpio-pl061 came back");
	close(fd);
}

TEST_HARNESS_MAIN
