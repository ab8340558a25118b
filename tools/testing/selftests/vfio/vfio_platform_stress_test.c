// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform under stress: bind/unbind cycles between the native driver
 * and vfio (with and without an open device fd), open/close on several
 * threads, concurrent VFIO_DEVICE_SET_IRQS, an interrupt storm racing a
 * close, and kill -9 of a process holding armed interrupts, eventfds and
 * mappings. Every test prints what it tried ("calls"), how many cycles it
 * ran, and how many kernel reports (WARNING, BUG, ...) appeared in the
 * kernel log meanwhile; a report fails the test.
 *
 * VFIO_STRESS_SCALE (percent, default 100) scales every loop, for slow
 * (debug) kernels: at 100 the bind/unbind tests run 1000 cycles each.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define RNG_SLOT	"a003e00.virtio_mmio"
#define PL031		"9010000.pl031"
#define PL061		"9030000.pl061"

/* PL061 registers */
#define GPIO_DIR	0x400
#define GPIO_IS		0x404
#define GPIO_IBE	0x408
#define GPIO_IEV	0x40c
#define GPIO_IE		0x410
#define GPIO_MIS	0x418
#define GPIO_IC		0x41c

#define TRIGGER		VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK		VFIO_IRQ_SET_ACTION_MASK
#define UNMASK		VFIO_IRQ_SET_ACTION_UNMASK

/* ---- loop counts, time, kernel reports ---- */

static unsigned int scaled(unsigned int n)
{
	const char *s = getenv("VFIO_STRESS_SCALE");
	unsigned long pct = s ? strtoul(s, NULL, 10) : 100;
	unsigned long v = (unsigned long)n * pct / 100;

	return v ? v : 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* /dev/kmsg, positioned after the records logged so far. */
static int kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static const char *const report_marks[] = {
	"WARNING:", "BUG:", "Oops", "Call trace", "Unable to handle",
	"KASAN", "UBSAN", "kmemleak", "possible circular", "INFO: task",
	"nobody cared", "unexpected IRQ", "Bad IRQ", "list_add corruption",
	"refcount_t", "general protection",
};

/* Kernel reports logged since kmsg_mark(); they are printed. */
static int kmsg_reports(int fd)
{
	char rec[2048];
	int n = 0;
	ssize_t len;
	size_t i;

	if (fd < 0)
		return 0;
	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (len <= 0)
			break;
		rec[len] = '\0';
		for (i = 0; i < ARRAY_SIZE(report_marks); i++) {
			if (strstr(rec, report_marks[i])) {
				printf("# kernel: %s", strchr(rec, ';') ?
				       strchr(rec, ';') + 1 : rec);
				n++;
				break;
			}
		}
	}
	close(fd);
	return n;
}

/* ---- bind/unbind cycles: native driver <-> vfio ---- */

FIXTURE(cycles) {
	struct vpt_dev dev;
	int kmsg;
};

FIXTURE_VARIANT(cycles) {
	const char *bus;
	const char *name;
	const char *native;	/* the driver the device starts with */
	uint32_t off;		/* a register that reads @id */
	uint32_t id;
};

/* QEMU's virtio-rng: virtio-mmio binds it and registers a hwrng. */
FIXTURE_VARIANT_ADD(cycles, virtio_rng) {
	.bus = "platform", .name = RNG_SLOT, .native = "virtio-mmio",
	.off = 0x0, .id = 0x74726976,	/* "virt" */
};

FIXTURE_VARIANT_ADD(cycles, pl031) {
	.bus = "amba", .name = PL031, .native = "rtc-pl031",
	.off = 0xfe0, .id = 0x31,
};

FIXTURE_SETUP(cycles)
{
	char drv[VPT_NAME_MAX];
	char path[128];

	self->kmsg = kmsg_mark();
	self->dev.fd = -1;
	self->dev.group = -1;
	self->dev.container = -1;
	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s", variant->bus,
		 variant->name);
	if (access(path, F_OK))
		SKIP(return, "%s: no such device", variant->name);
	ASSERT_EQ(0, vpt_current_driver(variant->bus, variant->name, drv,
					sizeof(drv)));
	ASSERT_STREQ(variant->native, drv);
}

