/**
 * Differential test of the versioned state map (docs/protocol.md (State map) §4, §10): one random
 * transaction stream replayed through a Ledger over the memory store and one over SQLite must give
 * the same header, hence the same state root, at every height; and at every past height both stores
 * must prove every key touched so far (present or absent) against that height's certified root,
 * with the same proof bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/encoding/index.js';
import { entryHash, merkleKey } from '../../src/core/ledger/state.js';
import { encodeProof, verifyProof } from '../../src/core/merkle/index.js';
import { Ledger } from '../../src/engine/ledger.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { newChain, withCity } from '../helpers/chain.js';

const tmp = mkdtempSync(join(tmpdir(), 'urbis-versioned-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** One block: each op registers (or, if it exists, updates) identifier LAMP-<i>. */
const blocks = fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 10 });

describe('versioned state map: memory and SQLite stores replay the same stream alike', () => {
  it('same root at every height, and every past height proves every key in both', () => {
    fc.assert(
      fc.property(blocks, (stream) => {
        const ref = newChain(new MemoryStore());
        const city = withCity(ref);
        const sqlite = SqliteStore.open(join(tmp, `d${n++}.db`));
        const other = new Ledger(sqlite, { validator: ref.validator });
        const copy = (h: number) => {
          const b = ref.store.block(h)!;
          if (h === 0) other.commitGenesis(b.txs[0] as never);
          else other.commitBlock(b.txs, b.header.time);
        };
        try {
          for (let h = 0; h <= ref.store.head()!.height; h++) copy(h);
          const keys = new Set<string>();
          let serial = 0;
          for (const ops of stream) {
            const txs = ops.map((i) => {
              const id = `156.130100/LAMP-${i}`;
              keys.add(`id:${id}`);
              const exists = ref.store.id(id) !== undefined;
              return ref.tx(exists ? 'id.update' : 'id.register', { id, record: { type: 'lamp', attributes: { n: serial++ } } }, [city]);
            });
            ref.commit(...txs);
            copy(ref.store.head()!.height);
          }
          const head = ref.store.head()!.height;
          expect(sqlite.head()!.header).toEqual(ref.store.head()!.header);
          for (let h = 0; h <= head; h++) {
            const hdr = ref.store.header(h)!;
            expect(sqlite.header(h)).toEqual(hdr);
            const root = fromHex(hdr.stateRoot, 32);
            for (const key of keys) {
              const a = ref.ledger.proveAt(key, h);
              const b = other.proveAt(key, h);
              expect(b.entry).toEqual(a.entry);
              verifyProof(root, merkleKey(key), a.entry ? entryHash(a.entry) : null, a.proof);
              expect(encodeProof(b.proof)).toEqual(encodeProof(a.proof));
            }
          }
        } finally {
          sqlite.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});
