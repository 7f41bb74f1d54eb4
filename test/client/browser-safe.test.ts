// The SDK runs in browsers: nothing under src/client imports a Node builtin, Buffer, process, or a
// Node-only part of the project (engine, storage, platform, node, cli). Runtime imports of packages
// are refused too (did-resolver is imported for its types only).
import { describe, expect, it } from 'vitest';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../src/client/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const builtins = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]!]));

describe('src/client is browser-safe', () => {
  it('imports only the pure core, itself, and package types', () => {
    const bad: string[] = [];
    for (const f of files) {
      // Comments removed: TSDoc examples show imports the SDK itself does not make.
      const src = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const m of src.matchAll(/\b(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g)) {
        const spec = m[3]!;
        const typeOnly = m[2] !== undefined;
        if (spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) bad.push(`${f}: ${spec}`);
        else if (spec.startsWith('.')) {
          if (!(spec.startsWith('./') || spec.startsWith('../core/'))) bad.push(`${f}: ${spec}`);
        } else if (!typeOnly) bad.push(`${f}: runtime import of package ${spec}`);
      }
      if (/\bBuffer\.|\bprocess\.|\brequire\(/.test(src)) bad.push(`${f}: Node global`);
    }
    expect(bad).toEqual([]);
  });
});
