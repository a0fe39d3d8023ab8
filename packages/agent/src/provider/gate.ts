import { WireError } from '@gotong/core'
import { checkAccess } from '@gotong/directory'
import type { Address, PublicClient } from 'viem'

export type GateCheckerParameters = {
  publicClient: PublicClient
  directory: Address
  /** Check this many blocks behind the head, so a balance borrowed within a block never passes (default 1). */
  confirmations?: number
  /** How long a verdict is reused, in milliseconds (default 5,000). */
  ttlMs?: number
  now?: () => number
}

/**
 * Checks callers against a tool's on-chain access predicate (`tryHasAccess`) at a block behind
 * the head, caching each verdict briefly. A denial throws `access_denied` (`GATE_DENIED`), a
 * broken predicate `predicate_failed` (`GATE_BROKEN`): never the same thing.
 *
 * @example const gate = createGateChecker({ publicClient, directory }); await gate(toolId, caller)
 */
export function createGateChecker(parameters: GateCheckerParameters) {
  const confirmations = BigInt(parameters.confirmations ?? 1)
  const ttl = parameters.ttlMs ?? 5_000
  const now = parameters.now ?? Date.now
  const cache = new Map<string, { at: number; status: 'granted' | 'denied' | 'predicate_error' }>()
  return async (toolId: bigint, caller: Address): Promise<void> => {
    const key = `${toolId}:${caller.toLowerCase()}`
    let verdict = cache.get(key)
    if (!verdict || now() - verdict.at >= ttl) {
      const head = await parameters.publicClient.getBlockNumber({ cacheTime: 0 })
      const blockNumber = head > confirmations ? head - confirmations : 0n
      const { status } = await checkAccess(parameters.publicClient, {
        address: parameters.directory,
        toolId,
        account: caller,
        blockNumber,
      })
      verdict = { at: now(), status }
      cache.set(key, verdict)
    }
    if (verdict.status === 'denied')
      throw new WireError(
        'access_denied',
        'The caller does not meet this tool’s access requirements.',
        {
          data: { code: 'GATE_DENIED', toolId: toolId.toString() },
        },
      )
    if (verdict.status === 'predicate_error')
      throw new WireError(
        'predicate_failed',
        'This tool’s access predicate is broken; no verdict.',
        {
          data: { code: 'GATE_BROKEN', toolId: toolId.toString() },
        },
      )
  }
}
