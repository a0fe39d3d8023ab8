import { gotongTokenAbi } from '@gotong/contracts'
import type { Address, Hex, PublicClient } from 'viem'

/** Blocks searched back for the transfer of an authorization found used. */
const searchedBlocks = 50_000n

/**
 * Whether an EIP-3009 authorization was used, asked of the token itself, and by which
 * transaction: `{ used: false }`, or `{ used: true, transaction }` (`transaction` undefined if
 * the transfer is older than the blocks searched). Asked only when a server's answer leaves it
 * unclear: the chain, not the server, says whether money moved.
 *
 * @example const { used } = await findTransfer(publicClient, { asset, payer, nonce })
 */
export async function findTransfer(
  client: Pick<PublicClient, 'readContract' | 'getLogs' | 'getBlockNumber'>,
  authorization: { asset: Address; payer: Address; nonce: Hex },
): Promise<{ used: false } | { used: true; transaction: Hex | undefined }> {
  const { asset, payer, nonce } = authorization
  const used = await client.readContract({
    address: asset,
    abi: gotongTokenAbi,
    functionName: 'authorizationState',
    args: [payer, nonce],
  })
  if (!used) return { used: false }
  const head = await client.getBlockNumber()
  const logs = await client.getLogs({
    address: asset,
    event: authorizationUsed,
    args: { authorizer: payer, nonce },
    fromBlock: head > searchedBlocks ? head - searchedBlocks : 0n,
    toBlock: head,
  })
  return { used: true, transaction: logs[0]?.transactionHash ?? undefined }
}

const authorizationUsed = gotongTokenAbi.find(
  (item): item is Extract<(typeof gotongTokenAbi)[number], { name: 'AuthorizationUsed' }> =>
    item.type === 'event' && item.name === 'AuthorizationUsed',
)!
