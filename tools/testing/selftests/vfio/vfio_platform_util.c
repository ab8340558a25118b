// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared plumbing of the vfio-platform selftests, see vfio_platform_util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "vfio_platform_util.h"

const char *vpt_vfio_driver(const char *bus)
{
	return strcmp(bus, "amba") ? "vfio-platform" : "vfio-amba";
}

int vpt_sysfs_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t ret;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write(fd, val, len);
	if (ret < 0)
		ret = -errno;
	close(fd);
	if (ret >= 0 && (size_t)ret != len)
		return -EIO;
	return ret < 0 ? ret : 0;
}

static int basename_of_link(const char *link, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *slash;
	ssize_t n;

	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : target);
	return 0;
}

int vpt_current_driver(const char *bus, const char *name, char *buf,
		       size_t len)
{
	char link[PATH_MAX];
	int ret;

	snprintf(link, sizeof(link), "/sys/bus/%s/devices/%s/driver", bus,
		 name);
	ret = basename_of_link(link, buf, len);
	if (ret == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return ret;
}

static int dev_attr_write(const struct vpt_dev *d, const char *attr,
			  const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/%s", d->bus,
		 d->name, attr);
	return vpt_sysfs_write(path, val);
}

static int bus_attr_write(const struct vpt_dev *d, const char *attr,
			  const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/%s/%s", d->bus, attr);
	return vpt_sysfs_write(path, val);
}

bool vpt_no_group_possible(const struct vpt_dev *d)
{
	char path[PATH_MAX], mode = 'N';
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group",
		 d->bus, d->name);
	if (!access(path, F_OK))
		return false;
	fd = open("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
		  O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &mode, 1) != 1)
			mode = 'N';
		close(fd);
	}
	return mode != 'Y';
}

const char *vpt_skip_reason(int ret)
{
	switch (ret) {
	case -ENODEV:
		return "no such device";
	case -EOPNOTSUPP:
		return "no IOMMU group and no-IOMMU mode is off";
	case -ENXIO:
		return "not on this machine (VFIO_PLATFORM_DEVS)";
	default:
		return NULL;
	}
}

int vpt_group_path(const struct vpt_dev *d, char *path, size_t len,
		   unsigned long *iommu_type)
{
	char link[PATH_MAX], group[VPT_NAME_MAX];
	int ret;

	snprintf(link, sizeof(link), "/sys/bus/%s/devices/%s/iommu_group",
		 d->bus, d->name);
	ret = basename_of_link(link, group, sizeof(group));
	if (ret)
		return ret;
	snprintf(path, len, "/dev/vfio/noiommu-%s", group);
	*iommu_type = VFIO_NOIOMMU_IOMMU;
	if (access(path, F_OK)) {
		snprintf(path, len, "/dev/vfio/%s", group);
		*iommu_type = VFIO_TYPE1v2_IOMMU;
	}
	return 0;
}

int vpt_restore(struct vpt_dev *d)
{
	char cur[VPT_NAME_MAX];
	int ret;

	if (!d->bound)
		return 0;
	ret = dev_attr_write(d, "driver_override", "\n");
	if (ret)
		return ret;
	ret = vpt_current_driver(d->bus, d->name, cur, sizeof(cur));
	if (ret)
		return ret;
	if (strcmp(cur, d->orig_driver)) {
		if (cur[0]) {
			ret = dev_attr_write(d, "driver/unbind", d->name);
			if (ret)
				return ret;
		}
		if (d->orig_driver[0]) {
			ret = bus_attr_write(d, "drivers_probe", d->name);
			if (ret)
				return ret;
		}
		ret = vpt_current_driver(d->bus, d->name, cur, sizeof(cur));
		if (ret)
			return ret;
		if (strcmp(cur, d->orig_driver)) {
			fprintf(stderr,
				"# %s: not given back: driver \"%s\", was \"%s\" (see dmesg)\n",
				d->name, cur, d->orig_driver);
			return -EIO;
		}
	}
	d->bound = false;
	return 0;
}

