/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared plumbing of the vfio-platform selftests: hand a device tree
 * platform or AMBA device to vfio-platform/vfio-amba through
 * driver_override, open it through a VFIO container (no-IOMMU, or type1
 * where the device has a real IOMMU group), and give it back to the
 * driver it had before.
 */
#ifndef __VFIO_PLATFORM_UTIL_H
#define __VFIO_PLATFORM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vfio.h>

#define VPT_NAME_MAX	64
#define VPT_MAX_MAPS	4

struct vpt_dev {
	char bus[16];			/* "platform" or "amba" */
	char name[VPT_NAME_MAX];	/* e.g. "9010000.pl031" */
	char orig_driver[VPT_NAME_MAX];	/* driver before the test, or "" */
	bool bound;			/* driver_override set by us */
	int container;
	int group;
	int fd;				/* device fd, -1 when closed */
	pid_t owner;			/* the process that bound it */
	void *maps[VPT_MAX_MAPS];	/* vpt_mmap()ed, not yet unmapped */
	size_t map_len[VPT_MAX_MAPS];
};

/* The vfio driver for a bus: "vfio-platform" or "vfio-amba". */
const char *vpt_vfio_driver(const char *bus);

/* Name of the driver bound to a device into @buf, "" if none. */
int vpt_current_driver(const char *bus, const char *name, char *buf,
		       size_t len);

/* Write @val to a sysfs file; 0 or -errno. */
int vpt_sysfs_write(const char *path, const char *val);

/*
 * Bind @bus/@name to its vfio driver, open a container, the group and a
 * device fd, and read the info of region 0 into @r0 (if not NULL). Errors
 * for which vpt_skip_reason() has a reason are SKIPs. Any failure leaves
 * the device as it was found.
 */
int vpt_setup(struct vpt_dev *d, const char *bus, const char *name,
	      struct vfio_region_info *r0);

/*
 * Give the device back to its original driver (clear driver_override,
 * unbind from vfio, reprobe). The fixtures call it from
 * FIXTURE_TEARDOWN_PARENT(): the harness's parent process runs it once the
 * test process has exited, so every fd and mapping the test held on the
 * device is gone (an unbind cannot block on them) and the device is given
 * back even when the test failed an ASSERT or was killed.
 */
int vpt_restore(struct vpt_dev *d);

/*
 * The name of the device that stands for @name on this machine, into @buf.
 * The selftests name the devices of QEMU's device tree ("a000000.virtio_mmio");
 * on another machine, e.g. QEMU virt booted with ACPI, the environment
 * variable VFIO_PLATFORM_DEVS maps them: "a000000.virtio_mmio=LNRO0005:00,
 * 9020000.fw-cfg=QEMU0002:00" (no spaces). Where it is set, a device it
 * does not list is not on the machine: -ENXIO, a SKIP. vpt_bind() maps.
 */
int vpt_map_name(const char *name, char *buf, size_t len);

/* The binding half of vpt_setup(). */
int vpt_bind(struct vpt_dev *d, const char *bus, const char *name);

/* vpt_bind() of a device by its name on this machine, not mapped. */
int vpt_bind_name(struct vpt_dev *d, const char *bus, const char *name);

/*
 * The FIXTURE_TEARDOWN_PARENT() body. The 6.12 harness can end up running
 * it in the test process itself after a failed ASSERT (its "child" local
 * does not survive the longjmp): there, first drop every fd and mapping
 * the process holds, or the unbind would wait for ourselves forever.
 */
int vpt_fixture_teardown(struct vpt_dev *d);

/* mmap()/munmap() of the device fd, tracked for vpt_fixture_teardown(). */
void *vpt_mmap(struct vpt_dev *d, int fd, size_t len, int prot, uint64_t off);
int vpt_munmap(struct vpt_dev *d, void *p);

/* No IOMMU group for the device, and VFIO may not make a no-IOMMU one. */
bool vpt_no_group_possible(const struct vpt_dev *d);

/* Why a vpt_setup()/vpt_bind() error is a SKIP, or NULL if it is not. */
const char *vpt_skip_reason(int ret);

/*
 * The group device of a bound device and the IOMMU type to use with it:
 * /dev/vfio/noiommu-N (VFIO_NOIOMMU_IOMMU) or /dev/vfio/N (type1v2).
 */
int vpt_group_path(const struct vpt_dev *d, char *path, size_t len,
		   unsigned long *iommu_type);

/* Container + group (vpt_open_group) and another device fd (vpt_get_fd). */
int vpt_open_group(struct vpt_dev *d);
int vpt_get_fd(struct vpt_dev *d);
void vpt_close(struct vpt_dev *d);

/* Thin ioctl wrappers; 0 or -errno. */
int vpt_device_info(int fd, struct vfio_device_info *info);
int vpt_region_info(int fd, unsigned int index, struct vfio_region_info *info);
int vpt_irq_info(int fd, unsigned int index, struct vfio_irq_info *info);

/* VFIO_DEVICE_SET_IRQS; 0 or -errno. */
int vpt_set_irqs(int fd, uint32_t flags, uint32_t index, uint32_t start,
		 uint32_t count, const void *data, size_t data_len);
int vpt_irq_eventfd(int fd, uint32_t index, uint32_t action, int32_t efd);
int vpt_irq_none(int fd, uint32_t index, uint32_t action, uint32_t count);
int vpt_irq_bool(int fd, uint32_t index, uint32_t action, uint8_t val);

/* Register access at @off inside a region, 0 or -errno. */
int vpt_read32(int fd, const struct vfio_region_info *r, uint64_t off,
	       uint32_t *val);
int vpt_write32(int fd, const struct vfio_region_info *r, uint64_t off,
		uint32_t val);

/*
 * Wait up to @ms for @efd to become readable and read it into @cnt.
 * 1 = event, 0 = timeout, -errno on error.
 */
int vpt_eventfd_wait(int efd, int ms, uint64_t *cnt);

/* Ask the host harness for something (a line on /dev/console). */
int vpt_host_request(const char *cmd);

void vpt_msleep(unsigned int ms);

/* 32-bit MMIO through a mapping of a region: single, untorn accesses. */
static inline uint32_t vpt_mmio_read32(const void *base, size_t off)
{
	return __atomic_load_n((const uint32_t *)((const char *)base + off),
			       __ATOMIC_RELAXED);
}

static inline void vpt_mmio_write32(void *base, size_t off, uint32_t val)
{
	__atomic_store_n((uint32_t *)((char *)base + off), val,
			 __ATOMIC_RELAXED);
}

#endif /* __VFIO_PLATFORM_UTIL_H */
