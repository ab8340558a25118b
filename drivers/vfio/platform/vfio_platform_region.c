// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform core: MMIO regions - info, read/write and mmap.
 *
 * A read or write is checked as a whole before the device is touched: it
 * must lie inside one region, or it fails with -EINVAL and has no effect.
 * A 1, 2, 4 or 8-byte request at an offset aligned to its size is one
 * access of that width: user space asked for it. Anything else is a bulk
 * transfer, done with the widest naturally aligned access that fits but
 * never wider than 4 bytes (see VFIO_PLATFORM_BULK_WIDTH): many platform
 * devices sit on 32-bit buses that fault on or split 64-bit accesses.
 */

#include <linux/io.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>

#include "vfio_platform_priv.h"

/* Bounce buffer size; a multiple of VFIO_PLATFORM_BULK_WIDTH. */
#define VFIO_PLATFORM_RW_CHUNK	256

int vfio_platform_region_info(struct vfio_platform_device *vpdev,
			      void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_platform_region *region;
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= vpdev->num_regions)
		return -EINVAL;

	region = &vpdev->regions[info.index];
	info.flags = region->flags;
	info.cap_offset = 0;
	info.size = region->size;
	info.offset = VFIO_PLATFORM_INDEX_TO_OFFSET(info.index);
	ret = vfio_platform_of_region_info(region, &info, arg);
	if (ret)
		return ret;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static void __iomem *vfio_platform_region_map(struct vfio_platform_device *vpdev,
					      struct vfio_platform_region *region)
{
	/* Pairs with smp_store_release() below: see a complete mapping. */
	void __iomem *io = smp_load_acquire(&region->ioaddr);

	if (likely(io))
		return io;

	mutex_lock(&vpdev->map_lock);
	io = region->ioaddr;
	if (!io) {
		io = ioremap(region->phys, region->size);
		if (io) /* publish the mapping to lockless readers */
			smp_store_release(&region->ioaddr, io);
	}
	mutex_unlock(&vpdev->map_lock);
	return io;
}

/**
 * vfio_platform_region_ioaddr() - the kernel's mapping of a region
 * @vpdev: the device
 * @index: the region's index
 *
 * For reset hooks: the mapping is made on first use and dropped when the
 * device is closed.
 *
 * Return: the mapping, or NULL.
 */
void __iomem *vfio_platform_region_ioaddr(struct vfio_platform_device *vpdev,
					  unsigned int index)
{
	if (index >= vpdev->num_regions)
		return NULL;
	return vfio_platform_region_map(vpdev, &vpdev->regions[index]);
}
EXPORT_SYMBOL_GPL(vfio_platform_region_ioaddr);

void vfio_platform_regions_unmap(struct vfio_platform_device *vpdev)
{
	unsigned int i;

	for (i = 0; i < vpdev->num_regions; i++) {
		if (vpdev->regions[i].ioaddr) {
			iounmap(vpdev->regions[i].ioaddr);
			vpdev->regions[i].ioaddr = NULL;
		}
	}
}

static void vfio_platform_read_chunk(void __iomem *io, u64 off, u8 *buf,
				     size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned int width = vfio_platform_access_width(off + i, len - i);

		switch (width) {
		case 4:
			put_unaligned_le32(readl_relaxed(io + off + i), buf + i);
			break;
		case 2:
			put_unaligned_le16(readw_relaxed(io + off + i), buf + i);
			break;
		default:
			buf[i] = readb_relaxed(io + off + i);
			break;
		}
		i += width;
	}
}

static void vfio_platform_write_chunk(void __iomem *io, u64 off,
				      const u8 *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned int width = vfio_platform_access_width(off + i, len - i);

		switch (width) {
		case 4:
			writel_relaxed(get_unaligned_le32(buf + i), io + off + i);
			break;
		case 2:
			writew_relaxed(get_unaligned_le16(buf + i), io + off + i);
			break;
		default:
			writeb_relaxed(buf[i], io + off + i);
			break;
		}
		i += width;
	}
}

/*
 * One register: @count is 1, 2, 4 or (on 64-bit kernels) 8 and @off is
 * aligned to it, as in nearly every access of a VMM or a user-space
 * driver. One access of that width, without the chunk and width loops of
 * bulk transfers; the bytes are in the device's (little-endian) order, as
 * in the bulk path.
 */
