/** The ledger protocol: transactions, state machine, blocks, certificates, reader verification. */
export * from './types.js';
export * from './tx.js';
export * from './block.js';
export * from './state.js';
export * from './apply.js';
export * from './verify.js';
export { parseTx, parseRecord, parsePolicy, parseControllers, type ParseContext } from './schema.js';
export { parseIdLenient, canonicalIdText, canonicalNsPath, keyOfText, parentOf, nsIdText, objectIdText } from './names.js';
export * from './grants.js';
