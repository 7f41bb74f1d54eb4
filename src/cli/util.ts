/**
 * Shared plumbing of the `urbis` CLI (docs/cli.md): common options, opening the data directory,
 * loading the signing key, submitting a transaction, parsing repeated flags into records, policies
 * and controller sets, and the one output/error convention every command follows.
 *
 * Secrets never come from flags: a key is a file path (`--key`) or comes from the environment, and
 * passphrases come from the environment only (see src/keys/keyfile.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ERROR_CODES, UrbisError, isUrbisError, type ErrorCode } from '../core/errors.js';
import { parseIdentifier, parseNamespacePath, formatDid, formatUrl, type Identifier } from '../core/ids/index.js';
import { buildTxBody, signTx, signerFromSeed, type Signer } from '../core/ledger/tx.js';
import {
  RECORD_TYPES,
  type ControllerSet,
  type Limits,
  type Link,
  type NameRule,
  type Payloads,
  type Policy,
  type PrivateRef,
  type RecordBody,
  type Service,
  type TxType,
} from '../core/ledger/types.js';
import { loadSigningKey } from '../keys/keyfile.js';
import { openDataDir, paths, type OpenDir } from '../engine/data-dir.js';
import type { TxOutcome } from '../ordering/types.js';

// ---------------------------------------------------------------------------------------------
// Exit codes and failures

/** Exit codes of the CLI (docs/cli.md "Exit codes"). */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  REJECTED: 4,
  VERIFY: 5,
  BUSY: 6,
} as const;

const VERIFY_CODES = new Set<string>([
  'PROOF_INVALID',
  'PROOF_MALFORMED',
  'CERT_INVALID',
  'CHAIN_FAULT',
  'BLOCK_INVALID',
  'STORE_CORRUPT',
  'CRYPTO_SIGNATURE_INVALID',
  'CLIENT_STALE',
]);
// The CLIENT_* and HTTP ones only arise with --node: an unreachable or overloaded node is worth retrying.
const BUSY_CODES = new Set<string>([
  'STORE_LOCKED',
  'NODE_BUSY',
  'NODE_NOT_READY',
  'NODE_DIVERGED',
  'STORE_UNAVAILABLE',
  'HTTP_RATE_LIMITED',
  'CLIENT_HTTP',
  'CLIENT_TIMEOUT',
]);

/**
 * A failure with a chosen exit code. `stdoutDone` means the command already printed its own
 * document on stdout (e.g. a verified absence), so only the stderr line is added.
 */
export class CliFailure extends Error {
  constructor(
    readonly error: UrbisError,
    readonly exitCode: number,
    readonly stdoutDone = false,
  ) {
    super(error.message);
    this.name = 'CliFailure';
  }
}

/** Exit code for an error that was not committed to the ledger (see {@link CliFailure} for those). */
export function exitCodeFor(code: string): number {
  if (code === 'INTERNAL') return EXIT.INTERNAL;
  if (code.endsWith('_NOT_FOUND') || code === 'STORE_NOT_INITIALIZED') return EXIT.NOT_FOUND;
  if (VERIFY_CODES.has(code)) return EXIT.VERIFY;
  if (BUSY_CODES.has(code)) return EXIT.BUSY;
  // Everything else raised before a transaction reached a block is a fault of the input.
  return EXIT.USAGE;
}

/** Throws CLI_USAGE. */
export function usage(message: string, details?: Record<string, unknown>): never {
  throw new UrbisError('CLI_USAGE', message, details);
}

/** Writes the error line (and, with --json, the error document) and returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  let err: UrbisError;
  let exit: number;
  let stdoutDone = false;
  if (e instanceof CliFailure) {
    err = e.error;
    exit = e.exitCode;
    stdoutDone = e.stdoutDone;
  } else if (isUrbisError(e)) {
    err = e;
    exit = exitCodeFor(e.code);
  } else {
    const message = e instanceof Error ? e.message : String(e);
    err = new UrbisError('INTERNAL', message, undefined, { cause: e });
    exit = EXIT.INTERNAL;
    if (process.env.URBIS_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  }
  process.stderr.write(`urbis: ${err.code}: ${oneLine(err.message)}\n`);
  if (json && !stdoutDone) {
    writeJson({ error: { code: err.code, message: err.message, details: err.details ?? {} } });
  }
  return exit;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Output

/** Options every command has. */
export interface CommonOpts {
  json?: boolean;
  dir?: string;
  key?: string;
  /** `--node <url>`: go through a running node (src/cli/target.ts). */
  node?: string;
  /** `--genesis <file>`: the trust anchor when going through a node. */
  genesis?: string;
  /** Set by `withTarget` when going through a node: `{ node, trust, … }`, added to --json documents. */
  via?: Record<string, unknown>;
}

