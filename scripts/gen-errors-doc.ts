/**
 * Regenerates docs/errors.md from the error registry (src/core/errors.ts).
 * Run: npm run docs:errors. test/docs/errors-doc.test.ts fails when the two drift apart.
 */
import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/core/errors.js';
import { DID_ERROR_BASE, DID_ERRORS } from '../src/core/api/did-resolution.js';

const areas: Record<string, string> = {
  ID: 'Identifiers',
  ENC: 'Encoding',
  CRYPTO: 'Cryptography',
  KEYFILE: 'Key files',
  PROOF: 'Proofs',
  TX: 'Transactions',
  AUTH: 'Authority',
  NS: 'Namespaces',
  POLICY: 'Allocation policy',
  QUOTA: 'Quotas',
  SERIAL: 'Serial allocation',
  RECORD: 'Records',
  CONTROLLERS: 'Controllers',
  VALIDATORS: 'Validators',
  BLOCK: 'Blocks',
  CERT: 'Certificates',
  CHAIN: 'Chain',
  STORE: 'Storage',
  NODE: 'Node',
  HTTP: 'HTTP API',
  LABEL: 'Labels',
  NET: 'Network',
  CLI: 'Command line',
  CLIENT: 'Client SDK',
  IMPORT: 'Import',
  MERKLE: 'Merkle map',
  INTERNAL: 'Internal',
};

let out = `# Error codes

Every failure Urbis reports carries one stable code from this table. Clients match on the code,
never on the message. The HTTP API answers with the status shown, as an RFC 9457 problem document
whose \`code\` member is the code; the CLI prints \`urbis: <CODE>: <message>\` and exits non-zero
(exit codes: docs/cli.md). A transaction that reaches a block but breaks a rule is kept in the block
as invalid with its code, so its submitter always learns a definite outcome.

This file is generated from \`src/core/errors.ts\` by \`npm run docs:errors\`; a test keeps them in sync.

| code | HTTP | meaning |
| --- | --- | --- |
`;
let lastArea = '';
for (const [code, def] of Object.entries(ERROR_CODES)) {
  const prefix = code.split('_')[0]!;
  const area = areas[prefix] ?? prefix;
  if (area !== lastArea) {
    out += `| **${area}** | | |\n`;
    lastArea = area;
  }
  out += `| \`${code}\` | ${def.status} | ${def.description} |\n`;
}
out += `
## DID resolution errors

The DID Resolution binding (\`/1.0/identifiers/\`, and the SDK's did-resolver plugin) reports
errors as W3C DID Resolution v1.0 §11 error objects, not as the problem documents above: in
\`didResolutionMetadata.error\` (or \`dereferencingMetadata.error\`), an RFC 9457 object whose
\`type\` is \`${DID_ERROR_BASE}\` followed by the name below, with \`title\`, \`detail\` and, when an
Urbis rule applies, \`code\`: one of the codes above (\`ID_CHECK_MISMATCH\` for a typo in a DID,
\`PROOF_INVALID\` for a node whose answer does not verify, \`NODE_NOT_READY\`, …). The HTTP status is
the one DID Resolution §12.1 gives the type (docs/did-method.md §5.3).

| type | HTTP | title |
| --- | --- | --- |
`;
for (const [name, def] of Object.entries(DID_ERRORS)) out += `| \`${name}\` | ${def.status} | ${def.title} |\n`;
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
console.log(`docs/errors.md: ${Object.keys(ERROR_CODES).length} codes`);
