/**
 * Observability of a node process (docs/operations.md): Prometheus metric names as stock dashboards
 * expect, the shipped Grafana dashboard and alert rules referencing only metrics a node exposes (and
 * the rules checked and evaluated by Prometheus's own promtool), structured logs with request ids,
 * and health routes that a rate limit never refuses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startNodeProcess, type NodeProcess } from '../helpers/processes.js';

const docs = new URL('../../docs/', import.meta.url);
const rulesFile = new URL('prometheus-alerts.yml', docs);
const dashboard = JSON.parse(readFileSync(new URL('grafana-dashboard.json', docs), 'utf8')) as {
  panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ query: { query: string } }> };
};
const rules = parseYaml(readFileSync(rulesFile, 'utf8')) as {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; labels: Record<string, string> }> }>;
};

let tmp: string;
let node: NodeProcess;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'urbis-obs-'));
  // A low rate limit, so that the test can show the API refusing while health still answers.
  node = await startNodeProcess(['node', 'start', '--dir', join(tmp, 'd'), '--port', '0', '--no-demo', '--json', '--log', '--rate-limit', '5'], {
    URBIS_KEY: '',
    URBIS_KEY_FILE: '',
  });
}, 90_000);

afterAll(async () => {
  node?.kill('SIGTERM');
  await node?.exited;
  rmSync(tmp, { recursive: true, force: true });
});

/** Metric names of a Prometheus text exposition (from the # TYPE lines: samples may be absent). */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\w+)/.exec(line);
    if (!m) continue;
    names.add(m[1]!);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
    if (m[2] === 'summary') for (const s of ['_sum', '_count']) names.add(m[1]! + s);
  }
  return names;
}

