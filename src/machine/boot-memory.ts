/**
 * Boot-time memory of the machine being modeled.  A real kernel owns part of RAM before any
 * user process runs (image, memmap, CMA bookkeeping: "reserved"; slab, stacks, percpu and the
 * initramfs page cache: in use at idle).  The default machine reproduces the QEMU guests of
 * shared/oracle (Debian 12 6.1 kernels): the numbers are read from their boot logs
 * ("Memory: …K/…K available", "pages reserved", MemTotal/MemFree at idle) at 160 MiB and
 * 256 MiB, interpolated linearly in RAM size.  'bare' models a machine whose kernel takes
 * only a small fixed share, for experiments that want every page for the guests.
 */
import type { GuestArch } from '../include/faultpath/profile.js';

export type MachineKind = 'qemu-virt' | 'bare';

interface Calibration {
  /** [ram pages, reserved pages] at the two measured sizes */
  reserved: [[number, number], [number, number]];
  /** pages in use by the kernel at idle after boot (MemTotal - MemFree) */
  idleKernel: [[number, number], [number, number]];
}

const QEMU: Record<GuestArch, Calibration> = {
  // arm64 virt-7.2, neoverse-n1: 160M: MemTotal 126788 kB, MemFree 105632 kB; 256M: 224900 / 204124 kB
  aarch64: {
    reserved: [
      [40960, 9263],
      [65536, 9311],
    ],
    idleKernel: [
      [40960, 5289],
      [65536, 5194],
    ],
  },
  // x86-64 pc-q35-7.2: 160M: MemTotal 107968 kB, MemFree 79824 kB; 256M: 206144 / 178508 kB
  x86_64: {
    reserved: [
      [40960, 13968],
      [65536, 14000],
    ],
    idleKernel: [
      [40960, 7036],
      [65536, 6909],
    ],
  },
};

function interp(points: [[number, number], [number, number]], x: number): number {
  const [[x0, y0], [x1, y1]] = points;
  return Math.round(y0 + ((y1 - y0) * (x - x0)) / (x1 - x0));
}

export function bootMemory(
  kind: MachineKind,
  arch: GuestArch,
  ramPages: number,
): { reserved: number; idleKernel: number } {
  if (kind === 'bare') return { reserved: Math.max(256, Math.floor(ramPages * 0.02)), idleKernel: 0 };
  const c = QEMU[arch];
  const reserved = Math.min(interp(c.reserved, ramPages), Math.floor(ramPages * 0.5));
  const idleKernel = Math.min(interp(c.idleKernel, ramPages), Math.floor(ramPages * 0.25));
  return { reserved, idleKernel };
}