export function writeJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * Prints `doc` as JSON with --json, else the text lines. Through a node, the JSON document also
 * names the node and where the trust anchor came from (`o.via`).
 */
export function emit(o: CommonOpts, doc: unknown, text: () => string[]): void {
  if (o.json) writeJson(o.via && typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? { ...doc, ...o.via } : doc);
  else process.stdout.write(`${text().join('\n')}\n`);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The three forms of an identifier given as canonical text. */
export function forms(text: string): { text: string; did: string; url: string } {
  const id = parseIdentifier(text);
  return { text: id.text, did: formatDid(id), url: formatUrl(id) };
}

// ---------------------------------------------------------------------------------------------
// Common options

// No default value: commander would print "(default: [])" in every help text.
const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** True when a repeatable flag was given at least once. */
export function given(a: string[] | undefined): a is string[] {
  return a !== undefined && a.length > 0;
}

/** `--json`. */
export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output (one JSON document on stdout)');
}

/** `--dir` and `--json`. */
export function dirOptions(cmd: Command): Command {
  return jsonOption(cmd.option('--dir <path>', 'data directory (default: $URBIS_DIR or ./.urbis)'));
}

/** `--dir`, `--json`, `--node` and `--genesis`: commands that can also go through a running node. */
export function targetOptions(cmd: Command): Command {
  return dirOptions(cmd)
    .option('--node <url>', 'go through a running node instead of the data directory (default: $URBIS_NODE)')
    .option('--genesis <file>', "with --node: genesis.json to verify answers against (default: $URBIS_GENESIS, else <dir>/genesis.json, else the node's own)");
}

/** `--dir`, `--json`, `--node`, `--genesis` and `--key`. */
export function writeOptions(cmd: Command): Command {
  return targetOptions(cmd).option('--key <file>', 'signing key file (default: $URBIS_KEY_FILE, $URBIS_KEY, else <dir>/keys/root.key)');
}

/**
 * Marks a command as working on local files only (init, key, verify): a hidden `--node` is
 * accepted only to be refused with a message that says why. URBIS_NODE is ignored by these.
 */
export function localOnly(cmd: Command, what: string): Command {
  return cmd.addOption(new Option('--node <url>').hideHelp()).hook('preAction', (_c, action) => {
    if (action.opts().node !== undefined) usage(`"urbis ${what}" works on local files only; it cannot go through a node (--node)`);
  });
}

/** Data directory from --dir, URBIS_DIR, or ./.urbis. */
export function resolveDir(o: CommonOpts): string {
  const d = o.dir ?? (process.env.URBIS_DIR || undefined) ?? './.urbis';
  return resolve(d);
}

/** Passphrase for encrypted keys, from the environment only (same variables as loadSigningKey). */
export function passphraseFromEnv(): string | undefined {
  const file = process.env.URBIS_KEY_PASSPHRASE_FILE;
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new UrbisError('KEYFILE_PASSPHRASE', `Cannot read the passphrase file ${file}.`, { path: file }, { cause: e });
    }
  }
  return process.env.URBIS_KEY_PASSPHRASE || undefined;
}

/** Opens the data directory; read-only commands skip the validator key. Close it in `finally`. */
export async function openDir(o: CommonOpts, readOnly: boolean): Promise<OpenDir> {
  const pass = readOnly ? undefined : passphraseFromEnv();
  return openDataDir(resolveDir(o), { readOnly, ...(pass === undefined ? {} : { passphrase: pass }) });
}

/** Runs `fn` with an open data directory, closing it whatever happens. */
export async function withDir<T>(o: CommonOpts, readOnly: boolean, fn: (d: OpenDir) => Promise<T> | T): Promise<T> {
  const d = await openDir(o, readOnly);
  try {
    return await fn(d);
  } finally {
    d.close();
  }
}

/**
 * The signing key: --key, else URBIS_KEY_FILE / URBIS_KEY, else `<dir>/keys/root.key` if it exists
 * (single-node convenience).
 *
 * @throws UrbisError CLI_USAGE when no key is configured; KEYFILE_* from reading it.
 */
