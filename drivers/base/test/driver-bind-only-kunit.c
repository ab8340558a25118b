// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for drivers and devices that the driver core binds only on
 * explicit request (struct device_driver.sysfs_bind_only and the per-device
 * "sysfs_bind_only" flag), and for the match_any_dev flag of platform
 * drivers.
 *
 * Most tests use a bus of their own, so that probing, matching and bus
 * rescans touch no device of the running system; the platform bus tests
 * only register and attach devices and drivers of their own.
 */

#include <kunit/resource.h>
#include <kunit/test.h>

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#define SBO_DEV_NAME	"sbo-kunit-dev"
#define SBO_PDRV_NAME	"sbo-kunit-plat"

static atomic_t sbo_match_calls = ATOMIC_INIT(0);

/* Everything matches on the test bus; count how often we are asked. */
static int sbo_bus_match(struct device *dev, const struct device_driver *drv)
{
	atomic_inc(&sbo_match_calls);
	return 1;
}

static const struct bus_type sbo_bus = {
	.name	= "sbo-kunit",
	.match	= sbo_bus_match,
};

struct sbo_driver {
	struct device_driver drv;
	int probed;
};

static int sbo_probe(struct device *dev)
{
	struct sbo_driver *sdrv = container_of(dev->driver, struct sbo_driver,
					       drv);

	sdrv->probed++;
	return 0;
}

static void sbo_dev_release(struct device *dev)
{
	kfree(dev);
}

KUNIT_DEFINE_ACTION_WRAPPER(device_unregister_wrapper, device_unregister,
			    struct device *);
KUNIT_DEFINE_ACTION_WRAPPER(driver_unregister_wrapper, driver_unregister,
			    struct device_driver *);
KUNIT_DEFINE_ACTION_WRAPPER(platform_device_unregister_wrapper,
			    platform_device_unregister,
			    struct platform_device *);
KUNIT_DEFINE_ACTION_WRAPPER(platform_driver_unregister_wrapper,
			    platform_driver_unregister,
			    struct platform_driver *);

