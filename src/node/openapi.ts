/**
 * OpenAPI 3.1 description of the node's HTTP API, served at `/openapi.json`. docs/api.md is the
 * prose version; test/node/openapi.test.ts checks it against fastify's route table both ways (every
 * registered route described, every described operation registered) and runs the Redocly linter.
 */

const problem = {
  description: 'RFC 9457 problem document with a stable `code` (docs/errors.md).',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
/** A route that takes no query parameters answers one with a 400 (src/node/routes/common.ts NO_QUERY). */
const noQuery = { description: 'An unknown query parameter (the route takes none): HTTP_BAD_REQUEST.', content: problem.content };
const json = (ref: string, description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Identifier in any form (text `156.130100.42/LAMP-000017:F`, DID, or label URL), percent-encoded or not; case-insensitive.',
  schema: { type: 'string' },
};
/** `proofs=1` of the verifiable listings (docs/api.md "Verifiable listings"). */
const proofsParam = (what: string) => ({
  name: 'proofs',
  in: 'query',
  description: `1: the answer carries ${what} (docs/api.md "Verifiable listings").`,
  schema: { type: 'integer', enum: [0, 1] },
});

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Routes the per-client rate limit does not apply to (src/node/routes/ops.ts); every other answers 429 past it. */
export const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** A stable operationId from method and path: `get /v1/ids/{id}/history` → `getV1IdsByIdHistory`. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((seg) => seg.replace(/^\{(.+)\}$/, 'by-$1'))
    .join('-')
    .split(/[^A-Za-z0-9]+|(?=[A-Z])/)
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** The document: every operation with an operationId (derived from method and path unless given). */
export function openApiDocument(): Record<string, unknown> {
  const doc = describe();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [m, op] of Object.entries(ops)) {
      if (!METHODS.includes(m)) continue;
      if (op.operationId === undefined) op.operationId = operationIdOf(m, path);
      // The per-client rate limit (HTTP_RATE_LIMITED), on every route but the health ones.
      const responses = op.responses as Record<string, unknown>;
      if (!UNLIMITED_PATHS.has(path) && responses['429'] === undefined) responses['429'] = problem;
    }
  }
  return doc;
}

