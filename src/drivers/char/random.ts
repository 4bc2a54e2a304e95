/**
 * The machine's one random stream, standing in for the CRNG of drivers/char/random.c: both
 * get_random_bytes() users the model has (load_elf_binary()'s AT_RANDOM bytes and the
 * getrandom(2) syscall) draw from it in order, so no two draws repeat each other.  It is
 * seeded from the scenario's `machine.seed`, which keeps runs byte-for-byte reproducible.
 */
export class Crng {
  private s: number;

  constructor(seed: number) {
    // One splitmix32 round so that neighbouring seeds start unrelated xorshift32 streams.
    let z = (seed + 0x9e3779b9) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (z ^ (z >>> 16)) >>> 0 || 0x9e3779b9;
  }

  private next(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return this.s;
  }

  /** get_random_bytes() */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
