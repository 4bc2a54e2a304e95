/**
 * A guest CPU (one Unicorn instance) with the precise-fault mechanism of DESIGN.md §1:
 *
 *  - every guest region is mapped once with uc_mem_map_ptr over a host Buffer the model owns,
 *    with UC_PROT_NONE, so every access reaches the protection hooks, which ask the MMU callback
 *    (the model's page-table walk) whether the access may proceed;
 *  - a UC_HOOK_MEM_READ|WRITE hook whose range covers the code makes Unicorn sync the PC before
 *    each load/store, so an aborted access leaves the PC on the faulting instruction with none of
 *    its side effects done;
 *  - a block hook counts executed instructions (the scheduler's quantum and simulated time) and
 *    stops the engine when the budget runs out.
 *
 * Engine limits are guarded here (region count, address range) so no input reaches a Unicorn
 * assertion, which would abort the whole Node process.
 */
import { countX86Instructions, isX86MemoryRmw } from './x86-decode.js';
import { ARM64_REGS, UC_X86_INS_SYSCALL, X86_REGS } from './unicorn-consts.js';
import * as U from './unicorn.js';

export type Arch = 'aarch64' | 'x86_64';
export type Access = 'read' | 'write' | 'fetch';

/** The MMU: decides whether an access may proceed.  May resolve a fault itself and return true. */
export type MmuCallback = (address: number, size: number, access: Access) => boolean;

export type StopReason =
  | { kind: 'fault'; address: bigint; access: Access; pc: bigint; size: number; unmapped: boolean }
  | { kind: 'syscall'; pc: bigint }
  | { kind: 'budget' }
  | { kind: 'exception'; intno: number; pc: bigint; what: string }
  | { kind: 'requested' }
  | { kind: 'error'; code: number; message: string; pc: bigint };

export interface RunResult {
  reason: StopReason;
  /** Instructions counted by the block hook (whole blocks; see DESIGN.md). */
  executed: number;
}

export class CpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CpuError';
  }
}

/**
 * Unicorn 2.0.1 aborts the process past 1023 regions on ARM64 and 4095 on x86 (DESIGN.md §1).
 * We keep a margin for the split a partial unmap can cause.
 */
export const MAX_REGIONS: Record<Arch, number> = { aarch64: 1000, x86_64: 4000 };
/** Highest guest address + 1 the engine can hold without an MMU: user space of each arch. */
export const ADDRESS_LIMIT: Record<Arch, number> = { aarch64: 2 ** 48, x86_64: 2 ** 47 };
const PAGE = 4096;
const NEVER_PC = 0x8000000000000001n;

export interface Region {
  begin: number;
  end: number;
  mem: Buffer;
}

const ARM_EXCEPTIONS: Record<number, string> = {
  1: 'undefined instruction',
  2: 'svc',
  3: 'prefetch abort',
  4: 'data abort',
  5: 'irq',
  6: 'fiq',
  7: 'breakpoint (brk)',
  8: 'exception exit',
  9: 'kernel trap',
  11: 'hvc',
  12: 'hyp trap',
  13: 'smc',
  14: 'virq',
  15: 'vfiq',
  16: 'semihosting',
};
const X86_EXCEPTIONS: Record<number, string> = {
  0: 'divide error (#DE)',
  1: 'debug (#DB)',
  3: 'breakpoint (#BP, int3)',
  4: 'overflow (#OF)',
  5: 'bound range (#BR)',
  6: 'invalid opcode (#UD)',
  13: 'general protection (#GP)',
  14: 'page fault (#PF)',
  17: 'alignment check (#AC)',
};

/** What the engine holds of the guest address space (the region side of Cpu). */
export interface CpuMemory {
  /** guest bytes through the engine, or undefined when unmapped */
  peek(address: number, size: number): Buffer | undefined;
  regionAt(address: number): Region | undefined;
  regionList(): { begin: number; end: number }[];
  regionCount(): number;
  /** one region over model-owned memory, all accesses through the MMU hook */
  map(begin: number, mem: Buffer): void;
  /** one region with full permissions (tests and benchmarks: no MMU) */
  mapRaw(begin: number, mem: Buffer): void;
  unmap(begin: number): void;
  addCodeRange(begin: number, end: number): void;
  removeCodeRange(begin: number, end: number): void;
  invalidateCode(begin: number, end: number): void;
}

