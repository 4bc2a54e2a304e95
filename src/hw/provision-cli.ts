/**
 * `npm install` hook: make sure libunicorn.so.2 is loadable, fetching the Debian package into
 * .cache/unicorn without root when the system has none.  A failure is reported but does not
 * fail the install: every command repeats the lookup and prints the install help.
 */
import koffi from 'koffi';
import { defaultSteps, locateUnicorn } from './provision.js';

const canLoad = (p: string) => {
  try {
    koffi.load(p);
    return true;
  } catch {
    return false;
  }
};

try {
  const r = locateUnicorn(defaultSteps(canLoad), { allowDownload: true });
  process.stderr.write(`faultpath: Unicorn engine: ${r.path} (${r.source})\n`);
} catch (e) {
  process.stderr.write(`faultpath: warning: ${(e as Error).message}\n`);
}
