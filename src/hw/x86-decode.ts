/**
 * Instruction counting for x86-64 translation blocks (the block hook reports bytes, and x86
 * instructions vary in length).  Uses Capstone (WASM), loaded once per process.
 */
import MCapstone from '@alexaltea/capstone-js';

interface CsInsn {
  size: number;
}
interface CsDecoder {
  disasm(bytes: ArrayLike<number>, address: number): CsInsn[];
}
interface CsModule {
  Capstone: new (arch: number, mode: number) => CsDecoder;
  ARCH_X86: number;
  MODE_64: number;
}

const cs = (await (MCapstone as unknown as () => Promise<CsModule>)()) as CsModule;
const decoder = new cs.Capstone(cs.ARCH_X86, cs.MODE_64);

export function countX86Instructions(bytes: Uint8Array): number {
  const n = decoder.disasm(Array.from(bytes), 0).length;
  return Math.max(1, n);
}

interface CsInsnText {
  mnemonic: string;
  op_str: string;
}

/** Read-modify-write instructions whose first (destination) operand may be memory. */
const RMW = new Set([
  'add',
  'adc',
  'sub',
  'sbb',
  'and',
  'or',
  'xor',
  'inc',
  'dec',
  'neg',
  'not',
  'shl',
  'shr',
  'sal',
  'sar',
  'rol',
  'ror',
  'rcl',
  'rcr',
  'xchg',
  'xadd',
  'cmpxchg',
  'btc',
  'btr',
  'bts',
  'shld',
  'shrd',
]);

/**
 * Whether the instruction in `bytes` reads and writes a memory destination.  The CPU checks such
 * a load for write access, so a not-present page reports W/R=1 (one write fault) even though
 * the engine performs the load first (docs/engine.md).
 */
export function isX86MemoryRmw(bytes: Uint8Array): boolean {
  const insn = (decoder.disasm(Array.from(bytes), 0) as unknown as CsInsnText[])[0];
  if (!insn) return false;
  const m = insn.mnemonic.replace(/^lock /, '');
  return RMW.has(m) && /^(byte|word|dword|qword) ptr \[/.test(insn.op_str);
}
