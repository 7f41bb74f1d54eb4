import '../src/platform/node.js';
import { sha256 } from '../src/core/crypto/index.js';
import { canonicalJson, canonicalBytes, fromHex, fromBase64url } from '../src/core/encoding/index.js';
import { proofFromJson, verifyProof, proofToJson, SparseMerkleTree, MemorySmtNodeStore } from '../src/core/merkle/index.js';
import { entryHash, merkleKey } from '../src/core/ledger/state.js';
function rate(label: string, f: () => void) { for (let i=0;i<500;i++) f(); const s=performance.now(); let n=0; while (performance.now()-s<1000){for(let i=0;i<100;i++)f(); n+=100;} const us=(performance.now()-s)*1000/n; console.log(label.padEnd(30), us.toFixed(2),'µs'); }
const entry = {kind:'id',id:'156.130100/LAMP-000017:X',ns:'156.130100',local:'LAMP-000017',controllers:null,record:{type:'lamp',attributes:{watts:40,street:'Zhongshan Road'}},status:'active',version:1,created:1,updated:1,height:5,tx:'ab'.repeat(32)};
const d = new Uint8Array(64);
rate('sha256 64B', () => sha256(d));
rate('canonicalJson entry', () => canonicalJson(entry));
rate('entryHash', () => entryHash(entry as any));
rate('merkleKey', () => merkleKey('id:156.130100/LAMP-000017'));
const s = 'q'.repeat(800);
rate('fromBase64url 800', () => fromBase64url(s));
rate('fromHex 64', () => fromHex('ab'.repeat(32), 32));