FIXTURE_TEARDOWN_PARENT(cycles)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

static int sysfs_dev_write(const char *bus, const char *name,
			   const char *attr, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/%s", bus, name,
		 attr);
	return vpt_sysfs_write(path, val);
}

static int native_is_back(const char *bus, const char *name,
			  const char *native)
{
	char drv[VPT_NAME_MAX];
	int ret = vpt_current_driver(bus, name, drv, sizeof(drv));

	return ret ? ret : strcmp(drv, native) ? -EIO : 0;
}

/* Bind, open and read the ID register, close, give back: @n times. */
TEST_F_TIMEOUT(cycles, unbind_bind, 110)
{
	unsigned int i, n = scaled(1000), done = 0, calls = 0, fails = 0;
	struct vfio_region_info r0;
	double t0 = now_ms();
	uint32_t id;
	int ret;

	for (i = 0; i < n; i++) {
		calls++;
		ret = vpt_bind(&self->dev, variant->bus, variant->name);
		if (i == 0 && vpt_skip_reason(ret))
			SKIP(return, "%s: %s", variant->name,
			     vpt_skip_reason(ret));
		if (ret) {
			TH_LOG("cycle %u: bind: %s", i, strerror(-ret));
			fails++;
			break;
		}
		/* Every tenth cycle also opens the device. */
		if (i % 10 == 0) {
			calls += 3;
			ret = vpt_open_group(&self->dev);
			if (!ret) {
				self->dev.fd = vpt_get_fd(&self->dev);
				ret = self->dev.fd < 0 ? self->dev.fd : 0;
			}
			if (!ret)
				ret = vpt_region_info(self->dev.fd, 0, &r0);
			if (!ret)
				ret = vpt_read32(self->dev.fd, &r0, variant->off, &id);
			if (!ret && id != variant->id)
				ret = -EIO;
			vpt_close(&self->dev);
			if (ret) {
				TH_LOG("cycle %u: open: %s", i, strerror(-ret));
				fails++;
			}
		}
		calls += 2;
		ret = vpt_restore(&self->dev);
		if (!ret)
			ret = native_is_back(variant->bus, variant->name,
					     variant->native);
		if (ret) {
			TH_LOG("cycle %u: give back: %s", i, strerror(-ret));
			fails++;
			break;
		}
		done++;
	}
	ret = kmsg_reports(self->kmsg);
	printf("# %s: cycles=%u/%u calls=%u failures=%u reports=%d (%.2f ms/cycle)\n",
	       variant->name, done, n, calls, fails, ret,
	       done ? (now_ms() - t0) / done : 0.0);
	EXPECT_EQ(n, done);
	EXPECT_EQ(0, fails);
	EXPECT_EQ(0, ret);
}

/*
 * In a child process that holds no file of ours (else the unbind would
 * wait for itself): unbind @name from its vfio driver. Exit status 0 on
 * success.
 */
static pid_t unbind_child(const char *bus, const char *name)
{
	char path[256];
	pid_t pid = fork();

	if (pid)
		return pid;
	syscall(__NR_close_range, 3, ~0U, 0);
	snprintf(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind", bus,
		 vpt_vfio_driver(bus));
	_exit(vpt_sysfs_write(path, name) ? 1 : 0);
}

/* The scheduler state of process @pid ('R', 'S', 'D', ...). */
static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

/*
 * Unbind from vfio while the device is open: the VFIO core waits in
 * vfio_unregister_group_dev() until the last user closes (vfio-platform
 * has no request channel), the device keeps working meanwhile, and the
 * unbind completes once it is closed. Then the native driver binds again.
 */
