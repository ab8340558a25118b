// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform: device info and region access (pread/pwrite/mmap) on the
 * devices of QEMU's arm64 "virt" machine.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define VIRTIO_SLOT	"a000000.virtio_mmio"	/* empty slot, no driver */
#define FWCFG		"9020000.fw-cfg"
#define PFLASH		"0.flash"
#define PL031		"9010000.pl031"

#define VIRTIO_MAGIC	0x74726976	/* "virt" */
#define VIRTIO_VENDOR	0x554d4551	/* "QEMU" */

#define SZ_1M		(1024 * 1024UL)
#define SZ_64M		(64 * SZ_1M)

static const uint8_t pl031_id[4] = { 0x31, 0x10, 0x14, 0x00 };

/* A read that must fail with EINVAL and leave the buffer alone. */
static int read_rejected(int fd, uint64_t off, size_t len)
{
	uint8_t buf[16];
	ssize_t n;
	size_t i;

	memset(buf, 0xa5, sizeof(buf));
	n = pread(fd, buf, len, off);
	if (n != -1 || errno != EINVAL)
		return 0;
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0xa5)
			return 0;
	return 1;
}

/* A write that must fail with EINVAL. */
static int write_rejected(int fd, uint64_t off, const void *buf, size_t len)
{
	return pwrite(fd, buf, len, off) == -1 && errno == EINVAL;
}

/* ---- virtio-mmio slot: 0x200 bytes, not mmap'able, edge IRQ ---- */

FIXTURE(virtio_slot) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
};

FIXTURE_SETUP(virtio_slot)
{
	int ret = vpt_setup(&self->dev, "platform", VIRTIO_SLOT, &self->r0);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", VIRTIO_SLOT, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", VIRTIO_SLOT, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(virtio_slot)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(virtio_slot, device_info)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PLATFORM);
	EXPECT_FALSE(info.flags & VFIO_DEVICE_FLAGS_AMBA);
	EXPECT_EQ(1, info.num_regions);
	EXPECT_EQ(1, info.num_irqs);
}

TEST_F(virtio_slot, region_info_no_mmap)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_region_info bad;
	void *p;

	EXPECT_EQ(0x200, self->r0.size);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_READ);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_WRITE);
	EXPECT_FALSE(self->r0.flags & VFIO_REGION_INFO_FLAG_MMAP);

	p = mmap(NULL, page, PROT_READ, MAP_SHARED, self->dev.fd,
		 self->r0.offset);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, page);

	EXPECT_EQ(-EINVAL, vpt_region_info(self->dev.fd, 1, &bad));
	EXPECT_EQ(-EINVAL, vpt_region_info(self->dev.fd, ~0U, &bad));
}

TEST_F(virtio_slot, read_registers)
{
	uint32_t magic, version, id, vendor;
	uint64_t q;
	int fd = self->dev.fd;
	uint64_t base = self->r0.offset;

	ASSERT_EQ(4, pread(fd, &magic, 4, base + 0x0));
	EXPECT_EQ(VIRTIO_MAGIC, magic);
	ASSERT_EQ(4, pread(fd, &version, 4, base + 0x4));
	EXPECT_TRUE(version == 1 || version == 2) TH_LOG("version %u", version);
	ASSERT_EQ(4, pread(fd, &id, 4, base + 0x8));
	EXPECT_EQ(0, id) TH_LOG("%s is not an empty slot", VIRTIO_SLOT);
	ASSERT_EQ(4, pread(fd, &vendor, 4, base + 0xc));
	EXPECT_EQ(VIRTIO_VENDOR, vendor);

	/* One 8-byte access covers two registers. */
	ASSERT_EQ(8, pread(fd, &q, 8, base + 0x0));
	EXPECT_EQ((uint64_t)version << 32 | magic, q);
	ASSERT_EQ(8, pread(fd, &q, 8, base + 0x8));
	EXPECT_EQ((uint64_t)vendor << 32 | id, q);
}

