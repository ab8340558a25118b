// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reset when user space lets go of a device: a process leaves a device in
 * a state, exits or is killed, and the device is found reset (read back
 * through /dev/mem before anyone opens it again). VFIO_DEVICE_RESET works
 * while open, and RESET is advertised exactly where a method exists.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define VIRTIO_STATUS		0x70
#define VIRTIO_DRIVER_OK	0x7	/* ACKNOWLEDGE | DRIVER | DRIVER_OK */
#define PL031_IMSC		0x10

/* A 32-bit register at physical address @phys through /dev/mem. */
static int devmem_read32(uint64_t phys, uint32_t *val)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *map;
	int fd;

	fd = open("/dev/mem", O_RDONLY | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	map = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, phys & ~(pg - 1));
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	*val = vpt_mmio_read32(map, phys & (pg - 1));
	munmap(map, pg);
	return 0;
}

FIXTURE(reset) {
	struct vpt_dev dev;
};

FIXTURE_VARIANT(reset) {
	const char *bus;
	const char *name;
	uint64_t phys;
	uint32_t reg;		/* a register the reset clears */
	uint32_t set;		/* the value the user leaves in it */
	uint32_t mask;		/* the bits that read back */
};

FIXTURE_VARIANT_ADD(reset, virtio_rng) {
	.bus = "platform", .name = "a003e00.virtio_mmio", .phys = 0x0a003e00,
	.reg = VIRTIO_STATUS, .set = VIRTIO_DRIVER_OK, .mask = 0xff,
};

FIXTURE_VARIANT_ADD(reset, pl031) {
	.bus = "amba", .name = "9010000.pl031", .phys = 0x09010000,
	.reg = PL031_IMSC, .set = 1, .mask = 1,
};

/* PL061: the interrupt mask (GPIOIE) goes back to 0. */
FIXTURE_VARIANT_ADD(reset, pl061) {
	.bus = "amba", .name = "9030000.pl061", .phys = 0x09030000,
	.reg = 0x410, .set = 0x81, .mask = 0xff,
};

FIXTURE_SETUP(reset)
{
	char name[VPT_NAME_MAX], node[PATH_MAX];
	int ret;

	/*
	 * These methods come from the device tree (a compatible string's
	 * hook): the same device enumerated by ACPI has none.
	 */
	if (!vpt_map_name(variant->name, name, sizeof(name))) {
		snprintf(node, sizeof(node), "/sys/bus/%s/devices/%s",
			 variant->bus, name);
		if (!access(node, F_OK)) {
			strcat(node, "/of_node");
			if (access(node, F_OK))
				SKIP(return, "%s: no device tree node", name);
		}
	}
	ret = vpt_bind(&self->dev, variant->bus, variant->name);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", variant->name, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(reset)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* What a test leaves in a register, and what the reset must clear. */
struct dirty {
	uint32_t reg;
	uint32_t set;
	uint32_t mask;
};

/*
 * In a child: open the device, check RESET is advertised, leave the dirty
 * value in the register and check it stuck; then exit, or wait to be
 * killed.
 */
static void child_dirty(const struct vpt_dev *bound, const struct dirty *dt,
			bool wait_kill, int ready)
{
	struct vfio_device_info info;
	struct vfio_region_info r0;
	struct vpt_dev d = *bound;
	uint32_t val = 0;

	if (vpt_open_group(&d))
		_exit(1);
	d.fd = vpt_get_fd(&d);
	if (d.fd < 0 || vpt_device_info(d.fd, &info) ||
	    !(info.flags & VFIO_DEVICE_FLAGS_RESET) ||
	    vpt_region_info(d.fd, 0, &r0) ||
	    vpt_write32(d.fd, &r0, dt->reg, dt->set) ||
	    vpt_read32(d.fd, &r0, dt->reg, &val) || (val & dt->mask) != dt->set)
		_exit(1);
	if (!wait_kill)
		_exit(0);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void dirty_and_let_go(struct __test_metadata *_metadata,
			     const struct vpt_dev *dev, uint64_t phys,
			     const struct dirty *dt, bool kill9)
{
	uint32_t val;
	int status, p[2];
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p[0]);
		child_dirty(dev, dt, kill9, p[1]);
	}
	close(p[1]);
	if (kill9) {
		ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("the child did not get ready");
		ASSERT_EQ(0, kill(pid, SIGKILL));
	}
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (kill9) {
		ASSERT_TRUE(WIFSIGNALED(status));
	} else {
		ASSERT_EQ(0, WEXITSTATUS(status))
			TH_LOG("the child could not dirty the device");
	}

	/* Nobody has the device open now: the close reset it. */
	ASSERT_EQ(0, devmem_read32(phys + dt->reg, &val));
	EXPECT_EQ(0, val & dt->mask);
}

