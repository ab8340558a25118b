/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The acpi test mode (harness/modes.sh): an SSDT that gives virtio-mmio
 * slot 29 of QEMU's virt machine a _RST. guest/check.sh loads it through
 * ACPI configfs before the tests (QEMU's -acpitable is x86 only).
 * QEMU's DSDT names the 32 slots \_SB.VR00 to \_SB.VR31, slot N at
 * 0x0a000000 + N * 0x200 (hw/arm/virt-acpi-build.c); the virtio-keyboard
 * of the mode sits behind slot 29. _RST writes 0 to the slot's Status
 * register (offset 0x70): the virtio device reset. vfio-platform runs it
 * on open, close and VFIO_DEVICE_RESET (vfio_platform_reset_test).
 */
DefinitionBlock ("", "SSDT", 2, "VFIOT", "VR29RST", 1)
{
	External (\_SB.VR29, DeviceObj)

	Scope (\_SB.VR29)
	{
		OperationRegion (VREG, SystemMemory, 0x0a003a70, 4)
		Field (VREG, DWordAcc, NoLock, Preserve)
		{
			STAT, 32
		}

		Method (_RST, 0, Serialized)
		{
			STAT = Zero
		}
	}
}