function describe(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    // Relative: the node that serves this document (OpenAPI 3.1 §4.8.5).
    servers: [{ url: '/', description: 'this node' }],
    // No HTTP authentication anywhere: reads are public, writes are transactions signed in the body.
    security: [],
    info: {
      title: 'Urbis node API',
      version: '1.0.0',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'Resolution with proofs, signed transactions, namespaces, blocks, search and a change feed of an Urbis city node. Every answer about state carries a Merkle proof and a certified block header that a reader verifies against the genesis validator keys.',
    },
    paths: {
      '/v1/tx': {
        post: {
          summary: 'Submit a signed transaction',
          description: 'Idempotent: resubmitting returns the same hash and status.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Tx' } } } },
          responses: {
            '200': json('TxStatus', 'Already committed.'),
            '202': json('TxStatus', 'Accepted for ordering; poll GET /v1/tx/{hash}.'),
            '400': problem,
            '401': problem,
            '403': {
              description:
                'Refused at admission: the signers hold no authority over the target at the head (AUTH_THRESHOLD naming what is missing, AUTH_NOT_REGISTRAR).',
              content: problem.content,
            },
            '413': problem,
            '415': problem,
            '429': { description: 'HTTP_RATE_LIMITED, or TX_SIGNER_LIMITED (a signer over its allowance).', content: problem.content },
            '503': problem,
          },
        },
      },
      '/v1/tx/check': {
        post: {
          summary: 'Check a transaction without submitting it: who has signed, who else may sign, what the head says',
          description:
            'Admission\'s dry run at the current head for a transaction signed by some, all or none of its signers: the signatures that verify, each authority rule checked (threshold, keys that signed, how many are missing, the keys that may still sign), and the outcome. Nothing is admitted, ordered or charged to the signers. The answer is this node\'s word about its head, not a proof. docs/api.md "Checking a transaction".',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Tx' } } } },
          responses: {
            '200': json('TxCheck', 'The dry run: admissible or not, and why.'),
            '400': {
              description: 'A malformed, foreign-chain, expired or non-canonical transaction (TX_*), or an unknown query parameter.',
              content: problem.content,
            },
            '401': { description: 'A signature on it does not verify (TX_SIGNATURE_INVALID).', content: problem.content },
            '413': problem,
            '415': problem,
            '503': problem,
          },
        },
      },
      '/v1/tx/{hash}': {
        get: {
          summary: 'Status of a transaction',
          parameters: [
            { name: 'hash', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
            {
              name: 'wait',
              in: 'query',
              description: 'Long-poll up to this many ms until committed.',
              schema: { type: 'integer', minimum: 0, maximum: 30000 },
            },
          ],
          responses: { '200': json('TxStatus', 'Pending or committed (valid, or invalid with its code).'), '400': problem, '404': problem },
        },
      },
      '/v1/ids/{id}': {
        get: {
          summary: 'Resolve an identifier with its proof',
          parameters: [
            idParam,
            { name: 'version', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'at', in: 'query', description: 'ISO 8601 time: the version in force then.', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description:
                'By Accept: the record, status, version, Merkle proof, header and certificate (application/json, the default); ' +
                'the RFC 9264 linkset of its links and services (application/linkset+json); its NGSI-LD entity (application/ld+json). ' +
                'Every one carries the links in an RFC 8288 Link header, the linkset link first.',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/IdAnswer' } },
                'application/linkset+json': {
                  schema: {
                    type: 'object',
                    required: ['linkset'],
                    properties: { linkset: { type: 'array', description: 'RFC 9264 link context objects, the identifier first.', items: { type: 'object' } } },
                  },
                },
                'application/ld+json': {
                  schema: {
                    type: 'object',
                    required: ['id', 'type', '@context'],
                    description: 'NGSI-LD entity: attributes as Properties, links as Relationships (docs/api.md).',
                    properties: {
                      id: { type: 'string', description: "The identifier's DID." },
                      type: { type: 'string', description: 'The record type.' },
                      '@context': { type: 'array', description: 'The Urbis vocabulary and the NGSI-LD core context.' },
                    },
                  },
                },
              },
            },
            '304': { description: 'Not modified (ETag is the block height, plus the representation for the linkset and NGSI-LD ones).' },
            '400': problem,
            '404': { description: 'Not registered: problem document with a non-inclusion proof in `proven`.', content: problem.content },
            '503': problem,
          },
        },
      },
      '/v1/ids/{id}/history': {
        get: {
          summary: 'Every version of an identifier',
          parameters: [idParam, proofsParam('each version with its transaction, audit path and certified header, and the proven current entry')],
          responses: { '200': json('IdHistory', 'Versions, oldest first.'), '400': problem, '404': problem },
        },
      },
      '/v1/ns/{ns}': {
        get: {
          summary: 'A namespace: policy, controllers, quota use, children (paged), with its proof',
          parameters: [
            { name: 'ns', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            proofsParam('a state proof per child'),
          ],
          responses: { '200': json('NsAnswer', 'The namespace.'), '400': problem, '404': problem },
        },
      },
      '/v1/ns': {
        get: {
          summary: 'Top-level namespaces',
          parameters: [proofsParam('a state proof per namespace, with one header and certificate')],
          responses: { '200': { description: 'Children of the root.' }, '400': problem, '503': problem },
        },
      },
      '/v1/blocks/latest': {
        get: {
          summary: 'The latest block',
          responses: { '200': json('Block', 'Header, transactions, results, certificate.'), '400': noQuery, '503': problem },
        },
      },
      '/v1/blocks/{height}': {
        get: {
          summary: 'A block by height',
          parameters: [{ name: 'height', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': json('Block', 'Header, transactions, results, certificate.'), '404': problem },
        },
      },
      '/v1/checkpoint': {
        get: {
          summary: 'The latest certified header',
          responses: { '200': json('Checkpoint', 'Header and finality certificate.'), '400': noQuery, '503': problem },
        },
      },
      '/v1/consistency': {
        get: {
          summary: 'Header `to` (default: the head) with the RFC 9162 proofs that it extends header `from` (docs/protocol.md "Consistency between heads")',
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } },
            { name: 'to', in: 'query', schema: { type: 'integer', minimum: 0 } },
          ],
          responses: {
            '200': { description: '{from, to, fromHeader, fromCert, header, cert, consistency, inclusion}; proofs as hex hash lists.' },
            '400': problem,
            '404': problem,
          },
        },
      },
      '/v1/checkpoint/note': {
        get: {
          summary:
            'The checkpoint as a C2SP signed note: origin, history tree size and root, validator signatures, witness cosignatures (docs/protocol.md "Checkpoints and witnesses")',
          parameters: [
            { name: 'size', in: 'query', description: 'A tree size (block height); default: the latest signed.', schema: { type: 'integer', minimum: 0 } },
            {
              name: 'cosigned',
              in: 'query',
              description: 'Without size: the latest checkpoint a witness cosigned (k of the witnesses named, if any).',
              schema: { type: 'string', enum: ['1', 'true'] },
            },
            { name: 'witnesses', in: 'query', description: 'With cosigned: witness ids (name+keyId) separated by spaces.', schema: { type: 'string' } },
            { name: 'k', in: 'query', description: 'With cosigned: how many of them (default 1).', schema: { type: 'integer', minimum: 1, maximum: 64 } },
          ],
          responses: {
            '200': { description: 'text/plain; charset=utf-8: the signed note; Urbis-Checkpoint-Size names its size.' },
            '400': problem,
            '404': problem,
            '503': problem,
          },
        },
      },
      '/v1/checkpoint/cosignatures': {
        post: {
          summary:
            'A witness cosignature (c2sp.org/tlog-cosignature, cosignature/v1) of a checkpoint this node certified: {size, witness (verifier key), cosignature (signature line)}',
          responses: {
            '201': { description: '{stored: true, size, witness, time}' },
            '200': { description: 'already held' },
            '400': problem,
            '404': problem,
            '503': problem,
          },
        },
      },
      '/v1/evidence': {
        get: {
          summary: 'Fork evidence held: pairs of certified headers of one height',
          responses: { '200': { description: '{items: [{chainId, height, a, b}]}' }, '400': noQuery },
        },
        post: {
          summary: 'Report fork evidence {a: {header, cert}, b: {header, cert}}; checked against the validators in force and kept',
          responses: { '201': { description: 'stored' }, '200': { description: 'already held' }, '422': problem },
        },
      },
      '/v1/search': {
        get: {
          summary: 'Find identifiers (paged with a cursor)',
          parameters: [
            { name: 'type', in: 'query', schema: { type: 'string' } },
            { name: 'ns', in: 'query', description: 'Namespace and everything below it.', schema: { type: 'string' } },
            { name: 'linkedTo', in: 'query', description: 'Identifiers with a link to this one.', schema: { type: 'string' } },
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['active', 'suspended', 'deactivated'] } },
            { name: 'attr.{name}', in: 'query', description: 'Attribute equality filter, e.g. attr.floors=3.', schema: { type: 'string' } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            proofsParam('a state proof per item, with one header and certificate'),
          ],
          responses: { '200': json('SearchPage', 'Matching identifiers and the next cursor.'), '400': problem },
        },
      },
      '/v1/events': {
        get: {
          summary: 'Change feed (Server-Sent Events)',
          description:
            'One event per entry version committed; event ids `<height>.<seq>`; resume with the Last-Event-ID header (or ?lastEventId=) without gaps or duplicates.',
          parameters: [
            { name: 'ns', in: 'query', schema: { type: 'string' } },
            { name: 'type', in: 'query', schema: { type: 'string' } },
            { name: 'kind', in: 'query', schema: { type: 'string', enum: ['id', 'ns', 'chain', 'grant'] } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
            {
              name: 'lastEventId',
              in: 'query',
              description: 'The same as the Last-Event-ID header (which wins), for clients that cannot set it.',
              schema: { type: 'string' },
            },
            proofsParam('a `proof` event per block: its certified header and the named transactions with audit paths'),
          ],
          responses: {
            '200': { description: 'text/event-stream of ChangeEvent', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            '400': { description: 'A malformed Last-Event-ID, or a query parameter out of its schema: HTTP_BAD_REQUEST.', content: problem.content },
            '410': {
              description: 'EVENTS_GONE: the resume point is older than the earliest event this node holds (`details.earliestHeight`).',
              content: problem.content,
            },
            '429': { description: 'HTTP_RATE_LIMITED, or EVENTS_CLIENT_LIMIT: this client address holds as many feeds as allowed.', content: problem.content },
            '503': { description: 'EVENTS_BUSY: the node serves as many feeds as it is configured to.', content: problem.content },
          },
        },
      },
      '/v1/snapshot': {
        get: {
          summary: "Certified snapshot of the node's state (NDJSON), for a new node to start from",
          description:
            'Head line (chain, height, header, certificate, stream positions, counts), one line per state entry in key order, one per replay-protection row, an end line. docs/network.md "Snapshots".',
          responses: {
            '200': { description: 'The snapshot.', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
            '400': noQuery,
            '503': problem,
          },
        },
      },
      '/1.0/identifiers/{didUrl}': {
        get: {
          summary: 'W3C DID Resolution HTTP(S) binding (also the Universal Resolver driver interface): resolve a DID, dereference a DID URL',
          description:
            'The DID or DID URL as is (its query is the HTTP query) or percent-encoded (then the HTTP query holds resolution options: versionId, versionTime). ' +
            'Accept: application/did-resolution (result, the default for a DID), application/did-url-dereferencing, application/did+ld+json, application/did+json, application/did, text/uri-list. ' +
            'Errors are DID Resolution §11 error objects (type https://www.w3.org/ns/did#…) in the result. docs/api.md, docs/did-method.md.',
          parameters: [
            { name: 'didUrl', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'versionId', in: 'query', schema: { type: 'string' } },
            { name: 'versionTime', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'Resolution or dereferencing result, or the document / verification method / service in the representation asked for.' },
            '303': { description: 'A service endpoint (service / serviceType, relativeRef): Location is the endpoint URL.' },
            '400': { description: 'INVALID_DID (also for `/1.0/identifiers` with no DID at all), INVALID_DID_URL, INVALID_OPTIONS' },
            '404': { description: 'NOT_FOUND' },
            '406': { description: 'REPRESENTATION_NOT_SUPPORTED' },
            '410': { description: 'Deactivated: no document, metadata deactivated: true.' },
            '500': { description: 'INTERNAL_ERROR (with the Urbis code)' },
            '501': { description: 'METHOD_NOT_SUPPORTED (another DID method), FEATURE_NOT_SUPPORTED' },
          },
        },
      },
      '/v1/ids/{id}/code.svg': {
        get: {
          summary: "A signed code (QR, SVG) made with the node's issuer key",
          parameters: [
            idParam,
            { name: 'serial', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 4294967295 } },
            { name: 'fields', in: 'query', description: 'Comma-separated attribute names the code vouches for.', schema: { type: 'string' } },
            { name: 'expires', in: 'query', description: 'ISO 8601 expiry.', schema: { type: 'string' } },
            { name: 'form', in: 'query', schema: { type: 'string', enum: ['text', 'url'] } },
          ],
          responses: {
            '200': { description: 'image/svg+xml; headers urbis-label-serial and urbis-qr-version.' },
            '403': problem,
            '404': problem,
            '409': problem,
            '410': problem,
          },
        },
      },
      '/v1/ids/{id}/code.png': {
        get: {
          summary: 'The same code as PNG',
          parameters: [idParam],
          responses: { '200': { description: 'image/png' }, '403': problem, '404': problem, '409': problem, '410': problem },
        },
      },
      '/v1/codes/verify': {
        post: {
          summary: 'Verdict on a code (text, URL, or a base64 PNG/JPEG image holding one) against this ledger',
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { code: { type: 'string' }, image: { type: 'string', contentEncoding: 'base64' }, maxAgeMs: { type: 'integer' } },
                },
              },
            },
          },
          responses: {
            '200': { description: 'verdict (VALID, REVOKED, FORGED, ALTERED, EXPIRED, STALE), reason, message, evidence' },
            '400': problem,
            '413': problem,
            '422': problem,
          },
        },
      },
      '/v1/trust/bundle': {
        get: {
          summary: "A trust bundle signed by this node's validator key (docs/codes.md §8)",
          responses: { '200': { description: 'application/cose (COSE_Sign1)' }, '400': noQuery, '409': problem, '503': problem },
        },
      },
      '/id/{id}': {
        get: {
          summary: 'Label URL: HTML for browsers (verdict of ?c=), resolution JSON, or RFC 9264 linkset',
          parameters: [idParam, { name: 'c', in: 'query', description: 'A code in base64url (docs/codes.md §6).', schema: { type: 'string' } }],
          responses: {
            '200': { description: 'text/html, application/json or application/linkset+json by the Accept header.' },
            '404': problem,
            '406': problem,
          },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics (never rate-limited)', responses: { '200': { description: 'text/plain; version=0.0.4' }, '400': noQuery } },
      },
      '/healthz': { get: { summary: 'Liveness (never rate-limited)', responses: { '200': { description: 'The process runs.' }, '400': noQuery } } },
      '/readyz': {
        get: {
          summary: 'Readiness (never rate-limited)',
          responses: {
            '200': { description: 'Ready.' },
            '400': noQuery,
            '503': { description: 'Not ready: {ready: false, code, reason, reasons} (docs/operations.md "Readiness").' },
          },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' }, '400': noQuery } } },
    },
    components: {
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail', 'code'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
            instance: { type: 'string' },
            details: { type: 'object' },
            proven: { $ref: '#/components/schemas/Proven' },
          },
        },
        Tx: {
          type: 'object',
          required: ['body', 'sigs'],
          properties: {
            body: {
              type: 'object',
              required: ['v', 'chain', 'type', 'nonce', 'validFrom', 'validUntil', 'payload'],
              properties: {
                v: { const: 1 },
                chain: { type: 'string' },
                type: { type: 'string' },
                nonce: { type: 'string' },
                validFrom: { type: 'integer' },
                validUntil: { type: 'integer' },
                payload: { type: 'object' },
              },
            },
            sigs: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, sig: { type: 'string' } } } },
          },
        },
        TxStatus: {
          type: 'object',
          required: ['hash', 'status'],
          properties: {
            hash: { type: 'string' },
            status: { enum: ['pending', 'committed'] },
            height: { type: 'integer' },
            index: { type: 'integer' },
            result: { type: 'object' },
          },
        },
        AuthorityCheck: {
          type: 'object',
          required: ['what', 'threshold', 'keys', 'signers', 'missing', 'candidates', 'met'],
          properties: {
            what: { type: 'string', description: 'Whose authority, e.g. `namespace 156.130100`.' },
            threshold: { type: 'integer' },
            keys: { type: 'array', items: { type: 'string' }, description: 'The controller keys.' },
            signers: { type: 'array', items: { type: 'string' }, description: 'Controller keys that signed.' },
            missing: { type: 'integer', description: 'Controller signatures still needed (0: the threshold is met).' },
            candidates: { type: 'array', items: { type: 'string' }, description: 'Controller keys that may still sign.' },
            registrars: { type: 'array', items: { type: 'string' }, description: 'Delegated registrars, any one of whom suffices instead.' },
            met: { type: 'boolean' },
          },
        },
        TxCheck: {
          type: 'object',
          required: ['hash', 'height', 'signedBy', 'authority', 'result', 'admissible'],
          properties: {
            hash: { type: 'string' },
            height: { type: 'integer', description: 'The head the dry run ran on.' },
            signedBy: { type: 'array', items: { type: 'string' } },
            authority: { type: 'array', items: { $ref: '#/components/schemas/AuthorityCheck' } },
            result: { type: 'object', description: '{ok: true} or {ok: false, code, message}' },
            admissible: { type: 'boolean', description: 'False when admission would refuse it now for want of authority.' },
          },
        },
        Header: {
          type: 'object',
          properties: {
            v: { const: 2 },
            chain: { type: 'string' },
            height: { type: 'integer' },
            prev: { type: 'string' },
            historyRoot: { type: 'string', description: 'RFC 9162 root over the hashes of headers 0..height-1' },
            time: { type: 'integer' },
            txRoot: { type: 'string' },
            stateRoot: { type: 'string' },
            txCount: { type: 'integer' },
            nextValidators: { type: 'string' },
          },
        },
        Certificate: {
          type: 'object',
          properties: { height: { type: 'integer' }, headerHash: { type: 'string' }, sigs: { type: 'array', items: { type: 'object' } } },
        },
        Proven: {
          type: 'object',
          properties: {
            key: { type: 'string' },
            entry: { type: ['object', 'null'] },
            proof: { type: 'string', description: 'base64url binary Merkle proof (docs/protocol.md).' },
            header: { $ref: '#/components/schemas/Header' },
            cert: { $ref: '#/components/schemas/Certificate' },
          },
        },
        IdAnswer: {
          allOf: [
            { $ref: '#/components/schemas/Proven' },
            {
              type: 'object',
              properties: {
                id: { type: 'string' },
                did: { type: 'string' },
                url: { type: 'string' },
                status: { type: 'string' },
                version: { type: 'integer' },
              },
            },
          ],
        },
        IdHistory: { type: 'object', properties: { id: { type: 'string' }, versions: { type: 'array', items: { type: 'object' } } } },
        NsAnswer: {
          allOf: [{ $ref: '#/components/schemas/Proven' }, { type: 'object', properties: { ns: { type: 'string' }, children: { type: 'object' } } }],
        },
        Block: {
          type: 'object',
          properties: {
            header: { $ref: '#/components/schemas/Header' },
            headerHash: { type: 'string' },
            txs: { type: 'array' },
            results: { type: 'array' },
            cert: { $ref: '#/components/schemas/Certificate' },
          },
        },
        Checkpoint: {
          type: 'object',
          properties: {
            chainId: { type: 'string' },
            header: { $ref: '#/components/schemas/Header' },
            headerHash: { type: 'string' },
            cert: { $ref: '#/components/schemas/Certificate' },
          },
        },
        SearchPage: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } }, next: { type: ['string', 'null'] } } },
      },
    },
  };
}
