// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform: a seeded, bounded fuzzer of the device fd.
 *
 * Every call is generated from a seed (VFIO_FUZZ_SEED, default below,
 * printed) and checked against a model of the uAPI that says what the
 * kernel must return: the exact result of a valid call, or the errno of a
 * rejected one. Ioctls get argsz 0, short, huge and misaligned, buffers
 * that end before the kernel's copy does, bad indices, unknown flags and
 * flag combinations, start + count overflows, bad, closed and non-eventfd
 * file descriptors, DATA_BOOL arrays of odd sizes; read and write get
 * huge, negative, unaligned and end-crossing offsets and sizes; mmap gets
 * bad offsets, sizes, protections and flags, and the mappings it gives are
 * partly unmapped, moved and resized.
 *
 * Valid calls that change state are limited to the interrupt plumbing,
 * which the model follows (which eventfd a loopback trigger must signal,
 * and which mask or unmask eventfd swallows it), and to writes the device
 * ignores. Every VFUZZ_CYCLE calls the device's registers, its info and
 * the eventfds are compared with what they were; at the end the device
 * must still work: a real interrupt (PL031) or a loopback one arrives, and
 * no file descriptor was left behind.
 *
 * VFIO_FUZZ_CALLS (calls per device) and VFIO_FUZZ_SECONDS bound the run.
 *
 * fw-cfg is left out: an access to its data register at an offset other
 * than 0 is a synchronous external abort in QEMU, which is no bug of the
 * driver but would end the run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "vfio_platform_util.h"

#define VFUZZ_SEED	0x5eedf00dcafe2026ULL
#define VFUZZ_CALLS	40000	/* per device: three devices, 120k calls */
#define VFUZZ_SECONDS	100	/* per device */
#define VFUZZ_CYCLE	1000	/* calls between state checks */
#define VFUZZ_REOPEN	10	/* cycles between device fd reopens */

#define ARENA_SIZE	(64 * 1024)
#define NPOOL		4	/* eventfds the fuzzer hands out */
#define MAX_REGIONS	4
#define MAX_IRQS	4
#define MAX_MAPS	8
#define MAX_SNAP	64
#define MAX_REPORTS	10

/* The bytes each ioctl reads first, and where cap_offset ends. */
#define DEV_INFO_MINSZ	(offsetof(struct vfio_device_info, num_irqs) + 4)
#define DEV_INFO_CAPSZ	(offsetof(struct vfio_device_info, cap_offset) + 4)
#define IRQ_INFO_MINSZ	(offsetof(struct vfio_irq_info, count) + 4)
#define IRQ_INFO_CAPSZ	(offsetof(struct vfio_irq_info, cap_offset) + 4)
#define IRQ_SET_MINSZ	(offsetof(struct vfio_irq_set, count) + 4)

#define RW_CHUNK	256	/* vfio-platform's bounce buffer */

#define TRIGGER		VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK		VFIO_IRQ_SET_ACTION_MASK
#define UNMASK		VFIO_IRQ_SET_ACTION_UNMASK

/* PL031 */
#define RTC_DR		0x00
#define RTC_MR		0x04
#define RTC_IMSC	0x10
#define RTC_ICR		0x1c

/* ---- seeded PRNG: splitmix64 ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

#define PICK(...) ({ \
	const uint64_t __v[] = { __VA_ARGS__ }; \
	__v[below(ARRAY_SIZE(__v))]; \
})

/* ---- expectations ---- */

#define MAX_ERRS	4

struct expect {
	bool ok;		/* success is right */
	int64_t val;		/* ... with this return value, -1: any */
	int errs[MAX_ERRS];	/* the errnos that are right, 0-terminated */
};

static struct expect want_ok(int64_t val)
{
	return (struct expect){ .ok = true, .val = val };
}

static struct expect want_err(int e1, int e2, int e3)
{
	return (struct expect){ .errs = { e1, e2, e3 } };
}

/* ---- the device under test and the model ---- */

struct fd_ref {			/* an eventfd of the pool, by generation */
	int slot;		/* -1: none */
	unsigned int gen;
};

struct line {
	uint32_t flags;		/* VFIO_IRQ_INFO_* */
	struct fd_ref trigger;	/* slot -1: no trigger; kernel may hold one */
	bool requested;
	struct fd_ref mask_fd, unmask_fd;
};

struct snap {
	uint32_t region;
	uint64_t off;
	uint32_t len;		/* 1..8 */
	uint64_t val;
};

struct fuzz {
	struct __test_metadata *meta;
	struct vpt_dev *dev;
	const char *name;
	bool write_safe;	/* in-range writes are ignored by the device */
	int fd;

	struct vfio_device_info info;
	uint32_t info_need;			/* argsz with the caps */
	struct vfio_region_info reg[MAX_REGIONS];
	uint32_t reg_need[MAX_REGIONS];
	struct vfio_irq_info irq[MAX_IRQS];
	uint32_t irq_need[MAX_IRQS];
	uint8_t *info_caps;			/* GET_INFO reply with caps */

	uint8_t *arena;				/* ARENA_SIZE, then a guard page */
	long page;

	int pool[NPOOL];
	unsigned int gen[NPOOL];
	uint64_t count[NPOOL];			/* expected eventfd counters */
	int closed_fd;				/* a closed fd number */
	int null_fd;				/* a file that is no eventfd */
	struct line line[MAX_IRQS];

	void *map[MAX_MAPS];
	size_t map_len[MAX_MAPS];
	uint64_t map_off[MAX_MAPS];		/* region offset of map start */
	unsigned int map_region[MAX_MAPS];

	struct snap snap[MAX_SNAP];
	int nsnap;

	/* tallies */
	uint64_t calls, ok, unexpected, cycles, reopens, maps, fired;
	uint64_t errno_count[256];
	const char *op;
	char desc[256];
};

static void report(struct fuzz *f, long ret, int err, const struct expect *e)
{
	char want[64];

	f->unexpected++;
	if (f->unexpected > MAX_REPORTS)
		return;
	if (e->ok)
		snprintf(want, sizeof(want), "success (%lld)", (long long)e->val);
	else
		snprintf(want, sizeof(want), "%s/%s/%s", strerrorname_np(e->errs[0]) ?: "-",
			 e->errs[1] ? strerrorname_np(e->errs[1]) : "-",
			 e->errs[2] ? strerrorname_np(e->errs[2]) : "-");
	printf("# %s: call %llu %s(%s): got %ld (%s), want %s\n",
	       f->name, (unsigned long long)f->calls, f->op, f->desc, ret,
	       ret < 0 ? strerrorname_np(err) : "ok", want);
	fflush(stdout);
}