/* Add a device to the test bus, flagged sysfs_bind_only before device_add(). */
static struct device *sbo_add_device(struct kunit *test, const char *name,
				     bool bind_only)
{
	struct device *dev;
	int ret;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);

	device_initialize(dev);
	dev->bus = &sbo_bus;
	dev->release = sbo_dev_release;
	dev_assign_sysfs_bind_only(dev, bind_only);
	ret = dev_set_name(dev, "%s", name);
	if (ret) {
		put_device(dev);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	ret = device_add(dev);
	if (ret) {
		put_device(dev);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	ret = kunit_add_action_or_reset(test, device_unregister_wrapper, dev);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return dev;
}

static struct sbo_driver *sbo_alloc_driver(struct kunit *test, const char *name,
					   bool bind_only)
{
	struct sbo_driver *sdrv;

	sdrv = kunit_kzalloc(test, sizeof(*sdrv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sdrv);

	sdrv->drv.name = name;
	sdrv->drv.bus = &sbo_bus;
	sdrv->drv.probe = sbo_probe;
	sdrv->drv.probe_type = PROBE_FORCE_SYNCHRONOUS;
	sdrv->drv.sysfs_bind_only = bind_only;

	return sdrv;
}

static struct sbo_driver *sbo_add_driver(struct kunit *test, const char *name,
					 bool bind_only)
{
	struct sbo_driver *sdrv = sbo_alloc_driver(test, name, bind_only);
	int ret;

	ret = driver_register(&sdrv->drv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, driver_unregister_wrapper,
					&sdrv->drv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return sdrv;
}

/*
 * A sysfs_bind_only driver is not even matched against the devices of its
 * bus on registration, nor on a rescan; device_driver_attach() binds it.
 */
static void sbo_driver_not_autobound_test(struct kunit *test)
{
	struct sbo_driver *sdrv;
	struct device *dev;

	dev = sbo_add_device(test, SBO_DEV_NAME, false);
	atomic_set(&sbo_match_calls, 0);

	sdrv = sbo_add_driver(test, "sbo-kunit-bind-only", true);
	KUNIT_EXPECT_NULL(test, dev->driver);
	KUNIT_EXPECT_EQ(test, atomic_read(&sbo_match_calls), 0);

	KUNIT_EXPECT_EQ(test, device_attach(dev), 0);
	KUNIT_EXPECT_EQ(test, bus_rescan_devices(&sbo_bus), 0);
	KUNIT_EXPECT_NULL(test, dev->driver);
	KUNIT_EXPECT_EQ(test, atomic_read(&sbo_match_calls), 0);
	KUNIT_EXPECT_EQ(test, sdrv->probed, 0);

	KUNIT_EXPECT_EQ(test, device_driver_attach(&sdrv->drv, dev), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &sdrv->drv);
	KUNIT_EXPECT_EQ(test, sdrv->probed, 1);
}

/*
 * A sysfs_bind_only driver does not stop the search for a driver: the next
 * matching driver on the bus binds the device when it is added.
 */
static void sbo_driver_skipped_for_next_test(struct kunit *test)
{
	struct sbo_driver *only, *normal;
	struct device *dev;

	only = sbo_add_driver(test, "sbo-kunit-bind-only", true);
	normal = sbo_add_driver(test, "sbo-kunit-normal", false);

	dev = sbo_add_device(test, SBO_DEV_NAME, false);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &normal->drv);
	KUNIT_EXPECT_EQ(test, only->probed, 0);
	KUNIT_EXPECT_EQ(test, normal->probed, 1);
}

/* sysfs_bind_only without bind attributes could never bind: refused. */
static void sbo_driver_needs_bind_attrs_test(struct kunit *test)
{
	struct sbo_driver *sdrv;

	sdrv = sbo_alloc_driver(test, "sbo-kunit-no-bind", true);
	sdrv->drv.suppress_bind_attrs = true;

	KUNIT_EXPECT_EQ(test, driver_register(&sdrv->drv), -EINVAL);
}

/*
 * A flagged device is bound neither when it is added, nor when a matching
 * driver registers, nor by device_attach() or a bus rescan; explicitly it
 * is. Once the flag is cleared, automatic binding works again.
 */
static void sbo_device_not_autobound_test(struct kunit *test)
{
	struct sbo_driver *first, *second;
	struct device *dev;

	first = sbo_add_driver(test, "sbo-kunit-first", false);
	dev = sbo_add_device(test, SBO_DEV_NAME, true);
	KUNIT_EXPECT_NULL(test, dev->driver);

	atomic_set(&sbo_match_calls, 0);
	second = sbo_add_driver(test, "sbo-kunit-second", false);
	KUNIT_EXPECT_NULL(test, dev->driver);

	KUNIT_EXPECT_EQ(test, device_attach(dev), 0);
	KUNIT_EXPECT_EQ(test, bus_rescan_devices(&sbo_bus), 0);
	KUNIT_EXPECT_NULL(test, dev->driver);
	/* Skipped before matching, so never queued for deferred probing. */
	KUNIT_EXPECT_EQ(test, atomic_read(&sbo_match_calls), 0);
	KUNIT_EXPECT_EQ(test, first->probed + second->probed, 0);

	KUNIT_EXPECT_EQ(test, device_driver_attach(&second->drv, dev), 0);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &second->drv);

	device_release_driver(dev);
	KUNIT_EXPECT_NULL(test, dev->driver);
	KUNIT_EXPECT_EQ(test, device_attach(dev), 0);
	KUNIT_EXPECT_NULL(test, dev->driver);

	dev_clear_sysfs_bind_only(dev);
	KUNIT_EXPECT_EQ(test, device_attach(dev), 1);
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &first->drv);
	KUNIT_EXPECT_EQ(test, first->probed, 1);
}

static bool sbo_defer;

static int sbo_defer_probe(struct device *dev)
{
	struct sbo_driver *sdrv = container_of(dev->driver, struct sbo_driver,
					       drv);

	sdrv->probed++;
	return READ_ONCE(sbo_defer) ? -EPROBE_DEFER : 0;
}

/*
 * Deferred probe retries skip a device flagged while it waited on the
 * deferred list, and still bind the others.
 */