TEST_F_TIMEOUT(cycles, unbind_while_open, 110)
{
	unsigned int i, n = scaled(1000), done = 0, calls = 0, fails = 0;
	unsigned int early = 0, blocked = 0;
	struct vfio_region_info r0;
	double t0 = now_ms();
	int ret, k, status;
	char probe[64], st;
	pid_t pid, w;
	uint32_t id;

	snprintf(probe, sizeof(probe), "/sys/bus/%s/drivers_probe",
		 variant->bus);
	for (i = 0; i < n; i++) {
		calls++;
		ret = vpt_bind(&self->dev, variant->bus, variant->name);
		if (i == 0 && vpt_skip_reason(ret))
			SKIP(return, "%s: %s", variant->name,
			     vpt_skip_reason(ret));
		ASSERT_EQ(0, ret) TH_LOG("cycle %u: bind: %s", i, strerror(-ret));
		calls += 3;
		ret = vpt_open_group(&self->dev);
		if (!ret) {
			self->dev.fd = vpt_get_fd(&self->dev);
			ret = self->dev.fd < 0 ? self->dev.fd : 0;
		}
		if (!ret)
			ret = vpt_region_info(self->dev.fd, 0, &r0);
		ASSERT_EQ(0, ret) TH_LOG("cycle %u: open: %s", i, strerror(-ret));

		/* No automatic bind back to vfio after the unbind. */
		calls++;
		ASSERT_EQ(0, sysfs_dev_write(variant->bus, variant->name,
					     "driver_override", "\n"));
		calls++;
		pid = unbind_child(variant->bus, variant->name);
		ASSERT_LE(0, pid);
		/* Wait for the unbind to go to sleep (up to 1 s). */
		w = 0;
		for (k = 0; k < 5000 && !w; k++) {
			st = proc_state(pid);
			if (st == 'S' || st == 'D')
				break;
			usleep(200);
			w = waitpid(pid, &status, WNOHANG);
		}
		if (!w && k < 5000)
			blocked++;
		/* The device still works for its user. */
		calls++;
		if (vpt_read32(self->dev.fd, &r0, variant->off, &id) ||
		    id != variant->id)
			fails++;
		if (!w)
			w = waitpid(pid, &status, WNOHANG);
		if (w)
			early++;
		/* The last close lets the unbind finish. */
		vpt_close(&self->dev);
		for (k = 0; k < 25000 && !w; k++) {
			w = waitpid(pid, &status, WNOHANG);
			if (!w)
				usleep(200);
		}
		ASSERT_EQ(pid, w) TH_LOG("cycle %u: unbind still waiting after the close",
					 i);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_LOG("cycle %u: unbind failed", i);
			fails++;
		}
		calls++;
		ret = vpt_sysfs_write(probe, variant->name);
		if (!ret)
			ret = native_is_back(variant->bus, variant->name,
					     variant->native);
		ASSERT_EQ(0, ret) TH_LOG("cycle %u: native driver: %s", i,
					 strerror(-ret));
		self->dev.bound = false;
		done++;
	}
	ret = kmsg_reports(self->kmsg);
	printf("# %s: cycles=%u/%u calls=%u failures=%u reports=%d\n",
	       variant->name, done, n, calls, fails, ret);
	printf("# %s: unbind-before-close=%u blocked-seen=%u (%.2f ms/cycle)\n",
	       variant->name, early, blocked,
	       done ? (now_ms() - t0) / done : 0.0);
	EXPECT_EQ(n, done);
	EXPECT_EQ(0, fails);
	EXPECT_EQ(0, early);
	/* The unbind was seen waiting for the close, not just not done. */
	EXPECT_LE(n * 9 / 10, blocked);
	EXPECT_EQ(0, ret);
}

/* ---- one bound device, opened by the tests ---- */

FIXTURE(pl061) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
	int kmsg;
};

FIXTURE_SETUP(pl061)
{
	int ret;

	self->kmsg = kmsg_mark();
	ret = vpt_setup(&self->dev, "amba", PL061, &self->r0);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PL061, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", PL061, strerror(-ret));
	vpt_write32(self->dev.fd, &self->r0, GPIO_IE, 0);
	vpt_write32(self->dev.fd, &self->r0, GPIO_IC, 0xff);
}