export class Cpu {
  readonly arch: Arch;
  /** The guest address space: engine regions over model-owned memory, and the code ranges. */
  readonly mem: CpuMemory = {
    peek: (address, size) => this.peek_(address, size),
    regionAt: (address) => this.regionAt_(address),
    regionList: () => this.regionList_(),
    regionCount: () => this.regionCount_,
    map: (begin, mem) => this.map_(begin, mem),
    mapRaw: (begin, mem) => this.mapRaw_(begin, mem),
    unmap: (begin) => this.unmap_(begin),
    addCodeRange: (begin, end) => this.addCodeRange_(begin, end),
    removeCodeRange: (begin, end) => this.removeCodeRange_(begin, end),
    invalidateCode: (begin, end) => this.invalidateCode_(begin, end),
  };
  private readonly lib: U.UnicornLib;
  private uc: U.Ptr;
  private readonly regIds: Readonly<Record<string, number>>;
  private readonly regBuf = Buffer.alloc(16);
  private readonly regions: Region[] = [];
  private readonly callbacks: U.Ptr[] = [];
  private readonly codeHooks = new Map<string, number | bigint>();
  private mmu: MmuCallback = () => false;
  private pending: StopReason | undefined;
  private executed = 0;
  private budget = 0;
  private closed = false;
  private thrown: unknown = undefined;
  private readonly x86Counts = new Map<number, number>();
  /** Page whose fetch was refused as ahead of execution in this engine run (see fetchAhead). */
  private aheadPage: number | undefined;
  /** PC of an instruction that itself crosses into the next page (its fetch there is genuine). */
  private straddler: number | undefined;
  /** Pages the MMU has let instructions be fetched from (until invalidateCode/unmap). */
  private readonly fetchable = new Set<number>();

  constructor(arch: Arch) {
    this.arch = arch;
    this.lib = U.loadUnicorn();
    const out: U.Ptr[] = [null];
    const err =
      arch === 'aarch64'
        ? this.lib.uc_open(U.UC_ARCH_ARM64, U.UC_MODE_ARM, out)
        : this.lib.uc_open(U.UC_ARCH_X86, U.UC_MODE_64, out);
    if (err !== U.UC_ERR_OK) throw new CpuError(`uc_open(${arch}) failed: ${this.lib.uc_strerror(err)}`);
    this.uc = out[0];
    this.regIds = arch === 'aarch64' ? ARM64_REGS : X86_REGS;
    this.installHooks();
  }

  setMmu(cb: MmuCallback): void {
    this.mmu = cb;
  }

  private hook(
    type: number,
    proto: keyof U.UnicornLib['protos'],
    fn: (...a: never[]) => unknown,
    begin: number | bigint = 1,
    end: number | bigint = 0,
    ...extra: unknown[]
  ): number | bigint {
    const cb = this.lib.register(fn, this.lib.protos[proto]);
    this.callbacks.push(cb);
    const hh: (number | bigint)[] = [0];
    const err = this.lib.uc_hook_add(this.uc, hh as number[], type, cb, null, begin, end, ...extra);
    if (err !== U.UC_ERR_OK) throw new CpuError(`uc_hook_add(${type}) failed: ${this.lib.uc_strerror(err)}`);
    return hh[0]!;
  }

