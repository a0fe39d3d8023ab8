import type { Chain, Client, Transport } from 'viem'
import { getChainId } from 'viem/actions'

/** The client's chain id: from its chain definition, or asked of the node. */
export async function chainIdOf(client: Client<Transport, Chain | undefined>): Promise<number> {
  return client.chain?.id ?? (await getChainId(client))
}
