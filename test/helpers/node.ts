/**
 * Test helper: an HTTP node over an in-memory ledger, driven with fastify's inject() (no socket).
 */
import type { FastifyInstance } from 'fastify';
import { LocalSequencer } from '../../src/ordering/local/sequencer.js';
import { buildRuntime, type RuntimeParts } from '../../src/node/runtime.js';
import type { NodeRuntime } from '../../src/node/types.js';
import { createServer, type ServerOptions } from '../../src/node/server.js';
import type { Tx } from '../../src/core/ledger/types.js';
import { newChain, type TestChain } from './chain.js';

export interface TestNode {
  chain: TestChain;
  runtime: NodeRuntime;
  app: FastifyInstance;
  sequencer: LocalSequencer;
  genesis: Tx<'genesis'>;
}

/** Runtime parts a test may add: the node's issuer key and the public base URL of code URLs. */
export type TestNodeExtras = Pick<RuntimeParts, 'issuer' | 'publicUrl'>;

export function newTestNode(server: ServerOptions = { rateLimit: 0 }, extras: TestNodeExtras = {}): TestNode {
  const chain = newChain();
  const genesis = chain.store.block(0)!.txs[0] as Tx<'genesis'>;
  let runtime: NodeRuntime | null = null;
  // The chain helper commits with its own clock; the sequencer uses the same one.
  const sequencer = new LocalSequencer(chain.ledger, {
    blockIntervalMs: 5,
    now: () => chain.time,
    onBlock: (r) => runtime?.events.publish(r.height),
  });
  runtime = buildRuntime({ genesis, ledger: chain.ledger, sequencer, validator: chain.validator, ...extras });
  const app = createServer(runtime, server);
  return { chain, runtime, app, sequencer, genesis };
}