  private installHooks(): void {
    const accessOf = (t: number): Access =>
      t === U.UC_MEM_WRITE_PROT || t === U.UC_MEM_WRITE_UNMAPPED
        ? 'write'
        : t === U.UC_MEM_FETCH_PROT || t === U.UC_MEM_FETCH_UNMAPPED
          ? 'fetch'
          : 'read';
    const onProt = (_uc: unknown, type: number, address: number | bigint, size: number): boolean => {
      // Once an access has been refused in this run, refuse everything until the engine stops:
      // Unicorn keeps calling this hook for the remaining bytes of a split store (see below), and
      // the first refusal is the fault; no later byte may be let through or overwrite the report.
      if (this.stopping()) return false;
      const access = accessOf(type);
      const unmapped =
        type === U.UC_MEM_READ_UNMAPPED || type === U.UC_MEM_WRITE_UNMAPPED || type === U.UC_MEM_FETCH_UNMAPPED;
      // koffi hands uint64 values as signed Number when they fit, BigInt otherwise.
      if (access === 'fetch' && typeof address === 'number' && address >= 0 && this.fetchAhead(address + size - 1))
        return false;
      if (typeof address === 'number' && address >= 0 && !unmapped) {
        // An access that crosses a page boundary is checked page by page before any byte moves:
        // Unicorn would otherwise write the bytes on the first page one by one before asking about
        // the second (docs/engine.md).  The MMU is never asked about a page-crossing access.
        const off = address % PAGE;
        const first = size > 1 && off + size > PAGE ? PAGE - off : size;
        try {
          if (first === size) {
            if (this.mmu(address, size, access)) {
              if (access === 'fetch') this.fetchable.add(address - off);
              return true;
            }
          } else {
            if (!this.mmu(address, first, access)) return this.refuse(address, first, access);
            if (this.mmu(address + first, size - first, access)) return true;
            return this.refuse(address + first, size - first, access);
          }
        } catch (e) {
          // Re-thrown by run() once the engine has stopped: exceptions must not unwind through C.
          this.thrown = e;
          this.pending = {
            kind: 'error',
            code: -1,
            message: `MMU callback threw: ${(e as Error).message ?? e}`,
            pc: this.pc(),
          };
          this.lib.uc_emu_stop(this.uc);
          return false;
        }
      }
      return this.refuse(address, size, access, unmapped);
    };
    const prot = U.UC_HOOK_MEM_READ_PROT | U.UC_HOOK_MEM_WRITE_PROT | U.UC_HOOK_MEM_FETCH_PROT;
    const unm = U.UC_HOOK_MEM_READ_UNMAPPED | U.UC_HOOK_MEM_WRITE_UNMAPPED | U.UC_HOOK_MEM_FETCH_UNMAPPED;
    this.hook(prot | unm, 'mem', onProt as never);

    this.hook(U.UC_HOOK_BLOCK, 'block', ((_uc: unknown, address: number | bigint, size: number) => {
      this.executed += this.arch === 'aarch64' ? size >>> 2 : this.x86Count(Number(address), size);
      if (this.executed >= this.budget && !this.pending) {
        this.pending = { kind: 'budget' };
        this.lib.uc_emu_stop(this.uc);
      }
    }) as never);

    const onIntr = (_uc: unknown, intno: number): void => {
      if (this.pending) return;
      if (this.arch === 'aarch64' && intno === 2) {
        this.pending = { kind: 'syscall', pc: this.pc() };
      } else {
        const table = this.arch === 'aarch64' ? ARM_EXCEPTIONS : X86_EXCEPTIONS;
        this.pending = { kind: 'exception', intno, pc: this.pc(), what: table[intno] ?? `exception ${intno}` };
      }
      this.lib.uc_emu_stop(this.uc);
    };
    this.hook(U.UC_HOOK_INTR, 'intr', onIntr as never);

    if (this.arch === 'x86_64') {
      this.hook(
        U.UC_HOOK_INSN,
        'insn',
        ((): void => {
          if (this.pending) return;
          this.pending = { kind: 'syscall', pc: this.pc() };
          this.lib.uc_emu_stop(this.uc);
        }) as never,
        1,
        0,
        'int',
        UC_X86_INS_SYSCALL,
      );
    }
    this.hook(U.UC_HOOK_INSN_INVALID, 'invalid', ((): boolean => {
      if (!this.pending) this.pending = { kind: 'exception', intno: 6, pc: this.pc(), what: X86_EXCEPTIONS[6]! };
      return false;
    }) as never);
  }

  /** Records a refused access as the fault to report.  The PC read here is exact thanks to the
   * precise-PC code hook; for fetches it is the start of the instruction being fetched. */
  private refuse(address: number | bigint, size: number, access: Access, unmapped = false): false {
    if (this.stopping()) return false;
    const addr = BigInt.asUintN(64, BigInt(address));
    this.pending = { kind: 'fault', address: addr, access, pc: this.pc(), size, unmapped };
    return false;
  }

