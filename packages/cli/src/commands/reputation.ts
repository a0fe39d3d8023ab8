import {
  Erc8004Error,
  type ReputationValue,
  readAgent,
  readReputation,
  resolveAgentUri,
} from '@gotong/identity'
import { Command, InvalidArgumentError } from 'commander'
import { formatUnits } from 'viem'
import { gusdText, toJson } from './agentOptions.js'
import { identityRegistryOf, resolveAgentRef } from './agentRef.js'
import { type NetworkOptions, openChain, withNetworkOptions } from './chainOptions.js'

type ReputationOptions = NetworkOptions & { tool?: bigint; json?: boolean }

/** An average as the registries return it, in decimal. */
export const averageText = ({ value, decimals }: ReputationValue) => formatUnits(value, decimals)

/**
 * `gotong reputation <agent>`: an agent's paid reputation, the ERC-8004 summary over the
 * receipt gateway's feedback only (every entry backed by a paid call), and the same weighted
 * by what was paid.
 */
export function reputationCommand(): Command {
  const command = new Command('reputation')
    .description(
      "an agent's ERC-8004 reputation from paid calls only: feedback given through the receipt gateway",
    )
    .argument('<agent>', 'agent id, or an address (the agents it owns or is the wallet of)')
    .option('--tool <id>', "one tool's reputation (the feedback's tag1)", parseToolId)
    .option('--json', 'print JSON instead of text')
  return withNetworkOptions(command).action(async (ref: string, options: ReputationOptions) => {
    const chain = await openChain(options)
    const identityRegistry = identityRegistryOf(chain)
    const { reputationRegistry, receiptFeedbackGateway: gateway } = chain.deployments.contracts
    if (!reputationRegistry || !gateway)
      throw new Erc8004Error(
        'ERC8004_NOT_DEPLOYED',
        'This deployment names no reputation registry or receipt feedback gateway.',
      )
    const rows = []
    for (const agentId of await resolveAgentRef(chain, ref)) {
      const [agent, reputation] = await Promise.all([
        readAgent(chain.publicClient, { identityRegistry, agentId }),
        readReputation(chain.publicClient, {
          reputationRegistry,
          gateway,
          agentId,
          toolId: options.tool,
        }),
      ])
      // The name, when its file resolves: the numbers stand without it.
      const file = agent.agentURI
        ? await resolveAgentUri(agent.agentURI).catch(() => undefined)
        : undefined
      rows.push({ ...reputation, name: file?.name, wallet: agent.wallet })
    }
    if (options.json) {
      process.stdout.write(`${toJson({ gateway, agents: rows })}\n`)
      return
    }
    if (rows.length === 0) {
      process.stdout.write(`${ref} owns no agent and is no agent's wallet.\n`)
      return
    }
    const scope = options.tool === undefined ? '' : ` for tool ${options.tool}`
    for (const row of rows)
      process.stdout.write(
        [
          `agent ${row.agentId}${row.name ? ` (${row.name})` : ''}, wallet ${row.wallet ?? 'unset'}`,
          row.summary.count === 0n
            ? `  no paid feedback${scope} yet (through the receipt gateway ${gateway})`
            : `  ${row.summary.count} paid feedback${row.summary.count === 1n ? '' : 's'}${scope}: average ${averageText(row.summary)} (getSummary over the gateway ${gateway})`,
          ...(row.paid.count === 0n
            ? []
            : [
                `  weighted by payment: average ${averageText(row.paid)} over ${gusdText(row.paid.amount)} paid`,
              ]),
          '',
        ].join('\n'),
      )
  })
}

/** Commander parser for a tool id (a positive integer). */
export function parseToolId(value: string): bigint {
  if (!/^[1-9][0-9]{0,77}$/.test(value)) throw new InvalidArgumentError('expected a tool id.')
  return BigInt(value)
}