TEST_F(reset, after_exit)
{
	struct dirty dt = { variant->reg, variant->set, variant->mask };

	dirty_and_let_go(_metadata, &self->dev, variant->phys, &dt, false);
}

TEST_F(reset, after_kill)
{
	struct dirty dt = { variant->reg, variant->set, variant->mask };

	dirty_and_let_go(_metadata, &self->dev, variant->phys, &dt, true);
}

/* VFIO_DEVICE_RESET on an open device. */
TEST_F(reset, ioctl)
{
	struct vfio_region_info r0;
	uint32_t val;

	ASSERT_EQ(0, vpt_open_group(&self->dev));
	self->dev.fd = vpt_get_fd(&self->dev);
	ASSERT_LE(0, self->dev.fd);
	ASSERT_EQ(0, vpt_region_info(self->dev.fd, 0, &r0));
	ASSERT_EQ(0, vpt_write32(self->dev.fd, &r0, variant->reg, variant->set));
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &r0, variant->reg, &val));
	ASSERT_EQ(variant->set, val & variant->mask);
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &r0, variant->reg, &val));
	EXPECT_EQ(0, val & variant->mask);
}

/*
 * A 32-bit register at physical address @phys through /dev/mem, written.
 */
static int devmem_write32(uint64_t phys, uint32_t val)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *map;
	int fd;

	fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   phys & ~(pg - 1));
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	vpt_mmio_write32(map, phys & (pg - 1), val);
	munmap(map, pg);
	return 0;
}

/* The start of @name's first memory resource, from /proc/iomem. */
static int iomem_start(const char *name, uint64_t *start)
{
	char line[256], res[VPT_NAME_MAX];
	unsigned long long a, b;
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/iomem", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %llx-%llx : %63[^\n]", &a, &b, res) == 3 &&
		    !strcmp(res, name)) {
			*start = a;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * ACPI _RST: VFIO_PLATFORM_ACPI_RST names a virtio-mmio slot that ACPI
 * enumerates and whose _RST writes 0 to its Status register (the acpi mode
 * of the harness: guest/acpi/rst-ssdt.asl; a virtio-keyboard behind it, so
 * Status holds what is written). The device opens, says it can reset, and
 * is found reset after open, VFIO_DEVICE_RESET and close.
 */
FIXTURE(acpi_rst) {
	struct vpt_dev dev;
	uint64_t phys;
};

FIXTURE_SETUP(acpi_rst)
{
	const char *name = getenv("VFIO_PLATFORM_ACPI_RST");
	char node[PATH_MAX];
	int ret;

	if (!name || !*name)
		SKIP(return, "no device with _RST here (VFIO_PLATFORM_ACPI_RST)");
	snprintf(node, sizeof(node), "/sys/bus/platform/devices/%s/firmware_node",
		 name);
	ASSERT_EQ(0, access(node, F_OK)) TH_LOG("%s is not an ACPI device", name);
	ASSERT_EQ(0, iomem_start(name, &self->phys))
		TH_LOG("%s: no memory resource in /proc/iomem", name);
	ret = vpt_bind_name(&self->dev, "platform", name);
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", name, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(acpi_rst)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(acpi_rst, open_ioctl_close)
{
	struct vfio_device_info info;
	struct vfio_region_info r0;
	uint64_t status = self->phys + VIRTIO_STATUS;
	uint32_t val;

	/* Bound, not open: the register holds what is written. */
	ASSERT_EQ(0, devmem_write32(status, VIRTIO_DRIVER_OK));
	ASSERT_EQ(0, devmem_read32(status, &val));
	ASSERT_EQ(VIRTIO_DRIVER_OK, val & 0xff);

	/* Open runs _RST. */
	ASSERT_EQ(0, vpt_open_group(&self->dev));
	self->dev.fd = vpt_get_fd(&self->dev);
	ASSERT_LE(0, self->dev.fd) TH_LOG("open: %s", strerror(-self->dev.fd));
	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_RESET);
	ASSERT_EQ(0, vpt_region_info(self->dev.fd, 0, &r0));
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &r0, VIRTIO_STATUS, &val));
	EXPECT_EQ(0, val & 0xff) TH_LOG("not reset on open");

	/* VFIO_DEVICE_RESET runs it. */
	ASSERT_EQ(0, vpt_write32(self->dev.fd, &r0, VIRTIO_STATUS,
				 VIRTIO_DRIVER_OK));
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &r0, VIRTIO_STATUS, &val));
	ASSERT_EQ(VIRTIO_DRIVER_OK, val & 0xff);
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET))
		TH_LOG("VFIO_DEVICE_RESET: %s", strerror(errno));
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &r0, VIRTIO_STATUS, &val));
	EXPECT_EQ(0, val & 0xff) TH_LOG("not reset by VFIO_DEVICE_RESET");

	/* Close runs it. */
	ASSERT_EQ(0, vpt_write32(self->dev.fd, &r0, VIRTIO_STATUS,
				 VIRTIO_DRIVER_OK));
	vpt_close(&self->dev);
	ASSERT_EQ(0, devmem_read32(status, &val));
	EXPECT_EQ(0, val & 0xff) TH_LOG("not reset on close");
}

