/**
 * Finding or provisioning the Unicorn 2 C library (libunicorn.so.2).
 *
 * Order (issue #2): the system library if it loads; else a copy unpacked into the project cache
 * (`.cache/unicorn/`) from the Debian/Ubuntu package, fetched without root with
 * `apt-get download` + `dpkg-deb -x` (or from the pool of the Debian archive apt's sources name,
 * when apt has no package lists);
 * else a clear error saying how to install it.  The steps are injectable so the fallback logic is
 * unit-tested without touching the network.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = join(PROJECT_ROOT, '.cache', 'unicorn');
export const DEB_PACKAGE = 'libunicorn2';
/** The Debian 12 package we measured (DESIGN.md §1); used only when apt cannot resolve it. */
export const DEB_POOL_VERSION = '2.0.1.post1-1+b1';
/** The package's directory in a Debian archive's pool. */
export const DEB_POOL_DIR = 'pool/main/u/unicorn-engine';

/**
 * The Debian archive apt is configured with: the first `URIs:` (deb822) or `deb` (one-line) entry of
 * the sources lists whose path ends in /debian.  The archive's host comes from the machine's own
 * configuration, never from this repository.
 */
export function aptDebianArchive(sources: string[]): string | undefined {
  for (const text of sources) {
    for (const line of text.split('\n')) {
      const m = /^\s*(?:URIs:\s*|deb(?:\s+\[[^\]]*\])?\s+)(\S+)/.exec(line);
      for (const uri of m ? m[1]!.split(/\s+/) : []) if (/\/debian\/?$/.test(uri)) return uri.replace(/\/$/, '');
    }
  }
  return undefined;
}

function readAptSources(): string[] {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) files.push(join(dir, f));
  return files.filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
}

export class UnicornUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnicornUnavailableError';
  }
}

export const INSTALL_HELP = [
  'faultpath needs the Unicorn 2 CPU emulator library (libunicorn.so.2), and could not find or fetch it.',
  'Install it with one of:',
  '  Debian/Ubuntu:  sudo apt-get install libunicorn2',
  '  Fedora:         sudo dnf install unicorn',
  '  macOS:          brew install unicorn',
  'or set FAULTPATH_UNICORN=/path/to/libunicorn.so.2.',
].join('\n');

/** Maps Node's host architecture to Debian's; undefined means unsupported. */
export function debianArch(nodeArch: string): string | undefined {
  return ({ x64: 'amd64', arm64: 'arm64', ia32: 'i386', ppc64: 'ppc64el', s390x: 's390x' } as Record<string, string>)[
    nodeArch
  ];
}

export interface ProvisionSteps {
  /** Returns true if a library at this path (or soname) can be loaded. */
  canLoad(pathOrName: string): boolean;
  /** Fetches the .deb into dir; returns its path or throws. */
  download(dir: string, debArch: string): string;
  /** Unpacks a .deb into dir. */
  extract(deb: string, dir: string): void;
  /** Finds libunicorn.so.2 below dir. */
  find(dir: string): string | undefined;
  env: Record<string, string | undefined>;
  arch: string;
  platform: string;
  log(msg: string): void;
}

export interface ProvisionResult {
  path: string;
  source: 'env' | 'system' | 'cache' | 'downloaded';
}

export function locateUnicorn(steps: ProvisionSteps, opts: { allowDownload: boolean }): ProvisionResult {
  const override = steps.env.FAULTPATH_UNICORN;
  if (override) {
    if (steps.canLoad(override)) return { path: override, source: 'env' };
    throw new UnicornUnavailableError(`FAULTPATH_UNICORN=${override} cannot be loaded.\n${INSTALL_HELP}`);
  }
  const sonames = steps.platform === 'darwin' ? ['libunicorn.2.dylib', 'libunicorn.dylib'] : ['libunicorn.so.2'];
  for (const s of sonames) if (steps.canLoad(s)) return { path: s, source: 'system' };
  const cached = steps.find(CACHE_DIR);
  if (cached && steps.canLoad(cached)) return { path: cached, source: 'cache' };
  if (steps.platform !== 'linux') {
    throw new UnicornUnavailableError(`No usable Unicorn library on ${steps.platform}.\n${INSTALL_HELP}`);
  }
  const debArch = debianArch(steps.arch);
  if (!debArch) {
    throw new UnicornUnavailableError(`Unsupported host architecture '${steps.arch}'.\n${INSTALL_HELP}`);
  }
  if (!opts.allowDownload) {
    throw new UnicornUnavailableError(
      `libunicorn.so.2 is not installed and not provisioned yet (run \`npm install\`).\n${INSTALL_HELP}`,
    );
  }
  let deb: string;
  try {
    deb = steps.download(CACHE_DIR, debArch);
  } catch (e) {
    throw new UnicornUnavailableError(`Could not download ${DEB_PACKAGE}: ${(e as Error).message}\n${INSTALL_HELP}`);
  }
  try {
    steps.extract(deb, CACHE_DIR);
  } catch (e) {
    throw new UnicornUnavailableError(`Could not unpack ${deb}: ${(e as Error).message}\n${INSTALL_HELP}`);
  }
  const found = steps.find(CACHE_DIR);
  if (!found || !steps.canLoad(found)) {
    throw new UnicornUnavailableError(`Unpacked ${deb} but libunicorn.so.2 does not load.\n${INSTALL_HELP}`);
  }
  steps.log(`faultpath: provisioned ${found} from ${DEB_PACKAGE} (${debArch})`);
  return { path: found, source: 'downloaded' };
}

function findLib(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const ent of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (ent.name === 'libunicorn.so.2' || ent.name === 'libunicorn.2.dylib') {
      const parent =
        (ent as unknown as { parentPath?: string; path?: string }).parentPath ??
        (ent as unknown as { path: string }).path;
      return join(parent, ent.name);
    }
  }
  return undefined;
}

function downloadDeb(dir: string, debArch: string): string {
  mkdirSync(dir, { recursive: true });
  const debs = () => readdirSync(dir).filter((f) => f.startsWith(DEB_PACKAGE + '_') && f.endsWith('.deb'));
  for (const f of debs()) rmSync(join(dir, f));
  try {
    execFileSync('apt-get', ['download', `${DEB_PACKAGE}:${debArch}`], { cwd: dir, stdio: 'pipe' });
  } catch {
    // apt without package lists (fresh container): take the file from the pool of apt's archive.
    const archive = aptDebianArchive(readAptSources());
    if (!archive) throw new Error('apt-get download failed and no Debian archive is configured in /etc/apt');
    const file = `${DEB_PACKAGE}_${DEB_POOL_VERSION.replace(/:/g, '%3a')}_${debArch}.deb`;
    const url = `${archive}/${DEB_POOL_DIR}/${file.replace('+', '%2b')}`;
    execFileSync('curl', ['-fsSL', '-o', join(dir, file), url], { stdio: 'pipe' });
  }
  const got = debs();
  if (got.length === 0) throw new Error('no .deb file was fetched');
  return join(dir, got[0]!);
}

export function defaultSteps(canLoad: (p: string) => boolean): ProvisionSteps {
  return {
    canLoad,
    download: downloadDeb,
    extract: (deb, dir) => {
      execFileSync('dpkg-deb', ['-x', deb, dir], { stdio: 'pipe' });
      writeFileSync(join(dir, 'SOURCE'), `${deb}\n`);
    },
    find: findLib,
    env: process.env,
    arch: process.arch,
    platform: process.platform,
    log: (m) => process.stderr.write(m + '\n'),
  };
}
