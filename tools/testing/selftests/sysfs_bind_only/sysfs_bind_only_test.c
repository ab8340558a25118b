// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of /sys/devices/.../sysfs_bind_only on real devices: while it is 1,
 * the driver core does not bind the device on its own (drivers_probe), but
 * an explicit write to the driver's "bind" file does.
 *
 * The devices are those of QEMU's arm64 "virt" machine started with
 * "-device virtio-rng-device": a platform device bound to virtio-mmio and
 * an AMBA device bound to rtc-pl031. A test whose device is missing or not
 * bound to the expected driver is skipped. Every test puts the device back
 * into the state it found it in: bound to its driver, flag as it was.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"

/* Write @val to @path; 0 or -errno. */
static int write_str(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* Read @path into @buf without the trailing newline; 0 or -errno. */
static int read_str(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Format a path into @buf; false if it does not fit. */
static bool fmt_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

FIXTURE(bind_only) {
	char dev[PATH_MAX];	/* /sys/bus/BUS/devices/DEV */
	char flag[PATH_MAX];	/* DEV/sysfs_bind_only */
	char bind[PATH_MAX];	/* /sys/bus/BUS/drivers/DRV/bind */
	char unbind[PATH_MAX];	/* /sys/bus/BUS/drivers/DRV/unbind */
	char probe[PATH_MAX];	/* /sys/bus/BUS/drivers_probe */
	char saved_flag[8];
};

FIXTURE_VARIANT(bind_only) {
	const char *bus;
	const char *dev;
	const char *drv;
};

FIXTURE_VARIANT_ADD(bind_only, virtio_mmio) {
	.bus = "platform",
	.dev = "a003e00.virtio_mmio",
	.drv = "virtio-mmio",
};

FIXTURE_VARIANT_ADD(bind_only, pl031) {
	.bus = "amba",
	.dev = "9010000.pl031",
	.drv = "rtc-pl031",
};

/* Name of the driver bound to device @dev, "" if none; 0 or -errno. */
static int bound_driver(const char *dev, char *buf, size_t size)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (!fmt_path(link, sizeof(link), "%s/driver", dev))
		return -ENAMETOOLONG;
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		buf[0] = '\0';
		return 0;
	}
	target[n] = '\0';
	base = strrchr(target, '/');
	if (!fmt_path(buf, size, "%s", base ? base + 1 : target))
		return -ENAMETOOLONG;
	return 0;
}

static bool is_bound_to(const char *dev, const char *drv)
{
	char cur[NAME_MAX + 1];

	return !bound_driver(dev, cur, sizeof(cur)) && !strcmp(cur, drv);
}

FIXTURE_SETUP(bind_only)
{
	char cur[NAME_MAX + 1];

	ASSERT_TRUE(fmt_path(self->dev, sizeof(self->dev),
			     "/sys/bus/%s/devices/%s", variant->bus,
			     variant->dev));
	ASSERT_TRUE(fmt_path(self->flag, sizeof(self->flag),
			     "%s/sysfs_bind_only", self->dev));
	ASSERT_TRUE(fmt_path(self->bind, sizeof(self->bind),
			     "/sys/bus/%s/drivers/%s/bind", variant->bus,
			     variant->drv));
	ASSERT_TRUE(fmt_path(self->unbind, sizeof(self->unbind),
			     "/sys/bus/%s/drivers/%s/unbind", variant->bus,
			     variant->drv));
	ASSERT_TRUE(fmt_path(self->probe, sizeof(self->probe),
			     "/sys/bus/%s/drivers_probe", variant->bus));

	if (getuid())
		SKIP(return, "must be run as root");
	if (access(self->dev, F_OK))
		SKIP(return, "no %s device %s", variant->bus, variant->dev);
	ASSERT_EQ(0, bound_driver(self->dev, cur, sizeof(cur)));
	if (strcmp(cur, variant->drv))
		SKIP(return, "%s is bound to '%s', not to %s", variant->dev,
		     cur, variant->drv);
	if (access(self->flag, F_OK))
		SKIP(return, "kernel without sysfs_bind_only attributes");
	ASSERT_EQ(0, read_str(self->flag, self->saved_flag,
			      sizeof(self->saved_flag)));
}

