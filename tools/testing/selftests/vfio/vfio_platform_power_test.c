// SPDX-License-Identifier: GPL-2.0-only
/*
 * Clocks and runtime PM while a device is open: the PL031's clock
 * (apb_pclk, "clk24mhz" on QEMU virt) has a higher enable count and the
 * device is runtime-active while user space has it open; both go back
 * when it is closed, also when the process is killed. fw-cfg, a platform
 * device without clocks, is resumed and suspended the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define PCLK_COUNT	"/sys/kernel/debug/clk/clk24mhz/clk_enable_count"
#define SETTLE_MS	2000

static int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int clk_count(void)
{
	char buf[32];

	return read_file(PCLK_COUNT, buf, sizeof(buf)) ? -1 : atoi(buf);
}

static void runtime_status(const struct vpt_dev *d, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/power/runtime_status",
		 d->bus, d->name);
	if (read_file(path, buf, len))
		snprintf(buf, len, "?");
}

/* Wait until the device is runtime-suspended; its status at the end. */
static void settle(const struct vpt_dev *d, char *buf, size_t len)
{
	int ms;

	for (ms = 0; ms < SETTLE_MS; ms += 20) {
		runtime_status(d, buf, len);
		if (!strcmp(buf, "suspended"))
			return;
		vpt_msleep(20);
	}
}

FIXTURE(power) {
	struct vpt_dev dev;
};

FIXTURE_VARIANT(power) {
	const char *bus;
	const char *name;
	bool clocked;		/* the device's clock is clk24mhz */
};

FIXTURE_VARIANT_ADD(power, pl031) {
	.bus = "amba", .name = "9010000.pl031", .clocked = true,
};

FIXTURE_VARIANT_ADD(power, fw_cfg) {
	.bus = "platform", .name = "9020000.fw-cfg", .clocked = false,
};

FIXTURE_SETUP(power)
{
	int ret = vpt_bind(&self->dev, variant->bus, variant->name);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", variant->name, strerror(-ret));
	if (variant->clocked && clk_count() < 0)
		SKIP(return, "no %s (debugfs, COMMON_CLK)", PCLK_COUNT);
}

FIXTURE_TEARDOWN_PARENT(power)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(power, while_open)
{
	char st[32];
	int before, open_count;

	settle(&self->dev, st, sizeof(st));
	ASSERT_STREQ("suspended", st);
	before = clk_count();

	ASSERT_EQ(0, vpt_open_group(&self->dev));
	self->dev.fd = vpt_get_fd(&self->dev);
	ASSERT_LE(0, self->dev.fd);
	runtime_status(&self->dev, st, sizeof(st));
	EXPECT_STREQ("active", st);
	open_count = clk_count();
	if (variant->clocked)
		EXPECT_LT(before, open_count);

	vpt_close(&self->dev);
	settle(&self->dev, st, sizeof(st));
	EXPECT_STREQ("suspended", st);
	EXPECT_EQ(before, clk_count());
}

TEST_F(power, released_on_kill)
{
	char st[32];
	int before, status, p[2];
	pid_t pid;
	char c;

	settle(&self->dev, st, sizeof(st));
	before = clk_count();
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vpt_dev d = self->dev;

		if (vpt_open_group(&d) || vpt_get_fd(&d) < 0 ||
		    write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("the child could not open the device");
	close(p[0]);
	runtime_status(&self->dev, st, sizeof(st));
	EXPECT_STREQ("active", st);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));

	settle(&self->dev, st, sizeof(st));
	EXPECT_STREQ("suspended", st);
	EXPECT_EQ(before, clk_count());
}

TEST_HARNESS_MAIN
