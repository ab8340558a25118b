// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-platform core: interrupt lines as eventfds.
 *
 * Each line is one VFIO IRQ index with one sub-index. A level-sensitive
 * line is MASKABLE and AUTOMASKED: the handler masks it before signalling
 * the trigger eventfd, and it stays masked until user space unmasks it (by
 * ioctl or through an unmask eventfd, where a VMM wires KVM's resamplefd),
 * so a line that stays asserted cannot storm the host. An edge line only
 * signals its trigger.
 *
 * The line is requested when user space sets a trigger eventfd: a line
 * that cannot be requested fails VFIO_DEVICE_SET_IRQS.
 */

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio_platform_priv.h"

int vfio_platform_irq_info(struct vfio_platform_device *vpdev,
			   void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= vpdev->num_irqs)
		return -EINVAL;

	info.flags = vpdev->irqs[info.index].flags;
	info.count = 1;
	/* A caller that predates cap_offset gets what it always got. */
	if (info.argsz >= offsetofend(struct vfio_irq_info, cap_offset)) {
		ret = vfio_platform_of_irq_info(&vpdev->irqs[info.index],
						&info, arg);
		if (ret)
			return ret;
		minsz = offsetofend(struct vfio_irq_info, cap_offset);
	}

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Make the line's disable depth follow @masked while it is requested.
 * Called with irq->lock held.
 */
static void vfio_platform_irq_sync(struct vfio_platform_irq *irq)
{
	if (!irq->requested)
		return;
	if (irq->masked && !irq->disabled) {
		disable_irq_nosync(irq->irq);
		irq->disabled = true;
	} else if (!irq->masked && irq->disabled) {
		enable_irq(irq->irq);
		irq->disabled = false;
	}
}

static irqreturn_t vfio_platform_irq_handler(int hwirq, void *data)
{
	struct vfio_platform_irq *irq = data;
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	/*
	 * Mask even before set_trigger has marked the line requested: a
	 * level line left enabled would fire again at once.
	 */
	if (irq->flags & VFIO_IRQ_INFO_AUTOMASKED) {
		irq->masked = true;
		if (!irq->disabled) {
			disable_irq_nosync(irq->irq);
			irq->disabled = true;
		}
	}
	spin_unlock_irqrestore(&irq->lock, flags);

	/*
	 * Not under irq->lock: the trigger may also be the line's mask or
	 * unmask eventfd, whose reader takes it. The trigger stays valid:
	 * a new one is put in place before synchronize_irq() and the old
	 * one put after it, the last one only after free_irq().
	 */
	eventfd_signal(READ_ONCE(irq->trigger));

	return IRQ_HANDLED;
}

static void vfio_platform_irq_set_masked(struct vfio_platform_irq *irq,
					 bool masked)
{
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	irq->masked = masked;
	vfio_platform_irq_sync(irq);
	spin_unlock_irqrestore(&irq->lock, flags);
}

/*
 * Loopback: act as if the line had fired. Called with igate held, which
 * keeps the trigger from changing.
 */
static void vfio_platform_irq_fire(struct vfio_platform_irq *irq)
{
	unsigned long flags;

	if (!irq->requested)
		return;
	spin_lock_irqsave(&irq->lock, flags);
	if (irq->flags & VFIO_IRQ_INFO_AUTOMASKED) {
		irq->masked = true;
		vfio_platform_irq_sync(irq);
	}
	spin_unlock_irqrestore(&irq->lock, flags);
	/* Not under irq->lock: see vfio_platform_irq_handler(). */
	eventfd_signal(irq->trigger);
}

static int vfio_platform_irq_mask_fd(void *opaque, void *unused)
{
	vfio_platform_irq_set_masked(opaque, true);
	return 0;
}

static int vfio_platform_irq_unmask_fd(void *opaque, void *unused)
{
	vfio_platform_irq_set_masked(opaque, false);
	return 0;
}

static void vfio_platform_irq_release(struct vfio_platform_irq *irq)
{
	unsigned long flags;

	if (!irq->requested)
		return;
	spin_lock_irqsave(&irq->lock, flags);
	irq->requested = false;
	spin_unlock_irqrestore(&irq->lock, flags);

	free_irq(irq->irq, irq);
	/* free_irq() forgets the disable depth; the next request starts over. */
	irq->disabled = false;
	eventfd_ctx_put(irq->trigger);
	irq->trigger = NULL;
	kfree(irq->name);
	irq->name = NULL;
}

static int vfio_platform_irq_set_trigger(struct vfio_platform_device *vpdev,
					 struct vfio_platform_irq *irq,
					 unsigned int index, s32 fd)
{
	struct eventfd_ctx *trigger, *old;
	unsigned long flags;
	char *name;
	int ret;

	if (fd == -1) {
		vfio_platform_irq_release(irq);
		return 0;
	}
	if (fd < 0)
		return -EINVAL;

	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger))
		return PTR_ERR(trigger);
	/*
	 * A mask or unmask eventfd runs its handler right in the signal of
	 * the trigger: the same eventfd in both roles would mask a line
	 * from its own interrupt for nothing, or re-arm a level line from
	 * it forever.
	 */
	if (trigger == irq->mask_ctx || trigger == irq->unmask_ctx) {
		eventfd_ctx_put(trigger);
		return -EINVAL;
	}

	if (irq->requested) {
		spin_lock_irqsave(&irq->lock, flags);
		old = irq->trigger;
		WRITE_ONCE(irq->trigger, trigger);
		spin_unlock_irqrestore(&irq->lock, flags);
		/* A handler may still be signalling the old one. */
		synchronize_irq(irq->irq);
		eventfd_ctx_put(old);
		return 0;
	}

	name = kasprintf(GFP_KERNEL_ACCOUNT, "vfio-platform:%s:%u",
			 dev_name(vpdev->vdev.dev), index);
	if (!name) {
		eventfd_ctx_put(trigger);
		return -ENOMEM;
	}

	/* A line that user space masked beforehand starts disabled. */
	spin_lock_irqsave(&irq->lock, flags);
	irq->trigger = trigger;
	irq->disabled = irq->masked;
	spin_unlock_irqrestore(&irq->lock, flags);

	ret = request_irq(irq->irq, vfio_platform_irq_handler,
			  irq->disabled ? IRQF_NO_AUTOEN : 0, name, irq);
	if (ret) {
		irq->trigger = NULL;
		irq->disabled = false;
		kfree(name);
		eventfd_ctx_put(trigger);
		dev_dbg(vpdev->vdev.dev, "cannot request IRQ %d: %d\n",
			irq->irq, ret);
		return ret;
	}

	/* Catch up with masks and unmasks that raced with the request. */
	spin_lock_irqsave(&irq->lock, flags);
	irq->name = name;
	irq->requested = true;
	vfio_platform_irq_sync(irq);
	spin_unlock_irqrestore(&irq->lock, flags);
	return 0;
}