int vpt_map_name(const char *name, char *buf, size_t len)
{
	const char *map = getenv("VFIO_PLATFORM_DEVS");
	size_t n = strlen(name);
	const char *p, *end;

	if (!map || !*map) {
		snprintf(buf, len, "%s", name);
		return 0;
	}
	for (p = map; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > n && !strncmp(p, name, n) && p[n] == '=') {
			p += n + 1;
			if ((size_t)(end - p) >= len)
				return -ENAMETOOLONG;
			memcpy(buf, p, end - p);
			buf[end - p] = '\0';
			return 0;
		}
	}
	return -ENXIO;
}

int vpt_bind(struct vpt_dev *d, const char *bus, const char *name)
{
	char here[VPT_NAME_MAX];
	int ret;

	ret = vpt_map_name(name, here, sizeof(here));
	return ret ? ret : vpt_bind_name(d, bus, here);
}

int vpt_bind_name(struct vpt_dev *d, const char *bus, const char *name)
{
	const char *vfio = vpt_vfio_driver(bus);
	char path[PATH_MAX];
	char cur[VPT_NAME_MAX];
	int ret;

	memset(d, 0, sizeof(*d));
	d->container = -1;
	d->group = -1;
	d->fd = -1;
	d->owner = getpid();
	snprintf(d->bus, sizeof(d->bus), "%s", bus);
	snprintf(d->name, sizeof(d->name), "%s", name);

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s", bus, name);
	if (access(path, F_OK))
		return -ENODEV;
	ret = vpt_current_driver(bus, name, d->orig_driver,
				 sizeof(d->orig_driver));
	if (ret)
		return ret;

	d->bound = true;
	ret = dev_attr_write(d, "driver_override", vfio);
	if (ret)
		goto err;
	if (d->orig_driver[0] && strcmp(d->orig_driver, vfio)) {
		ret = dev_attr_write(d, "driver/unbind", name);
		if (ret)
			goto err;
	}
	ret = bus_attr_write(d, "drivers_probe", name);
	if (ret)
		goto err;
	ret = vpt_current_driver(bus, name, cur, sizeof(cur));
	if (ret)
		goto err;
	if (strcmp(cur, vfio)) {
		fprintf(stderr, "# %s: bound to \"%s\", not %s\n", name, cur,
			vfio);
		ret = vpt_no_group_possible(d) ? -EOPNOTSUPP : -EIO;
		goto err;
	}
	return 0;
err:
	vpt_restore(d);
	return ret;
}

int vpt_open_group(struct vpt_dev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	unsigned long type;
	char path[PATH_MAX];
	int ret;

	ret = vpt_group_path(d, path, sizeof(path), &type);
	if (ret)
		return ret;

	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		return -errno;
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return -EPROTO;
	if (ioctl(d->container, VFIO_CHECK_EXTENSION, type) <= 0)
		return -EPROTONOSUPPORT;

	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		return -errno;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status))
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		return -errno;
	if (ioctl(d->container, VFIO_SET_IOMMU, type))
		return -errno;
	return 0;
}

int vpt_get_fd(struct vpt_dev *d)
{
	int fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->name);

	return fd < 0 ? -errno : fd;
}

void vpt_close(struct vpt_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->fd = -1;
	d->group = -1;
	d->container = -1;
}

int vpt_setup(struct vpt_dev *d, const char *bus, const char *name,
	      struct vfio_region_info *r0)
{
	int ret;

	ret = vpt_bind(d, bus, name);
	if (ret)
		return ret;
	ret = vpt_open_group(d);
	if (!ret) {
		d->fd = vpt_get_fd(d);
		if (d->fd < 0)
			ret = d->fd;
	}
	if (!ret && r0)
		ret = vpt_region_info(d->fd, 0, r0);
	if (ret) {
		vpt_close(d);
		vpt_restore(d);
	}
	return ret;
}