/* Tally a call's outcome against @e; true if it was right. */
static bool check(struct fuzz *f, long ret, int err, struct expect e)
{
	int i;

	f->calls++;
	if (ret >= 0) {
		f->ok++;
		if (e.ok && (e.val < 0 || e.val == ret))
			return true;
	} else {
		if (err > 0 && err < 256)
			f->errno_count[err]++;
		for (i = 0; i < MAX_ERRS && e.errs[i]; i++)
			if (e.errs[i] == err)
				return true;
	}
	report(f, ret, err, &e);
	return false;
}

static void note(struct fuzz *f, const char *fmt, ...)
{
	va_list ap;

	f->unexpected++;
	if (f->unexpected > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	printf("# %s: after call %llu: ", f->name,
	       (unsigned long long)f->calls);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

#define DESC(...) snprintf(f->desc, sizeof(f->desc), __VA_ARGS__)

/* A pointer with @room bytes before the guard page. */
static void *room(struct fuzz *f, size_t room)
{
	if (room > ARENA_SIZE)
		room = ARENA_SIZE;
	return f->arena + ARENA_SIZE - room;
}

/* Room for an ioctl argument: usually enough, sometimes a bit short. */
static size_t pick_room(size_t need)
{
	switch (below(8)) {
	case 0:
		return below(need + 1);
	case 1:
		return need ? need - 1 : 0;
	case 2:
		return need + below(16);
	default:
		return ARENA_SIZE;
	}
}

static uint32_t pick_argsz(uint32_t minsz, uint32_t need)
{
	switch (below(10)) {
	case 0:
		return 0;
	case 1:
		return below(minsz);
	case 2:
		return minsz;
	case 3:
		return need - 1;
	case 4:
		return need;
	case 5:
		return need + 1 + below(8);
	case 6:
		return PICK(0xffffffffu, 0x80000000u, 0x7fffffffu, 4096u);
	case 7:
		return (uint32_t)rnd();
	default:
		return minsz + below(need - minsz + 8);
	}
}

/*
 * The reply of an info ioctl: @minsz is read; argsz below it is EINVAL;
 * at or above @capsz (offsetofend cap_offset) the caps are offered: they
 * are copied out when argsz >= @need, else argsz is set to @need.
 * Returns how many bytes the kernel writes; 0 for EINVAL.
 */
static size_t info_written(uint32_t argsz, size_t minsz, size_t capsz,
			   size_t need)
{
	if (argsz < minsz)
		return 0;
	if (argsz < capsz)
		return minsz;
	return argsz >= need ? need : capsz;
}

/* ---- ioctls ---- */

static void fuzz_device_info(struct fuzz *f)
{
	const size_t minsz = DEV_INFO_MINSZ;
	const size_t capsz = DEV_INFO_CAPSZ;
	uint32_t argsz = pick_argsz(minsz, f->info_need);
	size_t r = pick_room(f->info_need), wr;
	struct vfio_device_info *p = room(f, r);
	struct expect e;
	long ret;

	f->op = "GET_INFO";
	DESC("argsz %u, room %zu", argsz, r);
	if (r >= minsz) {
		memset(p, 0, minsz);
		p->argsz = argsz;
	}
	wr = info_written(argsz, minsz, capsz, f->info_need);
	if (r < minsz || r < wr)
		e = want_err(EFAULT, 0, 0);
	else if (!wr)
		e = want_err(EINVAL, 0, 0);
	else
		e = want_ok(0);
	ret = ioctl(f->fd, VFIO_DEVICE_GET_INFO, p);
	if (!check(f, ret, errno, e) || ret)
		return;
	/* A caller without room for cap_offset is offered no caps. */
	if (p->flags != (f->info.flags & ~(argsz < capsz ? VFIO_DEVICE_FLAGS_CAPS : 0)) ||
	    p->num_regions != f->info.num_regions ||
	    p->num_irqs != f->info.num_irqs)
		note(f, "GET_INFO(%s): flags %#x regions %u irqs %u differ",
		     f->desc, p->flags, p->num_regions, p->num_irqs);
	if (argsz >= capsz && p->argsz != (argsz >= f->info_need ? argsz : f->info_need))
		note(f, "GET_INFO(%s): argsz %u", f->desc, p->argsz);
	if (wr == f->info_need && memcmp((uint8_t *)p + sizeof(*p),
					 f->info_caps + sizeof(*p),
					 f->info_need - sizeof(*p)))
		note(f, "GET_INFO(%s): capability chain differs", f->desc);
}

static uint32_t pick_index(uint32_t n)
{
	switch (below(6)) {
	case 0:
		return n;
	case 1:
		return PICK(~0u, 0x80000000u, n + 1, 0x100);
	case 2:
		return (uint32_t)rnd();
	default:
		return below(n + 1);
	}
}

static void fuzz_region_info(struct fuzz *f)
{
	const size_t minsz = sizeof(struct vfio_region_info);
	uint32_t index = pick_index(f->info.num_regions);
	uint32_t need = index < f->info.num_regions ? f->reg_need[index] : minsz + 64;
	uint32_t argsz = pick_argsz(minsz, need);
	size_t r = pick_room(need), wr;
	struct vfio_region_info *p = room(f, r);
	struct expect e;
	long ret;

	f->op = "GET_REGION_INFO";
	DESC("argsz %u, index %u, room %zu", argsz, index, r);
	if (r >= minsz) {
		memset(p, 0, minsz);
		p->argsz = argsz;
		p->index = index;
	}
	/* minsz covers cap_offset: caps are always offered. */
	wr = info_written(argsz, minsz, minsz, need);
	if (r < minsz)
		e = want_err(EFAULT, 0, 0);
	else if (!wr || index >= f->info.num_regions)
		e = want_err(EINVAL, 0, 0);
	else if (r < wr)
		e = want_err(EFAULT, 0, 0);
	else
		e = want_ok(0);
	ret = ioctl(f->fd, VFIO_DEVICE_GET_REGION_INFO, p);
	if (!check(f, ret, errno, e) || ret)
		return;
	if (p->flags != f->reg[index].flags || p->size != f->reg[index].size ||
	    p->offset != f->reg[index].offset)
		note(f, "GET_REGION_INFO(%s): info differs", f->desc);
}

static void fuzz_irq_info(struct fuzz *f)
{
	const size_t minsz = IRQ_INFO_MINSZ;
	const size_t capsz = IRQ_INFO_CAPSZ;
	uint32_t index = pick_index(f->info.num_irqs);
	uint32_t need = index < f->info.num_irqs ? f->irq_need[index] : capsz + 64;
	uint32_t argsz = pick_argsz(minsz, need);
	size_t r = pick_room(need), wr;
	struct vfio_irq_info *p = room(f, r);
	struct expect e;
	long ret;

	f->op = "GET_IRQ_INFO";
	DESC("argsz %u, index %u, room %zu", argsz, index, r);
	if (r >= minsz) {
		memset(p, 0, minsz);
		p->argsz = argsz;
		p->index = index;
	}
	wr = info_written(argsz, minsz, capsz, need);
	if (r < minsz)
		e = want_err(EFAULT, 0, 0);
	else if (!wr || index >= f->info.num_irqs)
		e = want_err(EINVAL, 0, 0);
	else if (r < wr)
		e = want_err(EFAULT, 0, 0);
	else
		e = want_ok(0);
	ret = ioctl(f->fd, VFIO_DEVICE_GET_IRQ_INFO, p);
	if (!check(f, ret, errno, e) || ret)
		return;
	if (p->flags != (f->irq[index].flags &
			 ~(argsz < capsz ? VFIO_IRQ_INFO_FLAG_CAPS : 0)) ||
	    p->count != 1)
		note(f, "GET_IRQ_INFO(%s): flags %#x count %u", f->desc, p->flags,
		     p->count);
}

/* Unknown ioctls, and VFIO_DEVICE_FEATURE without any feature. */
static void fuzz_unknown_ioctl(struct fuzz *f)
{
	static const uint8_t known[] = { 107, 108, 109, 110, 111, 117, 118 };
	unsigned long cmd;
	unsigned int nr, i;
	uint8_t type;
	void *arg = room(f, pick_room(64));
	long ret;

	if (chance(25)) {
		struct vfio_device_feature *feat = room(f, 64);

		f->op = "DEVICE_FEATURE";
		memset(feat, 0, sizeof(*feat));
		feat->argsz = pick_argsz(sizeof(*feat), sizeof(*feat) + 16);
		feat->flags = (uint32_t)rnd();
		DESC("argsz %u, flags %#x", feat->argsz, feat->flags);
		ret = ioctl(f->fd, VFIO_DEVICE_FEATURE, feat);
		check(f, ret, errno, want_err(EINVAL, ENOTTY, 0));
		return;
	}
	do {
		type = chance(70) ? VFIO_TYPE : (uint8_t)rnd();
		/* The VFS's own ioctls (FIOCLEX, FIFREEZE, FS_IOC_*, ...). */
	} while (type == 0 || type == 0x15 || type == 'T' || type == 'X' ||
		 type == 'f' || type == 0x94);
	do {
		nr = chance(70) ? 100 + below(32) : below(256);
		for (i = 0; i < sizeof(known); i++)
			if (type == VFIO_TYPE && nr == known[i])
				break;
	} while (i < sizeof(known));
	switch (below(4)) {
	case 0:
		cmd = _IOC(_IOC_READ | _IOC_WRITE, type, nr, below(512));
		break;
	case 1:
		cmd = _IOC(_IOC_WRITE, type, nr, below(64));
		break;
	default:
		cmd = _IO(type, nr);
		break;
	}
	/* The known numbers with size or direction bits are unknown too. */
	if (chance(10))
		cmd = _IOC(_IOC_READ | _IOC_WRITE, VFIO_TYPE, PICK(107, 108, 109, 110),
			   1 + below(64));
	f->op = "ioctl";
	DESC("cmd %#lx", cmd);
	ret = ioctl(f->fd, cmd, arg);
	check(f, ret, errno, want_err(ENOTTY, 0, 0));
}

/* ---- SET_IRQS and the interrupt model ---- */

static bool ref_eq(struct fd_ref a, struct fd_ref b)
{
	return a.slot >= 0 && a.slot == b.slot && a.gen == b.gen;
}

static bool ref_live(struct fuzz *f, struct fd_ref r)
{
	return r.slot >= 0 && f->gen[r.slot] == r.gen;
}

/* A mask or unmask eventfd of some line is this eventfd. */
static bool is_virqfd(struct fuzz *f, struct fd_ref r)
{
	unsigned int i;

	for (i = 0; i < f->info.num_irqs; i++)
		if (ref_eq(f->line[i].mask_fd, r) ||
		    ref_eq(f->line[i].unmask_fd, r))
			return true;
	return false;
}

/* The kernel signals the trigger of @l: loopback or a real interrupt. */
static void model_fire(struct fuzz *f, struct line *l)
{
	if (!l->requested)
		return;
	f->fired++;
	/* A mask/unmask eventfd's reader swallows the count. */
	if (ref_live(f, l->trigger) && !is_virqfd(f, l->trigger))
		f->count[l->trigger.slot]++;
}

/* The counters of the pool's eventfds are what the model says. */
static void check_counts(struct fuzz *f)
{
	uint64_t cnt;
	int i;

	for (i = 0; i < NPOOL; i++) {
		cnt = 0;
		if (read(f->pool[i], &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
			note(f, "eventfd read: %s", strerror(errno));
		if (cnt != f->count[i])
			note(f, "eventfd %d counted %llu, want %llu (last call %s(%s))",
			     i, (unsigned long long)cnt,
			     (unsigned long long)f->count[i], f->op, f->desc);
		f->count[i] = 0;
	}
}

/* An eventfd argument: the pool, -1, and every kind of bad one. */
static int32_t pick_efd(struct fuzz *f, struct fd_ref *ref, int *err)
{
	ref->slot = -1;
	*err = 0;
	switch (below(10)) {
	case 0:
		return -1;
	case 1:
		*err = EINVAL;
		return PICK(-2, INT32_MIN, -1000);
	case 2:
		*err = EBADF;
		return chance(50) ? f->closed_fd : PICK(100000, INT32_MAX, 1023);
	case 3:
		*err = EINVAL;		/* a file, but not an eventfd */
		return chance(50) ? f->null_fd : f->fd;
	default:
		ref->slot = below(NPOOL);
		ref->gen = f->gen[ref->slot];
		return f->pool[ref->slot];
	}
}

static uint32_t pick_flags(void)
{
	uint32_t data, action, flags;

	data = chance(85) ? PICK(VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
				 VFIO_IRQ_SET_DATA_EVENTFD) :
			    (uint32_t)below(8);
	action = chance(85) ? PICK(TRIGGER, MASK, UNMASK) :
			      (uint32_t)below(8) << 3;
	flags = data | action;
	if (chance(5))
		flags |= 1u << (6 + below(26));
	if (chance(2))
		flags = (uint32_t)rnd();
	return flags;
}

static bool one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* vfio_set_irqs_validate_and_prepare(), one sub-index per line */
static bool hdr_valid(struct fuzz *f, const struct vfio_irq_set *set)
{
	const uint32_t known = VFIO_IRQ_SET_DATA_TYPE_MASK |
			       VFIO_IRQ_SET_ACTION_TYPE_MASK;

	if (set->argsz < IRQ_SET_MINSZ || set->index >= f->info.num_irqs)
		return false;
	if (set->count >= 0xffffffffu - set->start || (set->flags & ~known))
		return false;
	if (set->start >= 1 || set->start + set->count > 1)
		return false;
	return one_bit(set->flags & VFIO_IRQ_SET_DATA_TYPE_MASK);
}

static void fuzz_set_irqs(struct fuzz *f)
{
	const size_t minsz = IRQ_SET_MINSZ;
	uint32_t flags = pick_flags();
	uint32_t type = flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	uint32_t index = chance(90) ? below(f->info.num_irqs + 1) :
				      pick_index(f->info.num_irqs);
	uint32_t start = chance(90) ? 0 : PICK(1, 2, 0x7fffffff, 0xffffffff,
					       (uint32_t)rnd());
	uint32_t count = chance(80) ? PICK(0, 1, 1, 1) :
				      PICK(2, 3, 5, 7, 255, 0xffffffff,
					   0xffffffff - start, (uint32_t)rnd());
	size_t elem = type == VFIO_IRQ_SET_DATA_BOOL ? 1 :
		      type == VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	size_t data_len = elem * (count < 16 ? count : 16);
	uint32_t argsz;
	size_t r;
	struct vfio_irq_set *set;
	struct fd_ref ref = { .slot = -1 };
	int efd_err = 0, err = 0;
	uint8_t bool_val = 0;
	int32_t efd = 0;
	struct line *l = NULL;
	struct expect e;
	unsigned int i;
	long ret;

	argsz = chance(80) ? minsz + data_len :
			     pick_argsz(minsz, minsz + data_len);
	r = chance(90) ? ARENA_SIZE : pick_room(minsz + data_len);
	set = room(f, r);
	if (r >= minsz) {
		set->argsz = argsz;
		set->flags = flags;
		set->index = index;
		set->start = start;
		set->count = count;
	}
	for (i = 0; i < data_len && r >= minsz + i + 1; i++) {
		if (type == VFIO_IRQ_SET_DATA_BOOL) {
			bool_val = i ? bool_val : PICK(0, 1, 1, 2, 0xff);
			set->data[i] = i ? (uint8_t)rnd() : bool_val;
		} else if (type == VFIO_IRQ_SET_DATA_EVENTFD && !(i & 3)) {
			int32_t v = pick_efd(f, i ? &(struct fd_ref){} : &ref,
					     i ? &err : &efd_err);

			if (!i)
				efd = v;
			if (r >= minsz + i + 4)
				memcpy(set->data + i, &v, 4);
		}
	}
	f->op = "SET_IRQS";
	DESC("argsz %u, flags %#x, index %u, start %u, count %u, room %zu, %s %d",
	     argsz, flags, index, start, count, r,
	     type == VFIO_IRQ_SET_DATA_EVENTFD ? "fd" : "bool",
	     type == VFIO_IRQ_SET_DATA_EVENTFD ? efd : bool_val);

	/* The model: vfio_set_irqs_validate_and_prepare(), then ours. */
	if (r < minsz) {
		e = want_err(EFAULT, 0, 0);
	} else if (!hdr_valid(f, set) ||
		   (elem && argsz - minsz < count * elem)) {
		e = want_err(EINVAL, 0, 0);
	} else if (r < minsz + count * elem) {
		e = want_err(EFAULT, 0, 0);
	} else if (!count) {
		e = action == TRIGGER && type == VFIO_IRQ_SET_DATA_NONE ?
		    want_ok(0) : want_err(EINVAL, 0, 0);
		l = &f->line[index];
	} else if (!one_bit(action)) {
		e = want_err(EINVAL, 0, 0);
	} else if (action != TRIGGER && !(f->line[index].flags & VFIO_IRQ_INFO_MASKABLE)) {
		e = want_err(EINVAL, 0, 0);
	} else if (type == VFIO_IRQ_SET_DATA_EVENTFD && efd_err) {
		e = want_err(efd_err, 0, 0);
	} else if (type == VFIO_IRQ_SET_DATA_EVENTFD &&
		   (action == TRIGGER ?
		    ref_eq(f->line[index].mask_fd, ref) ||
		    ref_eq(f->line[index].unmask_fd, ref) :
		    ref_eq(f->line[index].trigger, ref))) {
		/* One eventfd as trigger and mask/unmask eventfd: refused. */
		e = want_err(EINVAL, 0, 0);
	} else {
		e = want_ok(0);
		l = &f->line[index];
	}

	ret = ioctl(f->fd, VFIO_DEVICE_SET_IRQS, set);
	if (!check(f, ret, errno, e) || ret || !l)
		return;

	/* Follow what the kernel did. */
	if (!count) {
		l->requested = false;
		l->trigger.slot = -1;
		return;
	}
	if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
		struct fd_ref *slot = action == TRIGGER ? &l->trigger :
				      action == MASK ? &l->mask_fd : &l->unmask_fd;

		*slot = ref;
		if (action == TRIGGER)
			l->requested = efd != -1;
		return;
	}
	if (action == TRIGGER && (type == VFIO_IRQ_SET_DATA_NONE || bool_val)) {
		model_fire(f, l);
		check_counts(f);
	}
}

/* Close one eventfd of the pool (the kernel may hold it) and make another. */
static void recycle_eventfd(struct fuzz *f)
{
	int slot = below(NPOOL), fd;

	check_counts(f);
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0) {
		note(f, "eventfd: %s", strerror(errno));
		return;
	}
	close(f->pool[slot]);
	f->pool[slot] = fd;
	f->gen[slot]++;
	/*
	 * Closing it shuts its mask/unmask readers down (EPOLLHUP), at some
	 * point: the model forgets them. A trigger keeps the context alive,
	 * and its signals go nowhere anyone can see.
	 */
}

/* ---- read and write ---- */

/* Bytes the region r/w loop moves before the user buffer runs out. */
static size_t rw_done(uint64_t off, size_t count, size_t room)
{
	size_t done = 0, len;

	while (done < count) {
		len = count - done;
		if (len > RW_CHUNK - ((off + done) & 7))
			len = RW_CHUNK - ((off + done) & 7);
		if (done + len > room)
			break;
		done += len;
	}
	return done;
}

static void fuzz_rw(struct fuzz *f, bool write)
{
	uint32_t nreg = f->info.num_regions;
	uint32_t index = chance(85) ? below(nreg) : pick_index(nreg);
	const struct vfio_region_info *reg = index < nreg ? &f->reg[index] : NULL;
	uint64_t size = reg ? reg->size : 0x1000;
	uint64_t off, pos, count;
	size_t r;
	void *buf;
	bool raw = false, wild_buf = false, in_range;
	struct expect e;
	long ret;

	switch (below(8)) {
	case 0:
		off = size - below(9);
		break;
	case 1:
		off = size + below(0x2000);
		break;
	case 2:
		off = PICK(1ULL << 39, (1ULL << 40) - 1, (1ULL << 40) - 4,
			   0xfffffffffULL);
		break;
	case 3:			/* an offset that is not the region's */
		raw = true;
		off = PICK(0x8000000000000000ULL, 0xffffffffffffffffULL,
			   0xfffffffffffff000ULL, 0x7fffffffffffffffULL,
			   0x7ffffffffffff000ULL, rnd());
		break;
	default:
		off = below(size < 0x1000 ? size : 0x1000);
		break;
	}
	switch (below(8)) {
	case 0:
		count = 0;
		break;
	case 1:
		count = PICK(0x7ffff000ULL, 0x80000000ULL, 1ULL << 40,
			     0xffffffffffffffffULL, 0x8000000000000000ULL,
			     size, size + 1);
		break;
	case 2:
		count = 1 + below(RW_CHUNK * 3);
		break;
	default:
		count = PICK(1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 24, 32);
		break;
	}
	pos = raw ? off : (reg ? reg->offset : (uint64_t)index << 40) + off;
	/* What the driver sees: the index above bit 40 (it may wrap). */
	index = pos >> 40;
	reg = !(pos >> 63) && index < nreg ? &f->reg[index] : NULL;
	size = reg ? reg->size : 0;
	off = pos & ((1ULL << 40) - 1);
	raw = false;
	r = chance(85) ? ARENA_SIZE : below(count < 512 ? count + 1 : 512);
	buf = room(f, r);
	if (chance(3)) {
		wild_buf = true;
		buf = (void *)PICK(0, 8, 0xffff000000000000ULL, 0xffffffffffffff00ULL);
	}

	in_range = reg && !raw && off < size && count <= size - off &&
		   (write ? reg->flags & VFIO_REGION_INFO_FLAG_WRITE :
			    reg->flags & VFIO_REGION_INFO_FLAG_READ);
	if ((int64_t)pos < 0) {
		e = want_err(EINVAL, EFAULT, 0);
	} else if (count > (1ULL << 40)) {
		e = want_err(EFAULT, EINVAL, 0);	/* access_ok() first */
	} else if (!in_range) {
		/* A kernel address fails access_ok() before anything else. */
		e = wild_buf ? want_err(EFAULT, EINVAL, 0) : want_err(EINVAL, 0, 0);
	} else if (!count) {
		/* access_ok() of a kernel address fails even for 0 bytes. */
		e = wild_buf ? (struct expect){ .ok = true, .val = 0,
						.errs = { EFAULT } } : want_ok(0);
	} else if (wild_buf) {
		e = want_err(EFAULT, 0, 0);
	} else {
		size_t done = rw_done(off, count, r);

		e = done ? want_ok(done) : want_err(EFAULT, 0, 0);
		/* A write the device acts on: only where it ignores writes. */
		if (write && done && !f->write_safe)
			return;
	}
	f->op = write ? "pwrite" : "pread";
	DESC("region %u, pos %#llx, count %#llx, room %zu%s", index,
	     (unsigned long long)pos, (unsigned long long)count, r,
	     wild_buf ? ", wild buffer" : "");
	if (write)
		ret = pwrite(f->fd, buf, count, (off_t)pos);
	else
		ret = pread(f->fd, buf, count, (off_t)pos);
	check(f, ret, errno, e);
}

/* ---- mmap, munmap, mremap ---- */

static int map_slot(struct fuzz *f)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (!f->map[i])
			return i;
	return -1;
}

static void unmap_all(struct fuzz *f)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		if (f->map[i] && munmap(f->map[i], f->map_len[i]))
			note(f, "munmap: %s", strerror(errno));
		f->map[i] = NULL;
	}
}

