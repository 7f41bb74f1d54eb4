/**
 * The one registry of Urbis error codes.
 *
 * Every failure the system reports carries one of these codes. Codes are stable: clients match on
 * them, so a code is never renamed or reused for another meaning. Each code has an HTTP status (used
 * by the node's API) and a one-line description. docs/errors.md lists the same codes; a test keeps the
 * two in sync.
 *
 * Naming: `<AREA>_<WHAT>`, upper snake case.
 */

/** Definition of one error code. */
export interface ErrorDef {
  /** HTTP status the node answers with. */
  readonly status: number;
  /** What the code means, one line, as it appears in docs/errors.md. */
  readonly description: string;
}

export const ERROR_CODES = {
  // --- identifiers (src/core/ids) ---
  ID_EMPTY: { status: 400, description: 'The identifier is empty.' },
  ID_TOO_LONG: { status: 400, description: 'The identifier is longer than the maximum length.' },
  ID_CHAR_INVALID: { status: 400, description: 'The identifier contains a character outside the identifier alphabet.' },
  ID_CHAR_EXCLUDED: { status: 400, description: 'The identifier contains I, O or Q, letters excluded because they read like 1 and 0.' },
  ID_SEGMENT_INVALID: { status: 400, description: 'A namespace segment is empty, too long, or badly formed.' },
  ID_TOO_DEEP: { status: 400, description: 'The namespace path has more levels than allowed.' },
  ID_LOCAL_INVALID: { status: 400, description: 'The local part is empty, too long, or badly formed.' },
  ID_CHECK_MISSING: { status: 400, description: 'The identifier has no check character.' },
  ID_CHECK_MISMATCH: { status: 400, description: 'The check character does not match: the identifier has a typo or two swapped characters.' },
  ID_DID_INVALID: { status: 400, description: 'The DID is not a well-formed did:urbis identifier.' },
  ID_URL_INVALID: { status: 400, description: 'The URL is not a well-formed Urbis label URL.' },

  // --- encoding and crypto (src/core/encoding, src/core/crypto) ---
  ENC_JSON_INVALID: { status: 400, description: 'The value cannot be encoded as canonical JSON (RFC 8785).' },
  ENC_HEX_INVALID: { status: 400, description: 'A hexadecimal string is malformed or has the wrong length.' },
  ENC_BASE64_INVALID: { status: 400, description: 'A base64url (or base64) string is malformed.' },
  ENC_BASE58_INVALID: { status: 400, description: 'A base58btc string is malformed.' },
  ENC_UTF8_INVALID: { status: 400, description: 'A byte string is not well-formed UTF-8.' },
  ENC_MULTIKEY_INVALID: { status: 400, description: 'A Multikey public key is malformed or not Ed25519.' },
  CRYPTO_KEY_INVALID: { status: 400, description: 'A key has the wrong length or format.' },
  CRYPTO_SIGNATURE_INVALID: { status: 400, description: 'A signature does not verify.' },
  KEYFILE_INVALID: { status: 400, description: 'A key file is malformed.' },
  KEYFILE_PASSPHRASE: { status: 400, description: 'The key file is encrypted and the passphrase is missing or wrong.' },
  KEYFILE_PERMISSIONS: { status: 400, description: 'A key file is readable by other users; it must have mode 0600.' },
  KEYFILE_EXISTS: { status: 409, description: 'A key file already exists at that path; it is never overwritten.' },

  // --- proofs (src/core/merkle) ---
  PROOF_INVALID: { status: 422, description: 'A Merkle proof does not verify against the given root.' },
  PROOF_MALFORMED: { status: 400, description: 'A Merkle proof is structurally malformed.' },
  MERKLE_INPUT_INVALID: { status: 400, description: 'A state map key or hash is not 32 bytes, or two keys share their first 255 bits.' },

  // --- tamper-resistant codes (src/core/codes) ---
  CBOR_INVALID: { status: 400, description: 'A CBOR item is malformed or not in deterministic encoding (RFC 8949 §4.2.1).' },
  BASE45_INVALID: { status: 400, description: 'A base45 string is malformed (RFC 9285 §6).' },
  COSE_INVALID: { status: 400, description: 'A COSE_Sign1 message is structurally malformed (RFC 9052 §4.2).' },
  CODE_NOT_URBIS: { status: 400, description: 'The input is not an Urbis code (no UC1: prefix, no label URL with a code).' },
  CODE_MALFORMED: { status: 400, description: 'The Urbis code is damaged: its structure or claims do not follow docs/codes.md.' },
  CODE_NOT_VALID: {
    status: 422,
    description: 'The code was checked and is not VALID: REVOKED, FORGED, ALTERED, EXPIRED or STALE (the verdict says which and why).',
  },
  CODE_IMAGE_INVALID: { status: 400, description: 'The image cannot be decoded (not a PNG, JPEG or SVG of a supported kind).' },
  CODE_IMAGE_TOO_LARGE: { status: 413, description: 'The image exceeds the size limit (bytes or pixels).' },
  CODE_NOT_IN_IMAGE: { status: 422, description: 'No QR code was found in the image.' },
  CODE_ISSUER_NOT_CONFIGURED: { status: 409, description: 'No issuer key is configured for making codes here.' },
  CODE_ISSUER_NOT_AUTHORISED: { status: 403, description: "The issuer key is not in the namespace's policy.issuers: a code it made would verify as FORGED." },
  BUNDLE_UNAVAILABLE: { status: 409, description: 'This node cannot sign a trust bundle: it holds no validator key in force.' },
  BUNDLE_INVALID: { status: 422, description: 'A trust bundle is malformed, not signed by a trusted validator, or its checkpoint is not certified.' },
  LABEL_ALREADY_REVOKED: { status: 409, description: 'The label serial is already revoked.' },
  LABEL_REVOKED_LIMIT: { status: 422, description: 'The identifier has reached the maximum number of revoked label serials; deactivate it instead.' },

  // --- transactions (src/core/ledger) ---
  TX_MALFORMED: { status: 400, description: 'The transaction does not match the transaction schema.' },
  TX_TOO_LARGE: { status: 413, description: 'The transaction is larger than the maximum transaction size.' },
  TX_TYPE_UNKNOWN: { status: 400, description: 'The transaction type is not known.' },
  TX_CHAIN_MISMATCH: { status: 400, description: 'The transaction is bound to another chain id.' },
  TX_EXPIRED: { status: 400, description: 'The block time is outside the transaction validity window.' },
  TX_WINDOW_TOO_LONG: { status: 400, description: 'The transaction validity window is longer than the network allows.' },
  TX_REPLAYED: { status: 409, description: 'A transaction with the same hash was already committed.' },
  TX_SIGNATURE_INVALID: { status: 401, description: 'A signature on the transaction does not verify.' },
  TX_SIGNER_DUPLICATE: { status: 400, description: 'The same key signed the transaction twice.' },
  TX_NOT_CANONICAL: {
    status: 400,
    description: 'The transaction was not sent as its exact RFC 8785 canonical JSON (duplicate member names, member order, whitespace or escapes differ).',
  },
  TX_SIGNER_LIMITED: {
    status: 429,
    description: 'A signer of the transaction submitted more than this node admits per second; retry after the indicated delay.',
  },
  TX_GENESIS_INVALID: { status: 400, description: 'The genesis transaction is malformed or appears after height 0.' },

  // --- authority (src/core/ledger) ---
  AUTH_THRESHOLD: { status: 403, description: 'The transaction lacks enough valid signatures from the controlling keys.' },
  AUTH_NOT_REGISTRAR: { status: 403, description: 'The signing keys are neither controllers nor delegated registrars of the namespace.' },

  // --- namespaces and identifiers in state (src/core/ledger) ---
  NS_NOT_FOUND: { status: 404, description: 'The namespace does not exist.' },
  NS_EXISTS: { status: 409, description: 'The namespace already exists.' },
  NS_PARENT_NOT_FOUND: { status: 404, description: 'The parent namespace does not exist.' },
  NS_SUSPENDED: { status: 403, description: 'The namespace or one of its ancestors is suspended.' },
  NS_EXPIRED: { status: 403, description: 'The namespace has expired and must be renewed.' },
  NS_NOT_SUSPENDED: { status: 409, description: 'The namespace is not suspended.' },
  POLICY_SEGMENT_FORMAT: { status: 422, description: 'The child segment does not match the parent namespace policy.' },
  POLICY_LOCAL_FORMAT: { status: 422, description: 'The local part does not match the namespace policy.' },
  POLICY_RESERVED: { status: 422, description: 'The name is reserved by the namespace policy.' },
  POLICY_TYPE_NOT_ALLOWED: { status: 422, description: 'The record type is not allowed by the namespace policy.' },
  POLICY_INVALID: { status: 400, description: 'The allocation policy itself is malformed.' },
  QUOTA_CHILDREN: { status: 422, description: 'The namespace has reached its quota of child namespaces.' },
  QUOTA_IDS: { status: 422, description: 'The namespace has reached its quota of identifiers.' },
  SERIAL_INVALID: { status: 422, description: 'A serial allocation is not allowed or out of range.' },
  ID_NOT_FOUND: { status: 404, description: 'The identifier does not exist.' },
  ID_EXISTS: { status: 409, description: 'The identifier already exists (identifiers are never reused).' },
  ID_DEACTIVATED: { status: 410, description: 'The identifier is deactivated; deactivation is final.' },
  ID_VERSION_CONFLICT: { status: 409, description: 'The record changed since the version the transaction was built on.' },
  RECORD_INVALID: { status: 422, description: 'The record does not match the record schema.' },
  RECORD_TOO_LARGE: { status: 413, description: 'The record attributes are larger than allowed.' },
  CONTROLLERS_INVALID: { status: 422, description: 'A controller set is malformed (threshold, duplicate or bad keys).' },
  VALIDATORS_INVALID: { status: 422, description: 'A validator set is malformed.' },

  // --- signed HTTP requests (src/core/httpsig, RFC 9421) ---
  HTTPSIG_MISSING: {
    status: 401,
    description: 'The request is not signed (no Signature, Signature-Input or Content-Digest field, or not under the expected label).',
  },
  HTTPSIG_MALFORMED: { status: 401, description: 'The request signature fields are malformed or use an unsupported component or algorithm.' },
  HTTPSIG_COVERAGE: {
    status: 401,
    description: 'The request signature does not cover a required component or lacks a required parameter (keyid, created, nonce).',
  },
  HTTPSIG_EXPIRED: { status: 401, description: 'The request signature is too old, expired, or created in the future.' },
  HTTPSIG_REPLAYED: { status: 401, description: 'A request with the same signature nonce was already served.' },
  HTTPSIG_KEY_UNKNOWN: { status: 401, description: 'The keyid of the request signature does not name a usable key.' },
  HTTPSIG_INVALID: { status: 401, description: 'The request signature does not verify.' },
  HTTPSIG_DIGEST_MISMATCH: { status: 400, description: 'The request body does not match its Content-Digest.' },

  // --- access grants (src/core/ledger, docs/sharing.md) ---
  GRANT_INVALID: { status: 422, description: 'The grant is malformed or cannot hold (scope, expiry in the past, subject not an object identifier).' },
  GRANT_NOT_FOUND: { status: 404, description: 'The subject has never granted access to that grantee.' },
  GRANT_REVOKED: { status: 409, description: 'The grant is already revoked.' },

  // --- provider gateway (src/gateway, docs/sharing.md) ---
  ACCESS_NO_GRANT: { status: 403, description: 'The ledger holds no grant from the service to the requesting grantee.' },
  ACCESS_GRANT_REVOKED: { status: 403, description: 'The grant of the requesting grantee was revoked.' },
  ACCESS_GRANT_EXPIRED: { status: 403, description: 'The grant of the requesting grantee has expired.' },
  ACCESS_OUT_OF_SCOPE: { status: 403, description: 'The grant does not cover this method, service or path.' },
  ACCESS_NOT_CONTROLLER: { status: 403, description: "The request was signed by a key that is not among the grantee's controllers." },
  ACCESS_WRONG_PROVIDER: { status: 403, description: 'The request was signed for another provider (authority) than this gateway.' },
  GATEWAY_LEDGER_UNAVAILABLE: { status: 503, description: 'The gateway cannot obtain a verified answer from the node it follows; retry later.' },
  RECEIPT_NOT_FOUND: { status: 404, description: 'The gateway holds no anchored receipt of that name (unknown, or its batch is not anchored yet).' },
  RECEIPT_INVALID: { status: 422, description: 'A receipt does not match its batch root, or the root is not anchored on the ledger by the service.' },
  GATEWAY_UPSTREAM: { status: 502, description: 'The upstream service behind the gateway failed to answer.' },

  // --- blocks and chain (src/core/ledger) ---
  BLOCK_INVALID: { status: 422, description: 'A block does not follow its parent (height, previous hash, time, roots).' },
  CERT_INVALID: { status: 422, description: 'A finality certificate lacks a quorum of valid validator signatures.' },
  CHAIN_FAULT: { status: 500, description: 'Re-verification of the chain found a fault at a given height.' },
  HISTORY_UNAVAILABLE: {
    status: 404,
    description: 'The node does not hold the part of the header history log a proof needs (e.g. history before a snapshot import).',
  },
  CHAIN_INCONSISTENT: {
    status: 502,
    description: 'A certified head does not extend the head the client trusts: the consistency proof between them fails.',
  },
  CHAIN_FORKED: {
    status: 502,
    description: 'Two validly certified headers conflict (same height, different hashes, or one history not extending the other): fork evidence.',
  },
  NOTE_INVALID: {
    status: 400,
    description: 'A signed note or checkpoint (C2SP signed-note, tlog-checkpoint, tlog-cosignature) is malformed or does not verify.',
  },
  WITNESS_POLICY: { status: 502, description: 'The checkpoint lacks the witness cosignatures the client requires.' },

  // --- storage and node (src/storage, src/node) ---
  STORE_CORRUPT: { status: 500, description: 'The store is inconsistent with itself; the node refuses to serve it.' },
  STORE_NOT_INITIALIZED: { status: 503, description: 'The data directory has no initialised ledger.' },
  STORE_ALREADY_INITIALIZED: { status: 409, description: 'The data directory already holds a ledger.' },
  STORE_LOCKED: { status: 409, description: 'Another process holds the data directory.' },
  NODE_BUSY: { status: 503, description: 'The node is overloaded; retry after the indicated delay.' },
  NODE_NOT_READY: { status: 503, description: 'The node is starting or catching up; retry after the indicated delay.' },
  NODE_DIVERGED: {
    status: 503,
    description:
      "The validators certified a header different from this node's own: the node stopped accepting writes and serving answers until it is resynchronised.",
  },
  TX_NOT_FOUND: { status: 404, description: 'No transaction with that hash is known.' },
  STORE_UNAVAILABLE: { status: 503, description: 'The node cannot read its store right now; retry after the indicated delay.' },
  STORE_UPGRADE_REQUIRED: {
    status: 503,
    description: 'The store has an older layout; open it once with a writing node (`urbis node`) to migrate it, then retry.',
  },
  STATE_NOT_PROVABLE: {
    status: 410,
    description: 'The node no longer holds (or never held) the state of that height: pruned, or before its snapshot; ask a node that keeps it.',
  },

  // --- network: ordering, certificates, snapshots (src/ordering/jetstream, src/network) ---
  NET_CONFIG_INVALID: { status: 400, description: 'The network file is malformed, or disagrees with the network or the data directory.' },
  NET_PUBLISH_REFUSED: { status: 409, description: 'The ordering stream refused a message for good (not a transient failure).' },
  NET_SNAPSHOT_INVALID: { status: 422, description: 'A state snapshot is malformed or does not match its certified header.' },
  NET_PROCESS_EXITED: { status: 500, description: 'A node or NATS server process of `urbis network local` exited on its own; the network was stopped.' },

  // --- HTTP API (src/node) ---
  HTTP_BAD_REQUEST: { status: 400, description: 'The request does not match the route schema (path, query, headers or body).' },
  HTTP_NOT_FOUND: { status: 404, description: 'No such route.' },
  HTTP_METHOD_NOT_ALLOWED: { status: 405, description: 'The route does not accept this method.' },
  HTTP_NOT_ACCEPTABLE: { status: 406, description: 'The requested representation (Accept header) is not supported.' },
  HTTP_BODY_TOO_LARGE: { status: 413, description: 'The request body exceeds the size limit.' },
  HTTP_UNSUPPORTED_MEDIA: { status: 415, description: 'The request body has an unsupported content type; send application/json.' },
  HTTP_RATE_LIMITED: { status: 429, description: 'Too many requests from this client; retry after the indicated delay.' },
  HTTP_URL_INVALID: { status: 400, description: 'The request URL is malformed (e.g. a bad percent-encoding).' },
  EVENTS_GONE: {
    status: 410,
    description: 'The change feed cannot resume from this Last-Event-ID: the node no longer holds those events (details.earliestHeight).',
  },
  EVENTS_BUSY: { status: 503, description: 'The node serves as many change-feed connections as it is configured to; retry later or use another node.' },
  EVENTS_CLIENT_LIMIT: { status: 429, description: 'This client address already holds as many change-feed connections as allowed.' },
  HTTP_JSON_INVALID: { status: 400, description: 'The request body is not well-formed JSON.' },

  // --- client SDK (src/client) ---
  CLIENT_HTTP: { status: 502, description: 'The node answered with an unexpected HTTP status or body.' },
  CLIENT_TIMEOUT: { status: 504, description: 'The node did not answer, or the transaction was not committed, within the timeout.' },
  CLIENT_STALE: { status: 502, description: 'A certified answer is older than the client accepts (its header time is beyond maxAgeMs).' },
  CLIENT_ROLLBACK: {
    status: 502,
    description: 'A certified current-state answer is from a lower height than a header this client already verified (a replayed or lagging node).',
  },
  CLIENT_FORK: {
    status: 502,
    description:
      'Two certified headers for one height with different hashes: the validators signed two histories (details carry both headers and certificates).',
  },

  // --- CLI and import (src/cli) ---
  CLI_USAGE: { status: 400, description: 'The command line is malformed.' },
  IMPORT_ROW_INVALID: { status: 400, description: 'An import row is malformed.' },
  IMPORT_FILE_INVALID: { status: 400, description: 'An import file cannot be read or is in an unknown format.' },
  BACKUP_INVALID: { status: 422, description: 'The file is not an Urbis backup (not an Urbis store, or without its genesis block).' },
  BACKUP_TARGET_EXISTS: { status: 409, description: 'The backup file or the data directory to restore into already exists; it is replaced only with --force.' },
  INTERNAL: { status: 500, description: 'An unexpected internal error.' },
} as const satisfies Record<string, ErrorDef>;

/** Every stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error class of Urbis. Always thrown with a code from {@link ERROR_CODES}.
 *
 * `details` carries machine-readable evidence (the position of a fault in an identifier, the height
 * of a broken block, ...). It must never contain secrets.
 */
export class UrbisError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code].description, options);
    this.name = 'UrbisError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  /** A plain object for logs and JSON answers. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, details: { ...this.details } };
  }
}

/** True if `e` is an {@link UrbisError}, optionally with the given code. */
export function isUrbisError(e: unknown, code?: ErrorCode): e is UrbisError {
  return e instanceof UrbisError && (code === undefined || e.code === code);
}

/** Shorthand: throw an {@link UrbisError}. */
export function fail(code: ErrorCode, message?: string, details?: Record<string, unknown>): never {
  throw new UrbisError(code, message, details);
}