static int vfio_platform_region_reg(struct vfio_platform_device *vpdev,
				    void __iomem *io, u64 off,
				    char __user *ubuf, size_t count,
				    bool write)
{
	union {
		u8 b;
		__le16 w;
		__le32 l;
		__le64 q;
	} v __uninitialized;

	if (write && copy_from_user(&v, ubuf, count))
		return -EFAULT;

	down_read(&vpdev->memory_lock); /* not while the device is in reset */
	switch (count) {
#ifdef CONFIG_64BIT
	case 8:
		if (write)
			writeq_relaxed(le64_to_cpu(v.q), io + off);
		else
			v.q = cpu_to_le64(readq_relaxed(io + off));
		break;
#endif
	case 4:
		if (write)
			writel_relaxed(le32_to_cpu(v.l), io + off);
		else
			v.l = cpu_to_le32(readl_relaxed(io + off));
		break;
	case 2:
		if (write)
			writew_relaxed(le16_to_cpu(v.w), io + off);
		else
			v.w = cpu_to_le16(readw_relaxed(io + off));
		break;
	default:
		if (write)
			writeb_relaxed(v.b, io + off);
		else
			v.b = readb_relaxed(io + off);
		break;
	}
	up_read(&vpdev->memory_lock);

	if (!write && copy_to_user(ubuf, &v, count))
		return -EFAULT;
	return 0;
}

/*
 * Anything but one register: 256-byte chunks through a bounce buffer, at
 * the widest access each position allows. Out of line, so that its stack
 * frame stays off the register path. Return: the bytes done.
 */
static noinline size_t vfio_platform_region_bulk(struct vfio_platform_device *vpdev,
						 void __iomem *io, u64 off,
						 char __user *ubuf,
						 size_t count, bool write)
{
	/*
	 * Every byte is written before it is read: not cleared on each call
	 * (CONFIG_INIT_STACK_ALL_ZERO), which would add a 256-byte memset.
	 */
	u8 buf[VFIO_PLATFORM_RW_CHUNK] __uninitialized;
	size_t done = 0;

	while (done < count) {
		/* End every chunk but the last on an 8-byte boundary. */
		size_t len = min_t(size_t, count - done,
				   VFIO_PLATFORM_RW_CHUNK - ((off + done) & 7));

		/* The lock only around MMIO: a user copy may fault. */
		if (write) {
			if (copy_from_user(buf, ubuf + done, len))
				break;
			down_read(&vpdev->memory_lock);
			vfio_platform_write_chunk(io, off + done, buf, len);
			up_read(&vpdev->memory_lock);
		} else {
			down_read(&vpdev->memory_lock);
			vfio_platform_read_chunk(io, off + done, buf, len);
			up_read(&vpdev->memory_lock);
			if (copy_to_user(ubuf + done, buf, len))
				break;
		}
		done += len;
	}
	return done;
}

/*
 * Inlined into vfio_platform_core_read() and vfio_platform_core_write():
 * a register access is one call from the VFIO core and no more.
 */
static __always_inline ssize_t
vfio_platform_region_rw(struct vfio_platform_device *vpdev,
			char __user *ubuf, size_t count, loff_t *ppos,
			bool write)
{
	u64 pos = *ppos, off = pos & VFIO_PLATFORM_OFFSET_MASK;
	u64 index = pos >> VFIO_PLATFORM_OFFSET_SHIFT;
	struct vfio_platform_region *region;
	void __iomem *io;
	size_t done;

	if (*ppos < 0 || index >= vpdev->num_regions)
		return -EINVAL;
	region = &vpdev->regions[index];
	if (!(region->flags & (write ? VFIO_REGION_INFO_FLAG_WRITE :
				       VFIO_REGION_INFO_FLAG_READ)))
		return -EINVAL;
	if (off >= region->size || count > region->size - off)
		return -EINVAL;
	if (!count)
		return 0;

	io = vfio_platform_region_map(vpdev, region);
	if (!io)
		return -ENOMEM;

	if (write)
		wmb(); /* the user's memory writes (descriptors) before MMIO */

	/* 1, 2, 4 or (on 64-bit) 8 bytes, aligned to their width */
	if (count <= (IS_ENABLED(CONFIG_64BIT) ? 8 : 4) &&
	    is_power_of_2(count) && IS_ALIGNED(off, count))
		done = vfio_platform_region_reg(vpdev, io, off, ubuf, count,
						write) ? 0 : count;
	else
		done = vfio_platform_region_bulk(vpdev, io, off, ubuf, count,
						 write);

	if (!write)
		rmb(); /* MMIO reads before the user's reads of DMA'd memory */

	if (!done)
		return -EFAULT;
	*ppos += done;
	return done;
}

