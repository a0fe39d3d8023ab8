import { GotongTerms, gotongTermsKey } from '@gotong/core'
import { type DirectoryReadClient, getProviderStake } from '@gotong/directory'
import type { DirectoryIndex } from '@gotong/directory/node'
import type { Address, Hex } from 'viem'

/** One listing as the view shows it: amounts as decimal strings, its versions oldest first. */
export type ViewListing = {
  toolId: string
  name: string
  description: string
  tags: string[]
  creator: Address
  endpoint: string | undefined
  price: string | undefined
  status: 'verified' | 'unverified'
  deregistered: boolean
  /** The gate on chain, or null for open access; the manifest's hint beside it. */
  access: { predicate: Address | null; hint: string | undefined }
  manifestHash: Hex
  /** The creator's stake behind the tool at ProviderStake (base units), where one is deployed. */
  stake: string | undefined
  /** Whether the manifest's terms promise deterministic answers. */
  deterministic: boolean
  versions: { version: string; manifestHash: Hex; previousManifestHash: Hex; block: string }[]
}

/**
 * Brings the directory index up to date and lists every tool in it (unverified and
 * deregistered ones too, marked), with price, access rule and version lineage.
 */
export async function listDirectory(
  index: DirectoryIndex,
  stakes?: { client: DirectoryReadClient; providerStake: Address | undefined },
): Promise<ViewListing[]> {
  await index.sync()
  const hits = await index.search({
    includeUnverified: true,
    includeDeregistered: true,
    limit: 100,
  })
  const listings = hits.flatMap((hit) => hit.offers)
  const seen = new Set<string>()
  const out: ViewListing[] = []
  for (const listing of listings) {
    const id = listing.toolId.toString()
    if (seen.has(id)) continue
    seen.add(id)
    const full = await index.getListing(listing.toolId)
    const manifest = listing.manifest
    const terms = GotongTerms.safeParse(manifest?.[gotongTermsKey])
    const stake =
      stakes?.providerStake && !listing.deregistered
        ? await getProviderStake(stakes.client, {
            address: stakes.providerStake,
            provider: listing.creator,
            toolId: listing.toolId,
          })
        : undefined
    out.push({
      toolId: id,
      name: manifest?.name ?? `tool ${id}`,
      description: manifest?.description ?? '',
      tags: [...(manifest?.tags ?? [])],
      creator: listing.creator,
      endpoint: manifest?.endpoint,
      price: listing.price?.amount.toString(),
      status: listing.status,
      deregistered: listing.deregistered,
      access: {
        predicate: listing.access.predicate,
        hint: listing.access.hints ? JSON.stringify(listing.access.hints) : undefined,
      },
      manifestHash: listing.manifestHash,
      stake: stake?.stake.toString(),
      deterministic: terms.success && terms.data.deterministic === true,
      versions: (full?.versions ?? []).map((v) => ({
        version: v.version.toString(),
        manifestHash: v.manifestHash,
        previousManifestHash: v.previousManifestHash,
        block: v.blockNumber.toString(),
      })),
    })
  }
  return out.sort((a, b) => Number(BigInt(a.toolId) - BigInt(b.toolId)))
}