TEST_F(virtio_slot, out_of_range)
{
	uint64_t base = self->r0.offset, size = self->r0.size;
	uint32_t v = 0;
	int fd = self->dev.fd;

	/* Crossing the end of the region: nothing is read. */
	EXPECT_TRUE(read_rejected(fd, base + size - 2, 4));
	EXPECT_TRUE(read_rejected(fd, base + size - 4, 8));
	EXPECT_TRUE(read_rejected(fd, base + size - 1, 2));
	/* Beyond the region. */
	EXPECT_TRUE(read_rejected(fd, base + size, 1));
	EXPECT_TRUE(read_rejected(fd, base + size + 0x1000, 4));
	/* No region there at all. */
	EXPECT_TRUE(read_rejected(fd, 1ULL << 62, 4));

	EXPECT_TRUE(write_rejected(fd, base + size - 2, &v, 4));
	EXPECT_TRUE(write_rejected(fd, base + size, &v, 4));
	EXPECT_TRUE(write_rejected(fd, 1ULL << 62, &v, 4));
}

/* ---- fw_cfg: 0x18 bytes, no IRQ, side-effecting data register ---- */

FIXTURE(fwcfg) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
};

FIXTURE_SETUP(fwcfg)
{
	int ret = vpt_setup(&self->dev, "platform", FWCFG, &self->r0);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", FWCFG, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", FWCFG, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(fwcfg)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

static int fwcfg_select(int fd, const struct vfio_region_info *r, uint16_t key)
{
	uint8_t be[2] = { key >> 8, key & 0xff };

	return pwrite(fd, be, 2, r->offset + 8) == 2 ? 0 : -errno;
}

TEST_F(fwcfg, device_info)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PLATFORM);
	EXPECT_FALSE(info.flags & VFIO_DEVICE_FLAGS_AMBA);
	EXPECT_EQ(1, info.num_regions);
	EXPECT_EQ(0, info.num_irqs);

	EXPECT_EQ(0x18, self->r0.size);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_READ);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_WRITE);
	EXPECT_FALSE(self->r0.flags & VFIO_REGION_INFO_FLAG_MMAP);
}

/* Selector 0 (FW_CFG_SIGNATURE) streams "QEMU" out of the data register. */
TEST_F(fwcfg, signature_byte_reads)
{
	char sig[5] = "";
	int fd = self->dev.fd;
	int i;

	ASSERT_EQ(0, fwcfg_select(fd, &self->r0, 0x0000));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1, pread(fd, &sig[i], 1, self->r0.offset + 0));
	EXPECT_STREQ("QEMU", sig);

	/* Two 2-byte reads continue the same stream from the start. */
	memset(sig, 0, sizeof(sig));
	ASSERT_EQ(0, fwcfg_select(fd, &self->r0, 0x0000));
	ASSERT_EQ(2, pread(fd, &sig[0], 2, self->r0.offset + 0));
	ASSERT_EQ(2, pread(fd, &sig[2], 2, self->r0.offset + 0));
	EXPECT_STREQ("QEMU", sig);
}

TEST_F(fwcfg, data_wide_reads)
{
	uint8_t id[4];
	char buf[9] = "";
	int fd = self->dev.fd;

	/* 8 bytes of a 4-byte item: "QEMU" then zero padding. */
	ASSERT_EQ(0, fwcfg_select(fd, &self->r0, 0x0000));
	ASSERT_EQ(8, pread(fd, buf, 8, self->r0.offset + 0));
	EXPECT_EQ(0, memcmp(buf, "QEMU\0\0\0\0", 8));

	/* FW_CFG_ID (selector 1): bit 0, the traditional interface, is set. */
	ASSERT_EQ(0, fwcfg_select(fd, &self->r0, 0x0001));
	ASSERT_EQ(4, pread(fd, id, 4, self->r0.offset + 0));
	EXPECT_TRUE(id[0] & 1);
}

/* The read-only DMA register reads "QEMU CFG" at every width. */
TEST_F(fwcfg, access_widths)
{
	static const char sig[] = "QEMU CFG";
	uint64_t base = self->r0.offset + 0x10;
	int fd = self->dev.fd;
	unsigned int width, off;
	char buf[8];

	for (width = 1; width <= 8; width <<= 1) {
		memset(buf, 0, sizeof(buf));
		for (off = 0; off < 8; off += width)
			ASSERT_EQ(width, pread(fd, buf + off, width, base + off))
				TH_LOG("%u-byte read at 0x%x", width, 0x10 + off);
		EXPECT_EQ(0, memcmp(buf, sig, 8))
			TH_LOG("%u-byte reads: \"%.8s\"", width, buf);
	}
}

