import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { explainOomReport } from '../../src/explain/oom.js';
import { ORACLE_RESULTS, haveOracle } from '../helpers/oracle.js';

// ---------------------------------------------------------------------------------------------
// Oracle: every real Linux 6.1 report in ../shared/oracle/results/*/*.json
// ---------------------------------------------------------------------------------------------

interface OracleEvent {
  kind: 'memcg' | 'global';
  report: string[];
  kills: { msg: string; pid: number; comm: string }[];
  tasks: { pid: number }[];
}

function oracleEvents(): { name: string; ev: OracleEvent }[] {
  if (!haveOracle) return [];
  const out: { name: string; ev: OracleEvent }[] = [];
  for (const arch of readdirSync(ORACLE_RESULTS).sort()) {
    const dir = join(ORACLE_RESULTS, arch);
    if (!existsSync(dir) || arch.endsWith('.json')) continue;
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const j: any = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const events: OracleEvent[] = Array.isArray(j.oom_events) ? j.oom_events : [];
      events.forEach((ev, i) => out.push({ name: `${arch}/${f.replace(/\.json$/, '')}#${i}`, ev }));
    }
  }
  return out;
}

const ORACLE = oracleEvents();

describe.skipIf(!ORACLE.length)('explainOomReport on the real 6.1 oracle reports', () => {
  it.each(ORACLE.map((o) => [o.name, o.ev] as const))('%s', (_name, ev) => {
    const r = explainOomReport(ev.report.join('\n'));
    expect(r.reports).toHaveLength(1);
    const rep = r.reports[0]!;
    expect(rep.format).toBe('6.1');
    expect(rep.kind).toBe(ev.kind);
    expect(rep.tasks.map((t) => t.pid)).toEqual(ev.tasks.map((t) => t.pid));
    expect(r.inconsistencies).toEqual([]);
    expect(rep.recomputedVictim).not.toBeNull();
    const kill = ev.kills[0];
    if (ev.kind === 'memcg') {
      // every memcg case: the recomputed victim is the process the kernel killed
      expect(kill).toBeDefined();
      expect(rep.recomputedVictim!.pid).toBe(kill!.pid);
      expect(rep.victim!.pid).toBe(kill!.pid);
      expect(rep.totalpages.exact).toBe(true);
      expect(rep.path.join('\n')).toMatch(/memcg charge failed \(try_charge_memcg/);
      expect(rep.text).toContain('Memory cgroup stats for');
    } else {
      expect(rep.totalpages.exact).toBe(false);
      expect(rep.totalpages.how).toContain('estimate');
      expect(rep.path.join('\n')).toMatch(/page allocator \(/);
      if (kill && kill.msg === 'Out of memory') expect(rep.recomputedVictim!.pid).toBe(kill.pid);
    }
    expect(rep.path.join('\n')).toMatch(/user page fault \((?:x86: asm_exc_page_fault|arm64: el0_da)/);
    expect(rep.text).toContain('total_vm, rss and swapents are in PAGES');
    expect(rep.text).toContain('pgtables_bytes is in BYTES');
  });

  it('finds each report once in the raw console logs (the dmesg dump repeats them with the same timestamps)', () => {
    for (const arch of ['aarch64', 'x86_64']) {
      const dir = join(ORACLE_RESULTS, arch);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.log.gz'))) {
        const j = JSON.parse(readFileSync(join(dir, f.replace(/\.log\.gz$/, '.json')), 'utf8'));
        const r = explainOomReport(gunzipSync(readFileSync(join(dir, f))).toString('utf8'));
        expect(r.reports.length, `${arch}/${f}`).toBe((j.oom_events ?? []).length);
        expect(r.inconsistencies, `${arch}/${f}`).toEqual([]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A 6.1 memcg report (the oracle's x86 memcg_three, abridged), used for mutations
// ---------------------------------------------------------------------------------------------

const MEMCG_61 = `touch_pages invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
CPU: 0 PID: 126 Comm: touch_pages Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2
Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
Call Trace:
 <TASK>
 dump_stack_lvl+0x44/0x5c
 dump_header+0x4c/0x22b
 oom_kill_process.cold+0xb/0x10
 out_of_memory+0x1fd/0x4c0
 mem_cgroup_out_of_memory+0x134/0x150
 try_charge_memcg+0x696/0x780
 charge_memcg+0x39/0xf0
 __mem_cgroup_charge+0x28/0x80
 __handle_mm_fault+0x95c/0xfa0
 handle_mm_fault+0xdb/0x2d0
 do_user_addr_fault+0x191/0x570
 exc_page_fault+0x70/0x170
 asm_exc_page_fault+0x22/0x30
RIP: 0033:0x400185
RSP: 002b:00007fffffffedd0 EFLAGS: 00000202
RAX: 00007ffff79f9000 RBX: 0000000000000600 RCX: 000000000040017f
 </TASK>
memory: usage 16384kB, limit 16384kB, failcnt 19
swap: usage 0kB, limit 0kB, failcnt 0
Memory cgroup stats for /t:
anon 16621568
file 0
kernel 155648
pagetables 94208
Tasks state (memory values in pages):
[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[    116]     0   116     2089     2046    45056        0             0 holder
[    121]     0   121     1065      990    36864        0             0 holder
[    126]     0   126     1577      924    36864        0             0 touch_pages
oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/t,task_memcg=/t,task=holder,pid=116,uid=0
Memory cgroup out of memory: Killed process 116 (holder) total-vm:8356kB, anon-rss:8180kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:44kB oom_score_adj:0`;

const KILLED_116 =
  'Memory cgroup out of memory: Killed process 116 (holder) total-vm:8356kB, anon-rss:8180kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:44kB oom_score_adj:0';

describe('6.1 parsing and explanation', () => {
  it('explains every section of a consistent memcg report', () => {
    const r = explainOomReport(MEMCG_61);
    expect(r.inconsistencies).toEqual([]);
    const rep = r.reports[0]!;
    expect(rep.format).toBe('6.1');
    expect(rep.kind).toBe('memcg');
    expect(rep.invoker).toMatchObject({
      comm: 'touch_pages',
      pid: 126,
      gfpMask: 0xcc0,
      gfpText: 'GFP_KERNEL',
      order: 0,
      oomScoreAdj: 0,
    });
    expect(rep.gfpFlags).toEqual(['__GFP_IO', '__GFP_FS', '__GFP_DIRECT_RECLAIM', '__GFP_KSWAPD_RECLAIM']);
    expect(rep.memcg).toMatchObject({
      statsFor: '/t',
      memory: { usageKb: 16384, limitKb: 16384, failcnt: 19 },
      swap: { usageKb: 0, limitKb: 0, failcnt: 0 },
    });
    expect(rep.memcg!.stats.anon).toBe(16621568);
    expect(rep.summary).toMatchObject({
      constraint: 'CONSTRAINT_MEMCG',
      oom_memcg: '/t',
      task_memcg: '/t',
      pid: '116',
    });
    expect(rep.totalpages).toMatchObject({ value: 4096, exact: true });
    expect(rep.candidates.map((c) => [c.pid, c.points, c.rank])).toEqual([
      [116, 2057, 1],
      [121, 999, 2],
      [126, 933, 3],
    ]);
    expect(rep.recomputedVictim!.pid).toBe(116);
    expect(rep.callTrace[0]).toBe('dump_stack_lvl');
    expect(rep.callTrace).toContain('asm_exc_page_fault');
    for (const s of [
      '1. Header',
      '2. Memory cgroup OOM or global OOM?',
      '3. Call trace',
      '4. Memory cgroup usage',
      '5. Tasks state',
      '6. Constraint summary',
      '7. The kill',
      '8. Recomputing the victim',
      '9. Consistency checks',
    ]) {
      expect(rep.text).toContain(s);
    }
    expect(rep.text).toContain('__GFP_FS');
    expect(rep.text).toMatch(
      /__GFP_FS +reclaim may call into filesystems; out_of_memory\(\) only kills for a global OOM if __GFP_FS is set/,
    );
    expect(rep.text).toContain('All sizes here are in kB');
    expect(rep.text).toContain('No inconsistencies.');
    expect(r.text.startsWith('1 OOM report found; no inconsistencies.')).toBe(true);
  });

  it('accepts timestamps, syslog prefixes, CRLF and unrelated lines around the report', () => {
    const lines = MEMCG_61.split('\n');
    const ts = [
      '[    1.000000] unrelated boot line',
      ...lines.map((l, i) => `[    2.${String(779603 + i).padStart(6, '0')}] ${l}`),
      '[    3.000000] after',
    ].join('\r\n');
    const a = explainOomReport(ts);
    expect(a.reports).toHaveLength(1);
    expect(a.inconsistencies).toEqual([]);
    expect(a.reports[0]!.callTrace).toHaveLength(13);
    const sys = lines.map((l) => `Mar  3 12:00:01 host kernel: [ 1234.567890] ${l}`).join('\n');
    const b = explainOomReport(sys);
    expect(b.reports).toHaveLength(1);
    expect(b.inconsistencies).toEqual([]);
    expect(b.reports[0]!.recomputedVictim!.pid).toBe(116);
    const journal = lines.map((l) => `Mar 03 12:00:01 host kernel: ${l}`).join('\n');
    expect(explainOomReport(journal).reports[0]!.tasks).toHaveLength(3);
  });

  it('explains several reports and skips an identical-timestamp duplicate', () => {
    const stamp = (text: string, base: number) =>
      text
        .split('\n')
        .map((l, i) => `[  ${base}.${String(i).padStart(6, '0')}] ${l}`)
        .join('\n');
    const two = `${stamp(MEMCG_61, 10)}\n${stamp(MEMCG_61, 20)}\n${stamp(MEMCG_61, 10)}`;
    const r = explainOomReport(two);
    expect(r.reports.map((x) => x.index)).toEqual([1, 2]);
    expect(r.text).toContain('1 duplicate with identical timestamp skipped');
  });

  it('kill lines of later, ratelimited OOMs (no header of their own) are not checked against this report', () => {
    const later = `${MEMCG_61}\nMemory cgroup out of memory: Killed process 121 (holder) total-vm:9999kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:8kB oom_score_adj:0`;
    const r = explainOomReport(later);
    expect(r.inconsistencies).toEqual([]);
    expect(r.reports[0]!.killed).toHaveLength(1);
    expect(r.reports[0]!.notes.join('\n')).toMatch(
      /1 later kill line\(s\) without a report \(ratelimited dump_header\(\)\)/,
    );
  });

  it('6.1 tie rule: of equal points the later task in the table is chosen', () => {
    const tie = MEMCG_61.replace(
      '[    121]     0   121     1065      990    36864',
      '[    121]     0   121     2089     2046    45056',
    )
      .replace('task=holder,pid=116', 'task=holder,pid=121')
      .replace(
        KILLED_116,
        'Memory cgroup out of memory: Killed process 121 (holder) total-vm:8356kB, anon-rss:8180kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:44kB oom_score_adj:0',
      );
    const r = explainOomReport(tie);
    expect(r.reports[0]!.recomputedVictim!.pid).toBe(121);
    expect(r.inconsistencies).toEqual([]);
    // the earlier one of the tied pair is not what 6.1 picks: flagged, with the tie explained
    const earlier = MEMCG_61.replace(
      '[    121]     0   121     1065      990    36864',
      '[    121]     0   121     2089     2046    45056',
    );
    const e = explainOomReport(earlier);
    expect(e.inconsistencies).toHaveLength(1);
    expect(e.inconsistencies[0]).toMatch(
      /recomputed victim pid 121 .* differs from the killed process pid 116 .*tie at 2057 points.*LATER task/,
    );
  });

  it('oom_score_adj: -1000 is excluded, positive adj scales with totalpages/1000, 6.1 does not clamp', () => {
    const t = MEMCG_61.replace(
      '2046    45056        0             0 holder',
      '2046    45056        0         -1000 holder',
    )
      .replace('924    36864        0             0 touch_pages', '924    36864        0           500 touch_pages')
      .replace('990    36864        0             0 holder', '990    36864        0          -900 holder')
      .replace('task=holder,pid=116', 'task=touch_pages,pid=126')
      .replace(
        KILLED_116,
        'Memory cgroup out of memory: Killed process 126 (touch_pages) total-vm:6308kB, anon-rss:3692kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:36kB oom_score_adj:500',
      );
    const r = explainOomReport(t);
    const rep = r.reports[0]!;
    expect(r.inconsistencies).toEqual([]);
    const by = Object.fromEntries(rep.candidates.map((c) => [c.pid, c]));
    expect(by[116]!.points).toBeNull();
    expect(by[116]!.excluded).toContain('-1000');
    expect(by[126]!.adjPoints).toBe(500 * 4);
    expect(by[126]!.points).toBe(924 + 9 + 2000);
    expect(by[121]!.points).toBe(990 + 9 - 900 * 4); // negative: no clamp in 6.1
    expect(rep.recomputedVictim!.pid).toBe(126);
  });

  it('explains a global report with a totalpages estimate from pages RAM − reserved + swap', () => {
    const global = `hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0
CPU: 0 PID: 300 Comm: hog Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2
Call Trace:
 <TASK>
 dump_stack_lvl+0x44/0x5c
 dump_header+0x4c/0x22b
 oom_kill_process.cold+0xb/0x10
 out_of_memory+0x1fd/0x4c0
 __alloc_pages_slowpath.constprop.0+0x67f/0xe70
 __alloc_pages+0x305/0x330
 __folio_alloc+0x17/0x50
 vma_alloc_folio+0x9c/0x370
 __handle_mm_fault+0x92f/0xfa0
 handle_mm_fault+0xdb/0x2d0
 do_user_addr_fault+0x191/0x570
 exc_page_fault+0x70/0x170
 asm_exc_page_fault+0x22/0x30
 </TASK>
Mem-Info:
active_anon:446 inactive_anon:19940 isolated_anon:0
 free:403 free_pcp:51 free_cma:0
Node 0 DMA32 free:1104kB boost:0kB min:1112kB low:1388kB high:1664kB reserved_highatomic:0KB active_anon:1784kB inactive_anon:65096kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB present:147456kB managed:92608kB mlocked:0kB bounce:0kB free_pcp:204kB local_pcp:204kB free_cma:0kB
Free swap  = 0kB
Total swap = 40000kB
40862 pages RAM
0 pages HighMem/MovableOnly
13870 pages reserved
Tasks state (memory values in pages):
[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[    200]     0   200    20009     9000   188416     1000          -100 db
[    300]  1000   300    20009    19800   188416        0             0 hog
oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/work,task=hog,pid=300,uid=1000
Out of memory: Killed process 300 (hog) total-vm:80036kB, anon-rss:79196kB, file-rss:0kB, shmem-rss:4kB, UID:1000 pgtables:184kB oom_score_adj:0`;
    const r = explainOomReport(global);
    const rep = r.reports[0]!;
    expect(r.inconsistencies).toEqual([]);
    expect(rep.kind).toBe('global');
    expect(rep.totalpages.value).toBe(40862 - 13870 + 10000);
    expect(rep.totalpages.exact).toBe(false);
    expect(rep.totalpages.how).toMatch(/estimate.*managed/);
    const db = rep.candidates.find((c) => c.pid === 200)!;
    expect(db.adjPoints).toBe(-100 * 36);
    expect(db.points).toBe(9000 + 1000 + 46 - 3600);
    expect(rep.recomputedVictim!.pid).toBe(300);
    expect(rep.path.join('\n')).toMatch(/page allocator \(__alloc_pages_slowpath → __alloc_pages\)/);
    expect(rep.text).toContain('below min');
  });
});

// ---------------------------------------------------------------------------------------------
// 4.19 (kernel-reference §11 skeleton with real-looking numbers)
// ---------------------------------------------------------------------------------------------

const MEMCG_419 = `[  123.456789] stress invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=0
[  123.456800] stress cpuset=/ mems_allowed=0
[  123.456810] CPU: 1 PID: 2310 Comm: stress Not tainted 4.19.0-27-amd64 #1 Debian 4.19.316-1
[  123.456820] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
[  123.456830] Call Trace:
[  123.456840]  dump_stack+0x66/0x81
[  123.456850]  dump_header+0x6b/0x283
[  123.456860]  oom_kill_process.cold.30+0xb/0x1cf
[  123.456870]  out_of_memory+0x1a5/0x450
[  123.456880]  mem_cgroup_out_of_memory+0xbe/0xd0
[  123.456890]  try_charge+0x6c5/0x7a0
[  123.456900]  mem_cgroup_try_charge+0x86/0x190
[  123.456910]  mem_cgroup_try_charge_delay+0x1c/0x40
[  123.456920]  __handle_mm_fault+0x9a9/0x1290
[  123.456930]  handle_mm_fault+0xd6/0x200
[  123.456940]  __do_page_fault+0x249/0x4f0
[  123.456950]  ? page_fault+0x8/0x30
[  123.456960]  page_fault+0x1e/0x30
[  123.456970] RIP: 0033:0x55d5c1b1ad90
[  123.456980] Code: Bad RIP value.
[  123.456990] RSP: 002b:00007ffd7ac6c9b0 EFLAGS: 00010206
[  123.457000] Task in /stress killed as a result of limit of /stress
[  123.457010] memory: usage 102400kB, limit 102400kB, failcnt 1234
[  123.457020] memory+swap: usage 102400kB, limit 9007199254740988kB, failcnt 0
[  123.457030] kmem: usage 1536kB, limit 9007199254740988kB, failcnt 0
[  123.457040] Memory cgroup stats for /stress: cache:0KB rss:100864KB rss_huge:0KB shmem:0KB mapped_file:0KB dirty:0KB writeback:0KB swap:0KB inactive_anon:0KB active_anon:100840KB inactive_file:0KB active_file:0KB unevictable:0KB
[  123.457050] Tasks state (memory values in pages):
[  123.457060] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[  123.457070] [   2301]     0  2301     2103      221    57344        0          -500 stress
[  123.457080] [   2309]     0  2309    27704    12301   155648        0             0 stress
[  123.457090] [   2310]     0  2310    27704    12301   155648        0             0 stress
[  123.457100] [   2311]     0  2311    27704      318    45056        0         -1000 stress
[  123.457110] Memory cgroup out of memory: Kill process 2309 (stress) score 481 or sacrifice child
[  123.457120] Killed process 2309 (stress) total-vm:110816kB, anon-rss:48940kB, file-rss:264kB, shmem-rss:0kB
[  123.457130] oom_reaper: reaped process 2309 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB`;

describe('4.19 format', () => {
  it('detects and parses a 4.19 memcg report', () => {
    const r = explainOomReport(MEMCG_419);
    expect(r.inconsistencies).toEqual([]);
    expect(r.reports).toHaveLength(1);
    const rep = r.reports[0]!;
    expect(rep.format).toBe('4.19');
    expect(rep.kind).toBe('memcg');
    expect(rep.invoker).toMatchObject({
      comm: 'stress',
      pid: 2310,
      gfpMask: 0x6000c0,
      gfpText: 'GFP_KERNEL',
      nodemask: '(null)',
      order: 0,
    });
    // 4.19 bit values: IO 0x40, FS 0x80, DIRECT_RECLAIM 0x200000, KSWAPD_RECLAIM 0x400000
    expect(rep.gfpFlags).toEqual(['__GFP_IO', '__GFP_FS', '__GFP_DIRECT_RECLAIM', '__GFP_KSWAPD_RECLAIM']);
    expect(rep.memcg).toMatchObject({
      statsFor: '/stress',
      memory: { usageKb: 102400, limitKb: 102400, failcnt: 1234 },
      memsw: { limitKb: 9007199254740988 },
      kmem: { usageKb: 1536 },
    });
    expect(rep.memcg!.stats.rss).toBe(100864 * 1024);
    expect(rep.summary).toBeNull();
    expect(rep.selection).toEqual({ message: 'Memory cgroup out of memory', pid: 2309, comm: 'stress', score: 481 });
    expect(rep.killed).toHaveLength(1);
    expect(rep.killed[0]).toMatchObject({
      message: null,
      pid: 2309,
      totalVmKb: 110816,
      anonRssKb: 48940,
      fileRssKb: 264,
      shmemRssKb: 0,
      uid: null,
      pgtablesKb: null,
    });
    expect(rep.totalpages.value).toBe(25600);
    const by = Object.fromEntries(rep.candidates.map((c) => [c.pid, c]));
    expect(by[2301]!.points).toBe(1); // 221 + 14 − 500×25 clamped to 1 in 4.19
    expect(by[2309]!.points).toBe(12301 + 38);
    expect(by[2310]!.points).toBe(12301 + 38);
    expect(by[2311]!.excluded).toContain('-1000');
    // tie between two leaders: 4.19 keeps the earlier one (6.1 would take 2310)
    expect(rep.recomputedVictim!.pid).toBe(2309);
    expect(rep.path.join('\n')).toMatch(/memcg charge failed \(try_charge → mem_cgroup_out_of_memory\)/);
    expect(rep.path.join('\n')).toMatch(/user page fault \(x86: page_fault \/ __do_page_fault/);
    expect(rep.text).toContain('Kill process 2309 (stress) score 481 or sacrifice child');
    expect(rep.text).toContain('score = chosen_points × 1000 / totalpages');
    expect(rep.text).toContain('points × 1000 / totalpages = 481');
    expect(rep.text).toContain('EARLIER leader wins');
    expect(rep.text).toContain('oom_reaper: reaped process 2309');
    expect(rep.text).toContain('Format: "nodemask=" in the header line');
  });

  it('flags a 4.19 selection that is not the maximum and a wrong score', () => {
    const bad = MEMCG_419.replace('Kill process 2309 (stress) score 481', 'Kill process 2301 (stress) score 9').replace(
      'Killed process 2309 (stress) total-vm:110816kB, anon-rss:48940kB, file-rss:264kB',
      'Killed process 2301 (stress) total-vm:8412kB, anon-rss:880kB, file-rss:4kB',
    );
    const r = explainOomReport(bad);
    expect(
      r.inconsistencies.some((x) => /recomputed victim pid 2309 .* differs from the selected process pid 2301/.test(x)),
    ).toBe(true);
    const score = explainOomReport(MEMCG_419.replace('score 481', 'score 700'));
    expect(score.inconsistencies).toHaveLength(1);
    expect(score.inconsistencies[0]).toMatch(/prints score 700.*= 481/);
  });

  it('a global 4.19 OOM from pagefault_out_of_memory (gfp_mask=0x0())', () => {
    const g = `[ 88.000001] a.out invoked oom-killer: gfp_mask=0x0(), nodemask=(null), order=0, oom_score_adj=0
[ 88.000002] a.out cpuset=/ mems_allowed=0
[ 88.000003] CPU: 0 PID: 900 Comm: a.out Not tainted 4.19.0-27-arm64 #1 Debian 4.19.316-1
[ 88.000004] Hardware name: linux,dummy-virt (DT)
[ 88.000005] Call trace:
[ 88.000006]  dump_backtrace+0x0/0x190
[ 88.000007]  show_stack+0x24/0x30
[ 88.000008]  dump_stack+0xb4/0xf0
[ 88.000009]  dump_header+0x6c/0x270
[ 88.000010]  oom_kill_process+0x268/0x288
[ 88.000011]  out_of_memory+0x134/0x4e8
[ 88.000012]  pagefault_out_of_memory+0x68/0x78
[ 88.000013]  do_page_fault+0x3f0/0x458
[ 88.000014]  do_translation_fault+0x90/0xa0
[ 88.000015]  do_mem_abort+0x68/0x128
[ 88.000016]  el0_da+0x20/0x24
[ 88.000017] Mem-Info:
[ 88.000018] active_anon:60000 inactive_anon:1000 isolated_anon:0
[ 88.000019]  free:1200 free_pcp:10 free_cma:0
[ 88.000020] Total swap = 0kB
[ 88.000021] 65536 pages RAM
[ 88.000022] 0 pages HighMem/MovableOnly
[ 88.000023] 3536 pages reserved
[ 88.000024] Tasks state (memory values in pages):
[ 88.000025] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[ 88.000026] [    310]     0   310    40000    30000   262144        0          -999 sshd
[ 88.000027] [    900]  1000   900    30000    20000   196608        0           500 a.out
[ 88.000028] [    901]  1000   901    10000     5000    65536        0           500 helper
[ 88.000029] Out of memory: Kill process 900 (a.out) score 823 or sacrifice child
[ 88.000030] Killed process 901 (helper) total-vm:40000kB, anon-rss:19996kB, file-rss:4kB, shmem-rss:0kB`;
    const r = explainOomReport(g);
    const rep = r.reports[0]!;
    expect(rep.format).toBe('4.19');
    expect(rep.kind).toBe('global');
    expect(rep.invoker.gfpMask).toBe(0);
    expect(rep.text).toContain('no allocation context');
    expect(rep.path.join('\n')).toMatch(/pagefault_out_of_memory\(\).*gfp_mask 0/);
    expect(rep.path.join('\n')).toMatch(/arm64: el0_da/);
    expect(rep.totalpages.value).toBe(62000);
    // 20000 + 48 + 500 × 62 = 51048; sshd clamps to 1
    expect(rep.recomputedVictim).toMatchObject({ pid: 900, points: 51048 });
    expect(rep.candidates.find((c) => c.pid === 310)!.points).toBe(1);
    expect(rep.text).toContain('points × 1000 / totalpages = 823');
    // the sacrificed child is noted, not an inconsistency; its numbers are checked against the table
    expect(rep.notes.join('\n')).toMatch(/a child was sacrificed/);
    expect(r.inconsistencies).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Inconsistent reports
// ---------------------------------------------------------------------------------------------

describe('inconsistencies', () => {
  const only = (text: string) => explainOomReport(text).inconsistencies;

  it('victim not the maximum', () => {
    const t = MEMCG_61.replace('task=holder,pid=116', 'task=holder,pid=121').replace(
      KILLED_116,
      'Memory cgroup out of memory: Killed process 121 (holder) total-vm:4260kB, anon-rss:3956kB, file-rss:0kB, shmem-rss:4kB, UID:0 pgtables:36kB oom_score_adj:0',
    );
    const inc = only(t);
    expect(inc).toHaveLength(1);
    expect(inc[0]).toMatch(
      /^report 1: recomputed victim pid 116 \(holder, 2057 points\) differs from the killed process pid 121 \(holder, 999 points\); caveats: the rss counters used for selection lag/,
    );
  });

  it('total-vm mismatch', () => {
    const inc = only(MEMCG_61.replace('total-vm:8356kB', 'total-vm:9000kB'));
    expect(inc).toEqual([
      'report 1: Killed process 116 (holder): total-vm 9000kB != task table total_vm 2089 pages × 4 = 8356kB',
    ]);
  });

  it('rss beyond the SPLIT_RSS lag, but not within it', () => {
    expect(only(MEMCG_61.replace('anon-rss:8180kB', 'anon-rss:8000kB'))).toEqual([]); // 45 pages: within the lag
    const inc = only(MEMCG_61.replace('anon-rss:8180kB', 'anon-rss:7000kB'));
    expect(inc).toHaveLength(1);
    expect(inc[0]).toMatch(/rss = 1751 pages but the task table says rss 2046 pages/);
  });

  it('pgtables kB mismatch', () => {
    expect(only(MEMCG_61.replace('pgtables:44kB', 'pgtables:48kB'))[0]).toMatch(
      /pgtables 48kB != task table pgtables_bytes 45056 \/ 1024 = 44kB/,
    );
  });

  it('memcg usage above the limit', () => {
    expect(only(MEMCG_61.replace('memory: usage 16384kB', 'memory: usage 20000kB'))[0]).toMatch(
      /usage 20000kB exceeds its limit 16384kB/,
    );
  });

  it('oom_memcg vs stats header, task_memcg outside oom_memcg', () => {
    expect(only(MEMCG_61.replace('oom_memcg=/t,', 'oom_memcg=/u,'))).toEqual([
      'report 1: summary oom_memcg=/u but the stats header says "Memory cgroup stats for /t:" (both name the OOM memcg)',
      "report 1: summary task_memcg=/t is not inside oom_memcg=/u (a memcg OOM only scans the OOM memcg's subtree)",
    ]);
    expect(only(MEMCG_61.replace('task_memcg=/t,', 'task_memcg=/t/child,'))).toEqual([]);
  });

  it('CONSTRAINT_MEMCG without memcg lines, and memcg lines with another constraint', () => {
    const noMemcg = MEMCG_61.split('\n')
      .filter((l) => !/^(memory:|swap:|Memory cgroup stats|anon |file |kernel |pagetables )/.test(l))
      .join('\n');
    expect(only(noMemcg).some((x) => /CONSTRAINT_MEMCG but the report has no memcg lines/.test(x))).toBe(true);
    expect(
      only(MEMCG_61.replace('CONSTRAINT_MEMCG', 'CONSTRAINT_NONE')).some((x) =>
        /constraint=CONSTRAINT_NONE but the report has memcg lines/.test(x),
      ),
    ).toBe(true);
  });

  it('summary pid differs from the Killed process', () => {
    expect(only(MEMCG_61.replace('task=holder,pid=116', 'task=holder,pid=121'))[0]).toMatch(
      /summary pid=121 but Killed process 116/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Garbage
// ---------------------------------------------------------------------------------------------

describe('garbage input', () => {
  const NONE = { text: 'no OOM report found', reports: [], inconsistencies: [] };
  it.each([
    ['empty', ''],
    ['text', 'hello world\nnothing here\n'],
    ['a sigsegv log', '[    2.1] hog[115]: segfault at 0 ip 0000000000400289 sp 00007fffffffede8 error 6'],
    ['binary', '\u0000\u0001\u0002\uffff'.repeat(100)],
    ['mention without a header', 'the words invoked oom-killer appear here'],
    ['broken header', 'x invoked oom-killer: gfp_mask=zzz, order=?'],
  ])('%s', (_n, input) => {
    expect(explainOomReport(input)).toEqual(NONE);
  });

  it('non-string input', () => {
    expect(explainOomReport(undefined as unknown as string)).toEqual(NONE);
    expect(explainOomReport(42 as unknown as string)).toEqual(NONE);
  });

  it('a truncated report (header only, or cut in the task table) does not throw', () => {
    const head = explainOomReport('a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0');
    expect(head.reports).toHaveLength(1);
    expect(head.reports[0]!.notes.join('\n')).toContain('no "Killed process" line');
    const cut = MEMCG_61.split('\n').slice(0, 30).join('\n') + '\n[    116]     0   11';
    expect(() => explainOomReport(cut)).not.toThrow();
    const lines = MEMCG_61.split('\n');
    for (let n = 0; n <= lines.length; n += 3)
      expect(() => explainOomReport(lines.slice(0, n).join('\n'))).not.toThrow();
  });
});