export async function loadSigner(o: CommonOpts): Promise<Signer> {
  let file = o.key;
  if (file === undefined && !process.env.URBIS_KEY_FILE && !process.env.URBIS_KEY) {
    const def = paths(resolveDir(o)).rootKey;
    if (!existsSync(def)) usage(`no signing key: give --key FILE, or set URBIS_KEY_FILE or URBIS_KEY (${def} does not exist)`);
    file = def;
  }
  const k = await loadSigningKey(file === undefined ? {} : { file });
  return signerFromSeed(k.seed);
}

// ---------------------------------------------------------------------------------------------
// Transactions

/** A transaction committed as invalid: exit 4 with its code. */
export function rejected(out: TxOutcome): CliFailure {
  const r = out.result as { ok: false; code: string; message: string };
  const code = (r.code in ERROR_CODES ? r.code : 'INTERNAL') as ErrorCode;
  return new CliFailure(
    new UrbisError(code, `${r.message} (tx ${out.hash} committed as invalid in block ${out.height})`, { hash: out.hash, height: out.height, index: out.index }),
    EXIT.REJECTED,
  );
}

/**
 * Builds, signs, submits and commits one transaction at once (single-node mode).
 *
 * @throws CliFailure exit 4 if the ledger committed it as invalid; UrbisError from the pre-checks.
 */
export async function commitTx<T extends TxType>(d: OpenDir, signer: Signer, type: T, payload: Payloads[T]): Promise<TxOutcome> {
  const tx = signTx(buildTxBody(type, payload, { chain: d.config.chainId, now: Date.now() }), [signer]);
  const { done } = d.sequencer.submit(tx);
  d.sequencer.cut();
  const out = await done;
  if (!out.result.ok) throw rejected(out);
  return out;
}

/** Prints the outcome of a committed transaction plus command-specific fields. */
export function emitTx(o: CommonOpts, what: string, out: TxOutcome, extra: Record<string, unknown> = {}, lines: string[] = []): void {
  emit(o, { ok: true, hash: out.hash, height: out.height, ...extra }, () => [what, ...lines, `tx ${out.hash} committed in block ${out.height}`]);
}

// ---------------------------------------------------------------------------------------------
// Identifiers and keys

/** Parses an identifier in any form, check character required (typos are caught, not "not found"). */
export function parseIdArg(input: string): Identifier {
  return parseIdentifier(input.trim());
}

/** Like {@link parseIdArg} but refuses namespace identifiers. Returns the id and its state key. */
export function parseObjectIdArg(input: string): { id: Identifier; key: string } {
  const id = parseIdArg(input);
  if (id.local === null) usage(`${id.text} names a namespace; use "urbis ns show ${id.namespace.join('.')}"`);
  return { id, key: `${id.namespace.join('.')}/${id.local}` };
}

/** Canonical namespace path from a path (`156.130100`, check character optional), DID or URL. */
export function parseNsArg(input: string): string {
  const s = input.trim();
  if (/^(did:|https?:\/\/)/i.test(s)) {
    const id = parseIdentifier(s);
    if (id.local !== null) usage(`${id.text} is an object identifier, not a namespace`);
    return id.namespace.join('.');
  }
  return parseNamespacePath(s).join('.');
}

/** A Multikey, also accepted as `did:key:<multikey>`. Validity is checked by the ledger's parser. */
export function keyArg(s: string): string {
  const t = s.trim();
  return t.startsWith('did:key:') ? t.slice('did:key:'.length) : t;
}

// ---------------------------------------------------------------------------------------------
// Option parsers (commander argument parsers throw InvalidArgumentError → exit 2)

/** Integer option parser with a lower bound. */
export function intArg(min: number): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
    const n = Number(v.trim());
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
    return n;
  };
}

function splitPair(s: string, flag: string, sep = '='): [string, string] {
  const i = s.indexOf(sep);
  if (i <= 0) usage(`${flag} expects name${sep}value, got "${s}"`);
  return [s.slice(0, i).trim(), s.slice(i + 1)];
}

/** `rel=target` → Link (target as given; the ledger canonicalises and checks it). */
export function parseLink(s: string, flag = '--link'): Link {
  const [rel, target] = splitPair(s, flag);
  return { rel, target: target.trim() };
}

/** `#id,type,url` → Service. */
export function parseService(s: string): Service {
  const parts = s.split(',');
  if (parts.length !== 3) usage(`--service expects '#id,type,url', got "${s}"`);
  const [id, type, url] = parts.map((p) => p.trim()) as [string, string, string];
  return { id: id.startsWith('#') ? id : `#${id}`, type, serviceEndpoint: url };
}