/* fw-cfg has no reset method: no RESET flag, and the ioctl fails. */
FIXTURE(no_reset) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
};

FIXTURE_SETUP(no_reset)
{
	int ret = vpt_setup(&self->dev, "platform", "9020000.fw-cfg", &self->r0);

	if (vpt_skip_reason(ret))
		SKIP(return, "fw-cfg: %s", vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("fw-cfg: %s", strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(no_reset)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(no_reset, not_advertised)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_EQ(0, info.flags & VFIO_DEVICE_FLAGS_RESET);
	EXPECT_EQ(-1, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * A device with a reset line: the free slot a000200 has line 5 of a
 * reset-simple controller (active high) over the PL061's GPIODATA
 * register, which reads back what was written on output lines, so the
 * test can watch the line through /dev/mem.
 */
#define RST_DEV		"a000200.virtio_mmio"
#define RST_CTRL	"/sys/bus/platform/devices/90303fc.reset-controller/driver"
#define RST_REG		0x090303fcULL
#define RST_DIR		0x09030400ULL
#define RST_BIT		0x20	/* line 5 */
#define OTHER_BIT	0x40	/* line 6 */

struct poller {
	void *reg;
	bool stop;
	bool seen;
};

static void *poll_line(void *arg)
{
	struct poller *p = arg;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED))
		if (vpt_mmio_read32(p->reg, 0) & RST_BIT)
			p->seen = true;
	return NULL;
}

FIXTURE(reset_line) {
	struct vpt_dev dev;
	void *map;
	void *reg;	/* GPIODATA, the controller's register */
	void *dir;	/* GPIODIR */
};

FIXTURE_SETUP(reset_line)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd, ret;

	if (access(RST_CTRL, F_OK))
		SKIP(return, "no reset-simple controller in this device tree");
	fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 RST_REG & ~(pg - 1));
	close(fd);
	ASSERT_NE(MAP_FAILED, self->map);
	self->reg = (char *)self->map + (RST_REG & (pg - 1));
	self->dir = (char *)self->map + (RST_DIR & (pg - 1));
	/* Make lines 5 and 6 outputs, so that they read back. */
	vpt_mmio_write32(self->dir, 0, RST_BIT | OTHER_BIT);
	ret = vpt_bind(&self->dev, "platform", RST_DEV);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", RST_DEV, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", RST_DEV, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(reset_line)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

static uint32_t lines(void *reg)
{
	return vpt_mmio_read32(reg, 0) & (RST_BIT | OTHER_BIT);
}

/*
 * Open deasserts the line, VFIO_DEVICE_RESET asserts then deasserts it,
 * close leaves it deasserted; the controller's other lines are untouched.
 */
TEST_F(reset_line, open_ioctl_close)
{
	struct poller p = { .reg = self->reg };
	struct vfio_device_info info;
	pthread_t thread;
	int i;

	/* Left asserted, as a previous user might. */
	vpt_mmio_write32(self->reg, 0, RST_BIT | OTHER_BIT);
	ASSERT_EQ(0, vpt_open_group(&self->dev));
	self->dev.fd = vpt_get_fd(&self->dev);
	ASSERT_LE(0, self->dev.fd);
	EXPECT_EQ(OTHER_BIT, lines(self->reg));
	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_NE(0, info.flags & VFIO_DEVICE_FLAGS_RESET);

	/* The line goes up during each reset: a second thread sees it. */
	ASSERT_EQ(0, pthread_create(&thread, NULL, poll_line, &p));
	for (i = 0; i < 50; i++)
		ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	__atomic_store_n(&p.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	EXPECT_TRUE(p.seen);
	EXPECT_EQ(OTHER_BIT, lines(self->reg));

	vpt_mmio_write32(self->reg, 0, RST_BIT | OTHER_BIT);
	vpt_close(&self->dev);
	EXPECT_EQ(OTHER_BIT, lines(self->reg));
	vpt_mmio_write32(self->reg, 0, 0);
	vpt_mmio_write32(self->dir, 0, 0);
}

/*
 * A reset line that two device-tree nodes name (slots a001a00 and a001c00,
 * line 4 of the same controller), as sibling IP blocks on one reset do:
 * asserting it for one would reset the other. vfio-platform leaves such a
 * line alone: both bind (without a WARN from the reset framework over two
 * exclusive requests of one line), and the device resets by its hook
 * (virtio-mmio) without touching the line, which the test leaves asserted
 * to see that nobody deasserts it.
 */
#define SHARED_A	"a001a00.virtio_mmio"
#define SHARED_B	"a001c00.virtio_mmio"
#define SHARED_BIT	0x10	/* line 4 */

FIXTURE(shared_line) {
	struct vpt_dev a, b;
	void *map;
	void *reg;
	void *dir;
};

FIXTURE_SETUP(shared_line)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd;

	if (access("/sys/bus/platform/devices/" SHARED_A "/of_node/resets", F_OK))
		SKIP(return, "no shared reset line in this device tree");
	fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 RST_REG & ~(pg - 1));
	close(fd);
	ASSERT_NE(MAP_FAILED, self->map);
	self->reg = (char *)self->map + (RST_REG & (pg - 1));
	self->dir = (char *)self->map + (RST_DIR & (pg - 1));
	/* Line 4 an output, asserted: the sibling block is held in reset. */
	vpt_mmio_write32(self->dir, 0, SHARED_BIT);
	vpt_mmio_write32(self->reg, 0, SHARED_BIT);
}

