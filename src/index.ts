/** Urbis for Node.js: the pure core plus the node-side engine, storage and data directory. */
import './platform/node.js';
export * from './core/index.js';
export { Ledger, cachingVerifier, type CommitResult, type ProvenEntry } from './engine/ledger.js';
export { verifyChain, type ChainCheck } from './engine/verify-chain.js';
export { initDataDir, openDataDir, readConfig, readGenesis, type NodeConfig, type OpenDir } from './node/data-dir.js';
export { LocalSequencer } from './ordering/local/sequencer.js';
export type { Orderer, Submission, TxOutcome } from './ordering/types.js';
export { MemoryStore } from './storage/memory/memory-store.js';
export { SqliteStore } from './storage/sqlite/sqlite-store.js';
export type { LedgerStore, BlockBundle, Head, Page, SearchQuery } from './storage/types.js';
export { readKeyFile, writeKeyFile, loadSigningKey } from './keys/keyfile.js';
export * from './client/index.js';
