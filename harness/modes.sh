# SPDX-License-Identifier: GPL-2.0
# Test modes: one kernel, several machines. Sourced; sets for $1:
#   MACHINE   -M argument
#   APPEND    kernel command line (after console=, panic=)
#   QEMU_ARGS extra QEMU arguments (array)
#   DTS_EDIT  guest/dts/*.dtsi appended, in order, to QEMU's own tree
#             ("" = QEMU's tree)
mode_setup() {
	MACHINE=virt
	# The keyboard lands in slot a003a00: a part of guest/dts/dma-engine.dtsi.
	QEMU_ARGS=(-device virtio-rng-device -device virtio-balloon-device
		-device virtio-keyboard-device)
	DTS_EDIT=""
	case "$1" in
	noiommu)
		APPEND="vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 quiet"
		DTS_EDIT="noiommu.dtsi dma-engine.dtsi"
		;;
	smmu)
		MACHINE=virt,iommu=smmuv3
		APPEND="vfio_iommu_type1.allow_unsafe_interrupts=1 iommufd.allow_unsafe_interrupts=1 quiet"
		DTS_EDIT="dma-engine.dtsi smmu.dtsi"
		;;
	composite)
		# Only the device-tree test: the PL031 and PL061 are parts of a
		# multi-node device here (guest/dts/irq-engine.dtsi).
		APPEND="vfio.enable_unsafe_noiommu_mode=1 quiet vfiotest.only=vfio_platform_devtree_test"
		DTS_EDIT="dma-engine.dtsi irq-engine.dtsi"
		;;
	handover)
		# QEMU's own device tree: gpio-pl061 drives the PL061, so the
		# tests take it from an interrupt-controller driver. Without
		# ACPI, system_powerdown presses the power button on PL061
		# line 3 (gpio-keys), not an ACPI event.
		MACHINE=virt,acpi=off
		APPEND="vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 quiet vfiotest.only=vfio_platform_handover_test,vfio_platform_irq_test"
		;;
	*) die "unknown mode $1" ;;
	esac
}
