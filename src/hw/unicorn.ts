/**
 * The only code that calls the Unicorn C library (through koffi).  Everything else uses `Cpu`
 * (src/hw/cpu.ts).  Keeping every FFI signature here lets a WASM backend replace this file.
 */
import koffi from 'koffi';
import { defaultSteps, locateUnicorn, type ProvisionResult } from './provision.js';

export const UC_ARCH_ARM64 = 2;
export const UC_ARCH_X86 = 4;
export const UC_MODE_ARM = 0;
export const UC_MODE_64 = 1 << 3;

export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_INSN = 1 << 1;
export const UC_HOOK_BLOCK = 1 << 3;
export const UC_HOOK_MEM_READ_UNMAPPED = 1 << 4;
export const UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5;
export const UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6;
export const UC_HOOK_MEM_READ_PROT = 1 << 7;
export const UC_HOOK_MEM_WRITE_PROT = 1 << 8;
export const UC_HOOK_MEM_FETCH_PROT = 1 << 9;
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;
export const UC_HOOK_INSN_INVALID = 1 << 14;

export const UC_MEM_READ = 16;
export const UC_MEM_WRITE = 17;
export const UC_MEM_FETCH = 18;
export const UC_MEM_READ_UNMAPPED = 19;
export const UC_MEM_WRITE_UNMAPPED = 20;
export const UC_MEM_FETCH_UNMAPPED = 21;
export const UC_MEM_WRITE_PROT = 22;
export const UC_MEM_READ_PROT = 23;
export const UC_MEM_FETCH_PROT = 24;

export const UC_PROT_NONE = 0;
export const UC_PROT_ALL = 7;

export const UC_ERR_OK = 0;
export const UC_ERR_READ_UNMAPPED = 6;
export const UC_ERR_WRITE_UNMAPPED = 7;
export const UC_ERR_FETCH_UNMAPPED = 8;
export const UC_ERR_INSN_INVALID = 10;
export const UC_ERR_WRITE_PROT = 12;
export const UC_ERR_READ_PROT = 13;
export const UC_ERR_FETCH_PROT = 14;
export const UC_ERR_EXCEPTION = 21;

const UC_CTL_IO_WRITE = 1;
const UC_CTL_TB_REMOVE_CACHE = 9;
const UC_CTL_CPU_MODEL = 7;
export const UC_CTL_REMOVE_CACHE = UC_CTL_TB_REMOVE_CACHE | (2 << 26) | (UC_CTL_IO_WRITE << 30);
export const UC_CTL_SET_CPU_MODEL = UC_CTL_CPU_MODEL | (1 << 26) | (UC_CTL_IO_WRITE << 30);

export type Ptr = unknown;
type KType = ReturnType<typeof koffi.proto>;

export interface UnicornLib {
  path: ProvisionResult;
  version: string;
  uc_open(arch: number, mode: number, out: Ptr[]): number;
  uc_close(uc: Ptr): number;
  uc_strerror(code: number): string;
  uc_emu_start(uc: Ptr, begin: number | bigint, until: number | bigint, timeout: number, count: number): number;
  uc_emu_stop(uc: Ptr): number;
  uc_mem_map_ptr(uc: Ptr, address: number | bigint, size: number, perms: number, ptr: Buffer): number;
  uc_mem_unmap(uc: Ptr, address: number | bigint, size: number): number;
  uc_reg_read(uc: Ptr, regid: number, value: Buffer): number;
  uc_reg_write(uc: Ptr, regid: number, value: Buffer): number;
  uc_hook_add(
    uc: Ptr,
    out: bigint[] | number[],
    type: number,
    cb: Ptr,
    user: null,
    begin: number | bigint,
    end: number | bigint,
    ...variadic: unknown[]
  ): number;
  uc_hook_del(uc: Ptr, hh: number | bigint): number;
  uc_ctl(uc: Ptr, control: number, ...variadic: unknown[]): number;
  protos: {
    mem: KType;
    intr: KType;
    insn: KType;
    block: KType;
    invalid: KType;
  };
  register(fn: (...args: never[]) => unknown, proto: KType): Ptr;
  unregister(p: Ptr): void;
}

let cached: UnicornLib | undefined;

/** Loads libunicorn once per process.  Throws UnicornUnavailableError with install help. */
export function loadUnicorn(): UnicornLib {
  if (cached) return cached;
  const canLoad = (p: string) => {
    try {
      koffi.load(p);
      return true;
    } catch {
      return false;
    }
  };
  const where = locateUnicorn(defaultSteps(canLoad), { allowDownload: true });
  const lib = koffi.load(where.path);
  const protos = {
    mem: koffi.proto('bool fp_uc_cb_mem(void *uc, int type, uint64_t address, int size, int64_t value, void *user)'),
    intr: koffi.proto('void fp_uc_cb_intr(void *uc, uint32_t intno, void *user)'),
    insn: koffi.proto('void fp_uc_cb_insn(void *uc, void *user)'),
    block: koffi.proto('void fp_uc_cb_block(void *uc, uint64_t address, uint32_t size, void *user)'),
    invalid: koffi.proto('bool fp_uc_cb_invalid(void *uc, void *user)'),
  };
  const version = lib.func('unsigned int uc_version(_Out_ unsigned int *major, _Out_ unsigned int *minor)');
  const maj = [0];
  const min = [0];
  version(maj, min);
  cached = {
    path: where,
    version: `${maj[0]}.${min[0]}`,
    uc_open: lib.func('int uc_open(int arch, int mode, _Out_ void **uc)'),
    uc_close: lib.func('int uc_close(void *uc)'),
    uc_strerror: lib.func('const char *uc_strerror(int code)'),
    uc_emu_start: lib.func(
      'int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)',
    ),
    uc_emu_stop: lib.func('int uc_emu_stop(void *uc)'),
    uc_mem_map_ptr: lib.func('int uc_mem_map_ptr(void *uc, uint64_t address, size_t size, uint32_t perms, void *ptr)'),
    uc_mem_unmap: lib.func('int uc_mem_unmap(void *uc, uint64_t address, size_t size)'),
    uc_reg_read: lib.func('int uc_reg_read(void *uc, int regid, void *value)'),
    uc_reg_write: lib.func('int uc_reg_write(void *uc, int regid, void *value)'),
    uc_hook_add: lib.func(
      'int uc_hook_add(void *uc, _Out_ size_t *hh, int type, void *callback, void *user_data, uint64_t begin, uint64_t end, ...)',
    ),
    uc_hook_del: lib.func('int uc_hook_del(void *uc, size_t hh)'),
    uc_ctl: lib.func('int uc_ctl(void *uc, int control, ...)'),
    protos,
    register: (fn, proto) => koffi.register(fn, koffi.pointer(proto)),
    unregister: (p) => koffi.unregister(p as never),
  } as UnicornLib;
  return cached;
}