  /** True if a callback already decided how this run ends (a later fault may replace 'budget'). */
  private stopping(): boolean {
    return this.pending !== undefined && this.pending.kind !== 'budget';
  }

  /**
   * Instruction fetch ahead of execution.  Unicorn (QEMU 5) translates a whole block before
   * running it, and an x86 block may run on from one page into the next.  A fetch from the next
   * page then happens while the PC still points at the block start, before the instructions
   * in front of the page boundary have run; refusing it there would report the fault early,
   * at the wrong PC.  Such a fetch is refused without asking the MMU; run() then executes the
   * straight-line code up to the instruction that needs the new page and retries, so the
   * MMU sees the fetch only when that instruction is the next one to execute, as on hardware.
   * ARM64 blocks never cross a page, so this only happens on x86.  `last` is the last byte fetched.
   */
  private fetchAhead(last: number): boolean {
    if (this.aheadPage !== undefined) return true;
    if (this.arch !== 'x86_64') return false;
    const page = last - (last % PAGE);
    const pc = Number(this.pc());
    if (pc >= page || pc === this.straddler || this.fetchable.has(page)) return false;
    this.aheadPage = page;
    return true;
  }

  /**
   * After a fetch ahead of execution into `page` (see fetchAhead): runs the straight-line code
   * from the PC up to the last instruction that starts at or before `page` (it needs bytes from
   * the new page).  x86 instructions are at most 15 bytes, so that instruction starts in
   * [page - 14, page]; Unicorn stops translation at an `until` address only where an instruction
   * starts, so the candidates are tried from the top (a candidate that is not an instruction
   * start makes translation run into the new page again, and nothing executes).  If none is
   * reached, the instruction at the PC itself crosses into the page: its fetch is genuine.
   */
  private runToPage(page: number): number {
    const from = Number(this.pc());
    for (let at = page; at > from && at >= page - 14; at--) {
      this.aheadPage = undefined;
      const err = this.lib.uc_emu_start(this.uc, from, at, 0, 0);
      if (this.pending || this.aheadPage === undefined) return err;
    }
    this.aheadPage = undefined;
    this.straddler = from;
    return U.UC_ERR_OK;
  }

  private x86Count(address: number, size: number): number {
    const key = address * 64 + (size & 63);
    let n = this.x86Counts.get(key);
    if (n === undefined) {
      const bytes = this.peek_(address, size);
      n = bytes ? countX86Instructions(bytes) : Math.max(1, size >>> 2);
      this.x86Counts.set(key, n);
    }
    return n;
  }

  /**
   * The access type the CPU reports when `access`, made by the instruction at the PC, faults.  x86
   * CPUs check the load of a read-modify-write instruction with a memory destination for write
   * access, so a fault there reports a write (#PF W/R=1: one write fault, not a read fault then a
   * write fault), although the engine performs the load first (docs/engine.md).  Every other
   * access is reported as it was made.  Asked only on the slow path, when the MMU refuses.
   */
  faultAccess(access: Access): Access {
    if (access !== 'read' || this.arch !== 'x86_64') return access;
    const pc = Number(this.pc());
    const bytes = this.peek_(pc, 15) ?? this.peek_(pc, 1);
    return bytes && isX86MemoryRmw(bytes) ? 'write' : access;
  }

  /** Reads guest bytes straight from the host backing (no MMU check); undefined if unmapped. */
  private peek_(address: number, size: number): Buffer | undefined {
    const r = this.regionAt_(address);
    if (!r || address + size > r.end) return undefined;
    return r.mem.subarray(address - r.begin, address - r.begin + size);
  }

  private regionAt_(address: number): Region | undefined {
    for (const r of this.regions) if (address >= r.begin && address < r.end) return r;
    return undefined;
  }

  /** The mapped engine regions, in address order. */
  private regionList_(): { begin: number; end: number }[] {
    return this.regions.map((r) => ({ begin: r.begin, end: r.end }));
  }

