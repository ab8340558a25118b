// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform: device-tree paths of devices, regions and interrupts,
 * and devices made of several device-tree nodes.
 *
 * The multi-node device is the "DMA engine" of the test device tree
 * (guest/dts/dma-engine.dtsi of the harness): dma@a000400 with its own
 * reg, two dma-channel children with reg and interrupts, and a child
 * that is a platform device of its own and must not be exposed. One
 * channel sits on the virtio-mmio slot of a virtio-keyboard (DeviceID 18),
 * the other registers are empty slots (DeviceID 0).
 *
 * Children with a "compatible" are devices of their own even when the
 * kernel has not made devices of them (an MFD's cells or an I2C
 * controller's clients once its driver is unbound): mfd@a000c00 and
 * i2c@a001400 of the same file have such children, which must not change
 * their regions and interrupts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <limits.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define DMA		"a000400.dma"
#define DMA_NODE	"/dma@a000400"
#define DMA_SUB		"a000800.dma-sub"	/* a device of its own */
#define DMA_SUB_NODE	DMA_NODE "/dma-sub@a000800"
#define VIRTIO_SLOT	"a000000.virtio_mmio"
#define PL031		"9010000.pl031"

#define DT		"/sys/firmware/devicetree/base"
#define VIRTIO_MAGIC	0x74726976	/* "virt" */
#define VIRTIO_DEVICE_ID 0x008
#define VIRTIO_ID_INPUT	18
#define KEYBOARD_SLOT	0xa003a00	/* QEMU_ARGS's virtio-keyboard */
#define GIC_SPI_BASE	32

#define GUARD		0xa5
#define BUF_SIZE	4096

/* Expected, in the documented order: own node first, then parts in DT order. */
static const struct {
	const char *path;
	uint32_t index;
} dma_regions[] = {
	{ DMA_NODE, 0 },
	{ DMA_NODE "/dma-channel@a000600", 0 },
	{ DMA_NODE "/dma-channel@a003a00", 0 },
}, dma_irqs[] = {
	{ DMA_NODE "/dma-channel@a000600", 0 },
	{ DMA_NODE "/dma-channel@a003a00", 0 },
};

/* Whole file into @buf; its length, or -errno. */
static ssize_t slurp(const char *path, void *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static ssize_t dt_prop(const char *node, const char *prop, void *buf,
		       size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), DT "%s/%s", node, prop);
	return slurp(path, buf, len);
}

static uint32_t be32_at(const void *p, unsigned int cell)
{
	uint32_t v;

	memcpy(&v, (const char *)p + 4 * cell, 4);
	return ntohl(v);
}

/* #address-cells or #size-cells that apply to @node's "reg". */
static unsigned int dt_cells(const char *node, const char *which)
{
	char parent[256], buf[4];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", node);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	if (dt_prop(parent, which, buf, sizeof(buf)) != 4)
		return strcmp(which, "#size-cells") ? 2 : 1;
	return be32_at(buf, 0);
}

/* Entry @index of @node's "reg"; 0 or -errno. */
static int dt_reg(const char *node, unsigned int index, uint64_t *addr,
		  uint64_t *size)
{
	unsigned int ac = dt_cells(node, "#address-cells");
	unsigned int sc = dt_cells(node, "#size-cells");
	unsigned int i, base = index * (ac + sc);
	uint8_t buf[256];
	ssize_t n;

	n = dt_prop(node, "reg", buf, sizeof(buf));
	if (n < 0)
		return n;
	if ((base + ac + sc) * 4 > (size_t)n)
		return -ENOENT;
	*addr = 0;
	*size = 0;
	for (i = 0; i < ac; i++)
		*addr = *addr << 32 | be32_at(buf, base + i);
	for (i = 0; i < sc; i++)
		*size = *size << 32 | be32_at(buf, base + ac + i);
	return 0;
}

/*
 * An info ioctl with its capability chain: ask with @size, then again with
 * the argsz the kernel asked for. @index < 0: the structure has none.
 */
