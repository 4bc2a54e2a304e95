import { it } from 'vitest';
import { runGuest } from './harness.js';
for (const arch of ['x86_64', 'aarch64'] as const) {
it(`${arch} offend`, async () => {
  const src = arch === 'x86_64' ? '.text\n.globl _start\n_start:\n nop\n .p2align 12\n' : '.text\n.globl _start\n_start:\n nop\n .p2align 12\n';
  const r = await runGuest(arch, src, { trace: true });
  const sig = r.m.tracer.events.filter(e => e.kind === 'signal' || e.kind === 'exception');
  console.log(arch, 'offend', r.end, r.main.outcome, r.dmesg, JSON.stringify(sig));
  r.m.close();
});
it(`${arch} hugemmap`, async () => {
  const t0 = Date.now();
  const r = await runGuest(arch, { steps: [
    { sys: 'mmap', args: [0, 2**45, 3, 0x4022, -1, 0], out: 'huge' },
    { sys: 'mmap', args: [0, 2**33, 3, 0x4022, -1, 0], out: 'g8' },
    { sys: 'mmap', args: [0, 2**32 + 4096, 3, 0x4022, -1, 0], out: 'g4' },
  ] });
  console.log(arch, 'hugemmap', Date.now() - t0, r.end, r.main.outcome, r.main.out, r.dmesg);
  r.m.close();
});
it(`${arch} mmaploop`, async () => {
  const t0 = Date.now();
  const r = await runGuest(arch, { steps: [
    { label: 'loop' },
    { sys: 'mmap', args: [0, 4096, 3, 0x22, -1, 0], save: 0 },
    { br: 'ltz', slot: 0, to: 'done' },
    { store: { slot: 0 }, value: 1 },
    { goto: 'loop' },
    { label: 'done' },
    { out: 'err', slot: 0 },
  ] }).catch(e => { console.log('ERR', e); throw e; });
  console.log(arch, 'mmaploop', Date.now() - t0, r.end, r.main.outcome, r.main.out, r.task.mm?.vmas.length, r.dmesg);
  r.m.close();
});
}
