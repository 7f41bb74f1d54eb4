#!/usr/bin/env node
// Entry point of the `urbis` CLI. The TypeScript sources are compiled to dist/ by `npm ci`
// (the `prepare` script); this file only forwards to the compiled program.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`urbis: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
