import { it, expect } from 'vitest';
import { runGuest, ARCHES } from '/work/main/test/syscalls/harness.js';
for (const arch of ARCHES) it(arch, async () => {
  const t0 = Date.now();
  const r = await runGuest(arch, { steps: [{ sys: 'getpid', out: 'pid' }, { sys: 'write', args: [99, 0, 0], out: 'badfd' }, { out: 'neg', value: -12345 }, { exit: 7 }] });
  console.log(arch, Date.now() - t0, r.end, r.main, r.dmesg);
  r.m.close();
});