FIXTURE_TEARDOWN_PARENT(pl061)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* Pin 0 reads low: "level low" on it is true at once. */
static int pl061_raise(int fd, const struct vfio_region_info *r)
{
	static const uint32_t seq[][2] = {
		{ GPIO_DIR, 0 }, { GPIO_IBE, 0 }, { GPIO_IEV, 0 },
		{ GPIO_IS, 1 }, { GPIO_IC, 0xff }, { GPIO_IE, 1 },
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		ret = vpt_write32(fd, r, seq[i][0], seq[i][1]);
		if (ret)
			return ret;
	}
	return 0;
}

static int pl061_clear(int fd, const struct vfio_region_info *r)
{
	int ret = vpt_write32(fd, r, GPIO_IE, 0);

	if (!ret)
		ret = vpt_write32(fd, r, GPIO_IEV, 1);
	if (!ret)
		ret = vpt_write32(fd, r, GPIO_IC, 0xff);
	if (!ret)
		ret = vpt_write32(fd, r, GPIO_IS, 0);
	if (!ret)
		ret = vpt_write32(fd, r, GPIO_IEV, 0);
	return ret;
}

/*
 * One interrupt through a fresh eventfd on device fd @fd: the line
 * works. 0, or -errno / -ETIMEDOUT.
 */
static int pl061_round_trip(int fd, const struct vfio_region_info *r)
{
	uint64_t cnt;
	int efd, ret;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0)
		return -errno;
	ret = vpt_irq_eventfd(fd, 0, TRIGGER, efd);
	if (!ret)
		ret = pl061_raise(fd, r);
	if (!ret) {
		ret = vpt_eventfd_wait(efd, 2000, &cnt);
		ret = ret == 1 ? 0 : ret ? ret : -ETIMEDOUT;
	}
	pl061_clear(fd, r);
	vpt_irq_none(fd, 0, UNMASK, 1);
	vpt_irq_none(fd, 0, TRIGGER, 0);
	close(efd);
	return ret;
}

struct opener {
	struct vpt_dev *dev;
	const struct vfio_region_info *r0;
	unsigned int n;
	unsigned int opens;
	unsigned int fails;
};

static void *open_close_thread(void *arg)
{
	struct opener *o = arg;
	struct vfio_device_info info;
	unsigned int i;
	uint32_t v;
	int fd;

	for (i = 0; i < o->n; i++) {
		fd = vpt_get_fd(o->dev);
		if (fd < 0) {
			o->fails++;
			continue;
		}
		o->opens++;
		if (vpt_device_info(fd, &info) ||
		    vpt_read32(fd, o->r0, GPIO_DIR, &v))
			o->fails++;
		close(fd);
	}
	return NULL;
}