void *vpt_mmap(struct vpt_dev *d, int fd, size_t len, int prot, uint64_t off)
{
	void *p;
	int i;

	for (i = 0; i < VPT_MAX_MAPS && d->maps[i]; i++)
		;
	if (i == VPT_MAX_MAPS) {
		errno = ENOSPC;
		return MAP_FAILED;
	}
	p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	if (p != MAP_FAILED) {
		d->maps[i] = p;
		d->map_len[i] = len;
	}
	return p;
}

int vpt_munmap(struct vpt_dev *d, void *p)
{
	int i;

	for (i = 0; i < VPT_MAX_MAPS; i++) {
		if (d->maps[i] == p) {
			d->maps[i] = NULL;
			return munmap(p, d->map_len[i]) ? -errno : 0;
		}
	}
	return -ENOENT;
}

int vpt_fixture_teardown(struct vpt_dev *d)
{
	int i;

	if (d->owner == getpid()) {
		for (i = 0; i < VPT_MAX_MAPS; i++)
			if (d->maps[i])
				vpt_munmap(d, d->maps[i]);
		/* Device fds the test did not track too: all but stdio. */
		syscall(__NR_close_range, 3, ~0U, 0);
		d->fd = -1;
		d->group = -1;
		d->container = -1;
	}
	return vpt_restore(d);
}

int vpt_device_info(int fd, struct vfio_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(fd, VFIO_DEVICE_GET_INFO, info) ? -errno : 0;
}

int vpt_region_info(int fd, unsigned int index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
}

int vpt_irq_info(int fd, unsigned int index, struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, info) ? -errno : 0;
}

int vpt_set_irqs(int fd, uint32_t flags, uint32_t index, uint32_t start,
		 uint32_t count, const void *data, size_t data_len)
{
	struct vfio_irq_set *set;
	size_t sz = sizeof(*set) + data_len;
	int ret;

	set = calloc(1, sz);
	if (!set)
		return -ENOMEM;
	set->argsz = sz;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data_len)
		memcpy(set->data, data, data_len);
	ret = ioctl(fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
	free(set);
	return ret;
}

int vpt_irq_eventfd(int fd, uint32_t index, uint32_t action, int32_t efd)
{
	return vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_EVENTFD | action, index, 0,
			    1, &efd, sizeof(efd));
}

int vpt_irq_none(int fd, uint32_t index, uint32_t action, uint32_t count)
{
	return vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_NONE | action, index, 0,
			    count, NULL, 0);
}

int vpt_irq_bool(int fd, uint32_t index, uint32_t action, uint8_t val)
{
	return vpt_set_irqs(fd, VFIO_IRQ_SET_DATA_BOOL | action, index, 0, 1,
			    &val, sizeof(val));
}

int vpt_read32(int fd, const struct vfio_region_info *r, uint64_t off,
	       uint32_t *val)
{
	ssize_t n = pread(fd, val, sizeof(*val), r->offset + off);

	if (n < 0)
		return -errno;
	return n == sizeof(*val) ? 0 : -EIO;
}

int vpt_write32(int fd, const struct vfio_region_info *r, uint64_t off,
		uint32_t val)
{
	ssize_t n = pwrite(fd, &val, sizeof(val), r->offset + off);

	if (n < 0)
		return -errno;
	return n == sizeof(val) ? 0 : -EIO;
}

int vpt_eventfd_wait(int efd, int ms, uint64_t *cnt)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	ssize_t n;
	int ret;

	do {
		ret = poll(&pfd, 1, ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	n = read(efd, cnt, sizeof(*cnt));
	if (n < 0)
		return -errno;
	return n == sizeof(*cnt) ? 1 : -EIO;
}

int vpt_host_request(const char *cmd)
{
	char line[128];
	ssize_t n;
	int fd, len;

	len = snprintf(line, sizeof(line), "\nvfiotest-host: %s\n", cmd);
	fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, line, len);
	close(fd);
	if (n < 0)
		return -errno;
	return n == len ? 0 : -EIO;
}

void vpt_msleep(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
