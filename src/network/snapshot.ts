/**
 * Certified state snapshots: docs/network.md "Snapshots". A node joining a network with a long
 * history fetches the state at a certified height from any peer, checks it against the certificate,
 * and replays only the rest of the stream.
 *
 * Format of `GET /v1/snapshot` (`application/x-ndjson`, one JSON document per line):
 *   line 1:        {"v":1,"chainId","height","headerHash","header","cert","streamSeq","sigSeq","entries":n,"seen":m}
 *   next n lines:  one state entry each (the `chain`, `ns:` and `id:` entries), in state-key order
 *   next m lines:  ["<tx hash>", <validUntil>]: the replay-protection set
 *   last line:     {"end":true,"entries":n,"seen":m}
 *
 * Everything in a snapshot is attacker-controlled until checked. The joining node verifies that the
 * certificate reaches a quorum of the validators it trusts (the genesis set, or the network file's
 * `trustedValidators`) over SHA-256(JCS(header)), rebuilds the Merkle map from the entries, and
 * requires its root to equal the header's stateRoot. The replay set and the stream positions are not
 * covered by the state root: a peer lying about them makes the node compute headers the quorum does
 * not sign, which the node detects (it reports itself diverged) rather than accepts.
 */
export type { SnapshotHead } from '../core/ledger/snapshot.js';
export { importSnapshot, type ImportOptions, type ImportResult } from './snapshot/import.js';
export { registerSnapshotRoute } from '../node/routes/snapshot.js';