static void sbo_device_deferred_test(struct kunit *test)
{
	struct device *flagged, *plain, *trigger;
	struct sbo_driver *sdrv;
	int ret;

	WRITE_ONCE(sbo_defer, true);
	flagged = sbo_add_device(test, "sbo-kunit-deferred-flagged", false);
	plain = sbo_add_device(test, "sbo-kunit-deferred-plain", false);
	sdrv = sbo_alloc_driver(test, "sbo-kunit-defer", false);
	sdrv->drv.probe = sbo_defer_probe;
	ret = driver_register(&sdrv->drv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, driver_unregister_wrapper,
					&sdrv->drv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, sdrv->probed, 2);
	KUNIT_EXPECT_NULL(test, flagged->driver);
	KUNIT_EXPECT_NULL(test, plain->driver);

	dev_assign_sysfs_bind_only(flagged, true);
	WRITE_ONCE(sbo_defer, false);
	/* A successful bind triggers the deferred probe retries. */
	trigger = sbo_add_device(test, "sbo-kunit-deferred-trigger", false);
	wait_for_device_probe();

	KUNIT_EXPECT_PTR_EQ(test, trigger->driver, &sdrv->drv);
	KUNIT_EXPECT_PTR_EQ(test, plain->driver, &sdrv->drv);
	KUNIT_EXPECT_NULL(test, flagged->driver);

	KUNIT_EXPECT_EQ(test, device_driver_attach(&sdrv->drv, flagged), 0);
	KUNIT_EXPECT_PTR_EQ(test, flagged->driver, &sdrv->drv);
}

/*
 * A flagged device that goes away leaves nothing behind: a new device of
 * the same name is bound automatically again.
 */
static void sbo_device_removed_test(struct kunit *test)
{
	struct sbo_driver *sdrv;
	struct device *dev;

	sdrv = sbo_add_driver(test, "sbo-kunit-drv", false);
	dev = sbo_add_device(test, "sbo-kunit-removed", true);
	KUNIT_EXPECT_NULL(test, dev->driver);
	kunit_release_action(test, device_unregister_wrapper, dev);

	dev = sbo_add_device(test, "sbo-kunit-removed", false);
	KUNIT_EXPECT_FALSE(test, dev_sysfs_bind_only(dev));
	KUNIT_EXPECT_PTR_EQ(test, dev->driver, &sdrv->drv);
}