TEST_F(fwcfg, out_of_range)
{
	uint64_t base = self->r0.offset, size = self->r0.size;
	int fd = self->dev.fd;

	EXPECT_TRUE(read_rejected(fd, base + 0x16, 4));
	EXPECT_TRUE(read_rejected(fd, base + 0x14, 8));
	EXPECT_TRUE(read_rejected(fd, base + 0x10, 9));
	EXPECT_TRUE(read_rejected(fd, base + size, 1));
}

/* ---- pflash: two 64 MiB banks, mmap'able ---- */

FIXTURE(pflash) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	struct vfio_region_info r1;
	uint8_t *a;
	uint8_t *b;
};

FIXTURE_SETUP(pflash)
{
	int ret;

	self->a = malloc(SZ_1M);
	self->b = malloc(SZ_1M);
	ASSERT_NE(NULL, self->a);
	ASSERT_NE(NULL, self->b);
	ret = vpt_setup(&self->dev, "platform", PFLASH, &self->r0);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PFLASH, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", PFLASH, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(pflash)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(pflash, device_info)
{
	struct vfio_device_info info;
	struct vfio_region_info r;
	unsigned int i;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PLATFORM);
	EXPECT_FALSE(info.flags & VFIO_DEVICE_FLAGS_AMBA);
	ASSERT_EQ(2, info.num_regions);
	EXPECT_EQ(0, info.num_irqs);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, vpt_region_info(self->dev.fd, i, &r));
		EXPECT_EQ(SZ_64M, r.size);
		EXPECT_TRUE(r.flags & VFIO_REGION_INFO_FLAG_READ);
		EXPECT_TRUE(r.flags & VFIO_REGION_INFO_FLAG_WRITE);
		EXPECT_TRUE(r.flags & VFIO_REGION_INFO_FLAG_MMAP);
	}
	ASSERT_EQ(0, vpt_region_info(self->dev.fd, 1, &r));
	EXPECT_NE(self->r0.offset, r.offset);
	EXPECT_EQ(-EINVAL, vpt_region_info(self->dev.fd, 2, &r));
}

/* 1 MiB reads at an even and an odd offset agree where they overlap. */
TEST_F(pflash, bulk_read)
{
	const uint64_t odd = 0x1001;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct vfio_region_info r;

		ASSERT_EQ(0, vpt_region_info(self->dev.fd, i, &r));
		ASSERT_EQ(SZ_1M, pread(self->dev.fd, self->a, SZ_1M, r.offset));
		ASSERT_EQ(SZ_1M, pread(self->dev.fd, self->b, SZ_1M,
				       r.offset + odd));
		EXPECT_EQ(0, memcmp(self->a + odd, self->b, SZ_1M - odd))
			TH_LOG("region %u", i);
		/* The last bytes of the bank, up to its very end. */
		ASSERT_EQ(SZ_1M, pread(self->dev.fd, self->a, SZ_1M,
				       r.offset + r.size - SZ_1M));
	}
}

TEST_F(pflash, mmap_matches_pread)
{
	uint8_t *p;

	p = vpt_mmap(&self->dev, self->dev.fd, SZ_64M, PROT_READ,
		     self->r0.offset);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(SZ_1M, pread(self->dev.fd, self->a, SZ_1M, self->r0.offset));
	memcpy(self->b, p, SZ_1M);
	EXPECT_EQ(0, memcmp(self->a, self->b, SZ_1M));
	ASSERT_EQ(SZ_1M, pread(self->dev.fd, self->a, SZ_1M,
			       self->r0.offset + SZ_64M - SZ_1M));
	memcpy(self->b, p + SZ_64M - SZ_1M, SZ_1M);
	EXPECT_EQ(0, memcmp(self->a, self->b, SZ_1M));
	EXPECT_EQ(0, vpt_munmap(&self->dev, p));

	/* A mapping must stay inside the region. */
	p = mmap(NULL, SZ_64M + sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED,
		 self->dev.fd, self->r0.offset);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, SZ_64M + sysconf(_SC_PAGESIZE));
}