  private get regionCount_(): number {
    return this.regions.length;
  }

  /**
   * Maps [begin, begin+mem.length) onto host memory with no permissions; every access then goes
   * through the MMU callback.  Refused (CpuError) past the engine's limits.
   */
  private map_(begin: number, mem: Buffer): void {
    this.mapWith(begin, mem, U.UC_PROT_NONE);
  }

  /**
   * Maps a region with full permissions: accesses never reach the MMU callback and cannot fault.
   * For benchmarks and baselines only (bench/engine.ts measures the raw engine with it); the
   * model never uses it.  Same guards as map().
   */
  private mapRaw_(begin: number, mem: Buffer): void {
    this.mapWith(begin, mem, U.UC_PROT_ALL);
  }

  private mapWith(begin: number, mem: Buffer, perms: number): void {
    const end = begin + mem.length;
    if (!Number.isSafeInteger(begin) || begin % PAGE || mem.length % PAGE || mem.length === 0)
      throw new CpuError(`map: unaligned region 0x${begin.toString(16)}+0x${mem.length.toString(16)}`);
    if (end > ADDRESS_LIMIT[this.arch] || begin < 0)
      throw new CpuError(
        `map: region 0x${begin.toString(16)}-0x${end.toString(16)} is outside the ${this.arch} user address range`,
      );
    if (this.regions.length >= MAX_REGIONS[this.arch])
      throw new CpuError(
        `map: engine region limit reached (${MAX_REGIONS[this.arch]} regions on ${this.arch}); refusing before Unicorn would abort`,
      );
    for (const r of this.regions)
      if (begin < r.end && r.begin < end)
        throw new CpuError(`map: 0x${begin.toString(16)} overlaps an existing region`);
    const err = this.lib.uc_mem_map_ptr(this.uc, begin, mem.length, perms, mem);
    if (err !== U.UC_ERR_OK) throw new CpuError(`uc_mem_map_ptr failed: ${this.lib.uc_strerror(err)}`);
    this.regions.push({ begin, end, mem });
    this.regions.sort((a, b) => a.begin - b.begin);
  }

  /** Unmaps a whole region previously mapped with map(). */
  private unmap_(begin: number): void {
    const i = this.regions.findIndex((r) => r.begin === begin);
    if (i < 0) throw new CpuError(`unmap: no region at 0x${begin.toString(16)}`);
    const r = this.regions[i]!;
    const err = this.lib.uc_mem_unmap(this.uc, r.begin, r.end - r.begin);
    if (err !== U.UC_ERR_OK) throw new CpuError(`uc_mem_unmap failed: ${this.lib.uc_strerror(err)}`);
    this.regions.splice(i, 1);
    this.invalidateCode_(r.begin, r.end);
    this.removeCodeRange_(r.begin, r.end);
  }

  /**
   * Declares [begin, end) as code: installs the precise-PC hook on it (DESIGN.md §1) so faults in
   * instructions fetched from there are exact.
   */
  private addCodeRange_(begin: number, end: number): void {
    const key = `${begin}:${end}`;
    if (this.codeHooks.has(key)) return;
    const hh = this.hook(U.UC_HOOK_MEM_READ | U.UC_HOOK_MEM_WRITE, 'mem', (() => true) as never, begin, end - 1);
    this.codeHooks.set(key, hh);
  }

  private removeCodeRange_(begin: number, end: number): void {
    for (const [key, hh] of this.codeHooks) {
      const [b, e] = key.split(':').map(Number) as [number, number];
      if (b >= begin && e <= end) {
        this.lib.uc_hook_del(this.uc, hh);
        this.codeHooks.delete(key);
      }
    }
  }

  /** Drops translated blocks of [begin, end): FETCH_PROT is checked only at translation. */
  private invalidateCode_(begin: number, end: number): void {
    this.lib.uc_ctl(this.uc, U.UC_CTL_REMOVE_CACHE, 'uint64_t', begin, 'uint64_t', end);
    for (const page of this.fetchable) if (page >= begin - (begin % PAGE) && page < end) this.fetchable.delete(page);
  }

  private regId(name: string): number {
    const id = this.regIds[name];
    if (id === undefined) throw new CpuError(`unknown ${this.arch} register '${name}'`);
    return id;
  }

