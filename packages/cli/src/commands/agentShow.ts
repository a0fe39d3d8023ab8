import { readAgent, resolveAgentUri } from '@gotong/identity'
import { Command } from 'commander'
import { toJson } from './agentOptions.js'
import { identityRegistryOf, resolveAgentRef } from './agentRef.js'
import { type NetworkOptions, openChain, withNetworkOptions } from './chainOptions.js'

type ShowOptions = NetworkOptions & { json?: boolean }

/**
 * `gotong agent show <agentId|address>`: an ERC-8004 agent as the identity registry has it
 * (owner, wallet, URI) with its registration file resolved and checked.
 */
export function agentShowCommand(): Command {
  const command = new Command('show')
    .description(
      'show an ERC-8004 agent: owner, wallet, and its registration file (services, tools)',
    )
    .argument('<agent>', 'agent id, or an address (the agents it owns or is the wallet of)')
    .option('--json', 'print JSON instead of text')
  return withNetworkOptions(command).action(async (ref: string, options: ShowOptions) => {
    const chain = await openChain(options)
    const identityRegistry = identityRegistryOf(chain)
    const agents = []
    for (const agentId of await resolveAgentRef(chain, ref)) {
      const agent = await readAgent(chain.publicClient, { identityRegistry, agentId })
      let problem: string | undefined
      const registration = agent.agentURI
        ? await resolveAgentUri(agent.agentURI).catch((error: Error) => {
            problem = error.message.split('\n')[0]
            return undefined
          })
        : undefined
      agents.push({ ...agent, registration, ...(problem ? { problem } : {}) })
    }
    if (options.json) {
      process.stdout.write(
        `${toJson({ identityRegistry: `eip155:${chain.chain.id}:${identityRegistry}`, agents })}\n`,
      )
      return
    }
    if (agents.length === 0) {
      process.stdout.write(`${ref} owns no agent and is no agent's wallet.\n`)
      return
    }
    for (const agent of agents) {
      const file = agent.registration
      const uri = agent.agentURI.startsWith('data:')
        ? `data: URI (${agent.agentURI.length} bytes on chain)`
        : agent.agentURI || '(none)'
      const lines = [
        `agent ${agent.agentId}${file ? `: ${file.name}` : ''}`,
        `  registry  eip155:${chain.chain.id}:${identityRegistry}`,
        `  owner     ${agent.owner}`,
        `  wallet    ${agent.wallet ?? '(unset: it cannot sign receipts the gateway accepts)'}`,
        `  URI       ${uri}`,
      ]
      if (agent.problem) lines.push(`  file      does not resolve: ${agent.problem}`)
      if (file) {
        if (file.description) lines.push(`  about     ${file.description}`)
        lines.push(
          `  active    ${file.active ?? 'not said'}; trust: ${file.supportedTrust?.join(', ') || 'none said'}`,
        )
        for (const service of file.services)
          lines.push(
            `  service   ${service.name.padEnd(10)} ${service.endpoint}${service.version ? ` (${service.version})` : ''}`,
          )
        const here = file.registrations.some(
          (r) =>
            r.agentId === agent.agentId &&
            r.agentRegistry.toLowerCase() ===
              `eip155:${chain.chain.id}:${identityRegistry}`.toLowerCase(),
        )
        if (!here)
          lines.push(
            '  warning   its file does not list this registration (agentRegistry, agentId)',
          )
      }
      process.stdout.write(`${lines.join('\n')}\n\n`)
    }
  })
}
