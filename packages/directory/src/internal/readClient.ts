import type { Chain, Client, Transport } from 'viem'

/** Any viem client that can read the chain: what every directory read takes first. */
export type DirectoryReadClient = Client<Transport, Chain | undefined>