  reg(name: string): bigint {
    const err = this.lib.uc_reg_read(this.uc, this.regId(name), this.regBuf);
    if (err !== U.UC_ERR_OK) throw new CpuError(`uc_reg_read(${name}): ${this.lib.uc_strerror(err)}`);
    return this.regBuf.readBigUInt64LE(0);
  }

  setReg(name: string, value: bigint | number): void {
    this.regBuf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)), 0);
    const err = this.lib.uc_reg_write(this.uc, this.regId(name), this.regBuf);
    if (err !== U.UC_ERR_OK) throw new CpuError(`uc_reg_write(${name}): ${this.lib.uc_strerror(err)}`);
  }

  /** 128-bit vector register (q0..q31 / xmm0..xmm15) as 16 bytes. */
  vreg(name: string): Buffer {
    const b = Buffer.alloc(16);
    this.lib.uc_reg_read(this.uc, this.regId(name), b);
    return b;
  }

  setVreg(name: string, bytes: Buffer): void {
    this.lib.uc_reg_write(this.uc, this.regId(name), Buffer.from(bytes));
  }

  pc(): bigint {
    return this.reg(this.arch === 'aarch64' ? 'pc' : 'rip');
  }

  setPc(v: bigint | number): void {
    this.setReg(this.arch === 'aarch64' ? 'pc' : 'rip', v);
  }

  /**
   * Runs from the current PC until something the kernel model must handle, or until `budget`
   * instructions have run (counted per translation block, so it may overshoot by one block).
   */
  run(budget: number): RunResult {
    if (this.closed) throw new CpuError('run: CPU is closed');
    this.pending = undefined;
    this.executed = 0;
    this.budget = Math.max(1, budget);
    this.aheadPage = undefined;
    this.straddler = undefined;
    // `until` must never equal a PC the guest can reach, or uc_emu_start returns at once without
    // running anything (a jump to 0 would spin forever).  An odd non-canonical address is neither
    // a valid arm64 PC (4-byte aligned) nor an x86-64 one (canonical addresses only).
    let err = this.lib.uc_emu_start(this.uc, this.pc(), NEVER_PC, 0, 0);
    while (this.aheadPage !== undefined && !this.pending) {
      err = this.runToPage(this.aheadPage);
      if (this.pending) break;
      err = this.lib.uc_emu_start(this.uc, this.pc(), NEVER_PC, 0, 0);
    }
    this.aheadPage = undefined;
    if (this.thrown !== undefined) {
      const e = this.thrown;
      this.thrown = undefined;
      this.pending = undefined;
      throw e;
    }
    let reason = this.pending as StopReason | undefined;
    // Inside the syscall hooks the PC is not yet synced (x86 reports the syscall insn itself);
    // after the engine stops it is the return address, as the kernel sees it in pt_regs.
    if (reason?.kind === 'syscall') reason.pc = this.pc();
    if (!reason && err === U.UC_ERR_OK && this.arch === 'x86_64') {
      // Unicorn ends emulation on `hlt`; at CPL3 it is privileged: #GP, which Linux makes SIGSEGV.
      const at = this.pc() - 1n;
      if (this.peek_(Number(at), 1)?.[0] === 0xf4) {
        this.setPc(at);
        reason = { kind: 'exception', intno: 13, pc: at, what: 'general protection (#GP, hlt at CPL3)' };
      }
    }
    if (!reason) {
      reason =
        err === U.UC_ERR_OK
          ? { kind: 'requested' }
          : { kind: 'error', code: err, message: this.lib.uc_strerror(err), pc: this.pc() };
    }
    this.pending = undefined;
    return { reason, executed: this.executed };
  }

  /** Stops a running engine from inside a callback (e.g. the MMU decided the task must die). */
  stop(reason: StopReason): void {
    if (!this.pending) this.pending = reason;
    this.lib.uc_emu_stop(this.uc);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.lib.uc_close(this.uc);
    for (const cb of this.callbacks) this.lib.unregister(cb);
    this.callbacks.length = 0;
    this.regions.length = 0;
  }
}
