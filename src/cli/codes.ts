/**
 * What the `code` and `trust` commands share: reading a code from an argument (text, URL, image
 * file, or a file holding the text), the facts of a target for online verification, the trust anchor
 * for offline verification, and the exit code of a verdict.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { UrbisError } from '../core/errors.js';
import { ledgerFacts, type CodeFacts, type CodeVerdict, type ParsedCode } from '../core/codes/index.js';
import { makeIdentifier, parseIdentifier } from '../core/ids/index.js';
import type { TrustAnchor } from '../core/ledger/verify.js';
import type { IdEntry, NsEntry } from '../core/ledger/types.js';
import { UrbisClient } from '../client/client.js';
import type { Target } from './target.js';
import { genesisFile, readGenesisFile } from './target/connect.js';
import type { CommonOpts } from './options.js';
import { EXIT } from './failure.js';

/**
 * The code an argument names: a `UC1:` text or URL as given, else a file: an image (PNG/JPEG,
 * decoded with ZXing) or a file holding the text.
 * @throws UrbisError CODE_NOT_URBIS, CODE_IMAGE_*, CODE_NOT_IN_IMAGE, CLI_USAGE (unreadable file)
 */
export async function codeFromArg(arg: string): Promise<{ input: string; from: 'argument' | 'image' | 'file' }> {
  const t = arg.trim();
  if (t.startsWith('UC') || t.startsWith('UP') || /^https?:\/\//i.test(t)) return { input: t, from: 'argument' };
  if (!existsSync(arg)) throw new UrbisError('CODE_NOT_URBIS', `"${arg.slice(0, 60)}" is neither a code (UC1:…, a label URL) nor a file`);
  // Loaded on use: the image decoders (ZXing's WebAssembly, pngjs) are not needed by other commands.
  const { firstUrbisCode, imageKind, MAX_IMAGE_BYTES, readQrCodes } = await import('../codes/image.js');
  const size = statSync(arg).size;
  if (size > MAX_IMAGE_BYTES)
    throw new UrbisError('CODE_IMAGE_TOO_LARGE', `${arg} has ${size} bytes; at most ${MAX_IMAGE_BYTES} are accepted`, { size, limit: MAX_IMAGE_BYTES });
  const bytes = new Uint8Array(readFileSync(arg));
  const kind = imageKind(bytes);
  if (kind === 'png' || kind === 'jpeg') {
    const texts = await readQrCodes(bytes);
    const urbis = firstUrbisCode(texts);
    if (urbis === undefined) throw new UrbisError('CODE_NOT_URBIS', `the QR code in ${arg} is not an Urbis code`, { found: texts.length });
    return { input: urbis, from: 'image' };
  }
  return { input: new TextDecoder().decode(bytes).trim(), from: 'file' };
}

/** Facts of a target (data directory, or a node through the verifying SDK) for a code. */
export async function targetFacts(t: Target, code: ParsedCode): Promise<CodeFacts> {
  const id = parseIdentifier(code.claims.id);
  if (code.claims.chain !== t.chainId) return { source: 'ledger', chainId: t.chainId, asOf: Number.MAX_SAFE_INTEGER, issuers: undefined };
  const nsIdent = makeIdentifier(id.namespace, null);
  const [r, n] = await Promise.all([t.resolve(id), id.local === null ? null : t.resolve(nsIdent)]);
  return ledgerFacts({
    chainId: t.chainId,
    // The target's head: the data directory is the ledger itself; a node's answer is its certified head.
    asOf: Math.min(r.header.time, n?.header.time ?? r.header.time),
    entry: r.entry as IdEntry | NsEntry | null,
    ns: (id.local === null ? r.entry : n!.entry) as NsEntry | null,
    evidence: {
      ledger: { height: r.verified.height, stateRoot: r.verified.stateRoot, signers: r.verified.signers, validators: r.verified.validators, target: t.kind },
    },
  });
}

/** The anchor for offline verification: --genesis, URBIS_GENESIS or the data directory's genesis; else none. */
export function offlineAnchor(o: CommonOpts): { anchor: TrustAnchor | undefined; from: string } {
  const g = genesisFile(o);
  if (g === null) return { anchor: undefined, from: 'the bundle itself (no genesis given)' };
  return { anchor: UrbisClient.anchorFromGenesis(readGenesisFile(g.file, g.from)), from: g.from };
}

/** Exit code of a verdict (docs/cli.md "Exit codes"): 0 VALID, 7 any other verdict. */
export function verdictExit(v: CodeVerdict): number {
  return v.verdict === 'VALID' ? EXIT.OK : EXIT.NOT_VALID;
}
