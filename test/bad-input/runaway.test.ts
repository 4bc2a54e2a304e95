/**
 * Guests that never stop or stop badly: an endless loop (instruction budget), endless faults
 * on one address (memcg at its limit with every task OOM-immune → livelock / "no killable
 * processes"), a fault while a fatal signal is pending, execution running off the end of the
 * text, trapping and privileged instructions, and user accesses to kernel addresses.  The
 * run must always end, with the outcome Linux 6.1 gives.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseElf } from '../../src/fs/binfmt_elf.js';
import { runScenario, type RunResult } from '../../src/scenario/run.js';
import { scenarioSchema } from '../../src/scenario/schema.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { ARCHES, build, runGuest, type Arch, type GuestRun, type Program, type RunOpts } from '../syscalls/harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');

let last: GuestRun | null = null;
let res: RunResult | null = null;
afterEach(() => {
  last?.m.close();
  res?.machine.close();
  last = null;
  res = null;
});
async function run(arch: Arch, p: Program | string, o: RunOpts = {}): Promise<GuestRun> {
  last = await runGuest(arch, p, { trace: true, ...o });
  return last;
}
type SignalEvent = Extract<TraceEvent, { kind: 'signal' }>;
const signals = (r: GuestRun) => r.m.tracer.events.filter((e): e is SignalEvent => e.kind === 'signal');
const asm = (arch: Arch, code: Partial<Record<Arch, string>>): Program => ({
  steps: [{ asm: { [arch]: code[arch] } }, { out: 'not_reached', value: 1 }],
});

describe.each(ARCHES)('%s', (arch) => {
  it('an endless loop without system calls ends the run with end.kind "budget" (runScenario budget 2,000,000)', async () => {
    const s = scenarioSchema.parse({
      machine: { arch, kernel: '6.1', mem: '64M' },
      processes: [{ id: 'spin', program: `programs/${arch}/spin.S` }],
    });
    res = await runScenario(s, { trace: false, baseDir: HERE, budget: 2_000_000 });
    expect(res.end.kind).toBe('budget');
    expect((res.end as { executed: number }).executed).toBeGreaterThanOrEqual(2_000_000);
    expect(res.instructions).toBeLessThan(2_000_000 + 100_000);
    expect(res.processes[0]!.outcome).toEqual({ kind: 'running' });
  });

  it('memcg at its limit with every task at oom_score_adj -1000 (6.1): "Out of memory and no killable processes", the run ends as a livelock, never hangs', async () => {
    const s = scenarioSchema.parse({
      machine: { arch, kernel: '6.1', mem: '256M' },
      cgroups: [{ path: '/box', 'memory.max': '4M' }],
      processes: [
        { id: 'a', program: 'hog', args: [16], cgroup: '/box', oom_score_adj: -1000 },
        { id: 'b', program: 'hog', args: [16], cgroup: '/box', oom_score_adj: -1000 },
      ],
    });
    res = await runScenario(s, { trace: false, baseDir: REPO, budget: 200_000_000 });
    expect(res.end.kind).toBe('livelock');
    const end = res.end as { kind: 'livelock'; pid: number; comm: string; address: string };
    expect(end.comm).toBe('hog');
    expect(end.address).toMatch(/^0x[0-9a-f]+$/);
    expect(res.dmesg.some((l) => l.includes('Out of memory and no killable processes...'))).toBe(true);
    expect(res.dmesg.some((l) => /Killed process/.test(l))).toBe(false);
    expect(res.processes.map((p) => p.outcome.kind)).toEqual(['running', 'running']);
    expect(res.cgroups['/box']!['memory.events'].oom).toBeGreaterThan(0);
    expect(res.cgroups['/box']!['memory.events'].oom_kill).toBe(0);
  });

  it('a fault while a fatal signal is pending: a task asleep in the memcg OOM path (oom_kill_disable) is woken by SIGTERM and dies of it, not of the fault', async () => {
    const s = scenarioSchema.parse({
      machine: { arch, kernel: '6.1', mem: '256M' },
      cgroups: [{ path: '/box', 'memory.max': '4M', 'memory.oom_control': { oom_kill_disable: 1 } }],
      processes: [{ id: 'a', program: 'hog', args: [16], cgroup: '/box' }],
      actions: [{ at_ms: 50, signal: { process: 'a', sig: 15 } }],
    });
    res = await runScenario(s, { trace: true, baseDir: REPO, budget: 200_000_000 });
    expect(res.end.kind).toBe('exited');
    const p = res.processes[0]!;
    expect(p.outcome).toEqual({ kind: 'signal', signal: 15, name: 'SIGTERM' });
    expect(p.wait_status).toBe(15);
    const ev = res.machine.tracer.events;
    const slept = ev.find(
      (e) =>
        e.kind === 'tracepoint' &&
        (e as { name: string }).name === 'sleep' &&
        String((e.fields as { waitq: string }).waitq).startsWith('memcg_oom:'),
    );
    expect(slept).toBeDefined();
    expect(slept!.ts).toBeLessThan(50e6);
    const woke = ev.find(
      (e) =>
        e.kind === 'tracepoint' &&
        (e as { name: string }).name === 'sched_wakeup' &&
        (e.fields as { reason: string }).reason === 'SIGTERM',
    );
    expect(woke).toBeDefined();
    expect(ev.some((e) => e.kind === 'signal' && (e as SignalEvent).sig === 11)).toBe(false);
    expect(res.dmesg.some((l) => /Killed process/.test(l))).toBe(false);
  });

  it('execution running off the end of the text page into unmapped memory → SIGSEGV (SEGV_MAPERR at the next page)', async () => {
    // Fill the rest of the only (text) page with NOPs so execution falls through to 0x401000.
    const probe = parseElf(await build(arch, '.text\n.globl _start\n_start:\n nop\n'), 'probe');
    const room = 0x1000 - (probe.entry & 0xfff);
    const src =
      arch === 'x86_64'
        ? `.text\n.globl _start\n_start:\n .fill ${room}, 1, 0x90\n`
        : `.text\n.globl _start\n_start:\n .fill ${room / 4}, 4, 0xd503201f\n`;
    const img = parseElf(await build(arch, src), 'offend');
    expect(img.loads).toHaveLength(1);
    expect(img.loads[0]!.vaddr + img.loads[0]!.memsz).toBe(0x401000);
    const r = await run(arch, src);
    expect(r.end.kind).toBe('exited');
    expect(r.main.outcome).toEqual({ kind: 'signal', signal: 11 });
    const segv = signals(r).find((e) => e.sig === 11 && e.code === 'SEGV_MAPERR');
    expect(segv?.address).toBe('0x401000');
    if (arch === 'x86_64')
      expect(
        r.dmesg.some((l) => /^guest\[\d+\]: segfault at 401000 ip 0000000000401000 sp [0-9a-f]+ error 14\b/.test(l)),
      ).toBe(true); // USER | INSTR, not present
  });

  const traps: Record<Arch, [string, string, number, string][]> = {
    x86_64: [
      ['hlt (privileged at CPL3: #GP)', 'hlt', 11, 'SI_KERNEL'],
      ['ud2 (#UD)', 'ud2', 4, 'ILL_ILLOPN'],
      ['int3 (#BP)', 'int3', 5, 'SI_KERNEL'],
      ['div by zero (#DE)', 'xor ecx, ecx\n        div rcx', 8, 'FPE_INTDIV'],
    ],
    aarch64: [
      ['udf / all-zero word (undefined)', '.inst 0x00000000', 4, 'ILL_ILLOPC'],
      ['hlt #0 (undefined at EL0)', 'hlt #0', 4, 'ILL_ILLOPC'],
      ['brk #0', 'brk #0', 5, 'TRAP_BRKPT'],
    ],
  };
  for (const [name, code, sig, siCode] of traps[arch]) {
    it(`${name} → signal ${sig} (${siCode})`, async () => {
      const r = await run(arch, asm(arch, { [arch]: `        ${code}` }));
      expect(r.main.out.not_reached).toBeUndefined();
      expect(r.main.outcome).toEqual({ kind: 'signal', signal: sig });
      expect(r.main.waitStatus! & 0x7f).toBe(sig);
      expect(signals(r).some((e) => e.sig === sig && e.code.startsWith(siCode))).toBe(true);
    });
  }

  // MODEL BUG: the engine executes privileged instructions as if the guest ran in kernel mode
  // (Unicorn starts at CPL0 / EL1 and the model only special-cases hlt).  Linux: x86
  // `mov rax, cr0` at CPL3 raises #GP → SIGSEGV (si_code SI_KERNEL, "general protection fault"
  // in the log); arm64 `mrs x0, sctlr_el1` at EL0 is an undefined instruction → SIGILL
  // (ILL_ILLOPC).  In the model both execute and the program exits 0.  Tried: writing PSTATE
  // = EL0t on arm64 reads back as 0, but Unicorn 2.0.1 keeps translating at EL1 (its cached
  // hflags are not rebuilt), so `mrs x0, sctlr_el1` still executes; a fix needs an instruction
  // decode in the code hook or a newer engine.
  it.fails(`a privileged instruction (${arch === 'x86_64' ? 'mov rax, cr0' : 'mrs x0, sctlr_el1'}) from user mode traps [model bug: executes]`, async () => {
    const r = await run(arch, asm(arch, { x86_64: '        mov rax, cr0', aarch64: '        mrs x0, sctlr_el1' }));
    expect(r.main.out.not_reached).toBeUndefined();
    expect(r.main.outcome).toEqual({ kind: 'signal', signal: arch === 'x86_64' ? 11 : 4 });
  });

  const kaddr = arch === 'x86_64' ? 0xffff800000000000n : 0xffff000000001000n;
  for (const access of ['read', 'write'] as const) {
    it(`user ${access} of the kernel address 0x${kaddr.toString(16)} → SIGSEGV (SEGV_MAPERR) with the address${arch === 'x86_64' ? ` and error ${access === 'read' ? 5 : 7} in the log` : ''}`, async () => {
      const code =
        arch === 'x86_64'
          ? `        movabs rax, 0x${kaddr.toString(16)}\n        ${access === 'read' ? 'mov rax, qword ptr [rax]' : 'mov qword ptr [rax], rax'}`
          : `        ldr x1, =0x${kaddr.toString(16)}\n        ${access === 'read' ? 'ldr x0, [x1]' : 'str x0, [x1]'}`;
      const r = await run(arch, asm(arch, { [arch]: code }));
      expect(r.main.out.not_reached).toBeUndefined();
      expect(r.main.outcome).toEqual({ kind: 'signal', signal: 11 });
      const segv = signals(r).find((e) => e.sig === 11 && e.code === 'SEGV_MAPERR');
      expect(segv?.address).toBe(`0x${kaddr.toString(16)}`);
      if (arch === 'x86_64') {
        // sanitize_error_code(): user accesses to kernel addresses always report PROT (1) | USER (4) [| WRITE (2)].
        const line = r.dmesg.find((l) => l.startsWith(`guest[${r.main.pid}]: segfault at ${kaddr.toString(16)} `));
        expect(line).toBeDefined();
        expect(line).toContain(`error ${access === 'read' ? 5 : 7} `);
      } else {
        const ex = r.m.tracer.events.find(
          (e) => e.kind === 'exception' && (e as { address?: string }).address === `0x${kaddr.toString(16)}`,
        ) as { esr?: string } | undefined;
        expect(ex?.esr).toBeDefined();
        // ESR_ELx.EC = 0x24 (data abort from a lower EL); WnR set for the write
        const esr = Number(ex!.esr);
        expect(esr >>> 26).toBe(0x24);
        expect(Boolean(esr & 0x40)).toBe(access === 'write');
      }
    });
  }

  if (arch === 'x86_64') {
    // Was a model bug: x86 traps other than #PF left nothing in the kernel log.  Linux 6.1
    // (arch/x86/kernel/traps.c) prints through show_signal() when the signal is unhandled
    // (show_unhandled_signals = 1): "traps: guest[pid] general protection fault ip:… sp:…
    // error:0 in guest[…]" for hlt (#GP), "traps: guest[pid] trap invalid opcode ip:…" (ud2),
    // "trap int3" (int3) and "trap divide error" (div by zero).
    it('hlt / ud2 / int3 / div-by-zero print their "traps: …" line in the kernel log [fixed; was: nothing logged]', async () => {
      const want: [string, string][] = [
        ['hlt', 'general protection fault'],
        ['ud2', 'trap invalid opcode'],
        ['int3', 'trap int3'],
        ['xor ecx, ecx\n        div rcx', 'trap divide error'],
      ];
      const missing: string[] = [];
      for (const [code, text] of want) {
        const r = await runGuest(arch, asm(arch, { x86_64: `        ${code}` }));
        r.m.close();
        if (
          !r.dmesg.some((l) =>
            new RegExp(`^traps: guest\\[${r.main.pid}\\] ${text} ip:[0-9a-f]+ sp:[0-9a-f]+ error:0`).test(l),
          )
        )
          missing.push(text);
      }
      expect(missing).toEqual([]);
    });

    it('no "traps:" line when the signal has a handler or debug.exception-trace is 0 (show_signal conditions)', async () => {
      for (const setup of [
        (m: GuestRun['m'], t: Parameters<NonNullable<RunOpts['setup']>>[1]) =>
          void t.sigactions.set(4, { handler: 0x401000n, flags: 0n, restorer: 0n, mask: 0n }),
        (m: GuestRun['m']) => void m.k.sysctl.set('debug.exception-trace', 0),
      ]) {
        // (a handled SIGILL re-executes ud2 until the budget: handlers are not run by the model)
        const r = await runGuest(arch, asm(arch, { x86_64: '        ud2' }), { setup, budget: 200_000 });
        r.m.close();
        expect(r.dmesg.filter((l) => l.startsWith('traps:'))).toEqual([]);
      }
    });

    // Was a model bug: a non-canonical address (bits 63..47 not all equal) is not a page fault
    // on x86-64: the CPU raises #GP.  Linux 6.1 exc_general_protection → gp_user_force_sig_segv:
    // "traps: guest[pid] general protection fault ip:… sp:… error:0 in guest[…]" and SIGSEGV
    // with si_code SI_KERNEL (si_addr 0).  The model treats it as #PF: "segfault at
    // 8000000000000000 … error 5" and SEGV_MAPERR with the address.
    it('a non-canonical address (0x8000000000000000) raises #GP: "general protection fault" in the log, SI_KERNEL [fixed; was: reported as a page fault]', async () => {
      const r = await run(
        arch,
        asm(arch, { x86_64: '        movabs rax, 0x8000000000000000\n        mov rax, qword ptr [rax]' }),
      );
      expect(r.main.outcome).toEqual({ kind: 'signal', signal: 11 });
      expect(
        r.dmesg.some((l) => /^traps: guest\[\d+\] general protection fault ip:4[0-9a-f]+ sp:[0-9a-f]+ error:0/.test(l)),
      ).toBe(true);
      expect(signals(r).some((e) => e.sig === 11 && e.code.startsWith('SI_KERNEL'))).toBe(true);
    });

    // Was a model bug (trace only): 0xffff800000000000 lies in the 8 TB guard hole below the kernel
    // direct map; nothing is mapped there, so the *hardware* error code of the #PF is 4 (read,
    // not present) — only the reported one is sanitized to 5.  The model sets PROT for every
    // kernel address in the hardware code, so exceptions:page_fault_user shows error_code=0x5.
    it('exceptions:page_fault_user for the unmapped kernel guard hole shows the hardware error code 0x4 [fixed; was: 0x5]', async () => {
      const r = await run(
        arch,
        asm(arch, { x86_64: '        movabs rax, 0xffff800000000000\n        mov rax, qword ptr [rax]' }),
      );
      const tp = r.m.tracer.events.find(
        (e) =>
          e.kind === 'tracepoint' &&
          (e as { name: string }).name === 'page_fault_user' &&
          (e.fields as { address: string }).address === '0xffff800000000000',
      );
      expect(((tp as Extract<TraceEvent, { kind: 'tracepoint' }>).fields as { error_code: string }).error_code).toBe(
        '0x4',
      );
    });

    it('exceptions:page_fault_user for the direct map (0xffff888000000000, present, supervisor-only) shows 0x5', async () => {
      const r = await run(
        arch,
        asm(arch, { x86_64: '        movabs rax, 0xffff888000000000\n        mov rax, qword ptr [rax]' }),
      );
      const tp = r.m.tracer.events.find(
        (e) =>
          e.kind === 'tracepoint' &&
          (e as { name: string }).name === 'page_fault_user' &&
          (e.fields as { address: string }).address === '0xffff888000000000',
      );
      expect(((tp as Extract<TraceEvent, { kind: 'tracepoint' }>).fields as { error_code: string }).error_code).toBe(
        '0x5',
      );
    });
  }
});
