// SPDX-License-Identifier: GPL-2.0-only
/*
 * Binding vfio-platform and vfio-amba the way users type it: the drivers
 * match any device of their bus (match_any_dev) but bind only on request
 * (sysfs_bind_only), by a write to their "bind" file or through
 * driver_override. A device's sysfs_bind_only attribute keeps the native
 * driver from coming back between "unbind" and "bind".
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define FREE_SLOT	"a000200.virtio_mmio"

/* syslog(2) actions; glibc's <sys/klog.h> has no names for them. */
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_SIZE_BUFFER	10

static void attr_path(char *buf, size_t len, const char *bus, const char *dev,
		      const char *attr)
{
	snprintf(buf, len, "/sys/bus/%s/devices/%s/%s", bus, dev, attr);
}

static int dev_attr(const char *bus, const char *dev, const char *attr,
		    const char *val)
{
	char path[PATH_MAX];

	attr_path(path, sizeof(path), bus, dev, attr);
	return vpt_sysfs_write(path, val);
}

static int drv_file(const char *bus, const char *drv, const char *file,
		    const char *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/%s", bus, drv, file);
	return vpt_sysfs_write(path, dev);
}

static int bus_probe(const char *bus, const char *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers_probe", bus);
	return vpt_sysfs_write(path, dev);
}