static void *info_get(int fd, unsigned long req, int index, uint32_t size)
{
	uint32_t argsz = size;
	uint32_t *buf = NULL;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		free(buf);
		buf = calloc(1, argsz);
		if (!buf)
			return NULL;
		buf[0] = argsz;
		if (index >= 0)
			buf[2] = index;
		if (ioctl(fd, req, buf))
			break;
		if (buf[0] <= argsz)
			return buf;
		argsz = buf[0];
	}
	free(buf);
	return NULL;
}

/* The capability @id of a chain at @off in @buf of @argsz bytes, or NULL. */
static const struct vfio_info_cap_header *
cap_find(const void *buf, uint32_t argsz, uint32_t off, uint16_t id)
{
	const struct vfio_info_cap_header *hdr;
	int hops = 0;

	while (off && hops++ < 16) {
		if (off % 8 || off + sizeof(*hdr) > argsz)
			return NULL;
		hdr = (const void *)((const char *)buf + off);
		if (hdr->id == id)
			return hdr;
		off = hdr->next;
	}
	return NULL;
}

/*
 * The path capability (region or IRQ: same layout) of @info, checked for
 * well-formedness: inside the buffer, NUL-terminated at path_len.
 */
static const struct vfio_region_info_cap_devtree *
path_cap(const void *info, uint32_t argsz, uint32_t cap_offset, uint16_t id)
{
	const struct vfio_region_info_cap_devtree *cap;

	cap = (const void *)cap_find(info, argsz, cap_offset, id);
	if (!cap || cap->header.version != 1 || !cap->path_len)
		return NULL;
	if ((const char *)cap->path + cap->path_len >
	    (const char *)info + argsz)
		return NULL;
	if (cap->path[cap->path_len - 1] ||
	    strlen((const char *)cap->path) + 1 != cap->path_len)
		return NULL;
	return cap;
}

static int dt_node_exists(const char *node)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), DT "%s", node);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Region @i: its path capability must be @path, @index. */
static void check_region(struct __test_metadata *_metadata, int fd,
			 unsigned int i, const char *path, uint32_t index)
{
	const struct vfio_region_info_cap_devtree *cap;
	struct vfio_region_info *info;
	uint64_t addr, size;

	info = info_get(fd, VFIO_DEVICE_GET_REGION_INFO, i, sizeof(*info));
	ASSERT_NE(NULL, info);
	ASSERT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_CAPS);
	cap = path_cap(info, info->argsz, info->cap_offset,
		       VFIO_REGION_INFO_CAP_DEVTREE);
	ASSERT_NE(NULL, cap) TH_LOG("region %u: no valid devtree cap", i);
	EXPECT_STREQ(path, (const char *)cap->path);
	EXPECT_EQ(index, cap->index);
	EXPECT_TRUE(dt_node_exists((const char *)cap->path))
		TH_LOG("%s not under " DT, cap->path);
	ASSERT_EQ(0, dt_reg((const char *)cap->path, cap->index, &addr, &size));
	EXPECT_EQ(size, info->size);
	free(info);
}

/* IRQ @i: its path capability must be @path, @index. */
static void check_irq(struct __test_metadata *_metadata, int fd,
		      unsigned int i, const char *path, uint32_t index)
{
	const struct vfio_region_info_cap_devtree *cap;
	struct vfio_irq_info *info;

	info = info_get(fd, VFIO_DEVICE_GET_IRQ_INFO, i, sizeof(*info));
	ASSERT_NE(NULL, info);
	EXPECT_EQ(1, info->count);
	ASSERT_TRUE(info->flags & VFIO_IRQ_INFO_FLAG_CAPS);
	cap = path_cap(info, info->argsz, info->cap_offset,
		       VFIO_IRQ_INFO_CAP_DEVTREE);
	ASSERT_NE(NULL, cap) TH_LOG("irq %u: no valid devtree cap", i);
	EXPECT_STREQ(path, (const char *)cap->path);
	EXPECT_EQ(index, cap->index);
	EXPECT_TRUE(dt_node_exists((const char *)cap->path))
		TH_LOG("%s not under " DT, cap->path);
	free(info);
}