/*
 * A write that crosses the end of a bank must not reach the flash: any
 * 16-bit half of 0x00900090 that arrived would be the CFI "read
 * identifier" command, after which the bank reads IDs instead of data.
 */
TEST_F(pflash, crossing_write_touches_nothing)
{
	const uint32_t cmd_read_id = 0x00900090, cmd_read_array = 0x00ff00ff;
	uint8_t before[64], after[64];
	int fd = self->dev.fd;

	ASSERT_EQ(0, vpt_region_info(fd, 1, &self->r1));
	ASSERT_EQ(64, pread(fd, before, 64, self->r1.offset));
	EXPECT_TRUE(write_rejected(fd, self->r1.offset + self->r1.size - 2,
				   &cmd_read_id, 4));
	ASSERT_EQ(64, pread(fd, after, 64, self->r1.offset));
	EXPECT_EQ(0, memcmp(before, after, 64));
	if (memcmp(before, after, 64))
		vpt_write32(fd, &self->r1, 0, cmd_read_array);

	EXPECT_TRUE(read_rejected(fd, self->r1.offset + self->r1.size - 2, 4));
}

/* ---- PL031 RTC (AMBA): one page, mmap'able ---- */

FIXTURE(pl031) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
};

FIXTURE_SETUP(pl031)
{
	int ret = vpt_setup(&self->dev, "amba", PL031, &self->r0);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PL031, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", PL031, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(pl031)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

TEST_F(pl031, device_info)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, vpt_device_info(self->dev.fd, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PLATFORM)
		TH_LOG("flags 0x%x", info.flags);
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_AMBA)
		TH_LOG("flags 0x%x", info.flags);
	EXPECT_EQ(1, info.num_regions);
	EXPECT_EQ(1, info.num_irqs);

	EXPECT_EQ(0x1000, self->r0.size);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_READ);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_WRITE);
	EXPECT_TRUE(self->r0.flags & VFIO_REGION_INFO_FLAG_MMAP);
}

TEST_F(pl031, periph_id)
{
	uint32_t v;
	uint16_t h;
	uint8_t c;
	int i;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->r0, 0xfe0 + 4 * i,
					&v));
		EXPECT_EQ(pl031_id[i], v);
	}
	ASSERT_EQ(1, pread(self->dev.fd, &c, 1, self->r0.offset + 0xfe0));
	EXPECT_EQ(pl031_id[0], c);
	ASSERT_EQ(2, pread(self->dev.fd, &h, 2, self->r0.offset + 0xfe4));
	EXPECT_EQ(pl031_id[1], h);
}

TEST_F(pl031, mmap)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t dr, mdr;
	void *p;
	int i;

	ASSERT_LE(self->r0.size, page);
	p = vpt_mmap(&self->dev, self->dev.fd, page, PROT_READ | PROT_WRITE,
		     self->r0.offset);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(pl031_id[i], vpt_mmio_read32(p, 0xfe0 + 4 * i));
	/* The counter seen through pread and then through the mapping. */
	ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->r0, 0, &dr));
	mdr = vpt_mmio_read32(p, 0);
	EXPECT_LE(dr, mdr);
	EXPECT_GE(dr + 2, mdr);
	EXPECT_EQ(0, vpt_munmap(&self->dev, p));

	/* Not beyond the region. */
	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, self->dev.fd,
		 self->r0.offset);
	EXPECT_EQ(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, 2 * page);
}

TEST_F(pl031, out_of_range)
{
	uint64_t base = self->r0.offset, size = self->r0.size;

	EXPECT_TRUE(read_rejected(self->dev.fd, base + size - 2, 4));
	EXPECT_TRUE(read_rejected(self->dev.fd, base + size - 4, 8));
	EXPECT_TRUE(read_rejected(self->dev.fd, base + size, 4));
}

TEST_HARNESS_MAIN
