// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the vfio-platform core's pure helpers.
 */

#include <kunit/test.h>

#include "vfio_platform_priv.h"

/* A request of the natural width at an aligned offset is one access. */
static void vfio_platform_width_exact(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 1), 1);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x2, 2), 2);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x4, 4), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x70, 4), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x8, 8),
			IS_ENABLED(CONFIG_64BIT) ? 8 : 4);
}

/* Never wider than the offset's alignment or the bytes left. */
static void vfio_platform_width_bounded(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x1, 8), 1);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x2, 8), 2);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x4, 8), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 3), 2);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x0, 7), 4);
	KUNIT_EXPECT_EQ(test, vfio_platform_access_width(0x8, 5), 4);
}

/* Walking a transfer the way the core does covers it exactly once. */
static void vfio_platform_width_walk(struct kunit *test)
{
	static const struct {
		u64 off;
		size_t len;
		unsigned int accesses;
	} cases[] = {
		{ 0, 1, 1 }, { 0, 8, 1 }, { 3, 1, 1 }, { 1, 7, 3 },
		{ 3, 13, 3 }, { 0, 4096, 512 }, { 6, 4096, 514 },
	};
	unsigned int i;

	if (!IS_ENABLED(CONFIG_64BIT))
		kunit_skip(test, "access counts assume 8-byte accesses");

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
	KUNIT_CASE(vfio_platform_width_exact),
	KUNIT_CASE(vfio_platform_width_bounded),
	KUNIT_CASE(vfio_platform_width_walk),
	{ }
};

static struct kunit_suite vfio_platform_width_suite = {
	.name = "vfio-platform-access-width",
	.test_cases = vfio_platform_width_cases,
};

kunit_test_suite(vfio_platform_width_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the vfio-platform core");