/* The device capability: @path and that node's "compatible", verbatim. */
static void check_device(struct __test_metadata *_metadata, int fd,
			 const char *path)
{
	const struct vfio_device_info_cap_devtree *cap;
	struct vfio_device_info *info;
	char compat[512];
	ssize_t n;

	info = info_get(fd, VFIO_DEVICE_GET_INFO, -1, sizeof(*info));
	ASSERT_NE(NULL, info);
	ASSERT_TRUE(info->flags & VFIO_DEVICE_FLAGS_CAPS);
	cap = (const void *)cap_find(info, info->argsz, info->cap_offset,
				     VFIO_DEVICE_INFO_CAP_DEVTREE);
	ASSERT_NE(NULL, cap);
	EXPECT_EQ(1, cap->header.version);
	ASSERT_LE((size_t)((const char *)cap->strings - (const char *)info) +
		  cap->path_len + cap->compat_len, info->argsz);
	ASSERT_EQ(strlen(path) + 1, cap->path_len);
	EXPECT_EQ(0, memcmp(path, cap->strings, cap->path_len));

	n = dt_prop(path, "compatible", compat, sizeof(compat));
	ASSERT_LT(0, n);
	ASSERT_EQ(n, cap->compat_len);
	EXPECT_EQ(0, memcmp(compat, cap->strings + cap->path_len, n));
	free(info);
}

/*
 * A too small argsz: the flag, cap_offset 0, the size needed in argsz, and
 * nothing written past argsz. @index < 0: device info.
 */
static void check_small(struct __test_metadata *_metadata, int fd,
			unsigned long req, int index, uint32_t size,
			uint32_t flag)
{
	uint8_t *buf = malloc(BUF_SIZE);
	uint32_t *w = (uint32_t *)buf;
	uint32_t argsz = size + 8;
	uint32_t full;
	size_t i;

	ASSERT_NE(NULL, buf);
	/* The size needed, as a caller with the bare struct learns it. */
	memset(buf, 0, size);
	w[0] = size;
	if (index >= 0)
		w[2] = index;
	ASSERT_EQ(0, ioctl(fd, req, buf));
	full = w[0];
	ASSERT_LT(argsz, full) TH_LOG("capabilities fit into %u bytes", argsz);

	memset(buf, GUARD, BUF_SIZE);
	memset(buf, 0, size);
	w[0] = argsz;
	if (index >= 0)
		w[2] = index;
	ASSERT_EQ(0, ioctl(fd, req, buf));
	EXPECT_EQ(full, w[0]);
	EXPECT_TRUE(w[1] & flag);
	/* cap_offset: region info word 3, IRQ and device info word 4. */
	EXPECT_EQ(0, w[req == VFIO_DEVICE_GET_REGION_INFO ? 3 : 4]);
	for (i = size; i < BUF_SIZE; i++)
		if (buf[i] != GUARD)
			break;
	EXPECT_EQ(BUF_SIZE, i) TH_LOG("byte %zu written past the struct", i);
	free(buf);
}

/*
 * An IRQ info caller that predates cap_offset (argsz 16): no flag, argsz
 * untouched, nothing written past 16 bytes, flags otherwise unchanged.
 */
static void check_irq_old_argsz(struct __test_metadata *_metadata, int fd,
				unsigned int index)
{
	const uint32_t old = offsetof(struct vfio_irq_info, cap_offset);
	struct vfio_irq_info *now;
	uint8_t buf[64];
	uint32_t *w = (uint32_t *)buf;
	size_t i;

	ASSERT_EQ(16, old);
	now = info_get(fd, VFIO_DEVICE_GET_IRQ_INFO, index, sizeof(*now));
	ASSERT_NE(NULL, now);

	memset(buf, GUARD, sizeof(buf));
	memset(buf, 0, old);
	w[0] = old;
	w[2] = index;
	ASSERT_EQ(0, ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, buf));
	EXPECT_EQ(old, w[0]);
	EXPECT_EQ(now->flags & ~VFIO_IRQ_INFO_FLAG_CAPS, w[1]);
	EXPECT_EQ(index, w[2]);
	EXPECT_EQ(1, w[3]);
	for (i = old; i < sizeof(buf); i++)
		if (buf[i] != GUARD)
			break;
	EXPECT_EQ(sizeof(buf), i) TH_LOG("byte %zu written", i);
	free(now);
}

