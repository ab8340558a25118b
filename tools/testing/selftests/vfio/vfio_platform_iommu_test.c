// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFIO paths that no-IOMMU mode does not exercise, on a platform
 * device behind a real IOMMU (QEMU's SMMUv3 with "iommus" on the PL031 in
 * the test device tree): the type1 container with DMA mappings, and the
 * device cdev bound to an iommufd. Devices without an IOMMU group SKIP.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/iommufd.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define PL031		"9010000.pl031"
#define IOVA		0x100000ULL
#define DMA_SIZE	0x10000UL

static bool has_iommu_group(const char *bus, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group",
		 bus, name);
	return !access(path, F_OK);
}

/* /dev/vfio/devices/vfioX of a bound device, or -errno. */
static int cdev_path(const char *bus, const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/%s/devices/%s/vfio-dev", bus, name);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(buf, len, "/dev/vfio/devices/%s", de->d_name);
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -ENOENT;
}

FIXTURE(iommu) {
	struct vpt_dev dev;
};

FIXTURE_SETUP(iommu)
{
	int ret;

	if (!has_iommu_group("amba", PL031))
		SKIP(return, "%s has no IOMMU group (no-IOMMU mode)", PL031);
	ret = vpt_bind(&self->dev, "amba", PL031);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PL031, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("bind %s: %s", PL031, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(iommu)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* type1: the group joins a container, and DMA can be mapped and unmapped. */
TEST_F(iommu, type1_map_dma)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_device_info info;
	void *buf;

	ASSERT_EQ(0, vpt_open_group(&self->dev));
	self->dev.fd = vpt_get_fd(&self->dev);
	ASSERT_LE(0, self->dev.fd);
	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA,
		  info.flags & (VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA));

	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	map.vaddr = (uintptr_t)buf;
	map.iova = IOVA;
	map.size = DMA_SIZE;
	ASSERT_EQ(0, ioctl(self->dev.container, VFIO_IOMMU_MAP_DMA, &map));
	/* The same IOVA range cannot be mapped twice. */
	EXPECT_EQ(-1, ioctl(self->dev.container, VFIO_IOMMU_MAP_DMA, &map));
	EXPECT_EQ(EEXIST, errno);

	unmap.iova = IOVA;
	unmap.size = DMA_SIZE;
	ASSERT_EQ(0, ioctl(self->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(DMA_SIZE, unmap.size);
	munmap(buf, DMA_SIZE);
}

/* iommufd: the device cdev binds to an iommufd, attaches to an IOAS. */
TEST_F(iommu, cdev_iommufd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct vfio_region_info r0;
	struct vfio_device_info info;
	char path[PATH_MAX];
	uint32_t id;
	int iommufd, fd;
	void *buf;

	ASSERT_EQ(0, cdev_path("amba", PL031, path, sizeof(path)));
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	self->dev.fd = fd;
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, iommufd);

	/* Nothing but binding works before the device is bound. */
	EXPECT_EQ(-EINVAL, vpt_device_info(fd, &info));

	bind.iommufd = iommufd;
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		TH_LOG("VFIO_DEVICE_BIND_IOMMUFD: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc));
	attach.pt_id = alloc.out_ioas_id;
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));

	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (uintptr_t)buf;
	map.length = DMA_SIZE;
	map.iova = IOVA;
	EXPECT_EQ(0, ioctl(iommufd, IOMMU_IOAS_MAP, &map));

	/* The device works through its cdev: PL031 PeriphID0 is 0x31. */
	ASSERT_EQ(0, vpt_device_info(fd, &info));
	EXPECT_NE(0, info.flags & VFIO_DEVICE_FLAGS_PLATFORM);
	ASSERT_EQ(0, vpt_region_info(fd, 0, &r0));
	ASSERT_EQ(0, vpt_read32(fd, &r0, 0xfe0, &id));
	EXPECT_EQ(0x31, id & 0xff);

	/* While the cdev is in use, the group cannot get the device. */
	EXPECT_NE(0, vpt_open_group(&self->dev) ?: (vpt_get_fd(&self->dev) < 0 ? -1 : 0));

	close(fd);
	self->dev.fd = -1;
	close(iommufd);
	munmap(buf, DMA_SIZE);
}

TEST_HARNESS_MAIN