FIXTURE_TEARDOWN(bind_only)
{
	char cur[NAME_MAX + 1];

	/* Back to the driver we found, whatever the test left behind. */
	if (!bound_driver(self->dev, cur, sizeof(cur)) && strcmp(cur, variant->drv)) {
		if (cur[0]) {
			char path[PATH_MAX];

			ASSERT_TRUE(fmt_path(path, sizeof(path),
					     "%s/driver/unbind", self->dev));
			EXPECT_EQ(0, write_str(path, variant->dev));
		}
		EXPECT_EQ(0, write_str(self->bind, variant->dev));
	}
	EXPECT_EQ(0, write_str(self->flag, self->saved_flag));
	EXPECT_TRUE(is_bound_to(self->dev, variant->drv));
}

/* The attribute reads back what was written and takes only booleans. */
TEST_F(bind_only, attribute)
{
	char val[8];

	ASSERT_EQ(0, write_str(self->flag, "1"));
	ASSERT_EQ(0, read_str(self->flag, val, sizeof(val)));
	EXPECT_STREQ("1", val);

	ASSERT_EQ(0, write_str(self->flag, "0"));
	ASSERT_EQ(0, read_str(self->flag, val, sizeof(val)));
	EXPECT_STREQ("0", val);

	EXPECT_EQ(-EINVAL, write_str(self->flag, "maybe"));
	ASSERT_EQ(0, read_str(self->flag, val, sizeof(val)));
	EXPECT_STREQ("0", val);

	/* A bound device stays bound when flagged. */
	ASSERT_EQ(0, write_str(self->flag, "y"));
	ASSERT_EQ(0, read_str(self->flag, val, sizeof(val)));
	EXPECT_STREQ("1", val);
	EXPECT_TRUE(is_bound_to(self->dev, variant->drv));
}

/* While flagged, drivers_probe does not rebind the native driver. */
TEST_F(bind_only, drivers_probe_while_flagged)
{
	ASSERT_EQ(0, write_str(self->flag, "1"));
	ASSERT_EQ(0, write_str(self->unbind, variant->dev));
	ASSERT_TRUE(is_bound_to(self->dev, ""));

	/* Not an error: there just is no driver to bind on its own. */
	EXPECT_EQ(0, write_str(self->probe, variant->dev));
	EXPECT_TRUE(is_bound_to(self->dev, ""));
}

/* Without the flag, drivers_probe rebinds the native driver, as always. */
TEST_F(bind_only, drivers_probe_unflagged)
{
	ASSERT_EQ(0, write_str(self->flag, "0"));
	ASSERT_EQ(0, write_str(self->unbind, variant->dev));
	ASSERT_TRUE(is_bound_to(self->dev, ""));

	EXPECT_EQ(0, write_str(self->probe, variant->dev));
	EXPECT_TRUE(is_bound_to(self->dev, variant->drv));
}

/* Clearing the flag makes drivers_probe bind again. */
TEST_F(bind_only, drivers_probe_after_clear)
{
	ASSERT_EQ(0, write_str(self->flag, "1"));
	ASSERT_EQ(0, write_str(self->unbind, variant->dev));
	ASSERT_EQ(0, write_str(self->probe, variant->dev));
	ASSERT_TRUE(is_bound_to(self->dev, ""));

	ASSERT_EQ(0, write_str(self->flag, "0"));
	EXPECT_EQ(0, write_str(self->probe, variant->dev));
	EXPECT_TRUE(is_bound_to(self->dev, variant->drv));
}

/* While flagged, an explicit bind works, and leaves the flag set. */
TEST_F(bind_only, explicit_bind_while_flagged)
{
	char val[8];

	ASSERT_EQ(0, write_str(self->flag, "1"));
	ASSERT_EQ(0, write_str(self->unbind, variant->dev));
	ASSERT_TRUE(is_bound_to(self->dev, ""));

	EXPECT_EQ(0, write_str(self->bind, variant->dev));
	EXPECT_TRUE(is_bound_to(self->dev, variant->drv));
	ASSERT_EQ(0, read_str(self->flag, val, sizeof(val)));
	EXPECT_STREQ("1", val);
}

TEST_HARNESS_MAIN
