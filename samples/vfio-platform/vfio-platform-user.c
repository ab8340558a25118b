// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the user-space vfio-platform driver samples share: find a device
 * bound to vfio-platform or vfio-amba, open it through its VFIO group,
 * access its registers and wait for its interrupts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio-platform-user.h"

#define err(fmt, ...) \
	fprintf(stderr, "%s: " fmt "\n", program_invocation_short_name, \
		##__VA_ARGS__)

/* The last path component of a sysfs link, "" if there is no link. */
static const char *link_name(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);
	const char *slash;

	if (n < 0)
		return "";
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

static bool noiommu_mode_on(void)
{
	char val = 'N';
	int fd;

	fd = open("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
		  O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, &val, 1) != 1)
		val = 'N';
	close(fd);
	return val == 'Y';
}

static int check_binding(const char *bus, const char *name)
{
	const char *vfio = strcmp(bus, "amba") ? "vfio-platform" : "vfio-amba";
	char path[PATH_MAX], buf[PATH_MAX];
	const char *drv;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s", bus, name);
	if (access(path, F_OK)) {
		err("no %s device %s (see /sys/bus/%s/devices/)", bus, name,
		    bus);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/driver", bus,
		 name);
	drv = link_name(path, buf, sizeof(buf));
	if (!strcmp(drv, vfio))
		return 0;
	if (*drv)
		err("%s is bound to %s, not to %s; hand it over with:\n"
		    "  echo %s > /sys/bus/%s/drivers/%s/unbind\n"
		    "  echo %s > /sys/bus/%s/drivers/%s/bind",
		    name, drv, vfio, name, bus, drv, name, bus, vfio);
	else
		err("%s is not bound to %s; bind it with:\n"
		    "  echo %s > /sys/bus/%s/drivers/%s/bind",
		    name, vfio, name, bus, vfio);
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group", bus,
		 name);
	if (access(path, F_OK) && !noiommu_mode_on())
		err("VFIO's no-IOMMU mode is off: a device without an IOMMU binds only with\n"
		    "  vfio.enable_unsafe_noiommu_mode=1");
	return -1;
}

static int open_group(struct vfp_device *d, enum vfp_iommu iommu)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], buf[PATH_MAX], dev[PATH_MAX];
	unsigned long type;
	const char *group;

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group",
		 d->bus, d->name);
	group = link_name(path, buf, sizeof(buf));
	if (!*group) {
		err("%s has no IOMMU group", d->name);
		return -1;
	}
	snprintf(dev, sizeof(dev), "/dev/vfio/noiommu-%.32s", group);
	d->noiommu = !access(dev, F_OK);
	if (!d->noiommu) {
		if (iommu == VFP_NOIOMMU_ONLY) {
			err("%s is behind an IOMMU (group %s), not in VFIO's no-IOMMU mode:\n"
			    "  this sample gives the device physical addresses; it needs a device\n"
			    "  without an IOMMU and vfio.enable_unsafe_noiommu_mode=1",
			    d->name, group);
			return -1;
		}
		snprintf(dev, sizeof(dev), "/dev/vfio/%.32s", group);
	}
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0) {
		err("/dev/vfio/vfio: %s", strerror(errno));
		return -1;
	}
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		err("unknown VFIO API version");
		return -1;
	}
	d->group = open(dev, O_RDWR | O_CLOEXEC);
	if (d->group < 0) {
		err("%s: %s", dev, strerror(errno));
		return -1;
	}
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		err("group %s is not viable: bind every device of the group to vfio",
		    group);
		return -1;
	}
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container)) {
		err("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
		return -1;
	}
	type = d->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	if (ioctl(d->container, VFIO_SET_IOMMU, type)) {
		err("VFIO_SET_IOMMU: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int vfp_open(struct vfp_device *d, const char *bus, const char *name,
	     enum vfp_iommu iommu)
{
	memset(d, 0, sizeof(*d));
	d->container = -1;
	d->group = -1;
	d->fd = -1;
	d->bus = bus;
	d->name = name;

	if (geteuid()) {
		err("must run as root (VFIO devices, physical addresses)");
		return -1;
	}
	if (check_binding(bus, name) || open_group(d, iommu))
		goto fail;
	d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, name);
	if (d->fd < 0) {
		err("VFIO_GROUP_GET_DEVICE_FD %s: %s", name, strerror(errno));
		goto fail;
	}
	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info)) {
		err("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
		goto fail;
	}
	if (!(d->info.flags & VFIO_DEVICE_FLAGS_PLATFORM)) {
		err("%s is not a VFIO platform device", name);
		goto fail;
	}
	return 0;
fail:
	vfp_close(d);
	return -1;
}