/* The hwirq /proc/interrupts shows for the line named @name, or -1. */
static long proc_hwirq(const char *name)
{
	char line[512], *tok, *prev, *save;
	long hwirq = -1;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strstr(line, name))
			continue;
		prev = NULL;
		for (tok = strtok_r(line, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			if ((!strcmp(tok, "Edge") || !strcmp(tok, "Level")) &&
			    prev) {
				hwirq = strtol(prev, NULL, 10);
				break;
			}
			prev = tok;
		}
		break;
	}
	fclose(f);
	return hwirq;
}

/* ---- the multi-node DMA engine ---- */

FIXTURE(dma_engine) {
	struct vpt_dev dev;
};

FIXTURE_SETUP(dma_engine)
{
	int ret;

	if (!dt_node_exists(DMA_NODE))
		SKIP(return, "no %s in the device tree (see dma-engine.dtsi)",
		     DMA_NODE);
	ret = vpt_setup(&self->dev, "platform", DMA, NULL);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", DMA, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", DMA, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(dma_engine)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(dma_engine, counts)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PLATFORM);
	EXPECT_EQ(ARRAY_SIZE(dma_regions), info.num_regions);
	EXPECT_EQ(ARRAY_SIZE(dma_irqs), info.num_irqs);
}

TEST_F(dma_engine, region_paths)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dma_regions); i++)
		check_region(_metadata, self->dev.fd, i, dma_regions[i].path,
			     dma_regions[i].index);
}

/* Each region reaches the slot its "reg" entry names. */
TEST_F(dma_engine, region_identity)
{
	struct vfio_region_info r;
	uint64_t addr, size;
	uint32_t v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dma_regions); i++) {
		ASSERT_EQ(0, dt_reg(dma_regions[i].path, dma_regions[i].index,
				    &addr, &size));
		ASSERT_EQ(0, vpt_region_info(self->dev.fd, i, &r));
		ASSERT_EQ(0, vpt_read32(self->dev.fd, &r, 0, &v));
		EXPECT_EQ(VIRTIO_MAGIC, v) TH_LOG("region %u", i);
		ASSERT_EQ(0, vpt_read32(self->dev.fd, &r, VIRTIO_DEVICE_ID, &v));
		EXPECT_EQ(addr == KEYBOARD_SLOT ? VIRTIO_ID_INPUT : 0, v)
			TH_LOG("region %u (reg 0x%llx): DeviceID %u", i,
			       (unsigned long long)addr, v);
	}
}

TEST_F(dma_engine, irq_paths)
{
	struct vfio_irq_info info;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dma_irqs); i++) {
		check_irq(_metadata, self->dev.fd, i, dma_irqs[i].path,
			  dma_irqs[i].index);
		ASSERT_EQ(0, vpt_irq_info(self->dev.fd, i, &info));
		/* Edge lines, like the virtio-mmio slots they come from. */
		EXPECT_TRUE(info.flags & VFIO_IRQ_INFO_EVENTFD);
		EXPECT_FALSE(info.flags & VFIO_IRQ_INFO_AUTOMASKED);
	}
}

/*
 * Each IRQ index is the line its node's "interrupts" entry names: once
 * its trigger is set, /proc/interrupts shows that SPI under its name.
 */
TEST_F(dma_engine, irq_identity)
{
	char name[128];
	uint8_t prop[64];
	unsigned int i;
	int efd[ARRAY_SIZE(dma_irqs)];
	long hwirq;
	ssize_t n;

	for (i = 0; i < ARRAY_SIZE(dma_irqs); i++) {
		n = dt_prop(dma_irqs[i].path, "interrupts", prop, sizeof(prop));
		ASSERT_LE((dma_irqs[i].index + 1) * 12, n);
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ASSERT_LE(0, efd[i]);
		ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, i,
					     VFIO_IRQ_SET_ACTION_TRIGGER,
					     efd[i]));
		snprintf(name, sizeof(name), "vfio-platform:%s:%u", DMA, i);
		hwirq = proc_hwirq(name);
		/* GIC SPI: cells <0 N flags>, hwirq 32 + N. */
		EXPECT_EQ(GIC_SPI_BASE + be32_at(prop, dma_irqs[i].index * 3 + 1),
			  hwirq) TH_LOG("%s", name);
	}
	for (i = 0; i < ARRAY_SIZE(dma_irqs); i++)
		close(efd[i]);
}

