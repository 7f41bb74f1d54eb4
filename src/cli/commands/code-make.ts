/**
 * `urbis code make <id>`: a signed code for an identifier (docs/codes.md), made with the issuer key
 * (`--key`, URBIS_KEY_FILE, URBIS_KEY) from the identifier's verified record, as SVG, PNG, terminal
 * text, the `UC1:` text or the URL form.
 *
 * Spec: docs/cli.md "Codes".
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { randomBytes } from '../../core/crypto/index.js';
import { codeUrl, makeCode, makeProofCode, normaliseFields, recordDigest, type MadeCode } from '../../core/codes/index.js';
import { proofFromJson, type SmtProof } from '../../core/merkle/index.js';
import { makeIdentifier, type Identifier } from '../../core/ids/index.js';
import type { Certificate, IdEntry, NsEntry } from '../../core/ledger/types.js';
import type { Signer } from '../../core/ledger/tx.js';
import { withTarget, type Target } from '../target.js';
import { loadSigner } from '../local.js';
import { parseIdArg, parseDate, intArg } from '../args.js';
import { collect, writeOptions, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { usage } from '../failure.js';

export interface CodeMakeOpts extends CommonOpts {
  format: 'svg' | 'png' | 'txt' | 'url' | 'code' | 'proof';
  out?: string;
  serial?: number;
  field?: string[];
  expires?: string;
  baseUrl?: string;
}

/** A code for one identifier from a target: its verified record, the issuer's authority checked first. */
export async function makeCodeFromTarget(
  t: Target,
  ident: Identifier,
  issuer: Signer,
  o: { serial?: number | undefined; fields?: string[] | undefined; expiresAt?: number | undefined; now: number },
): Promise<{ made: MadeCode; serial: number; entry: IdEntry | NsEntry }> {
  const r = await t.resolve(ident);
  const entry = r.entry as IdEntry | NsEntry | null;
  if (!entry) throw new UrbisError('ID_NOT_FOUND', `${ident.text} is not registered`);
  if (entry.status === 'deactivated') throw new UrbisError('ID_DEACTIVATED', `${ident.text} is deactivated; no code is made for it`);
  const ns = ident.local === null ? (entry as NsEntry) : ((await t.resolve(makeIdentifier(ident.namespace, null))).entry as NsEntry | null);
  if (!ns?.policy.issuers?.includes(issuer.id)) {
    throw new UrbisError(
      'CODE_ISSUER_NOT_AUTHORISED',
      `${issuer.id} is not in policy.issuers of ${ident.namespace.join('.')}: its codes would verify as FORGED`,
      {
        issuer: issuer.id,
      },
    );
  }
  const fields = normaliseFields(o.fields ?? []);
  const serial = o.serial ?? new DataView(randomBytes(4).buffer).getUint32(0);
  const made = makeCode(
    {
      id: entry.id,
      serial,
      issuedAt: Math.floor(o.now / 1000),
      chain: t.chainId,
      digest: recordDigest(entry.record, fields),
      fields,
      ...(o.expiresAt === undefined ? {} : { expiresAt: Math.floor(o.expiresAt / 1000) }),
    },
    issuer,
    issuer.publicKey,
  );
  return { made, serial, entry };
}

/**
 * A proof-carrying code (docs/codes.md §9): the label with its identifier's and namespace's entries,
 * their Merkle proofs and the certified header, all read at one height.
 */
export async function proofCodeFromTarget(t: Target, ident: Identifier, label: Uint8Array): Promise<{ bytes: Uint8Array; text: string }> {
  const proofOf = (p: unknown): SmtProof => (typeof p === 'string' ? proofFromJson(p) : (p as SmtProof));
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await t.resolve(ident);
    const n = ident.local === null ? null : await t.resolve(makeIdentifier(ident.namespace, null));
    if (n !== null && n.header.height !== r.header.height) continue; // a block committed in between: read again
    return makeProofCode(label, {
      header: r.header,
      cert: r.cert as Certificate,
      entry: r.entry as IdEntry | NsEntry,
      entryProof: proofOf(r.proof),
      ns: n === null ? null : (n.entry as NsEntry),
      nsProof: n === null ? null : proofOf(n.proof),
    });
  }
  throw new UrbisError('NODE_BUSY', 'the ledger kept moving while its proofs were read; try again');
}