/**
 * vfio_platform_core_read() - vfio_device_ops.read of the core
 * @vdev: the VFIO device
 * @buf: user buffer
 * @count: bytes to read
 * @ppos: file offset: region offset plus offset in the region
 *
 * Return: bytes read or a negative errno.
 */
ssize_t vfio_platform_core_read(struct vfio_device *vdev, char __user *buf,
				size_t count, loff_t *ppos)
{
	return vfio_platform_region_rw(container_of(vdev, struct vfio_platform_device, vdev),
				       buf, count, ppos, false);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_read);

/**
 * vfio_platform_core_write() - vfio_device_ops.write of the core
 * @vdev: the VFIO device
 * @buf: user buffer
 * @count: bytes to write
 * @ppos: file offset: region offset plus offset in the region
 *
 * Return: bytes written or a negative errno.
 */
ssize_t vfio_platform_core_write(struct vfio_device *vdev,
				 const char __user *buf, size_t count,
				 loff_t *ppos)
{
	return vfio_platform_region_rw(container_of(vdev, struct vfio_platform_device, vdev),
				       (char __user *)buf, count, ppos, true);
}
EXPORT_SYMBOL_GPL(vfio_platform_core_write);

/* The region of a mapping, from its file offset. */
static struct vfio_platform_region *
vfio_platform_vma_region(struct vfio_platform_device *vpdev,
			 struct vm_area_struct *vma)
{
	return &vpdev->regions[vma->vm_pgoff >>
			       (VFIO_PLATFORM_OFFSET_SHIFT - PAGE_SHIFT)];
}

/*
 * A mapping is populated on its first access, and again after a reset has
 * zapped it (see vfio_platform_reset_locked()): the fault waits while the
 * device is in reset, then maps the whole VMA, so that later accesses cost
 * what those through /dev/mem do.
 */
static vm_fault_t vfio_platform_mmap_fault(struct vm_fault *vmf)
{
	const unsigned long pgoff_mask =
		BIT(VFIO_PLATFORM_OFFSET_SHIFT - PAGE_SHIFT) - 1;
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_platform_device *vpdev = vma->vm_private_data;
	unsigned long pfn = PHYS_PFN(vfio_platform_vma_region(vpdev, vma)->phys) +
			    (vma->vm_pgoff & pgoff_mask);
	unsigned long addr;
	vm_fault_t ret;

	down_read(&vpdev->memory_lock);
	ret = vmf_insert_pfn(vma, vmf->address,
			     pfn + ((vmf->address - vma->vm_start) >> PAGE_SHIFT));
	/* The rest of the VMA: best effort, the faulting page is what counts. */
	for (addr = vma->vm_start; !(ret & VM_FAULT_ERROR) && addr < vma->vm_end;
	     addr += PAGE_SIZE, pfn++) {
		if (addr != vmf->address &&
		    vmf_insert_pfn(vma, addr, pfn) & VM_FAULT_ERROR)
			break;
	}
	up_read(&vpdev->memory_lock);
	return ret;
}

static const struct vm_operations_struct vfio_platform_mmap_ops = {
	.fault = vfio_platform_mmap_fault,
};

int vfio_platform_region_mmap(struct vfio_platform_device *vpdev,
			      struct vm_area_struct *vma)
{
	const unsigned int index_shift = VFIO_PLATFORM_OFFSET_SHIFT - PAGE_SHIFT;
	unsigned long index = vma->vm_pgoff >> index_shift;
	unsigned long pgoff = vma->vm_pgoff & (BIT(index_shift) - 1);
	unsigned long size = vma->vm_end - vma->vm_start;
	struct vfio_platform_region *region;

	if (index >= vpdev->num_regions)
		return -EINVAL;
	region = &vpdev->regions[index];
	if (!(region->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -EINVAL;
	/* A private mapping of MMIO makes no sense: refuse it. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if ((vma->vm_flags & VM_WRITE) &&
	    !(region->flags & VFIO_REGION_INFO_FLAG_WRITE))
		return -EINVAL;
	if (pgoff >= region->size >> PAGE_SHIFT ||
	    size > region->size - ((u64)pgoff << PAGE_SHIFT))
		return -EINVAL;

	if (!(region->flags & VFIO_REGION_INFO_FLAG_WRITE))
		vm_flags_clear(vma, VM_MAYWRITE);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = vpdev;
	vma->vm_ops = &vfio_platform_mmap_ops;
	return 0;
}
