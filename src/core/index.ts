/**
 * The pure core of Urbis: identifiers, canonical encoding, signatures, Merkle proofs, the state
 * machine. No I/O, no clock, no `node:` imports: it runs unchanged in a browser.
 */
export * from './errors.js';
export * from './ids/index.js';
export * from './encoding/index.js';
export * from './crypto/index.js';
export * from './merkle/index.js';
export * from './ledger/index.js';
export * as httpsig from './httpsig/index.js';
export * from './codes/index.js';