export function registerCodeMake(code: Command): void {
  writeOptions(
    code
      .command('make')
      .description('make a signed code (QR) for an identifier with an issuer key of its namespace')
      .argument('<id>', 'identifier (text, DID or URL form)')
      .option('--format <f>', 'svg | png | txt (QR in the terminal) | url | code (the UC1: text) | proof (UP1: text carrying its Merkle proofs)', 'svg')
      .option('--out <file>', 'write the image or text here (default: stdout; png needs --out)')
      .option('--serial <n>', 'label serial 0..4294967295 (default: random)', intArg(0))
      .option('--field <name>', 'attribute the code vouches for besides the type (repeatable)', collect)
      .option('--expires <time>', 'expiry, ISO 8601')
      .option('--base-url <url>', 'public base URL of the url form (default https://id.urbis.city)'),
  ).action(async (idArg: string, o: CodeMakeOpts) => {
    if (!['svg', 'png', 'txt', 'url', 'code', 'proof'].includes(o.format)) usage('--format must be svg, png, txt, url, code or proof');
    if (o.serial !== undefined && o.serial > 0xffffffff) usage('--serial must be at most 4294967295');
    if (o.format === 'png' && o.out === undefined && !o.json) usage('--format png writes binary: give --out FILE');
    const ident = parseIdArg(idArg);
    const expiresAt = o.expires === undefined ? undefined : parseDate(o.expires, '--expires');
    const issuer = await loadSigner(o);
    // Loaded on use: the QR library is not needed by the other commands.
    const { qrVersion, renderQr } = await import('../../codes/render.js');
    await withTarget(o, true, async (t) => {
      const { made, serial, entry } = await makeCodeFromTarget(t, ident, issuer, { serial: o.serial, fields: o.field, expiresAt, now: Date.now() });
      const url = codeUrl(o.baseUrl ?? 'https://id.urbis.city', entry.id, made.bytes);
      if (o.format === 'proof') {
        const proof = await proofCodeFromTarget(t, ident, made.bytes);
        const doc = {
          id: entry.id,
          serial,
          issuer: issuer.id,
          code: proof.text,
          bytes: proof.bytes.length,
          qrVersion: qrVersion(proof.text),
          format: o.format,
        };
        if (o.out !== undefined) writeFileSync(o.out, `${proof.text}\n`);
        emit(o, o.out === undefined ? doc : { ...doc, out: o.out }, () =>
          o.out === undefined
            ? [proof.text]
            : [`proof-carrying code for ${entry.id} (${proof.bytes.length} bytes, QR version ${doc.qrVersion}) written to ${o.out}`],
        );
        return;
      }
      const qrText = o.format === 'url' ? url : made.text;
      const doc = { id: entry.id, serial, issuer: issuer.id, code: made.text, url, bytes: made.bytes.length, qrVersion: qrVersion(qrText), format: o.format };
      let body: string | Uint8Array = o.format === 'url' ? url : o.format === 'code' ? made.text : await renderQr(qrText, o.format);
      if (typeof body === 'string' && !body.endsWith('\n')) body += '\n';
      if (o.out !== undefined) {
        writeFileSync(o.out, body);
        emit(o, { ...doc, out: o.out }, () => [`code for ${entry.id} (serial ${serial}, QR version ${doc.qrVersion}) written to ${o.out}`]);
      } else if (o.json) {
        emit(o, o.format === 'svg' || o.format === 'txt' ? { ...doc, image: body } : doc, () => []);
      } else {
        process.stdout.write(body);
      }
    });
  });
}
