// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the vfio-platform core's pure helpers.
 */

#include <kunit/test.h>
#include <linux/of.h>

#include "vfio_platform_priv.h"

/* At an aligned offset with enough bytes left: the widest bulk access. */
static void vfio_platform_width_aligned(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 1), 1);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x2, 2), 2);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x4, 4), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x70, 4), 4);
}

/*
 * Never wider than the offset's alignment, the bytes left or 4 bytes: a
 * bulk transfer makes no 8-byte access, which 32-bit buses (APB) fault
 * on or split.
 */
static void vfio_platform_width_bounded(struct kunit *test)
{
	u64 off;
	size_t len;

	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x1, 8), 1);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x2, 8), 2);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x4, 8), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 3), 2);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 7), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x8, 5), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 8), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x8, 4096), 4);

	for (off = 0; off < 16; off++)
		for (len = 1; len <= 64; len++)
			KUNIT_EXPECT_LE_MSG(test,
					    vfio_platform_access_width(off, len),
					    VFIO_PLATFORM_BULK_WIDTH,
					    "offset %llu length %zu", off, len);
}

/*
 * Walking a transfer the way the core's bulk path does covers it exactly
 * once, in the expected number of accesses (4 bytes each once aligned).
 */
static void vfio_platform_width_walk(struct kunit *test)
{
	static const struct {
		u64 off;
		size_t len;
		unsigned int accesses;
	} cases[] = {
		{ 0, 1, 1 }, { 0, 8, 2 }, { 3, 1, 1 }, { 1, 7, 3 },
		{ 3, 13, 4 }, { 0, 256, 64 }, { 0, 4096, 1024 },
		{ 6, 4096, 1025 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 pos = cases[i].off, end = cases[i].off + cases[i].len;
		unsigned int n = 0, width;

		while (pos < end) {
			width = vfio_platform_access_width(pos, end - pos);
			KUNIT_EXPECT_EQ(test, pos & (width - 1), 0);
			KUNIT_EXPECT_LE(test, pos + width, end);
			pos += width;
			n++;
		}
		KUNIT_EXPECT_EQ_MSG(test, n, cases[i].accesses,
				    "offset %llu length %zu", cases[i].off,
				    cases[i].len);
	}
}

static struct kunit_case vfio_platform_width_cases[] = {
	KUNIT_CASE(vfio_platform_width_aligned),
	KUNIT_CASE(vfio_platform_width_bounded),
	KUNIT_CASE(vfio_platform_width_walk),
	{ }
};

static struct kunit_suite vfio_platform_width_suite = {
	.name = "vfio-platform-access-width",
	.test_cases = vfio_platform_width_cases,
};

/* A property of a detached test node, with a string value. */
#define VFIO_TEST_PROP(n, v) \
	{ .name = (n), .length = sizeof(v), .value = (void *)(v) }

/*
 * Which child node is a part: one without "compatible", unless disabled.
 * OF_POPULATED must not matter: it is cleared when an I2C or SPI
 * controller or an MFD parent is unbound and its children depopulated.
 */
static void vfio_platform_of_parts(struct kunit *test)
{
	struct property compat = VFIO_TEST_PROP("compatible", "vfiotest,pmic");
	struct property okay = VFIO_TEST_PROP("status", "okay");
	struct property off = VFIO_TEST_PROP("status", "disabled");
	struct device_node *np;

	np = kunit_kzalloc(test, sizeof(*np), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, np);
	np->name = "part";

	/* No "compatible": a part, whether or not "status" says okay. */
	KUNIT_EXPECT_TRUE(test, vfio_platform_of_is_part(np));
	np->properties = &okay;
	KUNIT_EXPECT_TRUE(test, vfio_platform_of_is_part(np));
	np->properties = &off;
	KUNIT_EXPECT_FALSE(test, vfio_platform_of_is_part(np));

	/* A "compatible": a device of its own, populated or not. */
	np->properties = &compat;
	KUNIT_EXPECT_FALSE(test, vfio_platform_of_is_part(np));
	of_node_set_flag(np, OF_POPULATED);
	KUNIT_EXPECT_FALSE(test, vfio_platform_of_is_part(np));
	compat.next = &okay;
	KUNIT_EXPECT_FALSE(test, vfio_platform_of_is_part(np));
	of_node_clear_flag(np, OF_POPULATED);
	KUNIT_EXPECT_FALSE(test, vfio_platform_of_is_part(np));

	/* Without one, a node stays a part with OF_POPULATED set. */
	np->properties = &okay;
	of_node_set_flag(np, OF_POPULATED);
	KUNIT_EXPECT_TRUE(test, vfio_platform_of_is_part(np));
}

static struct kunit_case vfio_platform_of_cases[] = {
	KUNIT_CASE(vfio_platform_of_parts),
	{ }
};

static struct kunit_suite vfio_platform_of_suite = {
	.name = "vfio-platform-of-parts",
	.test_cases = vfio_platform_of_cases,
};

kunit_test_suites(&vfio_platform_width_suite, &vfio_platform_of_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the vfio-platform core");
