import type { Connection } from '@gotong/chain'
import { parseAmount, toErc20Caip19 } from '@gotong/core'
import { type GetProviderStakeReturnType, getProviderStake } from '@gotong/directory'
import type { Listing, SearchResult } from '@gotong/directory/node'
import { Command, InvalidArgumentError } from 'commander'
import type { Address } from 'viem'
import { gusdText } from './agentOptions.js'
import {
  type ChainOptions,
  createAssetBook,
  openChain,
  openIndex,
  parseAddress,
  printJson,
  withChainOptions,
} from './chainOptions.js'

type SearchOptions = ChainOptions & {
  maxPrice?: string
  asset?: string
  tag?: string[]
  creator?: Address
  accessibleTo?: Address
  all?: boolean
  deregistered?: boolean
  limit: number
}

function parseLimit(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidArgumentError('expected a whole number from 1 to 100.')
  return n
}

/**
 * `gotong search "<text>"`: brings the local directory index up to date and prints the ranked
 * tools (most relevant, then cheapest), each with its price, version and access.
 */
export function searchCommand(): Command {
  const command = new Command('search')
    .description('search the on-chain tool directory (indexes new blocks first)')
    .argument('[text]', 'words to look for in names, descriptions and tags', '')
    .option('--max-price <amount>', 'highest price per call, in token units (e.g. 0.01)')
    .option('--asset <caip19>', 'priced in this asset (gUSD of the deployment by default)')
    .option('--tag <tag...>', 'only tools with these tags')
    .option('--creator <address>', 'only tools of this creator', parseAddress)
    .option('--accessible-to <address>', 'only tools this account may use', parseAddress)
    .option('--all', 'also list tools whose manifest failed verification')
    .option('--deregistered', 'also list deregistered tools')
    .option('--limit <n>', 'results to show (1 to 100)', parseLimit, 20)
  return withChainOptions(command).action(async (text: string, options: SearchOptions) => {
    const chain = await openChain(options)
    const assets = createAssetBook(chain)
    const asset =
      options.asset ??
      (options.maxPrice !== undefined
        ? toErc20Caip19(chain.chain.id, chain.deployments.contracts.gotongToken)
        : undefined)
    let maxPrice: bigint | undefined
    if (options.maxPrice !== undefined) {
      const token = await assets.describe(asset!)
      maxPrice = parseAmount(options.maxPrice, token?.decimals ?? 0)
    }
    const index = await openIndex(chain, options)
    try {
      const results = await index.search({
        text,
        ...(options.tag ? { tags: options.tag } : {}),
        ...(maxPrice === undefined ? {} : { maxPrice }),
        ...(asset ? { asset } : {}),
        ...(options.creator ? { creator: options.creator } : {}),
        ...(options.accessibleTo ? { accessibleTo: options.accessibleTo } : {}),
        includeUnverified: options.all ?? false,
        includeDeregistered: options.deregistered ?? false,
        limit: options.limit,
      })
      const stakes = await stakesOf(chain, results)
      if (options.json)
        return printJson(
          results.map((r, i) => ({ ...r, ...(stakes[i] ? { stake: stakes[i] } : {}) })),
        )
      process.stdout.write(await formatResults(results, assets, text, stakes))
    } finally {
      index.close()
    }
  })
}

/** Each result's stake at ProviderStake (read now), where the deployment has one. */
async function stakesOf(
  chain: Connection,
  results: SearchResult[],
): Promise<(GetProviderStakeReturnType | undefined)[]> {
  const address = chain.deployments.contracts.providerStake
  if (!address) return results.map(() => undefined)
  return Promise.all(
    results.map(({ listing }) =>
      getProviderStake(chain.publicClient, {
        address,
        provider: listing.creator,
        toolId: listing.toolId,
        manifestHash: listing.manifestHash,
      }),
    ),
  )
}

async function formatResults(
  results: SearchResult[],
  assets: ReturnType<typeof createAssetBook>,
  text: string,
  stakes: (GetProviderStakeReturnType | undefined)[],
): Promise<string> {
  if (!results.length) return `No tools found${text ? ` for "${text}"` : ''}.\n`
  const lines: string[] = []
  for (const [i, { listing, offers }] of results.entries()) {
    const name = listing.manifest?.name ?? '(no manifest)'
    lines.push(
      `${i + 1}. ${name}  v${listing.version}  ${await price(listing, assets)}  ${access(listing)}`,
      `   ${listing.ref}  by ${listing.creator}`,
    )
    if (listing.manifest?.description)
      lines.push(`   ${listing.manifest.description.split('\n')[0]!.slice(0, 120)}`)
    const stake = stakes[i]
    if (stake)
      lines.push(
        `   stake ${gusdText(stake.stake)}${stake.declaredDeterministic ? ', deterministic (slashable if it answers one request two ways)' : ''}`,
      )
    if (listing.status === 'unverified')
      lines.push(`   UNVERIFIED (${listing.unverified?.reason}): ${listing.unverified?.message}`)
    if (listing.deregistered) lines.push('   DEREGISTERED')
    for (const offer of offers.slice(1))
      lines.push(
        `   also offered as tool ${offer.toolId} by ${offer.creator}${offer.status === 'unverified' ? ` (unverified: ${offer.unverified?.reason})` : ''}`,
      )
  }
  return `${lines.join('\n')}\n`
}

async function price(listing: Listing, assets: ReturnType<typeof createAssetBook>) {
  if (!listing.price) return 'free'
  return `${await assets.format(listing.price.amount, listing.price.asset)}/call`
}

function access(listing: Listing): string {
  const { predicate, requirements, check } = listing.access
  if (!predicate) return 'open'
  const name = requirements && !requirements.open ? requirements.name : undefined
  const verdict = check ? ` [${check.status}]` : ''
  return `gated by ${name ?? predicate}${verdict}`
}
