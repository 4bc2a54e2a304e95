import { it } from 'vitest';
import { runGuest } from './harness.js';
it('dbg', async () => {
  const r = await runGuest('x86_64', { steps: [
        { sys: 'mmap', args: [0, 0x2000, 3, 0x21, -1, 0], save: 1, out: 'shared' },
        { store: { slot: 1 }, value: 0x11 },
        { sys: 'clone', args: [17, 0, 0, 0, 0], save: 3, out: 'clone' },
        { br: 'eqz', slot: 3, to: 'child' },
        { sys: 'wait4', args: [{ slot: 3 }, 0, 0, 0], out: 'waited' },
        { load: { slot: 1 }, out: 'shared0' },
        { exit: 0 },
        { label: 'child' },
        { load: { slot: 1 }, out: 'child_sees_shared' },
        { exit: 5 },
  ]});
  console.log(r.end, r.tasks, [...r.m.k.tasks.values()].map(t => [t.pid, t.state, t.comm]), r.m.output_);
});
