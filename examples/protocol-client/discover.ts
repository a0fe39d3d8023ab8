// Discovery as PROTOCOL.md §5 describes it: the ToolDirectory's logs, each manifest checked
// before it is trusted.
import assert from 'node:assert/strict'
import { type Address, type Hex, hexToBytes, keccak256, type PublicClient } from 'viem'
import { abi, contentHash, jcs } from './protocol.js'

/** The part of a gotong manifest this client reads (§5.3). */
export type Manifest = {
  name: string
  endpoint: string
  tags?: string[]
  creatorAddress: string
  pricing: { amount: string; asset: string; recipient: string; protocol: string }[]
  'dev.gotong.terms': { version: 1; channels: string; minDeposit?: string }
}

export type Listing = {
  toolId: bigint
  version: bigint
  creator: Address
  manifestHash: Hex
  manifest: Manifest
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Every live tool whose current manifest passes §5.2: at most 64 KiB of UTF-8 JSON, in canonical
 * form, hashing to the hash on chain, naming the tool's creator.
 */
export async function readDirectory(
  client: PublicClient,
  directory: Address,
  fromBlock: bigint,
): Promise<Listing[]> {
  const range = { address: directory, fromBlock, toBlock: 'latest' } as const
  const [registered, deregistered, published] = await Promise.all([
    client.getContractEvents({ ...range, abi, eventName: 'ToolRegistered' }),
    client.getContractEvents({ ...range, abi, eventName: 'ToolDeregistered' }),
    client.getContractEvents({ ...range, abi, eventName: 'ManifestPublished' }),
  ])
  const creators = new Map(registered.map((log) => [log.args.toolId!, log.args.creator!]))
  const gone = new Set(deregistered.map((log) => log.args.toolId!))
  const newest = new Map<bigint, (typeof published)[number]>()
  for (const log of published) {
    const seen = newest.get(log.args.toolId!)
    if (!seen || log.args.version! > seen.args.version!) newest.set(log.args.toolId!, log)
  }
  const listings: Listing[] = []
  for (const [toolId, log] of newest) {
    const creator = creators.get(toolId)
    if (!creator || gone.has(toolId)) continue
    const bytes = hexToBytes(log.args.manifest!)
    if (bytes.length > 65_536 || (bytes[0] === 0xef && bytes[1] === 0xbb)) continue
    let text: string
    let manifest: Manifest
    try {
      text = utf8.decode(bytes)
      manifest = JSON.parse(text) as Manifest
    } catch {
      continue
    }
    const manifestHash = log.args.manifestHash!
    if (jcs(manifest) !== text || contentHash(manifest) !== manifestHash) continue
    if (keccak256(bytes) !== manifestHash) continue
    if (manifest.creatorAddress !== creator.toLowerCase()) continue
    listings.push({ toolId, version: log.args.version!, creator, manifestHash, manifest })
  }
  return listings
}

/** The current on-chain hash of a tool must be the one its newest log carried. */
export async function checkCurrent(client: PublicClient, directory: Address, listing: Listing) {
  const config = await client.readContract({
    address: directory,
    abi,
    functionName: 'getToolConfig',
    args: [listing.toolId],
  })
  assert.equal(config.manifestHash, listing.manifestHash, 'the manifest hash on chain')
  assert.equal(config.creator, listing.creator, 'the creator on chain')
}