FIXTURE_TEARDOWN_PARENT(shared_line)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->a));
	EXPECT_EQ(0, vpt_fixture_teardown(&self->b));
}

/*
 * Whether the kernel logged a warning since @kmsg (/dev/kmsg, opened
 * O_NONBLOCK and moved to its end) was positioned.
 */
static bool kmsg_warned(int kmsg)
{
	char rec[2048];
	bool warned = false;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strstr(rec, "WARNING:") || strstr(rec, "cut here"))
			warned = true;
	}
	return warned;
}

TEST_F(shared_line, left_alone)
{
	struct vfio_device_info info;
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	EXPECT_EQ(0, vpt_bind(&self->a, "platform", SHARED_A));
	EXPECT_EQ(0, vpt_bind(&self->b, "platform", SHARED_B));
	/* Two exclusive requests of one line: the reset core's WARN_ON. */
	EXPECT_FALSE(kmsg_warned(kmsg)) TH_LOG("the kernel warned while binding");
	close(kmsg);
	ASSERT_TRUE(self->a.bound && self->b.bound);

	ASSERT_EQ(0, vpt_open_group(&self->a));
	self->a.fd = vpt_get_fd(&self->a);
	ASSERT_LE(0, self->a.fd) TH_LOG("open: %s", strerror(-self->a.fd));
	ASSERT_EQ(0, vpt_device_info(self->a.fd, &info));
	EXPECT_NE(0, info.flags & VFIO_DEVICE_FLAGS_RESET);	/* the hook */
	EXPECT_EQ(0, ioctl(self->a.fd, VFIO_DEVICE_RESET));
	vpt_close(&self->a);
	/* Open, VFIO_DEVICE_RESET and close left the line as it was. */
	EXPECT_EQ(SHARED_BIT, vpt_mmio_read32(self->reg, 0) & SHARED_BIT);

	vpt_mmio_write32(self->reg, 0, 0);
	vpt_mmio_write32(self->dir, 0, 0);
}