/** `name=hexhash` → PrivateRef. */
export function parsePrivateRef(s: string): PrivateRef {
  const [name, hash] = splitPair(s, '--private-ref');
  return { name, hash: hash.trim().toLowerCase() };
}

/** `digits|alnum[:min[:max]]` or `none` → NameRule (undefined for none). */
export function parseNameRule(s: string, flag: string, defMax: number): NameRule | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'none') return undefined;
  const m = /^(digits|alnum)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) usage(`${flag} expects digits|alnum[:min[:max]] or none, got "${s}"`);
  const minLength = m[2] === undefined ? 1 : Number(m[2]);
  const maxLength = m[3] === undefined ? (m[2] === undefined ? defMax : Math.max(minLength, defMax)) : Number(m[3]);
  return { charset: m[1] as NameRule['charset'], minLength, maxLength };
}

/** ISO 8601 date/time → ms since epoch. */
export function parseDate(s: string, flag: string): number {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) usage(`${flag} expects an ISO 8601 date, got "${s}"`);
  return ms;
}

function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

// ---------------------------------------------------------------------------------------------
// Records

export interface RecordOpts {
  type?: string;
  attr?: string[];
  attrsJson?: string;
  link?: string[];
  service?: string[];
  privateRef?: string[];
}

/** --type, --attr, --attrs-json, --link, --service, --private-ref. */
export function recordOptions(cmd: Command): Command {
  return cmd
    .option('--type <type>', `record type: ${RECORD_TYPES.join(', ')}, or x-<custom>`)
    .option('--attr <name=value>', 'attribute with a string value (repeatable)', collect)
    .option('--attrs-json <json>', 'attributes as a JSON object (typed values); --attr entries are applied after it')
    .option('--link <rel=target>', 'typed link to another identifier, e.g. located-in=156.130100:Y (repeatable)', collect)
    .option('--service <#id,type,url>', 'service endpoint, e.g. "#api,Api,https://x.example" (repeatable)', collect)
    .option('--private-ref <name=sha256hex>', 'hash of off-ledger data (repeatable)', collect);
}

/** True when any record flag was given. */
export function hasRecordFlags(o: RecordOpts): boolean {
  return o.type !== undefined || o.attrsJson !== undefined || [o.attr, o.link, o.service, o.privateRef].some(given);
}

/**
 * A record from the flags. With `base`, starts from it: --type replaces the type, attributes are
 * merged, and each list flag given (--link, --service, --private-ref) replaces that whole list.
 */
export function recordFromOptions(o: RecordOpts, base?: RecordBody): RecordBody {
  const type = o.type ?? base?.type;
  if (type === undefined) usage('--type is required');
  const rec: RecordBody = { type };
  let attrs: Record<string, unknown> = { ...(base?.attributes ?? {}) };
  if (o.attrsJson !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(o.attrsJson);
    } catch {
      usage('--attrs-json is not valid JSON');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) usage('--attrs-json must be a JSON object');
    attrs = { ...attrs, ...(v as Record<string, unknown>) };
  }
  for (const a of o.attr ?? []) {
    const [k, v] = splitPair(a, '--attr');
    attrs[k] = v;
  }
  if (Object.keys(attrs).length > 0) rec.attributes = attrs;
  const links = given(o.link) ? o.link.map((l) => parseLink(l)) : base?.links;
  if (links && links.length > 0) rec.links = links;
  const services = given(o.service) ? o.service.map(parseService) : base?.services;
  if (services && services.length > 0) rec.services = services;
  const refs = given(o.privateRef) ? o.privateRef.map(parsePrivateRef) : base?.privateRefs;
  if (refs && refs.length > 0) rec.privateRefs = refs;
  return rec;
}

// ---------------------------------------------------------------------------------------------
// Controllers

export interface ControllerOpts {
  controller?: string[];
  threshold?: number;
}

/** --controller (repeatable) and --threshold. */
export function controllerOptions(cmd: Command): Command {
  return cmd
    .option('--controller <multikey>', 'controller public key, Multikey or did:key (repeatable)', collect)
    .option('--threshold <n>', 'signatures needed among the controllers (default 1)', intArg(1));
}

/**
 * A controller set from the flags; with no --controller, `fallback` (or undefined). --threshold
 * alone re-thresholds the fallback's keys.
 */
