/**
 * Page accounting through the fault path, checked at guest "markers" (getpid calls) and with
 * the debug_vm invariants after every fault, every exit and at each marker:
 * zero page then write, fork + COW, a page-cache page shared by two processes, page-cache
 * reclaim under memcg pressure then a major fault, swap out/in, overcommit_memory=2,
 * MADV_DONTNEED, /proc/<pid>/status RSS lines.
 */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/include/linux/sched.js';
import type { TraceEvent } from '../../src/trace/events.js';
import {
  a64,
  cgRead,
  cgroup,
  cgWrite,
  dmesg,
  kb,
  kv,
  machine,
  onMarker,
  overcommitBoundary,
  proc,
  type Env,
} from '../helpers/vm.js';
import { filemap_get_folio } from '../../src/mm/filemap.js';
import { nr_file_pages } from '../../src/mm/filemap.js';
import { nr_swap_pages_used } from '../../src/mm/swapfile.js';
import { filename_lookup } from '../../src/fs/namei.js';

/** Invariant ids of known, separately reported model bugs that these runs hit (none now). */
const KNOWN: string[] = [];
const clean = (msgs: string[]) => msgs.filter((x) => !KNOWN.some((id) => x.startsWith(`[${id}`)));

function anonPages(env: Env, path: string): number {
  return kv(cgRead(env.m, path, 'memory.stat')).anon! / 4096;
}