/* A mapping shows the region: its first bytes match a pread. */
static void check_map(struct fuzz *f, int i)
{
	const struct vfio_region_info *reg = &f->reg[f->map_region[i]];
	uint64_t off = f->map_off[i];
	size_t len = 8;
	uint32_t a, b;
	size_t k;

	/* PL031: the ID registers at the end of its page. */
	if (f->map_len[i] >= 0x1000 && !strcmp(f->name, "pl031"))
		off += 0xfe0, len = 16;
	for (k = 0; k < len; k += 4) {
		a = vpt_mmio_read32((uint8_t *)f->map[i] + (off - f->map_off[i]), k);
		if (vpt_read32(f->fd, reg, off + k, &b) || a != b)
			note(f, "mapping %p (region %u + %#llx): %#x, pread %#x",
			     f->map[i], f->map_region[i],
			     (unsigned long long)(off + k), a, b);
	}
}

static void fuzz_mmap(struct fuzz *f)
{
	uint32_t nreg = f->info.num_regions;
	uint32_t index = chance(85) ? below(nreg) : pick_index(nreg);
	const struct vfio_region_info *reg = index < nreg ? &f->reg[index] : NULL;
	uint64_t size = reg ? reg->size : 0x1000, page = f->page;
	uint64_t pages = size / page, off, len;
	int prot, flags, slot = map_slot(f);
	bool aligned, valid;
	struct expect e;
	void *p;

	if (slot < 0) {
		unmap_all(f);
		slot = 0;
	}
	switch (below(6)) {
	case 0:
		off = size + page * below(4);
		break;
	case 1:
		off = below(size);	/* unaligned, mostly */
		break;
	case 2:
		off = PICK((1ULL << 40) - page, 1ULL << 39, page << 20);
		break;
	default:
		off = page * below(pages < 16 ? pages + 1 : 16);
		break;
	}
	switch (below(6)) {
	case 0:
		len = PICK(0, 1ULL << 47, 1ULL << 62, 0xfffffffffffff000ULL,
			   size + page, size * 2);
		break;
	case 1:
		len = 1 + below(page * 4);
		break;
	default:
		len = page * (1 + below(pages < 32 ? pages : 32));
		break;
	}
	prot = chance(80) ? PICK(PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE) :
			    (int)below(8);
	flags = chance(80) ? PICK(MAP_SHARED, MAP_SHARED_VALIDATE,
				  MAP_SHARED | MAP_POPULATE, MAP_PRIVATE) :
			     PICK(0, MAP_SHARED_VALIDATE | MAP_SYNC,
				  MAP_SHARED | MAP_NORESERVE, MAP_PRIVATE | MAP_POPULATE);
	off += reg ? reg->offset : (uint64_t)index << 40;
	/* What the driver sees: the index above bit 40 (it may wrap). */
	index = off >> 40;
	reg = index < nreg ? &f->reg[index] : NULL;
	size = reg ? reg->size : 0;

	aligned = !(off & (page - 1));
	valid = reg && (reg->flags & VFIO_REGION_INFO_FLAG_MMAP) && aligned &&
		len && off - reg->offset < size &&
		((len + page - 1) & ~(page - 1)) <= size - (off - reg->offset) &&
		(flags == MAP_SHARED || flags == MAP_SHARED_VALIDATE ||
		 flags == (MAP_SHARED | MAP_POPULATE) ||
		 flags == (MAP_SHARED | MAP_NORESERVE));
	if (valid)
		e = prot & PROT_EXEC ? (struct expect){ .ok = true, .val = -1,
							.errs = { EPERM } } :
				       want_ok(-1);
	else if (!aligned || !len)
		e = want_err(EINVAL, 0, 0);
	else if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		e = want_err(EOPNOTSUPP, EINVAL, ENOMEM);
	else
		e = want_err(EINVAL, ENOMEM, EOVERFLOW);

	f->op = "mmap";
	DESC("off %#llx, len %#llx, prot %#x, flags %#x",
	     (unsigned long long)off, (unsigned long long)len, prot, flags);
	p = mmap(NULL, len, prot, flags, f->fd, off);
	if (!check(f, p == MAP_FAILED ? -1 : 0, errno, e) || p == MAP_FAILED) {
		if (p != MAP_FAILED)
			munmap(p, len);
		return;
	}
	f->maps++;
	f->map[slot] = p;
	f->map_len[slot] = (len + page - 1) & ~(page - 1);
	f->map_off[slot] = off - reg->offset;
	f->map_region[slot] = index;
	if (prot & PROT_READ)
		check_map(f, slot);
	if (!(prot & PROT_READ))
		f->map[slot] = NULL, munmap(p, f->map_len[slot]);
}

