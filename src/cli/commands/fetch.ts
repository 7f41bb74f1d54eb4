/**
 * `urbis fetch <url>`: an HTTP request signed with RFC 9421 under the Urbis profile, for data
 * providers behind an Urbis gateway (docs/sharing.md). The body of the answer goes to stdout.
 *
 * Spec: docs/cli.md.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ERROR_CODES, UrbisError, type ErrorCode } from '../../core/errors.js';
import { parseIdentifier } from '../../core/ids/index.js';
import { signedFetch } from '../../client/signed-fetch.js';
import { CliFailure, EXIT, exitCodeFor, usage } from '../failure.js';
import { loadSigner } from '../local.js';
import { jsonOption, type CommonOpts } from '../options.js';
import { writeJson } from '../output.js';

interface FetchOpts extends CommonOpts {
  as?: string;
  method?: string;
  data?: string;
  dataFile?: string;
  header?: string[];
  validity?: string;
}

export function registerFetch(program: Command): void {
  jsonOption(
    program
      .command('fetch')
      .description('send an HTTP request signed with a grantee key (RFC 9421) to a provider behind an Urbis gateway')
      .argument('<url>', 'absolute http(s) URL')
      .requiredOption('--as <grantee>', 'the grantee identifier the key acts for (text, DID or URL form)')
      .option('--key <file>', 'signing key file, a controller key of the grantee (default: $URBIS_KEY_FILE, $URBIS_KEY)')
      .option('-X, --method <method>', 'HTTP method', 'GET')
      .option('--data <text>', 'request body')
      .option('--data-file <file>', 'request body from a file')
      .option('-H, --header <name:value>', 'extra request header (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
      .option('--validity <seconds>', 'signature validity (expires - created), seconds', '30'),
  ).action(async (url: string, o: FetchOpts) => {
    if (!/^https?:\/\//i.test(url)) usage(`fetch expects an absolute http(s) URL, got "${url}"`);
    if (o.data !== undefined && o.dataFile !== undefined) usage('give --data or --data-file, not both');
    const validity = Number(o.validity);
    if (!Number.isInteger(validity) || validity < 1 || validity > 300) usage('--validity must be 1..300 seconds');
    const method = (o.method ?? 'GET').toUpperCase();
    if (!/^[A-Z]{1,16}$/.test(method)) usage(`bad method "${o.method}"`);
    const grantee = parseIdentifier(o.as!).text;
    const headers: Record<string, string> = {};
    for (const h of o.header ?? []) {
      const i = h.indexOf(':');
      if (i <= 0) usage(`--header expects name:value, got "${h}"`);
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    let body: Uint8Array | undefined;
    if (o.data !== undefined) body = new TextEncoder().encode(o.data);
    if (o.dataFile !== undefined) {
      try {
        body = readFileSync(o.dataFile);
      } catch (e) {
        throw new UrbisError('CLI_USAGE', `cannot read ${o.dataFile}`, { path: o.dataFile }, { cause: e });
      }
    }
    if (o.key === undefined && !process.env.URBIS_KEY_FILE && !process.env.URBIS_KEY)
      usage('fetch needs a key of the grantee: --key FILE, or URBIS_KEY_FILE / URBIS_KEY');
    const signer = await loadSigner(o);
    const res = await signedFetch(url, { method, headers, ...(body ? { body } : {}) }, { grantee, signer }, { validitySec: validity });
    const out = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    if (o.json) {
      let parsed: unknown = out.toString('utf8');
      if (/json/.test(type)) {
        try {
          parsed = JSON.parse(parsed as string);
        } catch {
          /* keep the text */
        }
      }
      writeJson({ status: res.status, contentType: type || null, body: parsed });
    } else {
      process.stdout.write(out);
    }
    if (res.ok) return;
    // A refusal by the gateway is a problem document with a registered code.
    let code: ErrorCode = 'CLIENT_HTTP';
    let detail = `${url} answered ${res.status}`;
    if (type.includes('problem+json')) {
      try {
        const p = JSON.parse(out.toString('utf8')) as { code?: string; detail?: string };
        if (typeof p.code === 'string' && p.code in ERROR_CODES) code = p.code as ErrorCode;
        if (typeof p.detail === 'string') detail = p.detail;
      } catch {
        /* not a problem document after all */
      }
    }
    const exit = res.status === 401 || res.status === 403 ? EXIT.REJECTED : exitCodeFor(code);
    throw new CliFailure(new UrbisError(code, detail, { status: res.status }), exit, true);
  });
}