/** Metric names a PromQL expression reads: the project's and the stock process/Node.js ones. */
function referenced(expr: string): string[] {
  return [...expr.matchAll(/\b((?:urbis|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

describe('metrics', () => {
  it('default process and Node.js metrics are unprefixed, Urbis metrics are urbis_*', async () => {
    const text = await (await fetch(`${node.url}/metrics`)).text();
    const names = exposedNames(text);
    for (const n of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(names.has(n), n).toBe(true);
    }
    expect(text).not.toMatch(/urbis_process_|urbis_nodejs_/);
    for (const n of names) expect(n, n).toMatch(/^(urbis|process|nodejs)_/);
  });

  it('every metric the Grafana dashboard and the alert rules reference exists on a node', async () => {
    const names = exposedNames(await (await fetch(`${node.url}/metrics`)).text());
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.map((v) => v.query.query),
      ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    const used = new Set(exprs.flatMap(referenced));
    expect(used.size).toBeGreaterThan(15);
    const missing = [...used].filter((n) => !names.has(n));
    expect(missing).toEqual([]);
    // The four conditions the issue names each have a rule.
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(expect.arrayContaining(['UrbisNoFinalityProgress', 'UrbisValidatorFault', 'UrbisNodeDiverged', 'UrbisStreamLag']));
  });

  it('promtool accepts the rules and each alert fires on exactly the series it is meant for', () => {
    expect(execFileSync('promtool', ['check', 'rules', rulesFile.pathname], { encoding: 'utf8' })).toMatch(/SUCCESS: \d+ rules found/);
    const expr = (alert: string) => rules.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!.expr;
    // Each alert expression is evaluated over synthetic series; `* 0 + 1` maps "fires" to 1 and keeps
    // the labels, so the expected result is the set of series that would alert.
    const s = (labels: string, values: string) => ({ series: `${labels}`, values });
    const test = {
      rule_files: [rulesFile.pathname],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // a: stuck with transactions waiting; b: progressing; c: stuck but idle; d: stuck, stream backlog.
            s('urbis_certified_height{instance="a"}', '5+0x20'),
            s('urbis_tx_pending{instance="a"}', '3+0x20'),
            s('urbis_stream_backlog{instance="a"}', '0+0x20'),
            s('urbis_certified_height{instance="b"}', '5+1x20'),
            s('urbis_tx_pending{instance="b"}', '3+0x20'),
            s('urbis_stream_backlog{instance="b"}', '0+0x20'),
            s('urbis_certified_height{instance="c"}', '5+0x20'),
            s('urbis_tx_pending{instance="c"}', '0+0x20'),
            s('urbis_stream_backlog{instance="c"}', '0+0x20'),
            s('urbis_certified_height{instance="d"}', '5+0x20'),
            s('urbis_tx_pending{instance="d"}', '0+0x20'),
            s('urbis_stream_backlog{instance="d"}', '2000+0x20'),
            s('urbis_validator_faults_total{instance="a",validator="z6MkA",kind="fork"}', '0 0 0 1 1 1 1 1 1 1 1'),
            s('urbis_validator_faults_total{instance="a",validator="z6MkB",kind="equivocation"}', '0+0x10'),
            s('urbis_network_diverged{instance="a"}', '0+0x10'),
            s('urbis_network_diverged{instance="b"}', '0 0 1 1 1 1 1 1 1 1 1'),
          ],
          promql_expr_test: [
            {
              expr: `(${expr('UrbisNoFinalityProgress')}) * 0 + 1`,
              eval_time: '10m',
              exp_samples: [
                { labels: '{instance="a"}', value: 1 },
                { labels: '{instance="d"}', value: 1 },
              ],
            },
            {
              expr: `(${expr('UrbisValidatorFault')}) * 0 + 1`,
              eval_time: '6m',
              exp_samples: [{ labels: '{instance="a",validator="z6MkA",kind="fork"}', value: 1 }],
            },
            { expr: `(${expr('UrbisNodeDiverged')}) * 0 + 1`, eval_time: '5m', exp_samples: [{ labels: '{instance="b"}', value: 1 }] },
            { expr: `(${expr('UrbisStreamLag')}) * 0 + 1`, eval_time: '10m', exp_samples: [{ labels: '{instance="d"}', value: 1 }] },
          ],
        },
      ],
    };
    const file = join(tmp, 'alerts.test.json');
    writeFileSync(file, JSON.stringify(test));
    let out = '';
    try {
      out = execFileSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
    } catch (e) {
      throw new Error(`promtool test rules failed: ${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`, { cause: e });
    }
    expect(out).toMatch(/SUCCESS/);
  });
});

describe('structured logs and request ids', () => {
  it('every response carries a request id: the caller’s when well-formed, else a new one; the log line has it', async () => {
    const mine = await fetch(`${node.url}/healthz`, { headers: { 'x-request-id': 'ops-check-42' } });
    expect(mine.headers.get('x-request-id')).toBe('ops-check-42');
    const hostile = await fetch(`${node.url}/healthz`, { headers: { 'x-request-id': 'a b{}'.repeat(40) } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await fetch(`${node.url}/healthz`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(fresh.headers.get('x-request-id')).not.toBe(hostile.headers.get('x-request-id'));

    // pino JSON lines on stdout: the request and its completion, both with reqId.
    await new Promise((r) => setTimeout(r, 200));
    const lines = node
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const mineLines = lines.filter((l) => l['reqId'] === 'ops-check-42');
    expect(mineLines.length).toBeGreaterThanOrEqual(2);
    expect(mineLines.some((l) => (l['res'] as { statusCode?: number } | undefined)?.statusCode === 200)).toBe(true);
    for (const l of mineLines) {
      expect(typeof l['level']).toBe('number');
      expect(typeof l['time']).toBe('number');
    }
  });
});

describe('request bodies over a socket', () => {
  it('a text/plain body is 415 HTTP_UNSUPPORTED_MEDIA as a problem document, not 400', async () => {
    const r = await fetch(`${node.url}/v1/tx`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"body":{},"sigs":[]}' });
    expect(r.status).toBe(415);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(((await r.json()) as { code: string }).code).toBe('HTTP_UNSUPPORTED_MEDIA');
  });
});

describe('health under load', () => {
  it('health, readiness and metrics are never rate-limited, while the API is', async () => {
    const many = (path: string) => Promise.all(Array.from({ length: 40 }, () => fetch(`${node.url}${path}`).then((r) => r.status)));
    const api = await many('/v1/blocks/0');
    expect(api).toContain(429);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const codes = await many(path);
      expect(new Set(codes), path).toEqual(new Set([200]));
    }
  });
});