static int sbo_platform_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver *sbo_alloc_pdrv(struct kunit *test,
					      const char *name, bool any,
					      bool bind_only)
{
	struct platform_driver *pdrv;

	pdrv = kunit_kzalloc(test, sizeof(*pdrv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pdrv);

	pdrv->probe = sbo_platform_probe;
	pdrv->match_any_dev = any;
	pdrv->driver.name = name;
	pdrv->driver.probe_type = PROBE_FORCE_SYNCHRONOUS;
	pdrv->driver.sysfs_bind_only = bind_only;

	return pdrv;
}

static struct platform_driver *sbo_add_pdrv(struct kunit *test,
					    const char *name, bool any,
					    bool bind_only)
{
	struct platform_driver *pdrv;
	int ret;

	pdrv = sbo_alloc_pdrv(test, name, any, bind_only);
	ret = platform_driver_register(pdrv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, platform_driver_unregister_wrapper,
					pdrv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return pdrv;
}

static struct platform_device *sbo_add_pdev(struct kunit *test,
					    const char *override,
					    bool bind_only)
{
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_alloc(SBO_DEV_NAME, PLATFORM_DEVID_AUTO);
	KUNIT_ASSERT_NOT_NULL(test, pdev);

	dev_assign_sysfs_bind_only(&pdev->dev, bind_only);
	ret = override ? device_set_driver_override(&pdev->dev, override) : 0;
	if (!ret)
		ret = platform_device_add(pdev);
	if (ret) {
		platform_device_put(pdev);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	ret = kunit_add_action_or_reset(test, platform_device_unregister_wrapper,
					pdev);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return pdev;
}

static int sbo_count_dev(struct device *dev, void *data)
{
	(*(int *)data)++;
	return 0;
}

/*
 * A match_any_dev platform driver matches any platform device unless the
 * device's driver_override names another driver, binds to none of them on
 * its own, and can be bound explicitly.
 */
static void sbo_platform_match_any_dev_test(struct kunit *test)
{
	struct platform_device *pdev, *other;
	struct platform_driver *any;
	int bound = 0;

	pdev = sbo_add_pdev(test, NULL, false);
	other = sbo_add_pdev(test, "sbo-kunit-other", false);
	any = sbo_add_pdrv(test, "sbo-kunit-any", true, true);

	KUNIT_EXPECT_GT(test, platform_bus_type.match(&pdev->dev, &any->driver), 0);
	KUNIT_EXPECT_EQ(test, platform_bus_type.match(&other->dev, &any->driver), 0);

	/* No platform device at all, ours or the system's, got bound. */
	KUNIT_EXPECT_EQ(test, driver_for_each_device(&any->driver, NULL, &bound,
						     sbo_count_dev), 0);
	KUNIT_EXPECT_EQ(test, bound, 0);
	KUNIT_EXPECT_EQ(test, device_attach(&pdev->dev), 0);
	KUNIT_EXPECT_NULL(test, pdev->dev.driver);

	KUNIT_EXPECT_EQ(test, device_driver_attach(&any->driver, &pdev->dev), 0);
	KUNIT_EXPECT_PTR_EQ(test, pdev->dev.driver, &any->driver);
}

/* A match_any_dev driver that would bind on its own is refused. */
static void sbo_platform_match_any_dev_needs_bind_only_test(struct kunit *test)
{
	struct platform_driver *pdrv;

	pdrv = sbo_alloc_pdrv(test, "sbo-kunit-any", true, false);
	KUNIT_EXPECT_EQ(test, platform_driver_register(pdrv), -EINVAL);
}

/*
 * A flagged platform device is not bound by the registration of a driver
 * that its driver_override names, nor by device_attach(); explicitly it
 * is.
 */
static void sbo_platform_device_override_test(struct kunit *test)
{
	struct platform_driver *pdrv;
	struct platform_device *pdev;

	pdev = sbo_add_pdev(test, SBO_PDRV_NAME, true);
	pdrv = sbo_add_pdrv(test, SBO_PDRV_NAME, false, false);

	KUNIT_EXPECT_GT(test, platform_bus_type.match(&pdev->dev, &pdrv->driver), 0);
	KUNIT_EXPECT_NULL(test, pdev->dev.driver);
	KUNIT_EXPECT_EQ(test, device_attach(&pdev->dev), 0);
	KUNIT_EXPECT_NULL(test, pdev->dev.driver);

	KUNIT_EXPECT_EQ(test, device_driver_attach(&pdrv->driver, &pdev->dev), 0);
	KUNIT_EXPECT_PTR_EQ(test, pdev->dev.driver, &pdrv->driver);
}

/*
 * driver_override naming a sysfs_bind_only driver is an explicit request:
 * the driver's registration binds the device that names it (and no other),
 * and so does device_attach(), which backs drivers_probe.
 */
static void sbo_platform_bind_only_override_test(struct kunit *test)
{
	struct platform_device *pdev, *plain;
	struct platform_driver *any;

	pdev = sbo_add_pdev(test, "sbo-kunit-any", false);
	plain = sbo_add_pdev(test, NULL, false);
	any = sbo_add_pdrv(test, "sbo-kunit-any", true, true);

	KUNIT_EXPECT_PTR_EQ(test, pdev->dev.driver, &any->driver);
	KUNIT_EXPECT_NULL(test, plain->dev.driver);

	device_release_driver(&pdev->dev);
	KUNIT_EXPECT_NULL(test, pdev->dev.driver);
	KUNIT_EXPECT_EQ(test, device_attach(&pdev->dev), 1);
	KUNIT_EXPECT_PTR_EQ(test, pdev->dev.driver, &any->driver);
}

static int sbo_suite_init(struct kunit_suite *suite)
{
	return bus_register(&sbo_bus);
}

static void sbo_suite_exit(struct kunit_suite *suite)
{
	bus_unregister(&sbo_bus);
}

static struct kunit_case driver_bind_only_tests[] = {
	KUNIT_CASE(sbo_driver_not_autobound_test),
	KUNIT_CASE(sbo_driver_skipped_for_next_test),
	KUNIT_CASE(sbo_driver_needs_bind_attrs_test),
	KUNIT_CASE(sbo_device_not_autobound_test),
	KUNIT_CASE(sbo_platform_match_any_dev_test),
	KUNIT_CASE(sbo_platform_match_any_dev_needs_bind_only_test),
	KUNIT_CASE(sbo_platform_device_override_test),
	KUNIT_CASE(sbo_platform_bind_only_override_test),
	KUNIT_CASE(sbo_device_deferred_test),
	KUNIT_CASE(sbo_device_removed_test),
	{}
};

static struct kunit_suite driver_bind_only_test_suite = {
	.name = "driver-bind-only",
	.suite_init = sbo_suite_init,
	.suite_exit = sbo_suite_exit,
	.test_cases = driver_bind_only_tests,
};

kunit_test_suite(driver_bind_only_test_suite);

MODULE_DESCRIPTION("KUnit tests for sysfs_bind_only and match_any_dev");
MODULE_LICENSE("GPL");