static void vfio_platform_irq_put_ctx(struct eventfd_ctx **pctx)
{
	if (*pctx)
		eventfd_ctx_put(*pctx);
	*pctx = NULL;
}

static int vfio_platform_irq_set_fd(struct vfio_platform_irq *irq,
				    struct virqfd **pvirqfd,
				    struct eventfd_ctx **pctx,
				    int (*handler)(void *, void *), s32 fd)
{
	struct eventfd_ctx *ctx;
	int ret;

	if (fd == -1) {
		vfio_virqfd_disable(pvirqfd);
		vfio_platform_irq_put_ctx(pctx);
		return 0;
	}
	if (fd < 0)
		return -EINVAL;

	/* Replace an existing eventfd only with a valid one. */
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	/* Not the trigger's eventfd: see vfio_platform_irq_set_trigger(). */
	if (ctx == irq->trigger) {
		eventfd_ctx_put(ctx);
		return -EINVAL;
	}

	vfio_virqfd_disable(pvirqfd);
	vfio_platform_irq_put_ctx(pctx);
	ret = vfio_virqfd_enable(irq, handler, NULL, NULL, pvirqfd, fd);
	if (ret) {
		eventfd_ctx_put(ctx);
		return ret;
	}
	*pctx = ctx;
	return 0;
}

static int vfio_platform_irq_action(struct vfio_platform_device *vpdev,
				    struct vfio_irq_set *hdr, void *data)
{
	struct vfio_platform_irq *irq = &vpdev->irqs[hdr->index];
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	s32 fd = 0;
	bool set;

	/*
	 * count == 0 is only meaningful as "tear the trigger down", and
	 * comes without data: @data is NULL.
	 */
	if (!hdr->count) {
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER ||
		    type != VFIO_IRQ_SET_DATA_NONE)
			return -EINVAL;
		vfio_platform_irq_release(irq);
		return 0;
	}
	if (type == VFIO_IRQ_SET_DATA_EVENTFD)
		fd = *(s32 *)data;
	set = type == VFIO_IRQ_SET_DATA_NONE ||
	      (type == VFIO_IRQ_SET_DATA_BOOL && *(u8 *)data);

	switch (action) {
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (!(irq->flags & VFIO_IRQ_INFO_MASKABLE))
			return -EINVAL;
		if (type == VFIO_IRQ_SET_DATA_EVENTFD)
			return action == VFIO_IRQ_SET_ACTION_MASK ?
				vfio_platform_irq_set_fd(irq, &irq->mask_fd,
							 &irq->mask_ctx,
							 vfio_platform_irq_mask_fd, fd) :
				vfio_platform_irq_set_fd(irq, &irq->unmask_fd,
							 &irq->unmask_ctx,
							 vfio_platform_irq_unmask_fd, fd);
		if (set)
			vfio_platform_irq_set_masked(irq,
						     action == VFIO_IRQ_SET_ACTION_MASK);
		return 0;
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD)
			return vfio_platform_irq_set_trigger(vpdev, irq,
							     hdr->index, fd);
		if (set)
			vfio_platform_irq_fire(irq);
		return 0;
	default:
		return -EINVAL;
	}
}

int vfio_platform_set_irqs(struct vfio_platform_device *vpdev,
			   void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;

	/* One sub-index per line: start is 0 and count at most 1. */
	ret = vfio_set_irqs_validate_and_prepare(&hdr, 1, vpdev->num_irqs,
						 &data_size);
	if (ret)
		return ret;

	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&vpdev->igate);
	ret = vfio_platform_irq_action(vpdev, &hdr, data);
	mutex_unlock(&vpdev->igate);

	kfree(data);
	return ret;
}

void vfio_platform_irqs_teardown(struct vfio_platform_device *vpdev)
{
	unsigned int i;

	for (i = 0; i < vpdev->num_irqs; i++) {
		struct vfio_platform_irq *irq = &vpdev->irqs[i];

		vfio_virqfd_disable(&irq->mask_fd);
		vfio_virqfd_disable(&irq->unmask_fd);
		vfio_platform_irq_put_ctx(&irq->mask_ctx);
		vfio_platform_irq_put_ctx(&irq->unmask_ctx);
		vfio_platform_irq_release(irq);
		irq->masked = false;
	}
}
