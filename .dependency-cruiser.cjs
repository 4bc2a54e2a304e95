// Layer rules (docs/architecture.md): hw <- include <- {mm,kernel,fs,lib,drivers} <- arch <- machine <- tools;
// src/trace is a leaf everyone may use. Type-only imports count: the swc parser sees the source before
// TypeScript erases them.
const GENERIC = '^src/(mm|kernel|fs|lib|drivers)/';
const TOOLS = '^(src/(cli|scenario|oracle|explain|asm|loader|tools)|bench|scripts)/';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'trace-is-a-leaf',
      severity: 'error',
      from: { path: '^src/trace/' },
      to: { path: '^(src|arch)/', pathNot: '^src/trace/' },
    },
    {
      name: 'hw-knows-no-linux',
      severity: 'error',
      from: { path: '^src/hw/' },
      to: { path: '^(src|arch)/', pathNot: '^src/(hw|trace)/' },
    },
    {
      name: 'include-is-data',
      severity: 'error',
      from: { path: '^src/include/' },
      to: { path: '^(src|arch)/', pathNot: '^src/(hw|include|trace)/' },
    },
    {
      name: 'generic-kernel-below-arch',
      severity: 'error',
      from: { path: GENERIC },
      to: { path: '^(src|arch)/', pathNot: ['^src/(hw|include|trace)/', GENERIC] },
    },
    {
      name: 'arch-below-machine',
      severity: 'error',
      from: { path: '^arch/' },
      to: { path: '^(src|arch)/', pathNot: ['^src/(hw|include|trace)/', GENERIC, '^arch/'] },
    },
    {
      name: 'machine-below-tools',
      severity: 'error',
      from: { path: '^src/machine/' },
      to: { path: TOOLS },
    },
    {
      name: 'every-file-in-a-layer',
      severity: 'error',
      from: { path: '^(src|arch)/', pathNot: ['^src/(hw|include|trace|machine|types)/', GENERIC, '^arch/', TOOLS] },
      to: {},
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