/* Device fds opened and closed on four threads at once. */
TEST_F_TIMEOUT(pl061, open_close_threads, 110)
{
	unsigned int i, n = scaled(250), opens = 0, fails = 0;
	struct opener o[4];
	pthread_t th[4];
	double t0 = now_ms();
	int ret;

	for (i = 0; i < 4; i++) {
		o[i] = (struct opener){ &self->dev, &self->r0, n, 0, 0 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, open_close_thread,
					    &o[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		opens += o[i].opens;
		fails += o[i].fails;
	}
	/* Still one working device, its interrupt too. */
	EXPECT_EQ(0, pl061_round_trip(self->dev.fd, &self->r0));
	ret = kmsg_reports(self->kmsg);
	printf("# open/close on 4 threads: calls=%u opens=%u failures=%u reports=%d (%.0f ms)\n",
	       4 * n * 3, opens, fails, ret, now_ms() - t0);
	EXPECT_EQ(4 * n, opens);
	EXPECT_EQ(0, fails);
	EXPECT_EQ(0, ret);
}

struct irq_setter {
	int fd;
	int efd;
	int uefd;	/* the unmask eventfd: never the trigger's */
	int which;
	unsigned int n;
	unsigned int calls;
	unsigned int fails;
	int last_err;
};

static void *set_irqs_thread(void *arg)
{
	struct irq_setter *s = arg;
	unsigned int i;
	int ret;

	for (i = 0; i < s->n; i++) {
		if (s->which == 0) {
			/* Arm and disarm the trigger. */
			ret = vpt_irq_eventfd(s->fd, 0, TRIGGER, s->efd);
			if (!ret)
				ret = vpt_irq_none(s->fd, 0, TRIGGER, 0);
			s->calls += 2;
		} else {
			/* Mask, unmask, an unmask eventfd on and off. */
			ret = vpt_irq_none(s->fd, 0, MASK, 1);
			if (!ret)
				ret = vpt_irq_none(s->fd, 0, UNMASK, 1);
			if (!ret)
				ret = vpt_irq_eventfd(s->fd, 0, UNMASK, s->uefd);
			if (!ret)
				ret = vpt_irq_eventfd(s->fd, 0, UNMASK, -1);
			if (!ret)
				ret = vpt_irq_eventfd(s->fd, 0, TRIGGER, s->efd);
			s->calls += 5;
		}
		if (ret) {
			s->fails++;
			s->last_err = ret;
		}
	}
	return NULL;
}

/* VFIO_DEVICE_SET_IRQS from two threads on one device at once. */
TEST_F_TIMEOUT(pl061, set_irqs_two_threads, 110)
{
	struct irq_setter s[2];
	unsigned int i, n = scaled(2000);
	pthread_t th[2];
	double t0 = now_ms();
	int ret;

	for (i = 0; i < 2; i++) {
		s[i] = (struct irq_setter){ .fd = self->dev.fd, .which = i,
					    .n = n };
		s[i].efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ASSERT_LE(0, s[i].efd);
		s[i].uefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ASSERT_LE(0, s[i].uefd);
	}
	/* The line is asserted all along: interrupts race the ioctls. */
	ASSERT_EQ(0, pl061_raise(self->dev.fd, &self->r0));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, set_irqs_thread,
					    &s[i]));
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(0, pl061_clear(self->dev.fd, &self->r0));
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, UNMASK, -1));
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, UNMASK, 1));
	/* Whatever the order was, the line works afterwards. */
	EXPECT_EQ(0, pl061_round_trip(self->dev.fd, &self->r0));
	ret = kmsg_reports(self->kmsg);
	printf("# SET_IRQS on 2 threads: calls=%u failures=%u (last %d) reports=%d (%.0f ms)\n",
	       s[0].calls + s[1].calls, s[0].fails + s[1].fails,
	       s[0].fails ? s[0].last_err : s[1].last_err, ret, now_ms() - t0);
	EXPECT_EQ(2 * n + 5 * n, s[0].calls + s[1].calls);
	EXPECT_EQ(0, s[0].fails + s[1].fails);
	EXPECT_EQ(0, ret);
}

/*
 * One eventfd as trigger and as mask or unmask eventfd: the interrupt
 * would mask or unmask its own line from the handler (a deadlock on the
 * line's lock before this was refused, or a level line re-armed forever).
 * Refused with EINVAL in either order, and nothing else changes.
 */
TEST_F(pl061, trigger_and_unmask_eventfd_refused)
{
	int efd, ufd, ret;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ufd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, ufd);

	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, efd));
	EXPECT_EQ(-EINVAL, vpt_irq_eventfd(self->dev.fd, 0, UNMASK, efd));
	EXPECT_EQ(-EINVAL, vpt_irq_eventfd(self->dev.fd, 0, MASK, efd));
	ASSERT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));

	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, UNMASK, ufd));
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, MASK, efd));
	EXPECT_EQ(-EINVAL, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, ufd));
	EXPECT_EQ(-EINVAL, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, efd));
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, MASK, -1));
	ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, UNMASK, -1));

	/* Once unregistered, an eventfd may be the trigger. */
	EXPECT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, ufd));
	EXPECT_EQ(0, vpt_irq_none(self->dev.fd, 0, TRIGGER, 0));
	EXPECT_EQ(0, pl061_round_trip(self->dev.fd, &self->r0));
	close(efd);
	close(ufd);
	ret = kmsg_reports(self->kmsg);
	printf("# one eventfd as trigger and (un)mask: calls=10 refused=4 reports=%d\n",
	       ret);
	EXPECT_EQ(0, ret);
}

