import { RpcUnreachableError } from './errors.js'

/**
 * Asks a node for its chain id, with a clear error when nothing answers.
 *
 * @throws RpcUnreachableError
 */
export async function getChainId(rpcUrl: string, timeoutMs = 5_000): Promise<number> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await response.json()) as { result?: unknown }
    if (typeof body.result !== 'string' || !/^0x[0-9a-f]+$/i.test(body.result))
      throw new Error(`unexpected eth_chainId answer: ${JSON.stringify(body).slice(0, 200)}`)
    return Number.parseInt(body.result, 16)
  } catch (cause) {
    throw new RpcUnreachableError(rpcUrl, cause)
  }
}
