import {
  type Address,
  type Hex,
  type PublicClient,
  parseAbi,
  parseAbiItem,
  recoverTypedDataAddress,
} from 'viem'

// An ERC-8004 client written from the ERC's text (ethereum/ERCs, ERCS/erc-8004.md) and
// PROTOCOL.md alone, as any outside reader would: none of gotong's ABIs or helpers.

/** The ERC's Identity Registry: ERC-721 with URI storage, plus what the ERC adds. */
export const identityAbi = parseAbi([
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'function getAgentWallet(uint256 agentId) view returns (address)',
  'function getMetadata(uint256 agentId, string metadataKey) view returns (bytes)',
  'event Registered(uint256 indexed agentId, string agentURI, address indexed owner)',
])

/** The ERC's Reputation Registry reads and its `giveFeedback`. */
export const reputationAbi = parseAbi([
  'function getSummary(uint256 agentId, address[] clientAddresses, string tag1, string tag2) view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)',
  'function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex) view returns (int128 value, uint8 valueDecimals, string tag1, string tag2, bool isRevoked)',
  'function getLastIndex(uint256 agentId, address clientAddress) view returns (uint64)',
  'function giveFeedback(uint256 agentId, int128 value, uint8 valueDecimals, string tag1, string tag2, string endpoint, string feedbackURI, bytes32 feedbackHash)',
])

/** What the ERC says a registration file holds (the fields this client reads). */
export type RegistrationFile = {
  type: string
  name: string
  services: { name: string; endpoint: string; version?: string }[]
  registrations: { agentId: number; agentRegistry: string }[]
  supportedTrust?: string[]
}

/** Resolves an agent URI as the ERC allows: a base64 `data:` URI, or https (http on loopback). */
export async function resolveRegistration(uri: string): Promise<RegistrationFile> {
  const prefix = 'data:application/json;base64,'
  if (uri.startsWith(prefix))
    return JSON.parse(Buffer.from(uri.slice(prefix.length), 'base64').toString('utf8'))
  const response = await fetch(uri)
  if (!response.ok) throw new Error(`${uri} answered ${response.status}`)
  return (await response.json()) as RegistrationFile
}

/** An agent as an outside client sees it: owner, wallet and its resolved registration file. */
export async function readSpecAgent(
  client: PublicClient,
  registry: Address,
  agentId: bigint,
): Promise<{ owner: Address; wallet: Address; uri: string; file: RegistrationFile }> {
  const read = <T>(functionName: 'ownerOf' | 'tokenURI' | 'getAgentWallet') =>
    client.readContract({
      address: registry,
      abi: identityAbi,
      functionName,
      args: [agentId],
    }) as Promise<T>
  const [owner, wallet, uri] = await Promise.all([
    read<Address>('ownerOf'),
    read<Address>('getAgentWallet'),
    read<string>('tokenURI'),
  ])
  return { owner, wallet, uri, file: await resolveRegistration(uri) }
}

/** The agent ids an owner registered, from the ERC's `Registered` event. */
export async function registeredBy(
  client: PublicClient,
  registry: Address,
  owner: Address,
): Promise<bigint[]> {
  const logs = await client.getLogs({
    address: registry,
    event: parseAbiItem(
      'event Registered(uint256 indexed agentId, string agentURI, address indexed owner)',
    ),
    args: { owner },
    fromBlock: 0n,
  })
  return logs.map((l) => l.args.agentId!)
}

/** Who signed a gotong receipt (PROTOCOL.md §9.6: domain `gotong`/`1`, PaymentChannels). */
export function receiptSigner(
  deployment: { chainId: number; paymentChannels: Address },
  signed: {
    receipt: {
      termsHash: Hex
      channelId: Hex
      calls: bigint
      cumulativeAmount: bigint
      requestHash: Hex
      responseHash: Hex
      servedAt: bigint
    }
    signature: Hex
  },
): Promise<Address> {
  return recoverTypedDataAddress({
    domain: {
      name: 'gotong',
      version: '1',
      chainId: deployment.chainId,
      verifyingContract: deployment.paymentChannels,
    },
    types: {
      Receipt: [
        { name: 'termsHash', type: 'bytes32' },
        { name: 'channelId', type: 'bytes32' },
        { name: 'calls', type: 'uint64' },
        { name: 'cumulativeAmount', type: 'uint256' },
        { name: 'requestHash', type: 'bytes32' },
        { name: 'responseHash', type: 'bytes32' },
        { name: 'servedAt', type: 'uint64' },
      ],
    },
    primaryType: 'Receipt',
    message: signed.receipt,
    signature: signed.signature,
  })
}