struct storm {
	int fd;			/* the shared device fd; closed by the closer */
	int efd;
	unsigned int ms;	/* how long before the close */
	unsigned int events;
	unsigned int unmasks;
	unsigned int masks;
	unsigned int bad;	/* errors other than EBADF (closed) */
};

/* Take each interrupt and unmask at once: the level line fires again. */
static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	uint64_t cnt;
	int ret;

	for (;;) {
		ret = vpt_eventfd_wait(s->efd, 50, &cnt);
		if (ret == 1)
			__atomic_add_fetch(&s->events, cnt, __ATOMIC_RELAXED);
		ret = vpt_irq_none(s->fd, 0, UNMASK, 1);
		if (ret == -EBADF)
			break;
		if (ret)
			s->bad++;
		s->unmasks++;
	}
	return NULL;
}

static void *masker_thread(void *arg)
{
	struct storm *s = arg;
	int ret;

	for (;;) {
		ret = vpt_irq_none(s->fd, 0, (s->masks & 1) ? UNMASK : MASK, 1);
		if (ret == -EBADF)
			break;
		if (ret)
			s->bad++;
		s->masks++;
	}
	return NULL;
}

static void *closer_thread(void *arg)
{
	struct storm *s = arg;

	vpt_msleep(s->ms);
	close(s->fd);
	return NULL;
}

/*
 * An interrupt storm: the PL061's level line re-raised as fast as the
 * unmasks come, a second thread masking and unmasking, and a third closing
 * the device under them. The close resets the PL061 and frees the line;
 * the next open finds it quiet and working.
 */
TEST_F_TIMEOUT(pl061, irq_storm_close, 110)
{
	unsigned int round, rounds = scaled(10), events = 0, calls = 0, bad = 0;
	struct storm s;
	pthread_t th[3];
	double t0 = now_ms();
	uint32_t ie;
	int ret, efd;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	for (round = 0; round < rounds; round++) {
		ASSERT_EQ(0, vpt_irq_eventfd(self->dev.fd, 0, TRIGGER, efd));
		ASSERT_EQ(0, pl061_raise(self->dev.fd, &self->r0));
		s = (struct storm){ .fd = self->dev.fd, .efd = efd,
				    .ms = 100 + 20 * (round % 5) };
		ASSERT_EQ(0, pthread_create(&th[0], NULL, storm_thread, &s));
		ASSERT_EQ(0, pthread_create(&th[1], NULL, masker_thread, &s));
		ASSERT_EQ(0, pthread_create(&th[2], NULL, closer_thread, &s));
		pthread_join(th[2], NULL);
		pthread_join(th[0], NULL);
		pthread_join(th[1], NULL);
		self->dev.fd = -1;
		events += s.events;
		calls += s.unmasks + s.masks + 1;
		bad += s.bad;

		/* Reopen: the close reset the PL061 (GPIOIE is 0). */
		self->dev.fd = vpt_get_fd(&self->dev);
		ASSERT_LE(0, self->dev.fd) TH_LOG("round %u: reopen: %s", round,
						  strerror(-self->dev.fd));
		ASSERT_EQ(0, vpt_read32(self->dev.fd, &self->r0, GPIO_IE, &ie));
		EXPECT_EQ(0, ie) TH_LOG("round %u: not reset", round);
		while (vpt_eventfd_wait(efd, 0, &(uint64_t){ 0 }) == 1)
			;
	}
	EXPECT_EQ(0, pl061_round_trip(self->dev.fd, &self->r0));
	close(efd);
	ret = kmsg_reports(self->kmsg);
	printf("# IRQ storm, mask/unmask, close: rounds=%u calls=%u failures=%u reports=%d\n",
	       rounds, calls, bad, ret);
	printf("# IRQ storm: %u interrupts (%.0f ms)\n", events, now_ms() - t0);
	EXPECT_EQ(0, bad);
	/* The storm was one: many interrupts per round. */
	EXPECT_LE(rounds * 10, events);
	EXPECT_EQ(0, ret);
}

