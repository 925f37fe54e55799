/**
 * The plain-TS Fingerprint64 against farmhash-modern (FarmHash compiled to WebAssembly), an
 * independent implementation, on random bytes of every length class. farmhash-modern departs
 * from FarmHash (and TensorFlow) on lengths that are multiples of 64 from 128 on; those lengths
 * are checked against TensorFlow in tft-parity.test.ts instead.
 */
import { fingerprint64 as wasmFingerprint64 } from 'farmhash-modern';
import { describe, expect, it } from 'vitest';
import { fingerprint64, fingerprint64Bytes } from '../../../src/ml/transform/fingerprint64.js';
import { seededRandom } from '../../../src/stats/synthetic.js';

const wasmDiverges = (len: number) => len >= 128 && len % 64 === 0;

describe('fingerprint64', () => {
  it('equals FarmHash Fingerprint64 for byte strings of length 0 to 300', () => {
    const rnd = seededRandom(64);
    for (let len = 0; len <= 300; len++) {
      if (wasmDiverges(len)) continue;
      for (let rep = 0; rep < 8; rep++) {
        const bytes = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
        expect(fingerprint64Bytes(bytes), `length ${len}`).toBe(wasmFingerprint64(bytes));
      }
    }
  });

  it('hashes a string as its UTF-8 bytes', () => {
    for (const s of ['', 'a', 'island', 'Biscoe', 'é', '日本', '\u{1F600} emoji', 'x'.repeat(1001)]) expect(fingerprint64(s)).toBe(wasmFingerprint64(s));
  });

  it('TensorFlow values: to_hash_bucket_fast(s, buckets) in TensorFlow 2.16', () => {
    const m = (1n << 63n) - 1n;
    expect(fingerprint64('island') % 1000n).toBe(585n);
    expect(fingerprint64('a') % 1000n).toBe(939n);
    // 256 and 320 bytes, lengths where farmhash-modern differs from TensorFlow
    expect(fingerprint64('x126'.repeat(64)) % m).toBe(5155700981144743062n);
    expect(fingerprint64('x159'.repeat(80)) % m).toBe(1573403255803701698n);
    expect(wasmFingerprint64('x126'.repeat(64)) % m).not.toBe(5155700981144743062n);
  });
});
