# SPDX-License-Identifier: GPL-2.0
# Test modes: one kernel, several machines. Sourced; sets for $1:
#   MACHINE   -M argument
#   APPEND    kernel command line (after console=, panic=)
#   QEMU_ARGS extra QEMU arguments (array)
#   DTS_EDIT  guest/dts/*.dtsi appended, in order, to QEMU's own tree
#             ("" = QEMU's tree)
#   MEMORY    guest RAM in MiB
#   INITRD    the initramfs (harness/guest.sh builds it)
#   FIRMWARE  UEFI firmware (-bios): the kernel boots through its EFI stub
#             and no DTB is given ("" = QEMU loads the kernel, with the DTB)
#   QEMU_DTB  1: no -dtb, QEMU gives the kernel the tree it writes itself
mode_setup() {
	MACHINE=virt
	FIRMWARE=""
	QEMU_DTB=0
	MEMORY=512
	INITRD=$BUILD/guest/initramfs.cpio.gz
	# The keyboard lands in slot a003a00: a part of guest/dts/dma-engine.dtsi.
	QEMU_ARGS=(-device virtio-rng-device -device virtio-balloon-device
		-device virtio-keyboard-device)
	DTS_EDIT=""
	# The selftests' devices, by role (init's environment, from the
	# command line; tools/testing/selftests/vfio/lib/include/libvfio/
	# vfio_platform_device.h): QEMU virt's names, and those of the
	# nodes of guest/dts. A device a mode's tree lacks is a SKIP.
	local virt="VFIO_PLATFORM_VIRTIO_SLOT=a000000.virtio_mmio"
	virt+=" VFIO_PLATFORM_VIRTIO_SLOT2=a000200.virtio_mmio"
	virt+=" VFIO_PLATFORM_VIRTIO_RNG=a003e00.virtio_mmio"
	virt+=" VFIO_PLATFORM_VIRTIO_BALLOON=a003c00.virtio_mmio"
	virt+=" VFIO_PLATFORM_PL031=9010000.pl031 VFIO_PLATFORM_PL061=9030000.pl061"
	virt+=" VFIO_PLATFORM_FW_CFG=9020000.fw-cfg VFIO_PLATFORM_PFLASH=0.flash"
	virt+=" VFIO_PLATFORM_DMA_ENGINE=a000400.dma VFIO_PLATFORM_DMA_SUB=a000800.dma-sub"
	virt+=" VFIO_PLATFORM_MFD=a000c00.mfd VFIO_PLATFORM_I2C=a001400.i2c"
	virt+=" VFIO_PLATFORM_IRQ_ENGINE=a000e00.irq-engine"
	virt+=" VFIO_PLATFORM_RESET_LINE=a000200.virtio_mmio"
	virt+=" VFIO_PLATFORM_RESET_CONTROLLER=90303fc.reset-controller"
	virt+=" VFIO_PLATFORM_SHARED_RESET_A=a001a00.virtio_mmio"
	virt+=" VFIO_PLATFORM_SHARED_RESET_B=a001c00.virtio_mmio"
	virt+=" VFIO_PLATFORM_RESET_WATCH=9030000.vfiotest-rstwatch"
	virt+=" VFIO_PLATFORM_RESET_SAMPLE=a000a00.virtio_mmio"
	# vfio_platform.reset_required=0: the global opt-in to open devices
	# without a reset method (default: refused with EPERM). The tests
	# open fw-cfg, pflash and the multi-node devices of guest/dts, which
	# have none; vfio_platform_bind_test turns the default back on to
	# test the refusal. Every AMBA device here has a reset hook, so
	# vfio_amba keeps the default.
	case "$1" in
	noiommu)
		APPEND="vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 quiet $virt"
		DTS_EDIT="noiommu.dtsi dma-engine.dtsi"
		;;
	smmu)
		MACHINE=virt,iommu=smmuv3
		APPEND="vfio_iommu_type1.allow_unsafe_interrupts=1 iommufd.allow_unsafe_interrupts=1 vfio_platform.reset_required=0 quiet $virt"
		DTS_EDIT="dma-engine.dtsi smmu.dtsi"
		;;
	composite)
		# The device-tree test (the PL031 and PL061 are parts of a
		# multi-node device here: guest/dts/irq-engine.dtsi) and the
		# samples, with modern (version 2) virtio-mmio devices.
		APPEND="vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 quiet vfiotest.only=vfio_platform_devtree_test,samples $virt"
		DTS_EDIT="dma-engine.dtsi irq-engine.dtsi"
		QEMU_ARGS+=(-global virtio-mmio.force-legacy=false)
		;;
	nested)
		# A QEMU in the guest assigns a virtio-mmio slot, the PL031 and
		# the PL061 to an inner guest (guest/nested.sh): SMMUv3 groups,
		# a larger initramfs (harness/nested.sh), RAM for the inner guest.
		MACHINE=virt,iommu=smmuv3
		APPEND="vfio_iommu_type1.allow_unsafe_interrupts=1 vfio_platform.reset_required=0 vfiotest.run=nested quiet"
		QEMU_ARGS=(-device virtio-keyboard-device)
		DTS_EDIT="nested.dtsi"
		MEMORY=1024
		INITRD=$BUILD/guest/initramfs-nested.cpio.gz
		;;
	nested-kvm)
		# The production path: the outer guest has EL2 (QEMU's
		# virtualization=on) and a GICv2 with its virtualization
		# extensions; its QEMU runs the inner guest under KVM, with
		# KVM irqfds and resamplefds for the assigned interrupts
		# (QEMU 7.2 sets them up on a KVM GICv2 only: guest/nested.sh). The inner guest boots twice: with
		# QEMU's own nodes (register checks), then with a device tree
		# written from VFIO's device-tree information, where rtc-pl031,
		# gpio-pl061 and virtio-mmio drive the devices. No ACPI, so
		# that system_powerdown presses the power button on PL061
		# line 3 (the inner guest's gpio-keys).
		MACHINE=virt,iommu=smmuv3,acpi=off,virtualization=on
		APPEND="vfio_iommu_type1.allow_unsafe_interrupts=1 vfio_platform.reset_required=0 vfiotest.run=nested vfiotest.nested=kvm quiet"
		QEMU_ARGS=(-device virtio-keyboard-device)
		DTS_EDIT="nested.dtsi nested-kvm.dtsi"
		MEMORY=1024
		INITRD=$BUILD/guest/initramfs-nested.cpio.gz
		;;
	handover)
		# QEMU's own device tree: gpio-pl061 drives the PL061, so the
		# test takes it from an interrupt-controller driver. Without
		# ACPI, system_powerdown presses the power button on PL061
		# line 3 (gpio-keys), not an ACPI event. Only the handover
		# test: gpio-keys holds a PL061 line without a device link to
		# it, and a test that unbinds gpio-pl061 under it leaks the
		# line's label (gpiolib); the handover test unbinds gpio-keys
		# first.
		MACHINE=virt,acpi=off
		APPEND="vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 quiet vfiotest.only=vfio_platform_handover_test $virt"
		;;
	acpi)
		# An arm64 server's boot: UEFI firmware (Debian's
		# qemu-efi-aarch64) starts the Image through its EFI stub and
		# the kernel takes the platform devices from QEMU's ACPI tables
		# (acpi=force; no device tree): virtio-mmio slots LNRO0005:00
		# to :1f (virtio-rng behind :1f, the balloon :1e, the keyboard
		# :1d), fw-cfg QEMU0002:00, which init's environment names
		# to the selftests. guest/acpi/
		# rst-ssdt.asl gives slot 29 (:1d) a _RST (an SSDT the guest
		# loads through ACPI configfs before the tests: QEMU's
		# -acpitable is x86 only); the other devices
		# have no reset method under ACPI (no compatible string, so no
		# hook), hence reset_required=0.
		FIRMWARE=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd
		QEMU_ARGS+=(-bios "$FIRMWARE")
		APPEND="acpi=force vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 quiet"
		APPEND+=" vfiotest.only=vfio_platform_regions_test,vfio_platform_irq_test,vfio_platform_lifecycle_test,vfio_platform_reset_test"
		APPEND+=" VFIO_PLATFORM_VIRTIO_SLOT=LNRO0005:00 VFIO_PLATFORM_VIRTIO_RNG=LNRO0005:1f"
		APPEND+=" VFIO_PLATFORM_VIRTIO_BALLOON=LNRO0005:1e VFIO_PLATFORM_FW_CFG=QEMU0002:00"
		APPEND+=" VFIO_PLATFORM_ACPI_RST=LNRO0005:1d"
		;;
	versal)
		# Real SoC IP: QEMU's xlnx-versal-virt with its own device
		# tree, where zynqmp_dma drives 8 ZDMA channels (runtime PM,
		# clocks) and macb the two GEMs (guest/versal.sh). No IOMMU:
		# the ZDMA sample runs in no-IOMMU mode; the ZDMA channel has a
		# reset hook, so reset_required keeps its default. QEMU's own
		# tree: QEMU 7.2 does not boot this machine with its dumped
		# tree given back with -dtb (no console output at all).
		# The two GEMs are joined by a QEMU hub: GEM0 (ff0c0000, the
		# first NIC, MAC ..:0c:00) and GEM1 (ff0d0000, ..:0d:00) send
		# each other frames, whichever driver has them.
		MACHINE=xlnx-versal-virt
		QEMU_DTB=1
		# guest/versal-selftests.sh: the generic selftests on ZDMA
		# channel 3, which guest/versal.sh leaves alone.
		APPEND="vfio.enable_unsafe_noiommu_mode=1 vfiotest.run=versal quiet"
		APPEND+=" VFIO_PLATFORM_DEV=ffab0000.dma"
		QEMU_ARGS=(-netdev hubport,id=gem0,hubid=0
			-net nic,netdev=gem0,model=cadence_gem,macaddr=02:00:00:00:0c:00
			-netdev hubport,id=gem1,hubid=0
			-net nic,netdev=gem1,model=cadence_gem,macaddr=02:00:00:00:0d:00)
		;;
	*) die "unknown mode $1" ;;
	esac
}