/* ---- kill -9 with everything armed ---- */

FIXTURE(killed) {
	struct vpt_dev dev;
	int kmsg;
};

FIXTURE_SETUP(killed)
{
	int ret;

	self->kmsg = kmsg_mark();
	ret = vpt_bind(&self->dev, "amba", PL061);
	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", PL061, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", PL061, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(killed)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/*
 * In a child: open the device, arm the trigger and an unmask eventfd, map
 * the registers, raise the level interrupt and keep re-arming it through
 * the unmask eventfd; say ready after the first interrupt, then run until
 * killed.
 */
static void child_storm(const struct vpt_dev *bound, int ready)
{
	struct vfio_region_info r0;
	struct vpt_dev d = *bound;
	long pg = sysconf(_SC_PAGESIZE);
	int efd, uefd, said = 0;
	uint64_t cnt;
	void *map;

	efd = eventfd(0, EFD_CLOEXEC);
	uefd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 || uefd < 0 || vpt_open_group(&d))
		_exit(1);
	d.fd = vpt_get_fd(&d);
	if (d.fd < 0 || vpt_region_info(d.fd, 0, &r0))
		_exit(1);
	map = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd,
		   r0.offset);
	if (map == MAP_FAILED ||
	    vpt_irq_eventfd(d.fd, 0, TRIGGER, efd) ||
	    vpt_irq_eventfd(d.fd, 0, UNMASK, uefd) ||
	    pl061_raise(d.fd, &r0))
		_exit(1);
	/* Extra state the reset must clear: all interrupts enabled. */
	vpt_mmio_write32(map, GPIO_IE, 0xff);
	for (;;) {
		if (read(efd, &cnt, sizeof(cnt)) != sizeof(cnt))
			_exit(1);
		if (!said++ && write(ready, "r", 1) != 1)
			_exit(1);
		if (eventfd_write(uefd, 1))
			_exit(1);
	}
}

TEST_F_TIMEOUT(killed, kill9_with_irqs_eventfds_mmaps, 110)
{
	unsigned int round, rounds = scaled(30), fails = 0, calls = 0;
	struct vfio_region_info r0;
	double t0 = now_ms();
	int status, p[2], ret;
	uint32_t ie;
	pid_t pid;
	char c;

	for (round = 0; round < rounds; round++) {
		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(p[0]);
			child_storm(&self->dev, p[1]);
		}
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &c, 1))
			TH_LOG("round %u: the child got no interrupt", round);
		close(p[0]);
		/* Somewhere in the storm. */
		usleep(1000 * (round % 7));
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		ASSERT_EQ(SIGKILL, WTERMSIG(status));

		/* The next open works, and finds the device reset. */
		calls += 4;
		ret = vpt_open_group(&self->dev);
		if (!ret) {
			self->dev.fd = vpt_get_fd(&self->dev);
			ret = self->dev.fd < 0 ? self->dev.fd : 0;
		}
		if (!ret)
			ret = vpt_region_info(self->dev.fd, 0, &r0);
		ASSERT_EQ(0, ret) TH_LOG("round %u: open after kill: %s", round,
					 strerror(-ret));
		ASSERT_EQ(0, vpt_read32(self->dev.fd, &r0, GPIO_IE, &ie));
		if (ie) {
			TH_LOG("round %u: GPIOIE 0x%x after the kill", round, ie);
			fails++;
		}
		/* And its interrupt works for the new user. */
		if (round % 5 == 0) {
			calls++;
			ret = pl061_round_trip(self->dev.fd, &r0);
			if (ret) {
				TH_LOG("round %u: no interrupt: %s", round,
				       strerror(-ret));
				fails++;
			}
		}
		vpt_close(&self->dev);
	}
	ret = kmsg_reports(self->kmsg);
	printf("# kill -9, IRQs/eventfds/mmaps live: cycles=%u calls=%u failures=%u reports=%d\n",
	       rounds, calls, fails, ret);
	printf("# kill -9: %.0f ms\n", now_ms() - t0);
	EXPECT_EQ(0, fails);
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN
