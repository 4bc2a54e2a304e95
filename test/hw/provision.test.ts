/**
 * The fallback logic of src/hw/provision.ts, with every step injected: no network, no dpkg, no
 * real library loading.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CACHE_DIR,
  INSTALL_HELP,
  UnicornUnavailableError,
  debianArch,
  defaultSteps,
  locateUnicorn,
  type ProvisionSteps,
} from '../../src/hw/provision.js';

interface Calls {
  canLoad: string[];
  download: [string, string][];
  extract: [string, string][];
  find: string[];
  log: string[];
}

/** Steps for a Linux x64 host where nothing is installed and the network is down; `over`
 * changes what a step does.  Every call is recorded. */
function steps(over: Partial<ProvisionSteps> & { loadable?: string[] } = {}): { s: ProvisionSteps; calls: Calls } {
  const calls: Calls = { canLoad: [], download: [], extract: [], find: [], log: [] };
  const loadable = new Set(over.loadable ?? []);
  const s: ProvisionSteps = {
    canLoad: (p) => {
      calls.canLoad.push(p);
      return over.canLoad ? over.canLoad(p) : loadable.has(p);
    },
    download: (dir, arch) => {
      calls.download.push([dir, arch]);
      if (over.download) return over.download(dir, arch);
      throw new Error('network unreachable');
    },
    extract: (deb, dir) => {
      calls.extract.push([deb, dir]);
      over.extract?.(deb, dir);
    },
    find: (dir) => {
      calls.find.push(dir);
      return over.find?.(dir);
    },
    env: over.env ?? {},
    arch: over.arch ?? 'x64',
    platform: over.platform ?? 'linux',
    log: (m) => {
      calls.log.push(m);
    },
  };
  return { s, calls };
}