/* Cut, move and resize a mapping; what is left still shows the region. */
static void fuzz_remap(struct fuzz *f)
{
	uint64_t page = f->page;
	int i = below(MAX_MAPS);
	uint8_t *p = f->map[i];
	size_t len = f->map_len[i], n;
	void *q;
	long ret;

	if (!p)
		return;
	n = len / page;
	switch (below(4)) {
	case 0:			/* unmap the first pages */
		if (n < 2)
			return;
		n = 1 + below(n - 1);
		f->op = "munmap";
		DESC("head %zu pages", n);
		ret = munmap(p, n * page);
		if (!check(f, ret, errno, want_ok(0)))
			return;
		f->map[i] = p + n * page;
		f->map_len[i] -= n * page;
		f->map_off[i] += n * page;
		break;
	case 1:			/* unmap the last pages */
		if (n < 2)
			return;
		n = 1 + below(n - 1);
		f->op = "munmap";
		DESC("tail %zu pages", n);
		ret = munmap(p + len - n * page, n * page);
		if (!check(f, ret, errno, want_ok(0)))
			return;
		f->map_len[i] -= n * page;
		break;
	case 2:			/* grow: a PFN mapping cannot */
		f->op = "mremap";
		DESC("grow %zu by a page", len);
		q = mremap(p, len, len + page, chance(50) ? MREMAP_MAYMOVE : 0);
		if (q != MAP_FAILED) {
			check(f, 0, 0, want_err(EFAULT, ENOMEM, 0));
			munmap(q, len + page);
			f->map[i] = NULL;
			return;
		}
		check(f, -1, errno, want_err(EFAULT, ENOMEM, 0));
		break;
	default:		/* shrink, or move elsewhere */
		f->op = "mremap";
		n = chance(50) ? len : len - (n > 1 ? page * below(n) : 0);
		if (chance(50)) {
			DESC("%zu to %zu", len, n);
			q = mremap(p, len, n, MREMAP_MAYMOVE);
		} else {
			/* A place to move to. */
			void *to = mmap(NULL, n, PROT_NONE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (to == MAP_FAILED)
				return;
			DESC("%zu to %zu, moved to %p", len, n, to);
			q = mremap(p, len, n, MREMAP_MAYMOVE | MREMAP_FIXED, to);
			if (q == MAP_FAILED)
				munmap(to, n);
		}
		if (!check(f, q == MAP_FAILED ? -1 : 0, errno, want_ok(0)))
			return;
		f->map[i] = q;
		f->map_len[i] = n;
		break;
	}
	check_map(f, i);
}

/* ---- state: registers, info, eventfds ---- */

static int snap_read(struct fuzz *f, const struct snap *s, uint64_t *val)
{
	ssize_t n;

	*val = 0;
	n = pread(f->fd, val, s->len, f->reg[s->region].offset + s->off);
	return n == (ssize_t)s->len ? 0 : -1;
}

static void snap_add(struct fuzz *f, uint32_t region, uint64_t off, uint32_t len)
{
	struct snap *s = &f->snap[f->nsnap];

	if (f->nsnap == MAX_SNAP || region >= f->info.num_regions)
		return;
	s->region = region;
	s->off = off;
	s->len = len;
	if (!snap_read(f, s, &s->val))
		f->nsnap++;
}

static void check_state(struct fuzz *f)
{
	struct vfio_device_info info;
	uint64_t v;
	int i;

	for (i = 0; i < f->nsnap; i++) {
		if (snap_read(f, &f->snap[i], &v))
			note(f, "register %#llx: unreadable",
			     (unsigned long long)f->snap[i].off);
		else if (v != f->snap[i].val)
			note(f, "register %u+%#llx = %#llx, was %#llx",
			     f->snap[i].region,
			     (unsigned long long)f->snap[i].off,
			     (unsigned long long)v,
			     (unsigned long long)f->snap[i].val);
	}
	if (vpt_device_info(f->fd, &info) || info.num_regions != f->info.num_regions ||
	    info.num_irqs != f->info.num_irqs || info.flags != f->info.flags)
		note(f, "GET_INFO changed");
	check_counts(f);
	for (i = 0; i < MAX_MAPS; i++)
		if (f->map[i])
			check_map(f, i);
}

/* Close the device fd (every mapping first) and open it again. */
static void reopen(struct fuzz *f)
{
	unsigned int i;
	int fd;

	unmap_all(f);
	close(f->fd);
	f->dev->fd = -1;
	fd = vpt_get_fd(f->dev);
	if (fd < 0) {
		note(f, "device fd: %s", strerror(-fd));
		return;
	}
	f->dev->fd = fd;
	f->fd = fd;
	f->reopens++;
	/* The last close freed every line and eventfd. */
	for (i = 0; i < f->info.num_irqs; i++) {
		f->line[i].requested = false;
		f->line[i].trigger.slot = -1;
		f->line[i].mask_fd.slot = -1;
		f->line[i].unmask_fd.slot = -1;
	}
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own */
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the fixture: one device per variant ---- */

FIXTURE(fuzz) {
	struct vpt_dev dev;
	struct vfio_region_info r0;
};

FIXTURE_VARIANT(fuzz) {
	const char *bus;
	const char *name;
	const char *short_name;
	bool write_safe;
};

/* An empty virtio-mmio slot: edge IRQ, not mmap'able, ignores writes. */
FIXTURE_VARIANT_ADD(fuzz, virtio_slot) {
	.bus = "platform",
	.name = "a000000.virtio_mmio",
	.short_name = "virtio_slot",
	.write_safe = true,
};

/* PL031 RTC through vfio-amba: level IRQ, one mmap'able page. */
FIXTURE_VARIANT_ADD(fuzz, pl031) {
	.bus = "amba",
	.name = "9010000.pl031",
	.short_name = "pl031",
};

/* pflash: two 64 MiB regions, no IRQ; a write would be a CFI command. */
FIXTURE_VARIANT_ADD(fuzz, pflash) {
	.bus = "platform",
	.name = "0.flash",
	.short_name = "pflash",
};

FIXTURE_SETUP(fuzz)
{
	int ret = vpt_setup(&self->dev, variant->bus, variant->name, &self->r0);

	if (vpt_skip_reason(ret))
		SKIP(return, "%s: %s", variant->name, vpt_skip_reason(ret));
	ASSERT_EQ(0, ret) TH_LOG("%s: %s", variant->name, strerror(-ret));
}

FIXTURE_TEARDOWN_PARENT(fuzz)
{
	EXPECT_EQ(0, vpt_fixture_teardown(&self->dev));
}

/* The argsz an info ioctl asks for with its caps. */
static uint32_t info_need(int fd, unsigned long cmd, void *buf, size_t sz,
			  uint32_t index)
{
	uint32_t *p = buf;

	memset(buf, 0, sz);
	p[0] = sz;
	p[2] = index;	/* index follows argsz, flags */
	if (ioctl(fd, cmd, buf))
		return 0;
	return p[0] > sz ? p[0] : sz;
}

static int fuzz_init(struct __test_metadata *_metadata, struct fuzz *f,
		     struct vpt_dev *dev, const char *name, bool write_safe)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->meta = _metadata;
	f->dev = dev;
	f->fd = dev->fd;
	f->name = name;
	f->write_safe = write_safe;
	f->page = sysconf(_SC_PAGESIZE);

	f->arena = mmap(NULL, ARENA_SIZE + f->page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->arena == MAP_FAILED ||
	    mprotect(f->arena + ARENA_SIZE, f->page, PROT_NONE))
		return -errno;

	if (vpt_device_info(f->fd, &f->info))
		return -errno;
	if (f->info.num_regions > MAX_REGIONS || f->info.num_irqs > MAX_IRQS)
		return -E2BIG;
	f->info_need = info_need(f->fd, VFIO_DEVICE_GET_INFO, f->arena,
				 sizeof(struct vfio_device_info), 0);
	if (f->info_need > ARENA_SIZE / 2)
		return -E2BIG;
	f->info_caps = malloc(f->info_need);
	memset(f->arena, 0, f->info_need);
	*(uint32_t *)f->arena = f->info_need;
	if (!f->info_caps || ioctl(f->fd, VFIO_DEVICE_GET_INFO, f->arena))
		return -ENOMEM;
	memcpy(f->info_caps, f->arena, f->info_need);

	for (i = 0; i < f->info.num_regions; i++) {
		if (vpt_region_info(f->fd, i, &f->reg[i]))
			return -errno;
		f->reg_need[i] = info_need(f->fd, VFIO_DEVICE_GET_REGION_INFO, f->arena,
					   sizeof(struct vfio_region_info), i);
	}
	for (i = 0; i < f->info.num_irqs; i++) {
		if (vpt_irq_info(f->fd, i, &f->irq[i]))
			return -errno;
		f->irq_need[i] = info_need(f->fd, VFIO_DEVICE_GET_IRQ_INFO, f->arena,
					   sizeof(struct vfio_irq_info), i);
		f->line[i].flags = f->irq[i].flags;
		f->line[i].trigger.slot = -1;
		f->line[i].mask_fd.slot = -1;
		f->line[i].unmask_fd.slot = -1;
	}
	for (i = 0; i < NPOOL; i++) {
		f->pool[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (f->pool[i] < 0)
			return -errno;
	}
	f->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* High enough that no new fd of the test takes its number. */
	f->closed_fd = fcntl(f->null_fd, F_DUPFD_CLOEXEC, 900);
	if (f->null_fd < 0 || f->closed_fd < 0)
		return -errno;
	close(f->closed_fd);

	/* Registers that no rejected call may change. */
	if (!strcmp(name, "pl031")) {
		/* No alarm from the native driver: IMSC 0, RIS clear. */
		vpt_write32(f->fd, &f->reg[0], RTC_IMSC, 0);
		vpt_write32(f->fd, &f->reg[0], RTC_ICR, 1);
		/* MR, LR, CR, IMSC; not DR (time), RIS and MIS (alarm). */
		for (i = 0x04; i < 0x14; i += 4)
			snap_add(f, 0, i, 4);
		for (i = 0xfe0; i < 0x1000; i += 4)
			snap_add(f, 0, i, 4);
	} else if (!strcmp(name, "pflash")) {
		for (i = 0; i < 8; i++)
			snap_add(f, i & 1, (uint64_t)i * 0x200000 + 0x40, 8);
	} else {
		for (i = 0; i < 0x100; i += 4)
			snap_add(f, 0, i, 4);
	}
	return 0;
}

static void fuzz_fini(struct fuzz *f)
{
	int i;

	unmap_all(f);
	for (i = 0; i < NPOOL; i++)
		close(f->pool[i]);
	close(f->null_fd);
	free(f->info_caps);
	munmap(f->arena, ARENA_SIZE + f->page);
}

/* After the storm the device still works: an interrupt gets through. */
static void check_irq_works(struct fuzz *f)
{
	const struct vfio_region_info *r0 = &f->reg[0];
	uint64_t cnt = 0;
	uint32_t dr;
	int efd, ret;

	if (!f->info.num_irqs)
		return;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0) {
		note(f, "eventfd: %s", strerror(errno));
		return;
	}
	/* Whatever the fuzzer left: a clean line. */
	vpt_irq_none(f->fd, 0, TRIGGER, 0);
	if (f->line[0].flags & VFIO_IRQ_INFO_MASKABLE) {
		vpt_irq_eventfd(f->fd, 0, MASK, -1);
		vpt_irq_eventfd(f->fd, 0, UNMASK, -1);
		vpt_irq_none(f->fd, 0, UNMASK, 1);
	}
	ret = vpt_irq_eventfd(f->fd, 0, TRIGGER, efd);
	if (ret) {
		note(f, "SET_IRQS trigger: %s", strerror(-ret));
		goto out;
	}
	if (!strcmp(f->name, "pl031")) {
		/* A real one: the RTC alarm at the next second. */
		if (vpt_read32(f->fd, r0, RTC_DR, &dr) ||
		    vpt_write32(f->fd, r0, RTC_MR, dr + 1) ||
		    vpt_write32(f->fd, r0, RTC_IMSC, 1))
			note(f, "PL031: cannot arm the alarm");
		ret = vpt_eventfd_wait(efd, 3000, &cnt);
		vpt_write32(f->fd, r0, RTC_ICR, 1);
		vpt_write32(f->fd, r0, RTC_IMSC, 0);
		/* The register snapshot had the old MR. */
		f->snap[0].val = dr + 1;
	} else {
		ret = vpt_irq_none(f->fd, 0, TRIGGER, 1);
		if (!ret)
			ret = vpt_eventfd_wait(efd, 1000, &cnt);
		else
			ret = -1;
	}
	if (ret != 1 || cnt != 1)
		note(f, "interrupt after fuzzing: %d, count %llu", ret,
		     (unsigned long long)cnt);
	vpt_irq_none(f->fd, 0, TRIGGER, 0);
out:
	close(efd);
}

TEST_F_TIMEOUT(fuzz, calls, 300)
{
	uint64_t seed = env_u64("VFIO_FUZZ_SEED", VFUZZ_SEED);
	uint64_t calls = env_u64("VFIO_FUZZ_CALLS", VFUZZ_CALLS);
	double limit = env_u64("VFIO_FUZZ_SECONDS", VFUZZ_SECONDS);
	const char *name = variant->short_name;
	double t0 = now(), t;
	struct fuzz *f;
	int fds0, i;

	f = calloc(1, sizeof(*f));
	ASSERT_NE(NULL, f);
	fds0 = count_fds();
	ASSERT_EQ(0, fuzz_init(_metadata, f, &self->dev, name, variant->write_safe));
	/* One stream per device: each variant replays on its own. */
	rng = seed;
	for (i = 0; name[i]; i++)
		rng = rng * 31 + name[i];
	printf("# %s: seed %#llx (VFIO_FUZZ_SEED), %llu calls (VFIO_FUZZ_CALLS)",
	       name, (unsigned long long)seed, (unsigned long long)calls);
	printf(", at most %.0f s (VFIO_FUZZ_SECONDS)\n", limit);

	while (f->calls < calls) {
		uint64_t before = f->calls;

		switch (below(20)) {
		case 0 ... 1:
			fuzz_device_info(f);
			break;
		case 2 ... 3:
			fuzz_region_info(f);
			break;
		case 4 ... 5:
			fuzz_irq_info(f);
			break;
		case 6 ... 9:
			fuzz_set_irqs(f);
			break;
		case 10:
			fuzz_unknown_ioctl(f);
			break;
		case 11 ... 13:
			fuzz_rw(f, false);
			break;
		case 14 ... 15:
			fuzz_rw(f, true);
			break;
		case 16 ... 17:
			fuzz_mmap(f);
			break;
		case 18:
			fuzz_remap(f);
			break;
		default:
			if (chance(10))
				recycle_eventfd(f);
			else
				fuzz_set_irqs(f);
			break;
		}
		if (f->calls / VFUZZ_CYCLE != before / VFUZZ_CYCLE) {
			check_state(f);
			f->cycles++;
			if (!(f->cycles % VFUZZ_REOPEN))
				reopen(f);
			if (now() - t0 > limit)
				break;
		}
		if (f->unexpected > MAX_REPORTS)
			break;
	}
	check_state(f);
	unmap_all(f);
	check_irq_works(f);
	check_state(f);
	t = now() - t0;

	printf("# %s: %llu calls in %.1f s, %llu cycles, %llu reopens",
	       name, (unsigned long long)f->calls, t,
	       (unsigned long long)f->cycles, (unsigned long long)f->reopens);
	printf(", %llu mappings, %llu loopback interrupts, %llu succeeded",
	       (unsigned long long)f->maps, (unsigned long long)f->fired,
	       (unsigned long long)f->ok);
	printf(", unexpected %llu\n", (unsigned long long)f->unexpected);
	printf("# %s: errnos:", name);
	for (i = 0; i < 256; i++)
		if (f->errno_count[i])
			printf(" %s=%llu", strerrorname_np(i),
			       (unsigned long long)f->errno_count[i]);
	printf("\n");
	fflush(stdout);

	fuzz_fini(f);
	EXPECT_EQ(fds0, count_fds());
	EXPECT_EQ(0, f->unexpected) TH_LOG("seed %#llx: see above",
					   (unsigned long long)seed);
	EXPECT_EQ(calls, f->calls) TH_LOG("%s: stopped after %.0f s", name, t);
	free(f);
}

TEST_HARNESS_MAIN
