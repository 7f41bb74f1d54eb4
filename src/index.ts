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
export { fileTrustStore } from './platform/trust-file.js';
export { urbisGateway, urbisGatewayPlugin, ACCEPT_SIGNATURE, type GatewayOptions, type AccessContext, type ServedRequest } from './gateway/plugin.js';
export { GrantView, type GrantViewOptions, type GranteeStanding } from './gateway/view.js';
export { createGatewayServer, type GatewayServerOptions } from './gateway/proxy.js';
export { ReceiptBatcher, type ReceiptBatcherOptions } from './gateway/receipts.js';
