// The pure-core rule (docs/ARCHITECTURE.md, STYLE "A pure core"): nothing under src/core/ imports a
// Node builtin (`node:*` or a bare name such as `fs`, `path`, `crypto`), or reaches for the clock,
// Math.random, process or Buffer. The core must run in a browser unchanged.
import { describe, expect, it } from 'vitest';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const coreDir = join(root, 'src', 'core');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|mts|cts|js|mjs|cjs|tsx)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const builtins = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]!]));

/** Module specifiers of static imports/exports, dynamic import() and require(). */
function specifiers(src: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Source with comments removed (roughly: enough to not flag prose about Date.now). */
function code(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const files = walk(coreDir);

describe('pure core', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('no file under src/core imports a Node builtin', () => {
    const offenders: string[] = [];
    for (const f of files) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        const bare = s.split('/')[0]!;
        if (s.startsWith('node:') || builtins.has(s) || builtins.has(bare)) offenders.push(`${relative(root, f)}: ${s}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('no file under src/core uses the clock, Math.random, process or Buffer', () => {
    const forbidden = [
      /\bDate\.now\s*\(/,
      /\bnew\s+Date\s*\(\s*\)/,
      /\bperformance\.now\s*\(/,
      /\bMath\.random\s*\(/,
      /\bprocess\.\w/,
      /\bBuffer\.\w/,
      /\bsetTimeout\s*\(/,
      /\bsetInterval\s*\(/,
    ];
    const offenders: string[] = [];
    for (const f of files) {
      const c = code(readFileSync(f, 'utf8'));
      for (const re of forbidden) if (re.test(c)) offenders.push(`${relative(root, f)}: ${re.source}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the import scanner finds what it should', () => {
    const sample = `import { a } from 'node:fs';\nimport type { X } from "path";\nexport * from './y.js';\nconst m = await import('crypto');\nimport 'os';\nconst z = require("fs/promises");`;
    expect(specifiers(sample).sort()).toEqual(['./y.js', 'crypto', 'fs/promises', 'node:fs', 'os', 'path'].sort());
  });
});
