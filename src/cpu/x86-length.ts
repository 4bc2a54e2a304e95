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