/* The child that is a device of its own stays out. */
TEST_F(dma_engine, populated_child_excluded)
{
	const struct vfio_region_info_cap_devtree *cap;
	struct vfio_device_info dinfo;
	struct vfio_region_info *r;
	struct vfio_irq_info *q;
	char path[256];
	struct stat st;
	unsigned int i;

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s", DMA_SUB);
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s is not a device", DMA_SUB);
	ASSERT_TRUE(dt_node_exists(DMA_SUB_NODE));
	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &dinfo));

	for (i = 0; i < dinfo.num_regions; i++) {
		r = info_get(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, i,
			     sizeof(*r));
		ASSERT_NE(NULL, r);
		cap = path_cap(r, r->argsz, r->cap_offset,
			       VFIO_REGION_INFO_CAP_DEVTREE);
		ASSERT_NE(NULL, cap);
		EXPECT_STRNE(DMA_SUB_NODE, (const char *)cap->path);
		free(r);
	}
	for (i = 0; i < dinfo.num_irqs; i++) {
		q = info_get(self->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, i,
			     sizeof(*q));
		ASSERT_NE(NULL, q);
		cap = path_cap(q, q->argsz, q->cap_offset,
			       VFIO_IRQ_INFO_CAP_DEVTREE);
		ASSERT_NE(NULL, cap);
		EXPECT_STRNE(DMA_SUB_NODE, (const char *)cap->path);
		free(q);
	}
}

TEST_F(dma_engine, device_info_cap)
{
	check_device(_metadata, self->dev.fd, DMA_NODE);
}

TEST_F(dma_engine, argsz_too_small)
{
	check_small(_metadata, self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, 1,
		    sizeof(struct vfio_region_info), VFIO_REGION_INFO_FLAG_CAPS);
	check_small(_metadata, self->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, 1,
		    sizeof(struct vfio_irq_info), VFIO_IRQ_INFO_FLAG_CAPS);
	check_small(_metadata, self->dev.fd, VFIO_DEVICE_GET_INFO, -1,
		    sizeof(struct vfio_device_info), VFIO_DEVICE_FLAGS_CAPS);
}

TEST_F(dma_engine, irq_info_old_argsz)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dma_irqs); i++)
		check_irq_old_argsz(_metadata, self->dev.fd, i);
}

/* ---- children with a "compatible" are not parts ---- */

struct dt_entry {
	const char *path;
	uint32_t index;
};

#define MFD_NODE	"/mfd@a000c00"
#define I2C_NODE	"/i2c@a001400"

static const struct dt_entry mfd_regions[] = {
	{ MFD_NODE, 0 },
	{ MFD_NODE "/fifo@a001200", 0 },
}, mfd_irqs[] = {
	{ MFD_NODE, 0 },
	{ MFD_NODE "/fifo@a001200", 0 },
}, i2c_own[] = {
	{ I2C_NODE, 0 },
};

/* Whether a platform device has @node as its of_node. */
static int dt_node_has_device(const char *node)
{
	char link[PATH_MAX], target[PATH_MAX], want[PATH_MAX];
	const char *devs = "/sys/bus/platform/devices";
	struct dirent *de;
	int found = 0;
	DIR *dir;

	if (!realpath(DT, want))
		return -errno;
	strncat(want, node, sizeof(want) - strlen(want) - 1);
	dir = opendir(devs);
	if (!dir)
		return -errno;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s/of_node", devs, de->d_name);
		if (realpath(link, target) && !strcmp(target, want))
			found = 1;
	}
	closedir(dir);
	return found;
}

FIXTURE(parts) {
	struct vpt_dev dev;
};

FIXTURE_VARIANT(parts) {
	const char *name;		/* the platform device */
	const char *node;
	const char *child;		/* has a compatible, is no device */
	const struct dt_entry *regions, *irqs;
	unsigned int num_regions, num_irqs;
};

/* An MFD cell, as after its parent's driver depopulated it. */
FIXTURE_VARIANT_ADD(parts, mfd) {
	.name = "a000c00.mfd",
	.node = MFD_NODE,
	.child = MFD_NODE "/cell@a001000",
	.regions = mfd_regions,
	.num_regions = ARRAY_SIZE(mfd_regions),
	.irqs = mfd_irqs,
	.num_irqs = ARRAY_SIZE(mfd_irqs),
};