export function controllersFromOptions(o: ControllerOpts, fallback?: ControllerSet): ControllerSet | undefined {
  if (!given(o.controller)) {
    if (!fallback) {
      if (o.threshold !== undefined) usage('--threshold needs --controller');
      return undefined;
    }
    return { keys: fallback.keys, threshold: o.threshold ?? fallback.threshold };
  }
  const keys = o.controller.map(keyArg);
  const threshold = o.threshold ?? 1;
  if (threshold > keys.length) usage(`--threshold ${threshold} exceeds the ${keys.length} controller key(s)`);
  return { keys, threshold };
}

// ---------------------------------------------------------------------------------------------
// Namespace policy and limits

export interface PolicyOpts {
  children?: string;
  ids?: string;
  idPrefix?: string[];
  types?: string;
  reserved?: string;
  registrar?: string[];
  serialWidth?: number;
}

/** Policy flags of ns create / ns update. */
export function policyOptions(cmd: Command): Command {
  return cmd
    .option('--children <rule>', 'child segment format: digits|alnum[:min[:max]] or none (create default alnum:1:16)')
    .option('--ids <rule>', 'local part format: digits|alnum[:min[:max]] or none (create default alnum:1:64)')
    .option('--id-prefix <prefix>', 'local parts must start with one of these prefixes (repeatable)', collect)
    .option('--types <t1,t2>', 'allowed record types of identifiers ("any" for no restriction)')
    .option('--reserved <a,b>', 'names that may not be allocated ("none" to clear)')
    .option('--registrar <multikey>', 'key allowed to register identifiers alone (repeatable)', collect)
    .option('--serial-width <n>', 'zero-padded width of allocated serial numbers (1..12)', intArg(1));
}

/** True when any policy flag was given. */
export function hasPolicyFlags(o: PolicyOpts): boolean {
  return [o.children, o.ids, o.types, o.reserved, o.serialWidth].some((v) => v !== undefined) || given(o.idPrefix) || given(o.registrar);
}

/** A policy from the flags, starting from `base` (each flag replaces its field). */
export function policyFromOptions(o: PolicyOpts, base: Policy): Policy {
  const p: Policy = { ...base };
  const set = <K extends keyof Policy>(k: K, v: Policy[K] | undefined) => {
    if (v === undefined) delete p[k];
    else p[k] = v;
  };
  if (o.children !== undefined) set('children', parseNameRule(o.children, '--children', 16));
  if (o.ids !== undefined) set('ids', parseNameRule(o.ids, '--ids', 64));
  if (given(o.idPrefix)) {
    if (!p.ids) usage('--id-prefix needs an --ids rule');
    p.ids = { ...p.ids, prefixes: o.idPrefix.map((x) => x.trim().toUpperCase()) };
  }
  if (o.types !== undefined) set('types', o.types.trim().toLowerCase() === 'any' ? undefined : list(o.types));
  if (o.reserved !== undefined) set('reserved', o.reserved.trim().toLowerCase() === 'none' ? undefined : list(o.reserved).map((r) => r.toUpperCase()));
  if (given(o.registrar)) p.registrars = o.registrar.map(keyArg);
  if (o.serialWidth !== undefined) p.serialWidth = o.serialWidth;
  return p;
}

export interface LimitOpts {
  maxChildren?: number;
  maxIds?: number;
  expires?: string;
}

/** Limit flags (set by the parent authority). */
export function limitOptions(cmd: Command): Command {
  return cmd
    .option('--max-children <n>', 'maximum number of child namespaces', intArg(0))
    .option('--max-ids <n>', 'maximum number of identifiers', intArg(0))
    .option('--expires <iso-date>', 'writes are refused after this date ("never" to clear)');
}

export function hasLimitFlags(o: LimitOpts): boolean {
  return o.maxChildren !== undefined || o.maxIds !== undefined || o.expires !== undefined;
}

/** Limits from the flags, starting from `base`. */
export function limitsFromOptions(o: LimitOpts, base: Limits): Limits {
  const l: Limits = { ...base };
  if (o.maxChildren !== undefined) l.maxChildren = o.maxChildren;
  if (o.maxIds !== undefined) l.maxIds = o.maxIds;
  if (o.expires !== undefined) {
    if (o.expires.trim().toLowerCase() === 'never') delete l.expiresAt;
    else l.expiresAt = parseDate(o.expires, '--expires');
  }
  return l;
}
