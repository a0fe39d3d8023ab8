import { contentHash } from '@gotong/core'
import type { Hex } from 'viem'

/**
 * The hash an x402 receipt binds a call's request to: the content hash (keccak-256 of the RFC
 * 8785 canonical JSON) of `{ tool, authorizationNonce, input }`, with the tool's name, the
 * EIP-3009 authorization's nonce in lowercase hex, and the request body as JSON.
 *
 * @example x402RequestHash({ tool: 'word-count', authorizationNonce, input: { text: 'two words' } })
 */
export function x402RequestHash(parameters: {
  tool: string
  authorizationNonce: Hex
  input: unknown
}): Hex {
  return contentHash({
    tool: parameters.tool,
    authorizationNonce: parameters.authorizationNonce.toLowerCase(),
    input: parameters.input,
  })
}
