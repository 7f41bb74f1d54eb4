// The layering of docs/ARCHITECTURE.md "Modules": each area of src/ imports only from its own area
// or from areas below it, and no file imports (directly or through others) one that imports it.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');

/** Rank of each area: an area may import from strictly lower ranks (and from itself). */
const RANK: Record<string, number> = {
  core: 0,
  platform: 1,
  keys: 1,
  client: 1,
  storage: 2,
  codes: 2,
  engine: 3,
  ordering: 4,
  node: 5,
  gateway: 5,
  network: 6,
  cli: 7,
  index: 8,
};

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function area(file: string): string {
  const rel = relative(src, file).split('/');
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

/** Relative imports (static, re-exports and dynamic import()) of a file, as absolute .ts paths. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const re of [/\b(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?'(\.[^']+)'/g, /\bimport\s*\(\s*'(\.[^']+)'\s*\)/g]) {
    for (const m of text.matchAll(re)) out.push(normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
  }
  return out;
}

const files = walk(src);
const graph = new Map(files.map((f) => [f, imports(f)]));

describe('architecture', () => {
  it('knows the area of every source file', () => {
    for (const f of files) expect(RANK[area(f)], relative(root, f)).toBeTypeOf('number');
  });

  it('imports only from the same area or a lower one', () => {
    const bad: string[] = [];
    for (const [f, deps] of graph) {
      for (const d of deps) {
        const a = area(f);
        const b = area(d);
        if (a !== b && !(RANK[b]! < RANK[a]!)) bad.push(`${relative(root, f)} -> ${relative(root, d)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(src, p)).join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
