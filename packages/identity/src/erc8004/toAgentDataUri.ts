import { canonicalJson } from '@gotong/core'

/**
 * A registration file as a base64 `data:` URI (`data:application/json;base64,…`), the form
 * ERC-8004 recommends for a file kept entirely on chain: what a devnet agent, whose loopback
 * URL is not https, registers. The JSON is canonical (RFC 8785), so the same file always gives
 * the same URI and an unchanged file is never written again.
 *
 * @example await setAgentUri(wallet, { identityRegistry, agentId, agentURI: toAgentDataUri(file) })
 */
export function toAgentDataUri(file: unknown): string {
  const bytes = new TextEncoder().encode(canonicalJson(file))
  let binary = ''
  // In slices: spreading a whole file into String.fromCharCode can overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return `data:application/json;base64,${btoa(binary)}`
}
