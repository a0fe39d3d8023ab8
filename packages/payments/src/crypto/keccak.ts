import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { keccak_256 } from '@noble/hashes/sha3'

type KeccakState = {
  initialize(rate: number, capacity: number): void
  absorb(data: Buffer): void
  absorbLastFewBits(bits: number): void
  squeeze(length: number): Buffer
}

/**
 * The `keccak` package's native sponge (prebuilt XKCP inside the package), driven directly:
 * ~2 µs per short hash here against ~20 µs for `@noble/hashes`, which is a third of a voucher
 * check. Falls back to noble where the binding does not load.
 */
const state: KeccakState | undefined = (() => {
  if (process.env.GOTONG_NO_NATIVE_KECCAK === '1') return undefined
  try {
    const require = createRequire(import.meta.url)
    const manifest = require.resolve('keccak/package.json')
    const State = createRequire(manifest)('node-gyp-build')(
      dirname(manifest),
    ) as new () => KeccakState
    return new State()
  } catch {
    return undefined
  }
})()

/** Which keccak-256 implementation hashes in this process. */
export const keccakBackend: 'native' | 'noble' = state ? 'native' : 'noble'

/** keccak-256 of bytes. Synchronous and not re-entrant, which JavaScript guarantees. */
export const keccak256Bytes: (data: Uint8Array) => Uint8Array = state
  ? (data) => {
      state.initialize(1088, 512)
      state.absorb(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
      state.absorbLastFewBits(0x01)
      return state.squeeze(32)
    }
  : keccak_256
