/**
 * A guest machine for tests: the architectures, guest programs assembled (or loaded) once per
 * test file, the kernel log, and the model's /proc and /sys/fs/cgroup files read and written
 * the way a guest's shell would.  The per-suite helpers (test/e2e/helpers.ts, test/helpers/vm.ts,
 * test/syscalls/harness.ts, test/peer-suites/harness.ts) build on these.
 */
import { assemble } from '../../src/asm/assemble.js';
import type { GuestArch } from '../../src/include/faultpath/profile.js';
import type { Task } from '../../src/include/linux/sched.js';
import type { Machine } from '../../src/machine/machine.js';
import { loadProgram } from '../../src/scenario/run.js';
import { filename_lookup } from '../../src/fs/namei.js';

export type Arch = GuestArch;
export const ARCHES = ['aarch64', 'x86_64'] as const satisfies readonly Arch[];

// ------------------------------------------------------------------------------------------------
// Guest programs
// ------------------------------------------------------------------------------------------------

export type Program = { path: string; bytes: Uint8Array };

const elfCache = new Map<string, Uint8Array>();

/** Assembles source text into an ELF for an arch; results are cached by source text. */
export async function assembleCached(arch: Arch, src: string, file = 'guest.S'): Promise<Uint8Array> {
  const key = `${arch}\0${src}`;
  const hit = elfCache.get(key);
  if (hit) return hit;
  const r = await assemble(arch, src, file);
  elfCache.set(key, r.elf);
  return r.elf;
}

const programCache = new Map<string, Promise<Program>>();

/**
 * A guest program as runScenario loads it (a guest-programs/<arch>/ name, a .S file relative to
 * `baseDir`, or an ELF file), loaded once per test file.
 */
export function guestProgram(arch: Arch, name: string, baseDir: string): Promise<Program> {
  const key = `${arch}\0${baseDir}\0${name}`;
  let p = programCache.get(key);
  if (!p) {
    p = loadProgram(name, arch, baseDir);
    programCache.set(key, p);
  }
  return p;
}

// ------------------------------------------------------------------------------------------------
// The kernel log
// ------------------------------------------------------------------------------------------------

/** The modeled kernel log, without printk timestamps. */
export function dmesg(m: Machine): string[] {
  return m.k.printk.records.map((r) => r.text);
}

/** A dmesg line without its "[    1.234567] " printk timestamp. */
export function withoutStamp(line: string): string {
  return line.replace(/^\[\s*\d+\.\d+\] /, '');
}

// ------------------------------------------------------------------------------------------------
// /proc and /sys/fs/cgroup
// ------------------------------------------------------------------------------------------------

/** The text of a file of the model's file system (as task `self`, or as a privileged outsider); null if there is none. */
export function fileText(m: Machine, path: string, self: Task | null = null): string | null {
  return filename_lookup(m.sys.vfs, path, self)?.read() ?? null;
}

/** Reads a file of the model's file system; throws if there is none. */
export function readFile(m: Machine, path: string, self: Task | null = null): string {
  const text = fileText(m, path, self);
  if (text === null) throw new Error(`no ${path}`);
  return text;
}

/** Writes a file of the model's file system; returns what write(2) returns (bytes or -errno). */
export function writeFile(m: Machine, path: string, value: string, self: Task | null = null): number {
  const f = filename_lookup(m.sys.vfs, path, self);
  if (!f?.write) throw new Error(`no writable ${path}`);
  return f.write(value);
}

const cgPath = (path: string, file: string) => `/sys/fs/cgroup/${path}/${file}`.replace(/\/+/g, '/');

export function cgRead(m: Machine, path: string, file: string): string {
  return readFile(m, cgPath(path, file));
}

export function cgWrite(m: Machine, path: string, file: string, value: string): number {
  return writeFile(m, cgPath(path, file), value);
}

export function proc(m: Machine, pid: number | 'self', file: string, self: Task | null = null): string {
  return readFile(m, `/proc/${pid}/${file}`, self);
}

/** "key value" lines (memory.events, memory.stat) as a record. */
export function kv(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(-?\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** "Key:   123 kB" lines (/proc/<pid>/status, /proc/meminfo) → numbers (kB values as given). */
export function kb(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(-?\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}
