import { keccak256 } from 'viem'

type KeccakState = {
  initialize(rate: number, capacity: number): void
  absorb(data: Uint8Array): void
  absorbLastFewBits(bits: number): void
  squeeze(length: number): Uint8Array
}
type NodeProcess = {
  getBuiltinModule?(id: string): unknown
  env?: Record<string, string | undefined>
}

/**
 * The `keccak` package's native sponge (XKCP, prebuilt inside the package), driven directly:
 * ~2 µs per short hash here against ~20 µs for JavaScript (@noble/hashes, through viem). Reached through
 * `process.getBuiltinModule`, so this module still loads outside Node (then JavaScript hashes).
 * `GOTONG_NO_NATIVE_KECCAK=1` takes the JavaScript path (tests run both).
 */
const state = ((): KeccakState | undefined => {
  const node = (globalThis as { process?: NodeProcess }).process
  if (node?.env?.GOTONG_NO_NATIVE_KECCAK === '1') return undefined
  try {
    const module = node?.getBuiltinModule?.('node:module') as
      | typeof import('node:module')
      | undefined
    const path = node?.getBuiltinModule?.('node:path') as typeof import('node:path') | undefined
    if (!module || !path) return undefined
    const manifest = module.createRequire(import.meta.url).resolve('keccak/package.json')
    const build = module.createRequire(manifest)('node-gyp-build') as (
      dir: string,
    ) => new () => KeccakState
    return new (build(path.dirname(manifest)))()
  } catch {
    return undefined
  }
})()

/** Which keccak-256 implementation hashes in this process. */
export const keccakBackend: 'native' | 'noble' = state ? 'native' : 'noble'

/**
 * keccak-256 of bytes. Synchronous, so the one native sponge is never used re-entrantly.
 *
 * @example keccak256Bytes(new TextEncoder().encode('gotong')) // Uint8Array(32)
 */
export const keccak256Bytes: (data: Uint8Array) => Uint8Array = state
  ? (data) => {
      state.initialize(1088, 512)
      state.absorb(
        data instanceof Buffer ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      )
      state.absorbLastFewBits(0x01)
      return state.squeeze(32)
    }
  : (data) => keccak256(data, 'bytes')
