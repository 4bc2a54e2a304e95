/**
 * /proc/sys knobs on the fault → OOM path (docs/kernel-reference.md §9), with the kernel's ranges.
 * Writes validate like proc_dointvec_minmax: out of range → -EINVAL.
 */
import type { SysctlTable } from '../include/faultpath/kernel_state.js';
import type { GuestArch, KernelProfile } from '../include/faultpath/profile.js';
import type { PhysMem } from '../include/linux/mmzone.js';

interface Knob {
  value: number;
  min: number;
  max: number;
  onWrite?: (v: number) => void;
}

export class Sysctl implements SysctlTable {
  private readonly knobs = new Map<string, Knob>();

  constructor(p: KernelProfile, arch: GuestArch, phys: PhysMem) {
    const def = (name: string, value: number, min: number, max: number, onWrite?: Knob['onWrite']) =>
      this.knobs.set(name, { value, min, max, onWrite });
    def('vm.panic_on_oom', 0, 0, 2);
    def('vm.oom_kill_allocating_task', 0, 0, 2 ** 31 - 1);
    def('vm.oom_dump_tasks', 1, 0, 2 ** 31 - 1);
    def('vm.overcommit_memory', 0, 0, 2);
    def('vm.overcommit_ratio', 50, 0, 2 ** 31 - 1, () => this.set('vm.overcommit_kbytes', 0, false));
    def('vm.overcommit_kbytes', 0, 0, Number.MAX_SAFE_INTEGER, () => this.set('vm.overcommit_ratio', 0, false));
    def('vm.min_free_kbytes', phys.minFreeKbytes, 0, 2 ** 31 - 1, (v) => {
      phys.userMinFreeKbytes = v;
      phys.minFreeKbytes = v;
      phys.setupPerZoneWmarks();
    });
    def('vm.watermark_scale_factor', 10, 1, p.watermarkScaleFactorMax, (v) => {
      phys.watermarkScaleFactor = v;
      phys.setupPerZoneWmarks();
    });
    const freeKb = phys.nrFree * 4;
    def('vm.admin_reserve_kbytes', Math.min(Math.floor(freeKb / 32), 8192), 0, Number.MAX_SAFE_INTEGER);
    def('vm.user_reserve_kbytes', Math.min(Math.floor(freeKb / 32), 131072), 0, Number.MAX_SAFE_INTEGER);
    def('debug.exception-trace', arch === 'aarch64' ? p.arm64ExceptionTraceDefault : 1, -(2 ** 31), 2 ** 31 - 1);
    def('kernel.pid_max', 32768, 301, 4194304);
    def('kernel.panic', 0, -(2 ** 31), 2 ** 31 - 1);
  }

  names(): string[] {
    return [...this.knobs.keys()].sort();
  }

  has(name: string): boolean {
    return this.knobs.has(this.norm(name));
  }

  private norm(name: string): string {
    return name.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');
  }

  get(name: string): number {
    const k = this.knobs.get(this.norm(name));
    if (!k) throw new Error(`unknown sysctl '${name}'`);
    return k.value;
  }

  /** Returns 0 or -EINVAL (-22), like a write(2) to the proc file. */
  set(name: string, value: number, runHook = true): number {
    const k = this.knobs.get(this.norm(name));
    if (!k) return -2;
    if (!Number.isInteger(value) || value < k.min || value > k.max) return -22;
    k.value = value;
    if (runHook && k.onWrite) k.onWrite(value);
    return 0;
  }
}
