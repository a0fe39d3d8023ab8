import { InvalidInputError } from '@gotong/core'
import { getAccessRequirements, getTool, parseToolRef } from '@gotong/directory'
import { Command } from 'commander'
import {
  type ChainOptions,
  createAssetBook,
  openChain,
  openIndex,
  printJson,
  withChainOptions,
} from './chainOptions.js'
import { formatToolVersion, toolVersionChanges } from './toolVersions.js'

type ToolOptions = ChainOptions & { versions?: boolean }

/**
 * `gotong tool <toolId>`: one tool as the chain has it (creator, version, gate) with its
 * verified manifest from the index, and with `--versions` its whole lineage: each version's
 * block and time, and what it changed from the one before (a new model spelled out).
 */
export function toolCommand(): Command {
  const command = new Command('tool')
    .description('show one tool of the directory: manifest, price, access, versions')
    .argument('<tool>', 'tool id, or eip155:<chainId>/erc8257:<registry>/<toolId>')
    .option(
      '--versions',
      'list every version of the tool: when, and what it changed (the model too)',
    )
  return withChainOptions(command).action(async (reference: string, options: ToolOptions) => {
    const ref = parseToolRef(reference)
    const chain = await openChain(options)
    const directory = chain.deployments.contracts.toolDirectory
    if (
      (ref.chainId !== undefined && ref.chainId !== chain.chain.id) ||
      (ref.registry !== undefined && ref.registry !== directory)
    )
      throw new InvalidInputError('tool reference', [
        {
          rule: 'other_directory',
          path: '',
          message: `${reference} is not in the directory at ${directory} on chain ${chain.chain.id}`,
        },
      ])
    // On chain first: an unknown or deregistered tool is an error with its own code.
    const onChain = await getTool(chain.publicClient, { address: directory, toolId: ref.toolId })
    const access = await getAccessRequirements(chain.publicClient, {
      address: directory,
      toolId: ref.toolId,
      predicate: onChain.accessPredicate,
    })
    const index = await openIndex(chain, options)
    try {
      const listing = await index.getListing(ref.toolId)
      const versions = options.versions
        ? await toolVersionChanges(chain.publicClient, listing?.versions ?? [])
        : []
      if (options.json)
        return printJson({
          ...onChain,
          status: listing?.status ?? 'unverified',
          unverified: listing?.unverified,
          manifest: listing?.manifest,
          price: listing?.price,
          access,
          agent: listing?.agent,
          ...(options.versions ? { versions } : {}),
        })
      const assets = createAssetBook(chain)
      const manifest = listing?.manifest
      const lines = [
        `Tool ${onChain.toolId}  ${onChain.ref}`,
        `  name       ${manifest ? `${manifest.name}${manifest.version ? ` (${manifest.version})` : ''}` : '(no manifest indexed)'}`,
        `  creator    ${onChain.creator}${listing?.agent ? ` (${listing.agent.name}, ${listing.agent.endpoint})` : ''}`,
        `  version    ${onChain.version}, manifest ${onChain.manifestHash}`,
        `  status     ${listing?.status ?? 'unverified'}${listing?.unverified ? ` (${listing.unverified.reason}: ${listing.unverified.message})` : ''}`,
        `  price      ${listing?.price ? `${await assets.format(listing.price.amount, listing.price.asset)} per call (${listing.price.protocol})` : 'none listed'}`,
        `  endpoint   ${manifest?.endpoint ?? '-'}`,
        `  access     ${access.open ? 'open' : `${access.name ?? 'predicate'} at ${access.predicate}`}`,
        ...(access.open ? [] : (access.requirements ?? []).map((r) => `             ${r.label}`)),
        `  uri        ${onChain.metadataURI}`,
      ]
      if (manifest?.description) lines.push('', `  ${manifest.description}`)
      if (options.versions)
        lines.push('', 'Versions:', ...versions.flatMap((v, i) => formatToolVersion(v, i === 0)))
      process.stdout.write(`${lines.join('\n')}\n`)
    } finally {
      index.close()
    }
  })
}