/* An I2C client with an interrupt: the parent keeps its own numbering. */
FIXTURE_VARIANT_ADD(parts, i2c) {
	.name = "a001400.i2c",
	.node = I2C_NODE,
	.child = I2C_NODE "/pmic@58",
	.regions = i2c_own,
	.num_regions = ARRAY_SIZE(i2c_own),
	.irqs = i2c_own,
	.num_irqs = ARRAY_SIZE(i2c_own),
};

FIXTURE_SETUP(parts)
{
	char compat[256];
	int ret;

	if (!dt_node_exists(variant->node))
		SKIP(return, "no %s in the device tree (see dma-engine.dtsi)",
		     variant->node);
	/* The case at hand: a compatible child that is not a device. */
	ASSERT_LT(0, dt_prop(variant->child, "compatible", compat,
			     sizeof(compat)));
	ASSERT_EQ(0, dt_node_has_device(variant->child))
		TH_LOG("%s is a device", variant->child);
	ret = vpt_setup(&self->dev, "platform", variant->name, NULL);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", variant->name, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(parts)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(parts, counts)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_EQ(variant->num_regions, info.num_regions);
	EXPECT_EQ(variant->num_irqs, info.num_irqs);
}

/* Own node first, then the parts; the child with a compatible nowhere. */
TEST_F(parts, numbering)
{
	struct vfio_device_info info;
	unsigned int i;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	ASSERT_EQ(variant->num_regions, info.num_regions);
	ASSERT_EQ(variant->num_irqs, info.num_irqs);
	for (i = 0; i < variant->num_regions; i++)
		check_region(_metadata, self->dev.fd, i,
			     variant->regions[i].path, variant->regions[i].index);
	for (i = 0; i < variant->num_irqs; i++)
		check_irq(_metadata, self->dev.fd, i, variant->irqs[i].path,
			  variant->irqs[i].index);
	check_device(_metadata, self->dev.fd, variant->node);
}

/* Whatever the count, no region or interrupt comes from the child. */
TEST_F(parts, child_excluded)
{
	const struct vfio_region_info_cap_devtree *cap;
	struct vfio_device_info dinfo;
	struct vfio_region_info *r;
	struct vfio_irq_info *q;
	unsigned int i;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &dinfo));
	for (i = 0; i < dinfo.num_regions; i++) {
		r = info_get(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, i,
			     sizeof(*r));
		ASSERT_NE(NULL, r);
		cap = path_cap(r, r->argsz, r->cap_offset,
			       VFIO_REGION_INFO_CAP_DEVTREE);
		ASSERT_NE(NULL, cap);
		EXPECT_STRNE(variant->child, (const char *)cap->path);
		free(r);
	}
	for (i = 0; i < dinfo.num_irqs; i++) {
		q = info_get(self->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, i,
			     sizeof(*q));
		ASSERT_NE(NULL, q);
		cap = path_cap(q, q->argsz, q->cap_offset,
			       VFIO_IRQ_INFO_CAP_DEVTREE);
		ASSERT_NE(NULL, cap);
		EXPECT_STRNE(variant->child, (const char *)cap->path);
		free(q);
	}
}

/* ---- single-node devices report their own node ---- */

FIXTURE(single) {
	struct vpt_dev dev;
};

FIXTURE_VARIANT(single) {
	const char *bus;
	const char *name;
	const char *node;
};

FIXTURE_VARIANT_ADD(single, pl031) {
	.bus = "amba",
	.name = PL031,
	.node = "/pl031@9010000",
};

FIXTURE_VARIANT_ADD(single, virtio_slot) {
	.bus = "platform",
	.name = VIRTIO_SLOT,
	.node = "/virtio_mmio@a000000",
};

FIXTURE_SETUP(single)
{
	int ret = vpt_setup(&self->dev, variant->bus, variant->name, NULL);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", variant->name, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(single)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(single, paths)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	ASSERT_EQ(1, info.num_regions);
	ASSERT_EQ(1, info.num_irqs);
	check_region(_metadata, self->dev.fd, 0, variant->node, 0);
	check_irq(_metadata, self->dev.fd, 0, variant->node, 0);
	check_device(_metadata, self->dev.fd, variant->node);
}