function installHelpIn(e: unknown): void {
  expect(e).toBeInstanceOf(UnicornUnavailableError);
  const msg = (e as Error).message;
  expect(msg).toContain(INSTALL_HELP);
  expect(msg).toMatch(/Debian\/Ubuntu:\s+sudo apt-get install libunicorn2/);
  expect(msg).toMatch(/Fedora:\s+sudo dnf install unicorn/);
  expect(msg).toMatch(/macOS:\s+brew install unicorn/);
  expect(msg).toContain('FAULTPATH_UNICORN');
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

describe('locateUnicorn', () => {
  it('FAULTPATH_UNICORN wins when it loads, and nothing else is tried', () => {
    const { s, calls } = steps({
      env: { FAULTPATH_UNICORN: '/opt/uc/libunicorn.so.2' },
      loadable: ['/opt/uc/libunicorn.so.2', 'libunicorn.so.2'],
    });
    expect(locateUnicorn(s, { allowDownload: true })).toEqual({ path: '/opt/uc/libunicorn.so.2', source: 'env' });
    expect(calls.canLoad).toEqual(['/opt/uc/libunicorn.so.2']);
    expect(calls.download).toEqual([]);
  });

  it('a FAULTPATH_UNICORN that does not load is an error (no silent fallback), with install help', () => {
    const { s, calls } = steps({ env: { FAULTPATH_UNICORN: '/nope.so' }, loadable: ['libunicorn.so.2'] });
    const e = thrown(() => locateUnicorn(s, { allowDownload: true }));
    installHelpIn(e);
    expect((e as Error).message).toContain('FAULTPATH_UNICORN=/nope.so cannot be loaded');
    expect(calls.download).toEqual([]);
  });

  it('uses the system library when it loads', () => {
    const { s, calls } = steps({ loadable: ['libunicorn.so.2'] });
    expect(locateUnicorn(s, { allowDownload: true })).toEqual({ path: 'libunicorn.so.2', source: 'system' });
    expect(calls.find).toEqual([]);
    expect(calls.download).toEqual([]);
  });

  it('on macOS looks for the dylib names', () => {
    const { s } = steps({ platform: 'darwin', arch: 'arm64', loadable: ['libunicorn.2.dylib'] });
    expect(locateUnicorn(s, { allowDownload: true })).toEqual({ path: 'libunicorn.2.dylib', source: 'system' });
  });

  it('uses a previously provisioned copy in the project cache', () => {
    const cached = join(CACHE_DIR, 'usr/lib/x86_64-linux-gnu/libunicorn.so.2');
    const { s, calls } = steps({ find: () => cached, loadable: [cached] });
    expect(locateUnicorn(s, { allowDownload: true })).toEqual({ path: cached, source: 'cache' });
    expect(calls.find).toEqual([CACHE_DIR]);
    expect(calls.download).toEqual([]);
  });

  it('downloads, unpacks into the cache and loads when nothing else works', () => {
    const deb = join(CACHE_DIR, 'libunicorn2_2.0.1.post1-1+b1_amd64.deb');
    const lib = join(CACHE_DIR, 'usr/lib/x86_64-linux-gnu/libunicorn.so.2');
    let unpacked = false;
    const { s, calls } = steps({
      download: () => deb,
      extract: () => {
        unpacked = true;
      },
      find: () => (unpacked ? lib : undefined),
      loadable: [lib],
    });
    expect(locateUnicorn(s, { allowDownload: true })).toEqual({ path: lib, source: 'downloaded' });
    expect(calls.download).toEqual([[CACHE_DIR, 'amd64']]);
    expect(calls.extract).toEqual([[deb, CACHE_DIR]]);
    expect(calls.log.join('\n')).toContain(lib);
  });

  it('a stale cached copy that does not load is replaced by a download', () => {
    const lib = join(CACHE_DIR, 'libunicorn.so.2');
    let unpacked = false;
    const { s, calls } = steps({
      download: () => 'x.deb',
      extract: () => {
        unpacked = true;
      },
      find: () => lib,
      canLoad: (p) => p === lib && unpacked,
    });
    expect(locateUnicorn(s, { allowDownload: true }).source).toBe('downloaded');
    expect(calls.download.length).toBe(1);
  });

  it('passes the Debian architecture of the host to the download', () => {
    const seen: string[] = [];
    for (const [node, deb] of [
      ['x64', 'amd64'],
      ['arm64', 'arm64'],
    ]) {
      const { s } = steps({
        arch: node,
        download: (_d, a) => {
          seen.push(a);
          throw new Error('offline');
        },
      });
      thrown(() => locateUnicorn(s, { allowDownload: true }));
      expect(seen.at(-1)).toBe(deb);
    }
  });

  it('download failure: UnicornUnavailableError with the install help for Debian/Ubuntu, Fedora and macOS', () => {
    const { s, calls } = steps();
    const e = thrown(() => locateUnicorn(s, { allowDownload: true }));
    installHelpIn(e);
    expect((e as Error).message).toContain('Could not download libunicorn2: network unreachable');
    expect(calls.download.length).toBe(1);
    expect(calls.extract).toEqual([]);
  });

  it('unpacked but the library does not load: UnicornUnavailableError with install help', () => {
    const { s } = steps({ download: () => 'x.deb', find: () => undefined });
    const e = thrown(() => locateUnicorn(s, { allowDownload: true }));
    installHelpIn(e);
    expect((e as Error).message).toMatch(/Unpacked x\.deb but libunicorn\.so\.2 does not load/);
  });

  it('unsupported host architecture: error, no download attempted', () => {
    const { s, calls } = steps({ arch: 'mips' });
    const e = thrown(() => locateUnicorn(s, { allowDownload: true }));
    installHelpIn(e);
    expect((e as Error).message).toContain("Unsupported host architecture 'mips'");
    expect(calls.download).toEqual([]);
  });

  it('non-linux platform without a library: error naming the platform, no download attempted', () => {
    for (const platform of ['darwin', 'win32', 'freebsd']) {
      const { s, calls } = steps({ platform });
      const e = thrown(() => locateUnicorn(s, { allowDownload: true }));
      installHelpIn(e);
      expect((e as Error).message).toContain(`No usable Unicorn library on ${platform}`);
      expect(calls.download).toEqual([]);
    }
  });

  it('with downloads disabled (at run time): error telling to run npm install', () => {
    const { s, calls } = steps();
    const e = thrown(() => locateUnicorn(s, { allowDownload: false }));
    installHelpIn(e);
    expect((e as Error).message).toContain('npm install');
    expect(calls.download).toEqual([]);
  });

  it('extract failure (dpkg-deb missing): UnicornUnavailableError with install help', () => {
    const { s } = steps({
      download: () => 'x.deb',
      extract: () => {
        throw new Error('spawnSync dpkg-deb ENOENT');
      },
    });
    const e = thrown(() => locateUnicorn(s, { allowDownload: true }));
    installHelpIn(e);
    expect((e as Error).message).toContain('Could not unpack x.deb: spawnSync dpkg-deb ENOENT');
  });
});

describe('debianArch', () => {
  it('maps Node architectures to Debian ones', () => {
    expect(debianArch('x64')).toBe('amd64');
    expect(debianArch('arm64')).toBe('arm64');
    expect(debianArch('ia32')).toBe('i386');
    expect(debianArch('mips')).toBeUndefined();
  });
});

describe('defaultSteps.find', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  it('finds libunicorn.so.2 anywhere below the directory, and nothing in a missing one', () => {
    dir = mkdtempSync(join(tmpdir(), 'faultpath-prov-'));
    const find = defaultSteps(() => false).find;
    expect(find(join(dir, 'missing'))).toBeUndefined();
    expect(find(dir)).toBeUndefined();
    const sub = join(dir, 'usr', 'lib', 'x86_64-linux-gnu');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'libunicorn.so.2'), '');
    expect(find(dir)).toBe(join(sub, 'libunicorn.so.2'));
  });
});

describe('aptDebianArchive: the fallback archive comes from apt sources, not from the repository', () => {
  it('reads deb822 URIs and one-line deb entries, the first /debian archive', async () => {
    const { aptDebianArchive } = await import('../../src/hw/provision.js');
    const deb822 =
      'Types: deb\nURIs: https://example.invalid/node_20.x\n\nTypes: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n';
    expect(aptDebianArchive([deb822])).toBe('http://mirror.example/debian');
    expect(aptDebianArchive(['deb [arch=amd64] http://m.example/debian/ bookworm main\n'])).toBe(
      'http://m.example/debian',
    );
    expect(aptDebianArchive(['deb http://ports.example/ubuntu jammy main\n'])).toBeUndefined();
    expect(aptDebianArchive([])).toBeUndefined();
  });
});