static const char *driver_of(const char *bus, const char *dev, char *buf,
			     size_t len)
{
	if (vpt_current_driver(bus, dev, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* Devices bound to @drv. */
static int bound_count(const char *bus, const char *drv)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s", bus, drv);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		if (de->d_type == DT_LNK && strcmp(de->d_name, "module"))
			n++;
	closedir(dir);
	return n;
}

/* Open the device through VFIO and check it is the device we bound. */
static int open_and_check(const char *bus, const char *name)
{
	struct vfio_device_info info;
	struct vpt_dev d = { .container = -1, .group = -1, .fd = -1 };
	int ret;

	snprintf(d.bus, sizeof(d.bus), "%s", bus);
	snprintf(d.name, sizeof(d.name), "%s", name);
	ret = vpt_open_group(&d);
	if (!ret) {
		d.fd = vpt_get_fd(&d);
		ret = d.fd < 0 ? d.fd : vpt_device_info(d.fd, &info);
	}
	if (!ret && !(info.flags & VFIO_DEVICE_FLAGS_PLATFORM))
		ret = -EPROTO;
	vpt_close(&d);
	return ret;
}

/* A free slot: vfio-platform matches it, but never takes it on its own. */
TEST(never_binds_by_itself)
{
	char drv[VPT_NAME_MAX];

	ASSERT_EQ(0, bound_count("platform", "vfio-platform"));
	ASSERT_EQ(0, bound_count("amba", "vfio-amba"));
	ASSERT_STREQ("", driver_of("platform", FREE_SLOT, drv, sizeof(drv)));
	ASSERT_EQ(0, bus_probe("platform", FREE_SLOT));
	EXPECT_STREQ("", driver_of("platform", FREE_SLOT, drv, sizeof(drv)));
	EXPECT_EQ(0, bound_count("platform", "vfio-platform"));
}

static void reset_required_path(char *path, size_t len, const char *vfio)
{
	snprintf(path, len, "/sys/module/%s/parameters/reset_required",
		 strcmp(vfio, "vfio-amba") ? "vfio_platform" : "vfio_amba");
}

static int set_reset_required(const char *vfio, const char *val)
{
	char path[PATH_MAX];

	reset_required_path(path, sizeof(path), vfio);
	return vpt_sysfs_write(path, val);
}

/* The parameter's value ("Y" or "N"), as the test mode set it. */
static const char *get_reset_required(const char *vfio)
{
	char path[PATH_MAX], c = '?';
	FILE *f;

	reset_required_path(path, sizeof(path), vfio);
	f = fopen(path, "r");
	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == 'N' ? "N" : "Y";
}

FIXTURE(handover) {
	char native[VPT_NAME_MAX];
	const char *reset_required;	/* the mode's value, restored */
};

FIXTURE_VARIANT(handover) {
	const char *bus;
	const char *dev;
	const char *vfio;
};

FIXTURE_VARIANT_ADD(handover, virtio_rng) {
	.bus = "platform",
	.dev = "a003e00.virtio_mmio",
	.vfio = "vfio-platform",
};

FIXTURE_VARIANT_ADD(handover, pl031) {
	.bus = "amba",
	.dev = "9010000.pl031",
	.vfio = "vfio-amba",
};

FIXTURE_SETUP(handover)
{
	struct vpt_dev d = { 0 };

	snprintf(d.bus, sizeof(d.bus), "%s", variant->bus);
	snprintf(d.name, sizeof(d.name), "%s", variant->dev);
	if (vpt_no_group_possible(&d))
		SKIP(return, "%s: %s", variant->dev,
		     vpt_skip_reason(-EOPNOTSUPP));
	ASSERT_EQ(0, vpt_current_driver(variant->bus, variant->dev,
					self->native, sizeof(self->native)));
	if (!self->native[0])
		SKIP(return, "%s has no native driver bound", variant->dev);
	self->reset_required = get_reset_required(variant->vfio);
}

/* Give the device back to its native driver, whatever the test did. */
FIXTURE_TEARDOWN(handover)
{
	char drv[VPT_NAME_MAX];

	set_reset_required(variant->vfio, self->reset_required);
	dev_attr(variant->bus, variant->dev, "sysfs_bind_only", "0");
	dev_attr(variant->bus, variant->dev, "driver_override", "\n");
	driver_of(variant->bus, variant->dev, drv, sizeof(drv));
	if (strcmp(drv, self->native)) {
		if (drv[0])
			drv_file(variant->bus, drv, "unbind", variant->dev);
		bus_probe(variant->bus, variant->dev);
	}
	EXPECT_STREQ(self->native,
		     driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
}

/* The seed's flow: flag, unbind, (nothing rebinds), bind by echo. */
TEST_F(handover, echo_bind)
{
	char drv[VPT_NAME_MAX];

	ASSERT_EQ(0, dev_attr(variant->bus, variant->dev, "sysfs_bind_only", "1"));
	ASSERT_EQ(0, drv_file(variant->bus, self->native, "unbind", variant->dev));
	ASSERT_EQ(0, bus_probe(variant->bus, variant->dev));
	ASSERT_STREQ("", driver_of(variant->bus, variant->dev, drv, sizeof(drv)));

	ASSERT_EQ(0, drv_file(variant->bus, variant->vfio, "bind", variant->dev));
	ASSERT_STREQ(variant->vfio,
		     driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
	EXPECT_EQ(0, open_and_check(variant->bus, variant->dev));

	/* Unbinding vfio leaves the flagged device alone. */
	ASSERT_EQ(0, drv_file(variant->bus, variant->vfio, "unbind", variant->dev));
	ASSERT_EQ(0, bus_probe(variant->bus, variant->dev));
	EXPECT_STREQ("", driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
}

/* The same without the flag: unbind, then bind by echo. */
TEST_F(handover, echo_bind_unflagged)
{
	char drv[VPT_NAME_MAX];

	ASSERT_EQ(0, drv_file(variant->bus, self->native, "unbind", variant->dev));
	ASSERT_EQ(0, drv_file(variant->bus, variant->vfio, "bind", variant->dev));
	ASSERT_STREQ(variant->vfio,
		     driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
	EXPECT_EQ(0, open_and_check(variant->bus, variant->dev));
}

/* driver_override, then drivers_probe, keeps working. */
TEST_F(handover, driver_override)
{
	char drv[VPT_NAME_MAX];

	ASSERT_EQ(0, dev_attr(variant->bus, variant->dev, "driver_override",
			      variant->vfio));
	ASSERT_EQ(0, drv_file(variant->bus, self->native, "unbind", variant->dev));
	ASSERT_EQ(0, bus_probe(variant->bus, variant->dev));
	ASSERT_STREQ(variant->vfio,
		     driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
	EXPECT_EQ(0, open_and_check(variant->bus, variant->dev));
}

/* driver_override naming another driver still wins over an explicit bind. */
TEST_F(handover, override_elsewhere_refuses_bind)
{
	char drv[VPT_NAME_MAX];

	ASSERT_EQ(0, dev_attr(variant->bus, variant->dev, "driver_override",
			      self->native));
	ASSERT_EQ(0, drv_file(variant->bus, self->native, "unbind", variant->dev));
	EXPECT_EQ(-ENODEV, drv_file(variant->bus, variant->vfio, "bind",
				    variant->dev));
	EXPECT_STREQ("", driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
}

/* The default (reset_required=Y) binds and opens a device with a reset. */
TEST_F(handover, reset_required_accepts)
{
	char drv[VPT_NAME_MAX];

	ASSERT_EQ(0, set_reset_required(variant->vfio, "Y"));
	ASSERT_EQ(0, drv_file(variant->bus, self->native, "unbind", variant->dev));
	EXPECT_EQ(0, drv_file(variant->bus, variant->vfio, "bind", variant->dev));
	EXPECT_STREQ(variant->vfio,
		     driver_of(variant->bus, variant->dev, drv, sizeof(drv)));
	EXPECT_EQ(0, open_and_check(variant->bus, variant->dev));
}

/* Whether the kernel log has a line with both @a and @b. */
static bool log_has(const char *a, const char *b)
{
	int len = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	bool found = false;
	char *buf, *line;

	if (len <= 0)
		return false;
	buf = calloc(1, len + 1);
	if (!buf)
		return false;
	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, len);
	for (line = strtok(len > 0 ? buf : "", "\n"); line && !found;
	     line = strtok(NULL, "\n"))
		found = strstr(line, a) && strstr(line, b);
	free(buf);
	return found;
}

/*
 * A device without a reset method (fw-cfg) binds whatever reset_required
 * says, but by default it is not opened: it would keep running after its
 * user is gone. The open fails with EPERM and the log names the device and
 * the opt-in; with reset_required=N (read at bind) it opens.
 */
TEST(reset_required_refuses_open)
{
	const char *dev = "9020000.fw-cfg";
	const char *saved = get_reset_required("vfio-platform");
	struct vpt_dev d;
	int ret;

	ASSERT_EQ(0, set_reset_required("vfio-platform", "Y"));
	ret = vpt_bind(&d, "platform", dev);
	if (vpt_skip_reason(ret)) {
		set_reset_required("vfio-platform", saved);
		SKIP(return, "%s: %s", dev, vpt_skip_reason(ret));
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vpt_open_group(&d));
	d.fd = vpt_get_fd(&d);
	EXPECT_EQ(-EPERM, d.fd);
	EXPECT_TRUE(log_has(dev, "vfio-platform.reset_required=0"));
	vpt_close(&d);
	EXPECT_EQ(0, vpt_restore(&d));

	/* The opt-in. */
	ASSERT_EQ(0, set_reset_required("vfio-platform", "N"));
	EXPECT_EQ(0, vpt_bind(&d, "platform", dev));
	EXPECT_EQ(0, vpt_open_group(&d));
	d.fd = vpt_get_fd(&d);
	EXPECT_LE(0, d.fd);
	vpt_close(&d);
	EXPECT_EQ(0, vpt_restore(&d));
	EXPECT_EQ(0, set_reset_required("vfio-platform", saved));
}

TEST_HARNESS_MAIN