TEST_F(single, argsz_too_small)
{
	check_small(_metadata, self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, 0,
		    sizeof(struct vfio_region_info), VFIO_REGION_INFO_FLAG_CAPS);
	check_small(_metadata, self->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, 0,
		    sizeof(struct vfio_irq_info), VFIO_IRQ_INFO_FLAG_CAPS);
	check_irq_old_argsz(_metadata, self->dev.fd, 0);
}

/* ---- a multi-node device whose parts interrupt (composite mode) ---- */

#define IRQ_ENGINE	"a000e00.irq-engine"
#define IRQ_NODE	"/irq-engine@a000e00"
#define RTC_NODE	IRQ_NODE "/rtc@9010000"
#define GPIO_NODE	IRQ_NODE "/gpio@9030000"

FIXTURE(irq_engine) {
	struct vpt_dev dev;
	struct vfio_region_info rtc, gpio;
	int efd[2];
};

FIXTURE_SETUP(irq_engine)
{
	int ret, i;

	if (!dt_node_exists(IRQ_NODE))
		SKIP(return, "no %s (only in the composite test mode)", IRQ_NODE);
	ret = vpt_setup(&self->dev, "platform", IRQ_ENGINE, NULL);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", IRQ_ENGINE, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", IRQ_ENGINE, strerror(-ret));
	ASSERT_EQ(0, vpt_region_info(self->dev.fd, 1, &self->rtc));
	ASSERT_EQ(0, vpt_region_info(self->dev.fd, 2, &self->gpio));
	for (i = 0; i < 2; i++) {
		self->efd[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, self->efd[i]);
		ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, i,
					     VFIO_IRQ_SET_ACTION_TRIGGER,
					     self->efd[i]));
	}
}

FIXTURE_TEARDOWN_PARENT(irq_engine)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

#define GPIO_WR(off, val) vpt_write32(self->dev.fd, &self->gpio, off, val)
#define RTC_WR(off, val) vpt_write32(self->dev.fd, &self->rtc, off, val)

/* Each part's interrupt arrives on its own eventfd, and only there. */
TEST_F(irq_engine, each_part_own_eventfd)
{
	uint64_t cnt;
	uint32_t dr;

	check_region(_metadata, self->dev.fd, 1, RTC_NODE, 0);
	check_region(_metadata, self->dev.fd, 2, GPIO_NODE, 0);
	check_irq(_metadata, self->dev.fd, 0, RTC_NODE, 0);
	check_irq(_metadata, self->dev.fd, 1, GPIO_NODE, 0);

	/* PL061: pin 0 reads low, so "level low" on it fires at once. */
	GPIO_WR(0x400, 0);		/* DIR: inputs */
	GPIO_WR(0x408, 0);		/* IBE */
	GPIO_WR(0x40c, 0);		/* IEV: low */
	GPIO_WR(0x404, 1);		/* IS: level */
	GPIO_WR(0x41c, 0xff);		/* IC */
	GPIO_WR(0x410, 1);		/* IE */
	EXPECT_EQ(1, vpt_eventfd_wait(self->efd[1], 1000, &cnt));
	EXPECT_EQ(0, vpt_eventfd_wait(self->efd[0], 200, &cnt));
	GPIO_WR(0x410, 0);
	GPIO_WR(0x40c, 1);
	GPIO_WR(0x41c, 1);
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 1, VFIO_IRQ_SET_ACTION_UNMASK, 1));

	/* PL031: a match one second ahead. */
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->rtc, 0x00, &dr));
	RTC_WR(0x04, dr + 1);		/* MR */
	RTC_WR(0x10, 1);		/* IMSC */
	EXPECT_EQ(1, vpt_eventfd_wait(self->efd[0], 3000, &cnt));
	EXPECT_EQ(0, vpt_eventfd_wait(self->efd[1], 200, &cnt));
	RTC_WR(0x10, 0);
	RTC_WR(0x1c, 1);		/* ICR */
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, VFIO_IRQ_SET_ACTION_UNMASK, 1));
}

TEST_HARNESS_MAIN