void vfp_close(struct vfp_device *d)
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

int vfp_region(struct vfp_device *d, unsigned int index,
	       struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
		err("region %u: %s", index, strerror(errno));
		return -1;
	}
	return 0;
}

int vfp_read32(struct vfp_device *d, const struct vfio_region_info *r,
	       __u32 off, __u32 *val)
{
	if (pread(d->fd, val, 4, r->offset + off) != 4) {
		err("read at 0x%x: %s", off, strerror(errno));
		return -1;
	}
	return 0;
}

int vfp_write32(struct vfp_device *d, const struct vfio_region_info *r,
		__u32 off, __u32 val)
{
	if (pwrite(d->fd, &val, 4, r->offset + off) != 4) {
		err("write at 0x%x: %s", off, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A GET_INFO ioctl whose reply can outgrow the structure (a capability
 * chain): ask, and ask again with the size the kernel wants. Every such
 * structure starts with its __u32 argsz.
 */
static void *get_info(int fd, unsigned long request, const void *query,
		      __u32 size)
{
	__u32 argsz = size;
	void *buf = NULL, *tmp;
	int i;

	for (i = 0; i < 2; i++) {
		tmp = realloc(buf, argsz);
		if (!tmp)
			break;
		buf = tmp;
		memset(buf, 0, argsz);
		memcpy(buf, query, size);
		memcpy(buf, &argsz, sizeof(argsz));
		if (ioctl(fd, request, buf))
			break;
		if (*(__u32 *)buf <= argsz)
			return buf;
		argsz = *(__u32 *)buf;
	}
	free(buf);
	return NULL;
}

static const struct vfio_info_cap_header *
find_cap(const void *info, __u32 off, __u16 id)
{
	__u32 argsz = *(const __u32 *)info;
	const struct vfio_info_cap_header *hdr;
	int hops;

	for (hops = 0; off && hops < 64; hops++, off = hdr->next) {
		if (off < sizeof(__u32) || off + sizeof(*hdr) > argsz)
			return NULL;
		hdr = (const void *)((const char *)info + off);
		if (hdr->id == id)
			return hdr;
	}
	return NULL;
}

static void print_device(struct vfp_device *d)
{
	const struct vfio_device_info_cap_devtree *cap = NULL;
	struct vfio_device_info *info;
	const char *c;

	info = get_info(d->fd, VFIO_DEVICE_GET_INFO, &d->info, sizeof(*info));
	if (info && (info->flags & VFIO_DEVICE_FLAGS_CAPS))
		cap = (const void *)find_cap(info, info->cap_offset,
					     VFIO_DEVICE_INFO_CAP_DEVTREE);
	printf("device %s: %u region(s), %u irq(s), reset %s\n", d->name,
	       d->info.num_regions, d->info.num_irqs,
	       d->info.flags & VFIO_DEVICE_FLAGS_RESET ? "yes" : "no");
	if (cap) {
		printf("  node %s, compatible:", (const char *)cap->strings);
		for (c = (const char *)cap->strings + cap->path_len;
		     c < (const char *)cap->strings + cap->path_len +
			 cap->compat_len;
		     c += strlen(c) + 1)
			printf(" %s", c);
		printf("\n");
	} else {
		printf("  (no device-tree capability)\n");
	}
	free(info);
}

static void print_region(struct vfp_device *d, unsigned int index)
{
	const struct vfio_region_info_cap_devtree *cap = NULL;
	struct vfio_region_info query = { .index = index };
	struct vfio_region_info *info;

	info = get_info(d->fd, VFIO_DEVICE_GET_REGION_INFO, &query,
			sizeof(query));
	if (!info) {
		printf("  region %u: %s\n", index, strerror(errno));
		return;
	}
	if (info->flags & VFIO_REGION_INFO_FLAG_CAPS)
		cap = (const void *)find_cap(info, info->cap_offset,
					     VFIO_REGION_INFO_CAP_DEVTREE);
	printf("  region %u: %#llx bytes, %s%s%s", index,
	       (unsigned long long)info->size,
	       info->flags & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
	       info->flags & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-",
	       info->flags & VFIO_REGION_INFO_FLAG_MMAP ? ", mmap" : "");
	if (cap)
		printf(", %s reg[%u]", (const char *)cap->path, cap->index);
	printf("\n");
	free(info);
}

static void print_irq(struct vfp_device *d, unsigned int index)
{
	const struct vfio_irq_info_cap_devtree *cap = NULL;
	struct vfio_irq_info query = { .index = index };
	struct vfio_irq_info *info;

	info = get_info(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &query,
			sizeof(query));
	if (!info) {
		printf("  irq %u: %s\n", index, strerror(errno));
		return;
	}
	if (info->flags & VFIO_IRQ_INFO_FLAG_CAPS)
		cap = (const void *)find_cap(info, info->cap_offset,
					     VFIO_IRQ_INFO_CAP_DEVTREE);
	printf("  irq %u: %s", index,
	       info->flags & VFIO_IRQ_INFO_AUTOMASKED ?
	       "level (automasked)" : "edge");
	if (cap)
		printf(", %s interrupts[%u]", (const char *)cap->path,
		       cap->index);
	printf("\n");
	free(info);
}

void vfp_print_layout(struct vfp_device *d)
{
	unsigned int i;

	print_device(d);
	for (i = 0; i < d->info.num_regions; i++)
		print_region(d, i);
	for (i = 0; i < d->info.num_irqs; i++)
		print_irq(d, i);
}

static int set_irqs(struct vfp_device *d, __u32 flags, unsigned int index,
		    const __s32 *fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(__s32)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(*set) + (fd ? sizeof(*fd) : 0);
	set->flags = flags;
	set->index = index;
	set->start = 0;
	set->count = 1;
	if (fd)
		memcpy(set->data, fd, sizeof(*fd));
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set);
}

int vfp_irq_eventfd(struct vfp_device *d, unsigned int index, bool *level)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };
	__s32 efd;

	if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info)) {
		err("irq %u: %s", index, strerror(errno));
		return -1;
	}
	if (!(info.flags & VFIO_IRQ_INFO_EVENTFD) || info.count < 1) {
		err("irq %u cannot signal an eventfd", index);
		return -1;
	}
	*level = info.flags & VFIO_IRQ_INFO_AUTOMASKED;
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0) {
		err("eventfd: %s", strerror(errno));
		return -1;
	}
	if (set_irqs(d, VFIO_IRQ_SET_DATA_EVENTFD |
		     VFIO_IRQ_SET_ACTION_TRIGGER, index, &efd)) {
		err("irq %u: VFIO_DEVICE_SET_IRQS: %s", index,
		    strerror(errno));
		close(efd);
		return -1;
	}
	return efd;
}

int vfp_irq_unmask(struct vfp_device *d, unsigned int index)
{
	if (set_irqs(d, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		     index, NULL)) {
		err("irq %u: unmask: %s", index, strerror(errno));
		return -1;
	}
	return 0;
}

int vfp_irq_wait(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	__u64 count;
	int ret;

	ret = poll(&p, 1, ms);
	if (ret <= 0)
		return ret;
	if (read(efd, &count, sizeof(count)) != sizeof(count))
		return -1;
	return 1;
}

__u64 vfp_phys_addr(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t va = (uintptr_t)p;
	__u64 entry = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), va / page * sizeof(entry)) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	/* Bit 63: present; bits 0-54: the page frame number (0 if hidden). */
	if (!(entry >> 63) || !(entry & ((1ULL << 55) - 1)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * page + va % page;
}
