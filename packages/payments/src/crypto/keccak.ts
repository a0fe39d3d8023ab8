// One native keccak for every gotong package: it lives in @gotong/core.
export { keccak256Bytes, keccakBackend } from '@gotong/core'
