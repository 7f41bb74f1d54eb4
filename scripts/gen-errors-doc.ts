/**
 * Regenerates docs/errors.md from the error registry (src/core/errors.ts).
 * Run: npm run docs:errors. test/docs/errors-doc.test.ts fails when the two drift apart.
 */
import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/core/errors.js';

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
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
console.log(`docs/errors.md: ${Object.keys(ERROR_CODES).length} codes`);