describe('zero page, then write', () => {
  it('a read maps the shared zero page (no charge, no RSS); the write copies exactly one anon page', async () => {
    const elf = await a64(`
  mov x19, #4096
  mmap_anon x19
  mov x23, x0
  sync_rss
  marker 1
  ldrb w12, [x23]
  marker 2
  mov w2, #7
  strb w2, [x23]
  sync_rss
  marker 3
  ldrb w12, [x23]
  cmp w12, #7
  b.ne 9f
  exit_group 0
9: exit_group 1
`);
    const env = machine({ arch: 'aarch64', trace: true, memBytes: 64 << 20 }, { ignore: KNOWN });
    const { m, dv } = env;
    m.addProgram('/prog/zp', elf);
    cgroup(m, 'g');
    const at: { anon: number; rssAnon: number; vmRss: number; ev: number; frames: number; page: number }[] = [];
    onMarker(m, (t) => {
      const st = kb(proc(m, t.pid, 'status'));
      at.push({
        anon: anonPages(env, 'g'),
        rssAnon: st.RssAnon!,
        vmRss: st.VmRSS!,
        ev: m.tracer.events.length,
        frames: m.k.phys.counts.anon,
        page: Number(t.mm!.cpu.reg('x23')),
      });
      expect(clean(dv.check('marker'))).toEqual([]);
    });
    const t = m.spawn({ path: '/prog/zp', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    const ev = m.tracer.events;
    const page = `0x${at[0]!.page.toString(16)}`;
    // only the events of the test page (sync_rss faults other pages in between)
    const between = (i: number) =>
      ev.slice(at[i]!.ev, at[i + 1]!.ev).filter((e) => !('address' in e) || e.address === page);
    // read: a translation fault (read, no WnR), the zero page installed, nothing charged
    const r = between(0);
    const rExc = r.filter((e) => e.kind === 'exception' && e.address === page) as Extract<
      TraceEvent,
      { kind: 'exception' }
    >[];
    expect(rExc).toHaveLength(1);
    expect(Number(rExc[0]!.esr) & 0x7c).toBe(0x04); // WnR clear, FSC type = translation
    expect(
      r.filter((e) => e.kind === 'pte' && e.level === 3).map((e) => (e as Extract<TraceEvent, { kind: 'pte' }>).why),
    ).toEqual(['do_anonymous_page: zero page']);
    expect(r.filter((e) => e.kind === 'charge')).toHaveLength(0);
    expect(at[1]!.frames).toBe(at[0]!.frames);
    expect(at[1]!.anon).toBe(at[0]!.anon);
    expect(at[1]!.rssAnon).toBe(at[0]!.rssAnon);
    expect(at[1]!.vmRss).toBe(at[0]!.vmRss);
    // write: level 3 permission fault, wp_page_copy of the zero page, one anon page charged
    const w = between(1);
    const wExc = w.filter((e) => e.kind === 'exception' && e.address === page) as Extract<
      TraceEvent,
      { kind: 'exception' }
    >[];
    expect(wExc.map((e) => e.esr)).toEqual(['0x9200004f']);
    expect(
      w
        .filter((e) => e.kind === 'pte' && e.level === 3 && e.address === page)
        .map((e) => (e as Extract<TraceEvent, { kind: 'pte' }>).why),
    ).toEqual(['wp_page_copy']);
    expect(
      ev.slice(at[1]!.ev, at[2]!.ev).filter((e) => e.kind === 'enter' && e.fn === '__mem_cgroup_charge'),
    ).toHaveLength(1);
    expect(at[2]!.frames - at[1]!.frames).toBe(1);
    expect(at[2]!.anon - at[1]!.anon).toBe(1);
    expect(at[2]!.rssAnon - at[1]!.rssAnon).toBe(4);
    dv.assertClean();
    expect(clean(dv.check('end'))).toEqual([]);
  });
});

const FORK_COW = `
  mov x19, #16
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  sync_rss
  marker 1
  mov x0, #17
  mov x1, #0
  mov x2, #0
  mov x3, #0
  mov x4, #0
  mov x8, #SYS_clone
  svc #0
  cbnz x0, 5f
  marker 2
  mov x20, #4
  mov w2, #2
  touch_w x23, x20
  marker 3
  exit_group 0
5:
  mov x0, #-1
  mov x1, #0
  mov x2, #0
  mov x3, #0
  mov x8, #SYS_wait4
  svc #0
  marker 4
  mov w2, #3
  touch_w x23, x19
  marker 5
  exit_group 0
`;

describe('fork + copy-on-write', () => {
  it('shares the 16 anon pages after fork, copies only what the child writes, reuses after the child exits', async () => {
    const env = machine({ arch: 'aarch64', memBytes: 64 << 20 }, { ignore: KNOWN });
    const { m, dv } = env;
    m.addProgram('/prog/fork', await a64(FORK_COW));
    cgroup(m, 'g');
    const snap = new Map<number, { pid: number; rssAnon: number; minflt: number; anon: number; region: number }>();
    let region = 0;
    onMarker(m, (t, id) => {
      if (id === 1) region = Number(t.mm!.cpu.reg('x23'));
      const st = kb(proc(m, t.pid, 'status'));
      snap.set(id, { pid: t.pid, rssAnon: st.RssAnon!, minflt: t.minFlt, anon: anonPages(env, 'g'), region });
      expect(clean(dv.check(`marker ${id}`))).toEqual([]);
      if (id === 2) {
        // both mms map the same 16 frames, each with mapcount 2 (one rmap entry per mm)
        const parent = t.parent!;
        for (let i = 0; i < 16; i++) {
          const a = region + i * 4096;
          const pv = parent.mm!.pgtable.fmt.view(...parent.mm!.pgtable.getPte(a)!);
          const cv = t.mm!.pgtable.fmt.view(...t.mm!.pgtable.getPte(a)!);
          expect(cv.pfn).toBe(pv.pfn);
          expect(pv.write || cv.write).toBe(false); // both write-protected
          expect(m.k.phys.mapcount[pv.pfn]).toBe(2);
        }
      }
    });
    const t = m.spawn({ path: '/prog/fork', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    const [s1, s2, s3, s4, s5] = [1, 2, 3, 4, 5].map((i) => snap.get(i)!);
    expect(s2!.pid).not.toBe(s1!.pid);
    // after fork: same RSS in the child, no new anon page charged
    expect(s2!.rssAnon).toBe(s1!.rssAnon);
    expect(s2!.anon).toBe(s1!.anon);
    // the child's 4 writes: 4 COW copies, RSS unchanged (a shared page is replaced by a private one)
    expect(s3!.anon - s2!.anon).toBe(4);
    expect(s3!.rssAnon).toBe(s2!.rssAnon);
    expect(s3!.minflt - s2!.minflt).toBe(4);
    // child gone: its 4 copies are freed
    expect(s4!.anon).toBe(s1!.anon);
    // the parent rewrites all 16: write-protect faults that reuse the (now exclusive) pages
    expect(s5!.minflt - s4!.minflt).toBe(16);
    expect(s5!.anon).toBe(s4!.anon);
    expect(s5!.rssAnon).toBe(s1!.rssAnon);
    dv.assertClean();
    expect(dv.exitChecks).toBeGreaterThanOrEqual(1);
    expect(clean(dv.check('end'))).toEqual([]);
  });
});

const SLEEPER = `
  sync_rss
  marker 1
  mov x20, #2
  sleep_s x20
  marker 2
  exit_group 0
`;

describe('page cache shared by two processes running the same binary', () => {
  for (const rootfs of ['disk', 'tmpfs'] as const) {
    it(`${rootfs}: one page-cache page, mapped by both (mapcount 2), ${rootfs === 'disk' ? 'RssFile; first mapper takes the major fault' : 'RssShmem; no major fault'}`, async () => {
      const { m, dv } = machine({ arch: 'aarch64', memBytes: 64 << 20, rootfs });
      const f = m.addProgram('/prog/sleeper', await a64(SLEEPER));
      expect(f.bytes.length).toBeLessThanOrEqual(4096);
      const checked: number[] = [];
      const tasks: Task[] = [];
      onMarker(m, (t, id) => {
        if (id !== 1 || t !== tasks[1]) return;
        // both processes are alive and have executed their text page
        expect(dv.check('marker')).toEqual([]);
        expect(nr_file_pages(m.k)).toBe(1);
        const pfn = filemap_get_folio(m.k, f.id, 0);
        expect(pfn).toBeGreaterThan(0);
        expect(m.k.phys.mapcount[pfn]).toBe(2);
        expect(m.k.phys.refcount[pfn]).toBe(3); // the page cache + two mappings
        expect(
          m.k.phys.rmap
            .get(pfn)!
            .map((e) => e.mmId)
            .sort(),
        ).toEqual([tasks[0]!.mm!.id, tasks[1]!.mm!.id].sort());
        for (const p of tasks) {
          const st = kb(proc(m, p.pid, 'status'));
          expect(rootfs === 'disk' ? st.RssFile : st.RssShmem).toBe(4);
          expect(rootfs === 'disk' ? st.RssShmem : st.RssFile).toBe(0);
          const pv = p.mm!.pgtable.fmt.view(...p.mm!.pgtable.getPte(0x400000)!);
          expect(pv.pfn).toBe(pfn);
        }
        checked.push(id);
      });
      tasks.push(m.spawn({ path: '/prog/sleeper' }), m.spawn({ path: '/prog/sleeper' }));
      expect(m.run().kind).toBe('exited');
      expect(checked).toEqual([1]);
      expect(tasks.map((x) => x.exitStatus)).toEqual([0, 0]);
      expect(tasks.map((x) => x.majFlt)).toEqual(rootfs === 'disk' ? [1, 0] : [0, 0]);
      // the page stays cached, unmapped, after both exit
      expect(nr_file_pages(m.k)).toBe(1);
      expect(m.k.phys.mapcount[filemap_get_folio(m.k, f.id, 0)]).toBe(0);
      dv.assertClean();
      expect(dv.check('end')).toEqual([]);
    });
  }
});

const RECLAIM = `
  mov x0, #-100
  adr x1, 20f
  mov x2, #0
  mov x3, #0
  mov x8, #SYS_openat
  svc #0
  mov x24, x0
  mov x0, #0
  mov x1, #0x40000
  mov x2, #1
  mov x3, #2
  mov x4, x24
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
  mov x25, x0
  mov x26, #64
  touch_r x25, x26
  marker 1
  mov x19, #240
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #1
  touch_w x23, x19
  marker 2
  touch_r x25, x26
  marker 3
  exit_group 0
20: .asciz "/data/blob"
  .balign 4
`;

describe('page-cache reclaim under memcg pressure (rootfs on disk)', () => {
  it('drops clean file pages to make room for anon memory; touching them again is a major fault', async () => {
    const env = machine({ arch: 'aarch64', memBytes: 64 << 20, rootfs: 'disk' }, { ignore: KNOWN, everyNthFault: 8 });
    const { m, dv } = env;
    m.addProgram('/prog/reclaim', await a64(RECLAIM));
    m.addProgram('/data/blob', new Uint8Array(64 * 4096).fill(0x5a));
    cgroup(m, 'g');
    cgWrite(m, 'g', 'memory.max', '1M');
    const s: { maj: number; file: number; pgmaj: number; events: Record<string, number> }[] = [];
    onMarker(m, (t) => {
      const stat = kv(cgRead(m, 'g', 'memory.stat'));
      s.push({
        maj: t.majFlt,
        file: stat.file! / 4096,
        pgmaj: stat.pgmajfault!,
        events: kv(cgRead(m, 'g', 'memory.events')),
      });
      expect(clean(dv.check('marker'))).toEqual([]);
      expect(Number(cgRead(m, 'g', 'memory.current'))).toBeLessThanOrEqual(1 << 20);
    });
    const t = m.spawn({ path: '/prog/reclaim', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    expect(s).toHaveLength(3);
    // 64 blob pages read in (major faults), charged to /g as file pages, plus the program's text
    expect(s[0]!.maj).toBeGreaterThanOrEqual(64);
    expect(s[0]!.file).toBe(65);
    // 240 anon pages do not fit next to them under 1M: file pages were reclaimed
    expect(s[1]!.file).toBeLessThan(65);
    expect(s[1]!.events.max).toBeGreaterThan(0);
    expect(s[1]!.events.oom).toBe(0);
    // reading the blob again takes major faults (page cache misses)
    expect(s[2]!.maj).toBeGreaterThan(s[1]!.maj);
    expect(s[2]!.pgmaj).toBeGreaterThan(s[1]!.pgmaj);
    expect(kv(filename_lookup(m.sys.vfs, '/proc/vmstat', null)!.read()).pgsteal).toBeGreaterThan(0);
    dv.assertClean();
    expect(clean(dv.check('end'))).toEqual([]);
  });
});

const SWAP = `
  mov x19, #512
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov x10, x23
  mov x11, #0
1: strb w11, [x10]
  add x10, x10, #4096
  add x11, x11, #1
  cmp x11, x19
  b.ne 1b
  sync_rss
  marker 1
  mov x10, x23
  mov x11, #0
2: ldrb w12, [x10]
  and x13, x11, #0xff
  cmp x12, x13
  b.ne 9f
  add x10, x10, #4096
  add x11, x11, #1
  cmp x11, x19
  b.ne 2b
  sync_rss
  marker 2
  exit_group 0
9: exit_group 3
`;

describe('swap out / swap in (swapBytes configured)', () => {
  it('MM_SWAPENTS, VmSwap and memory.swap.current agree; every page reads back intact', async () => {
    const env = machine(
      { arch: 'aarch64', memBytes: 64 << 20, swapBytes: 16 << 20 },
      { ignore: KNOWN, everyNthFault: 16 },
    );
    const { m, dv } = env;
    m.addProgram('/prog/swap', await a64(SWAP));
    cgroup(m, 'g');
    cgWrite(m, 'g', 'memory.max', '1M');
    const s: { vmSwap: number; swapCur: number; rssAnon: number; swapUsed: number; maj: number }[] = [];
    onMarker(m, (t) => {
      const st = kb(proc(m, t.pid, 'status'));
      s.push({
        vmSwap: st.VmSwap!,
        swapCur: Number(cgRead(m, 'g', 'memory.swap.current')),
        rssAnon: st.RssAnon!,
        swapUsed: nr_swap_pages_used(m.k),
        maj: t.majFlt,
      });
      expect(clean(dv.check('marker'))).toEqual([]);
    });
    const t = m.spawn({ path: '/prog/swap', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    for (const x of s) {
      expect(x.vmSwap).toBeGreaterThan(0);
      expect(x.swapCur).toBe(x.vmSwap * 1024);
      expect(x.swapUsed * 4).toBe(x.vmSwap);
      // every page of the region is either resident or swapped
      expect(x.rssAnon + x.vmSwap).toBeGreaterThanOrEqual(512 * 4);
    }
    expect(s[1]!.maj).toBeGreaterThan(s[0]!.maj);
    const vmstat = kv(filename_lookup(m.sys.vfs, '/proc/vmstat', null)!.read());
    expect(vmstat.pswpout).toBeGreaterThan(0);
    expect(vmstat.pswpin).toBeGreaterThan(0);
    expect(kv(cgRead(m, 'g', 'memory.events')).oom).toBe(0);
    expect(nr_swap_pages_used(m.k)).toBe(0);
    expect(Number(cgRead(m, 'g', 'memory.swap.current'))).toBe(0);
    dv.assertClean();
    expect(clean(dv.check('end'))).toEqual([]);
  });
});

const OVERCOMMIT = `
  marker 1
  mov x0, #0
  mov x1, x19
  mov x2, #3
  mov x3, #0x22
  mov x4, #-1
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
  mov x21, x0
  mov x0, #0
  mov x1, x20
  mov x2, #3
  mov x3, #0x22
  mov x4, #-1
  mov x5, #0
  mov x8, #SYS_mmap
  svc #0
  mov x22, x0
  marker 2
  exit_group 0
`;

describe('vm.overcommit_memory=2', () => {
  it('refuses an mmap exactly at the CommitLimit boundary computed from /proc/meminfo', async () => {
    const { m, dv } = machine({ arch: 'aarch64', memBytes: 64 << 20, sysctls: { 'vm.overcommit_memory': 2 } });
    m.addProgram('/prog/oc', await a64(OVERCOMMIT));
    let res: { fail: bigint; ok: bigint } | null = null;
    let sizes = { ok: 0, fail: 0 };
    let committedBefore = 0;
    onMarker(m, (t, id) => {
      const cpu = t.mm!.cpu;
      if (id === 1) {
        const mi = kb(filename_lookup(m.sys.vfs, '/proc/meminfo', null)!.read());
        // CommitLimit = MemTotal * overcommit_ratio / 100 + SwapTotal
        expect(mi.CommitLimit).toBe(Math.floor(((mi.MemTotal! / 4) * 50) / 100) * 4 + mi.SwapTotal!);
        sizes = overcommitBoundary(m, t, true);
        committedBefore = mi.Committed_AS!;
        cpu.setReg('x19', BigInt(sizes.fail * 4096));
        cpu.setReg('x20', BigInt(sizes.ok * 4096));
      } else {
        res = { fail: BigInt.asIntN(64, cpu.reg('x21')), ok: BigInt.asIntN(64, cpu.reg('x22')) };
        const mi = kb(filename_lookup(m.sys.vfs, '/proc/meminfo', null)!.read());
        expect(mi.Committed_AS! - committedBefore).toBe(sizes.ok * 4);
        expect(dv.check('marker')).toEqual([]);
      }
    });
    const t = m.spawn({ path: '/prog/oc' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    expect(sizes.ok).toBeGreaterThan(1000);
    expect(res!.fail).toBe(-12n);
    expect(res!.ok > 0n).toBe(true);
    expect(dmesg(m)).toContain(`__vm_enough_memory: pid: ${t.pid}, comm: oc, no enough memory for the allocation`);
    dv.assertClean();
    expect(dv.check('end')).toEqual([]);
  });
});

const DONTNEED = `
  mov x19, #32
  lsl x22, x19, #12
  mmap_anon x22
  mov x23, x0
  mov w2, #5
  touch_w x23, x19
  sync_rss
  marker 1
  mov x0, x23
  mov x1, x22
  mov x2, #4
  mov x8, #SYS_madvise
  svc #0
  mov x24, x0
  marker 2
  ldrb w12, [x23]
  cbnz w12, 9f
  marker 3
  exit_group 0
9: exit_group 1
`;

describe('MADV_DONTNEED', () => {
  it('frees the pages: memory.current and RssAnon drop by exactly 32 pages, tables stay, re-read is zero', async () => {
    const env = machine({ arch: 'aarch64', memBytes: 64 << 20 }, { ignore: KNOWN });
    const { m, dv } = env;
    m.addProgram('/prog/dn', await a64(DONTNEED));
    cgroup(m, 'g');
    const s: { cur: number; anon: number; rssAnon: number; vmPte: number; ret: bigint }[] = [];
    onMarker(m, (t) => {
      const st = kb(proc(m, t.pid, 'status'));
      s.push({
        cur: Number(cgRead(m, 'g', 'memory.current')) / 4096,
        anon: anonPages(env, 'g'),
        rssAnon: st.RssAnon!,
        vmPte: st.VmPTE!,
        ret: BigInt.asIntN(64, t.mm!.cpu.reg('x24')),
      });
      expect(clean(dv.check('marker'))).toEqual([]);
    });
    const t = m.spawn({ path: '/prog/dn', cgroup: 'g' });
    expect(m.run().kind).toBe('exited');
    expect(t.exitStatus).toBe(0);
    expect(s[1]!.ret).toBe(0n);
    expect(s[0]!.cur - s[1]!.cur).toBe(32);
    expect(s[0]!.anon - s[1]!.anon).toBe(32);
    expect(s[0]!.rssAnon - s[1]!.rssAnon).toBe(32 * 4);
    expect(s[1]!.vmPte).toBe(s[0]!.vmPte);
    // the re-read maps the zero page: nothing charged, RSS unchanged
    expect(s[2]!.anon).toBe(s[1]!.anon);
    expect(s[2]!.rssAnon).toBe(s[1]!.rssAnon);
    dv.assertClean();
  });
});

const TOUCH_N = `
  ldr x9, [sp]
  ldr x0, [sp, #16]
  mov x19, #0
  mov x3, #10
3: ldrb w2, [x0], #1
  sub w2, w2, #48
  cmp w2, #9
  b.hi 4f
  madd x19, x19, x3, x2
  b 3b
4:
  add x22, x19, #1
  lsl x22, x22, #12
  mmap_anon x22
  mov x23, x0
  sync_rss
  marker 0
  mov w2, #1
  touch_w x23, x19
  sync_rss
  marker 1
  exit_group 0
`;

describe('/proc/<pid>/status RSS of a program touching N pages', () => {
  for (const n of [1, 63, 64, 65, 66, 200]) {
    it(`N=${n}: VmRSS and RssAnon grow by exactly N*4 kB, memory.stat anon by N pages, minflt by N (+70 sync reads)`, async () => {
      const env = machine({ arch: 'aarch64', memBytes: 64 << 20 }, { ignore: KNOWN });
      const { m, dv } = env;
      m.addProgram('/prog/touch', await a64(TOUCH_N));
      cgroup(m, 'g');
      const s: { st: Record<string, number>; anon: number; minflt: number; statMinflt: number }[] = [];
      onMarker(m, (t) => {
        const statFields = proc(m, t.pid, 'stat').split(' ');
        s.push({
          st: kb(proc(m, t.pid, 'status')),
          anon: anonPages(env, 'g'),
          minflt: t.minFlt,
          statMinflt: Number(statFields[9]),
        });
        // sync_rss flushed the SPLIT_RSS cache: the values are exact under Linux's get_mm_counter too
        expect(t.rssCache).toEqual([0, 0, 0, 0]);
        expect(clean(dv.check('marker'))).toEqual([]);
      });
      const t = m.spawn({ path: '/prog/touch', argv: ['/prog/touch', String(n)], cgroup: 'g' });
      expect(m.run().kind).toBe('exited');
      expect(t.exitStatus).toBe(0);
      const [a, b] = s;
      expect(b!.st.RssAnon! - a!.st.RssAnon!).toBe(4 * n);
      expect(b!.st.VmRSS! - a!.st.VmRSS!).toBe(4 * n);
      expect(b!.st.VmRSS).toBe(b!.st.RssAnon! + b!.st.RssFile! + b!.st.RssShmem!);
      expect(b!.anon - a!.anon).toBe(n);
      expect(b!.minflt - a!.minflt).toBe(n + 70);
      expect(b!.statMinflt - a!.statMinflt).toBe(n + 70);
      dv.assertClean();
    });
  }
});
