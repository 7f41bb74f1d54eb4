// `npm ci` must install cleanly (no EBADENGINE) on every Node.js version the project states, and the
// project must state one range everywhere (package.json "engines", README). Each dependency's own
// "engines" field is read from package-lock.json, which is what `npm ci` checks against.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean }>;
};
const readme = readFileSync(new URL('README.md', root), 'utf8');

const range = pkg.engines.node;
/** The first release of each major line (18 to 30) that the range admits, and the Node.js running the tests. */
const probes = (() => {
  const out = new Set<string>([process.versions.node]);
  for (let major = 18; major <= 30; major++) {
    for (let minor = 0; minor <= 60; minor++) {
      if (semver.satisfies(`${major}.${minor}.0`, range)) {
        out.add(`${major}.${minor}.0`);
        break;
      }
    }
  }
  return [...out].filter((v) => semver.satisfies(v, range));
})();

describe('install: one Node.js range, satisfied by every dependency', () => {
  it('package.json states a valid range that includes the Node.js running the tests', () => {
    expect(semver.validRange(range)).not.toBeNull();
    expect(semver.satisfies(process.versions.node, range), `${process.versions.node} vs ${range}`).toBe(true);
    expect(probes).toContain(semver.minVersion(range)!.version);
    expect(probes.length).toBeGreaterThanOrEqual(3);
  });

  it('the README states the same range', () => {
    expect(readme).toContain(`Node.js \`${range}\``);
  });

  it('every package in package-lock.json accepts every stated Node.js version (npm ci: no EBADENGINE)', () => {
    const bad: string[] = [];
    let checked = 0;
    for (const [path, p] of Object.entries(lock.packages)) {
      if (path === '') continue;
      const want = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
      if (!want) continue;
      checked++;
      for (const v of probes) {
        if (!semver.satisfies(v, want)) bad.push(`${path.replace(/^.*node_modules\//, '')}@${p.version} wants node ${want}, not ${v}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(bad).toEqual([]);
  });
});

// package.json "overrides" pins light-my-request's cookie to 1.x (cookie 2 wants Node ≥ 22): the one
// function light-my-request takes from it must exist and behave there (fastify inject with cookies).
describe('install: overridden dependencies work', () => {
  it('fastify inject sends cookies through cookie@1', async () => {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    app.get('/c', async (req) => ({ cookie: req.headers.cookie ?? null }));
    const res = await app.inject({ method: 'GET', url: '/c', cookies: { a: 'b c', n: '1' } });
    expect(res.json()).toEqual({ cookie: 'a=b%20c; n=1' });
    await app.close();
  });
});
