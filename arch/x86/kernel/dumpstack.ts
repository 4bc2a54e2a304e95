/**
 * arch/x86/kernel/dumpstack.c: show_opcodes() (the "Code:" line) with copy_code()'s read of the
 * bytes around ip, and show_ip() / show_iret_regs() (the RIP and RSP/EFLAGS lines of a user
 * register dump).
 */
import type { Cpu } from '../../../src/hw/cpu.js';
import { type KernelProfile, PROFILES } from '../../../src/include/faultpath/profile.js';
import type { Task } from '../../../src/include/linux/sched.js';
import { X86_TASK_SIZE_MAX } from '../include/asm/page_64_types.js';

/** What show_opcodes() could read: the 64 bytes at ip-42, a failed copy, or -EPERM. */
export type OpcodeDump =
  | { kind: 'bytes'; bytes: Uint8Array | readonly number[] }
  | { kind: 'fault' }
  | { kind: 'eperm' };

const PROLOGUE_SIZE = 42;
const EPILOGUE_SIZE = 21;
const OPCODE_BUFSIZE = PROLOGUE_SIZE + 1 + EPILOGUE_SIZE;

/** copy_code() → copy_from_user_nmi() of ip-42 .. ip+21 for a user ip: only if every byte is mapped. */
export function copy_code(t: Task, ip: bigint): OpcodeDump {
  const start = Number(ip) - PROLOGUE_SIZE;
  const out: number[] = [];
  for (let a = start; a < start + OPCODE_BUFSIZE; a++) {
    const w = t.mm!.pgtable.walk(Math.floor(a / 4096) * 4096);
    if (w.level !== 4) return { kind: 'fault' };
    const b = t.mm!.cpu.mem.peek(a, 1);
    if (!b) return { kind: 'fault' };
    out.push(b[0]!);
  }
  return { kind: 'bytes', bytes: Uint8Array.from(out) };
}

const hb = (b: number) => (b & 0xff).toString(16).padStart(2, '0');

/**
 * `show_opcodes(regs, loglvl)` for a user-mode ip: `"Code: %42ph <%02x> %21ph"`, or the
 * version's failure text (6.1 "Unable to access opcode bytes at 0x%lx." with ip-42; 4.19
 * "Bad RIP value." — also when ip-42..ip+21 is not below TASK_SIZE_MAX), or nothing (6.1 -EPERM,
 * and 3.12 whose show_signal_msg() has no Code: line at all).
 */
export function show_opcodes(ip: bigint, dump: OpcodeDump, profile: KernelProfile = PROFILES['6.1']): string[] {
  const fmt = profile.report.x86.showOpcodes;
  if (fmt === null) return [];
  const prologue = BigInt.asUintN(64, ip - BigInt(PROLOGUE_SIZE));
  let bytes: readonly number[] | undefined;
  if (dump.kind === 'bytes') {
    bytes = Array.from(dump.bytes);
    if (bytes.length !== OPCODE_BUFSIZE)
      throw new RangeError(`show_opcodes needs exactly ${OPCODE_BUFSIZE} bytes (ip-42 .. ip+21), got ${bytes.length}`);
  }
  if (fmt === 'bad_rip') {
    // __chk_range_not_ok(prologue, OPCODE_BUFSIZE, TASK_SIZE_MAX): the range must end at or below the limit
    const badIp = prologue + BigInt(OPCODE_BUFSIZE) > X86_TASK_SIZE_MAX || prologue + BigInt(OPCODE_BUFSIZE) < prologue;
    if (badIp || !bytes) return ['Code: Bad RIP value.'];
  } else {
    if (dump.kind === 'eperm') return [];
    if (!bytes) return [`Code: Unable to access opcode bytes at 0x${prologue.toString(16)}.`];
  }
  const pro = bytes.slice(0, PROLOGUE_SIZE).map(hb).join(' ');
  const epi = bytes
    .slice(PROLOGUE_SIZE + 1)
    .map(hb)
    .join(' ');
  return [`Code: ${pro} <${hb(bytes[PROLOGUE_SIZE] ?? 0)}> ${epi}`];
}

const reg16 = (cpu: Cpu, n: string) => cpu.reg(n).toString(16).padStart(16, '0');

/** show_ip(): "RIP: 0033:0x…" (user cs, %pS of a user address) and show_opcodes(). */
export function show_ip(t: Task, profile: KernelProfile): string[] {
  const rip = t.mm!.cpu.pc();
  return [`RIP: 0033:0x${rip.toString(16)}`, show_opcodes(rip, copy_code(t, rip), profile)[0] ?? ''];
}

/** show_iret_regs(): show_ip(), then "RSP: 002b:%016lx EFLAGS: %08lx". */
export function show_iret_regs(t: Task, profile: KernelProfile): string[] {
  const cpu = t.mm!.cpu;
  return [
    ...show_ip(t, profile),
    `RSP: 002b:${reg16(cpu, 'rsp')} EFLAGS: ${(cpu.reg('rflags') & 0xffffffffn).toString(16).padStart(8, '0')}`,
  ];
}