/*
 * No access to the device while it is in reset. The node
 * vfiotest-rstwatch@9030000 is a device whose region is the PL061's
 * window, which holds its own reset line (line 7 of the reset-simple
 * controller over GPIODATA), asserted for 200 us per reset. One thread
 * reads GPIODATA through pread and through an mmap of the region while
 * the main thread loops over VFIO_DEVICE_RESET: neither may ever read the
 * line asserted. A third thread, through /dev/mem, which vfio-platform
 * does not fence, shows that the line did go up meanwhile.
 */
#define WATCH_DEV	"9030000.vfiotest-rstwatch"
#define WATCH_BIT	0x80	/* line 7 */
#define GPIODATA	0x3fc
#define GPIODIR		0x400

struct hammer {
	int fd;
	const struct vfio_region_info *r0;
	void *map;		/* the region through the device's mmap */
	void *devmem;		/* GPIODATA through /dev/mem */
	bool stop;
	unsigned long preads, loads, devmem_reads;
	unsigned long pread_asserted, load_asserted, devmem_asserted;
	int err;
};

static void *hammer_device(void *arg)
{
	struct hammer *h = arg;
	uint32_t val;
	int ret;

	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		ret = vpt_read32(h->fd, h->r0, GPIODATA, &val);
		if (ret) {
			h->err = -ret;
			break;
		}
		h->preads++;
		if (val & WATCH_BIT)
			h->pread_asserted++;
		h->loads++;
		if (vpt_mmio_read32(h->map, GPIODATA) & WATCH_BIT)
			h->load_asserted++;
	}
	return NULL;
}

static void *hammer_devmem(void *arg)
{
	struct hammer *h = arg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED)) {
		h->devmem_reads++;
		if (vpt_mmio_read32(h->devmem, 0) & WATCH_BIT)
			h->devmem_asserted++;
		sched_yield();
	}
	return NULL;
}

FIXTURE(reset_fence) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	void *devmem_map;
};

FIXTURE_SETUP(reset_fence)
{
	int ret;

	if (access("/sys/bus/platform/devices/" WATCH_DEV, F_OK))
		SKIP(return, "no %s in this device tree", WATCH_DEV);
	ret = vpt_setup(&self->dev, "platform", WATCH_DEV, &self->r0);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", WATCH_DEV, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", WATCH_DEV, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(reset_fence)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(reset_fence, no_access_in_reset)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct hammer h = { .fd = self->dev.fd, .r0 = &self->r0 };
	pthread_t dev_thread, devmem_thread;
	int i, fd, resets = 400;
	uint32_t dir, val;

	ASSERT_NE(0, self->r0.flags & VFIO_REGION_INFO_FLAG_MMAP);
	h.map = vpt_mmap(&self->dev, self->dev.fd, self->r0.size,
			 PROT_READ | PROT_WRITE, self->r0.offset);
	ASSERT_NE(MAP_FAILED, h.map);
	fd = open("/dev/mem", O_RDONLY | O_SYNC | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->devmem_map = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd,
				RST_REG & ~(pg - 1));
	close(fd);
	ASSERT_NE(MAP_FAILED, self->devmem_map);
	h.devmem = (char *)self->devmem_map + (RST_REG & (pg - 1));

	/* Line 7 an output (it reads back), deasserted by the open's reset. */
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->r0, GPIODIR, &dir));
	ASSERT_EQ(0, vpt_write32(self->dev.fd, &self->r0, GPIODIR, dir | WATCH_BIT));
	ASSERT_EQ(0, vpt_mmio_read32(h.map, GPIODATA) & WATCH_BIT);

	ASSERT_EQ(0, pthread_create(&dev_thread, NULL, hammer_device, &h));
	ASSERT_EQ(0, pthread_create(&devmem_thread, NULL, hammer_devmem, &h));
	for (i = 0; i < resets; i++)
		ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	__atomic_store_n(&h.stop, true, __ATOMIC_RELAXED);
	pthread_join(dev_thread, NULL);
	pthread_join(devmem_thread, NULL);
	munmap(self->devmem_map, pg);

	TH_LOG("%d resets: %lu preads, %lu mmap loads, %lu /dev/mem reads (%lu asserted)",
	       resets, h.preads, h.loads, h.devmem_reads, h.devmem_asserted);
	EXPECT_EQ(0, h.err);
	/* Both paths ran, and the line really went up during the loop. */
	EXPECT_LT(0, h.preads);
	EXPECT_LT(0, h.devmem_asserted);
	/* But never where the device's user could see it. */
	EXPECT_EQ(0, h.pread_asserted);
	EXPECT_EQ(0, h.load_asserted);
	/* The line is deasserted and still an output after the loop. */
	EXPECT_EQ(0, vpt_mmio_read32(h.map, GPIODATA) & WATCH_BIT);
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->r0, GPIODIR, &val));
	EXPECT_EQ(dir | WATCH_BIT, val);
	vpt_write32(self->dev.fd, &self->r0, GPIODIR, dir);
}

/*
 * A reset hook from a module: the slot a000a00 is also compatible with
 * "vfiotest,reset-sample", whose hook samples/vfio-platform provides. The
 * core loads that module by alias when it takes the device, holds it
 * while the device is bound, and runs the hook on open and close.
 */
#define SAMPLE_DEV	"a000a00.virtio_mmio"
#define SAMPLE_MOD	"/sys/module/vfio_platform_reset_sample"

static int sample_param(const char *name)
{
	char path[PATH_MAX], buf[32] = "";
	int fd, n;

	snprintf(path, sizeof(path), SAMPLE_MOD "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

FIXTURE(reset_module) {
	struct vpt_dev dev;
};

FIXTURE_SETUP(reset_module)
{
	int ret;

	if (access("/sys/bus/platform/devices/" SAMPLE_DEV "/of_node/compatible", F_OK))
		SKIP(return, "no %s", SAMPLE_DEV);
	ret = vpt_bind(&self->dev, "platform", SAMPLE_DEV);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", SAMPLE_DEV, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", SAMPLE_DEV, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(reset_module)
{
	bool bound = self->dev.bound;

	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
	/* Unbound, the device no longer holds the module. */
	if (bound)
		EXPECT_EQ(0, sample_param("refcnt"));
}

TEST_F(reset_module, loaded_by_alias)
{
	struct vfio_device_info info;
	int before;

	/* Binding loaded the module, and the device holds it. */
	ASSERT_EQ(0, access(SAMPLE_MOD, F_OK)) TH_LOG("the module was not loaded");
	EXPECT_EQ(1, sample_param("refcnt"));
	before = sample_param("parameters/resets");
	ASSERT_LE(0, before);

	ASSERT_EQ(0, vpt_open_group(&self->dev));
	self->dev.fd = vpt_get_fd(&self->dev);
	ASSERT_LE(0, self->dev.fd);
	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_NE(0, info.flags & VFIO_DEVICE_FLAGS_RESET);
	EXPECT_EQ(before + 1, sample_param("parameters/resets"));
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(before + 2, sample_param("parameters/resets"));
	vpt_close(&self->dev);
	EXPECT_EQ(before + 3, sample_param("parameters/resets"));
}

TEST_HARNESS_MAIN
