import { Command, InvalidArgumentError } from 'commander'
import {
  type AgentOptions,
  explained,
  indexOf,
  openNetwork,
  requireKey,
  storeOf,
  toJson,
  withAgentOptions,
} from './agentOptions.js'

type RegisterOptions = AgentOptions & {
  name?: string
  description?: string
  uri?: string
  service: { name: string; endpoint: string }[]
}

/** `--service name=endpoint` (repeatable): another service of the registration file. */
function parseService(
  value: string,
  previous: { name: string; endpoint: string }[] = [],
): { name: string; endpoint: string }[] {
  const at = value.indexOf('=')
  if (at <= 0 || at === value.length - 1)
    throw new InvalidArgumentError('expected <name>=<endpoint>, e.g. MCP=https://mcp.example/mcp.')
  return [...previous, { name: value.slice(0, at), endpoint: value.slice(at + 1) }]
}

/** `--uri`: where the registration file is served over https. */
function parseHttpsUrl(value: string): string {
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:')
    throw new InvalidArgumentError('expected an https URL.')
  return value
}

/**
 * `gotong agent register`: registers the key's agent as an ERC-8004 agent (or finds the one it
 * registered before), its registration file listing the tools it published; prints its id.
 */
export function agentRegisterCommand(): Command {
  const command = new Command('register')
    .description(
      "register the key's agent as an ERC-8004 agent (again: update its registration file), listing the tools it published",
    )
    .option('--name <name>', 'the name in its registration file (default: agent-<address>)')
    .option('--description <text>', 'what the agent does')
    .option(
      '--uri <url>',
      'an https URL that serves its registration file, registered instead of a data: URI',
      parseHttpsUrl,
    )
    .option(
      '--service <name=endpoint>',
      'another service of the file, e.g. MCP=https://mcp.example/mcp (repeatable)',
      parseService,
      [],
    )
  return withAgentOptions(command).action(
    explained(async (options: RegisterOptions) => {
      const key = requireKey(options, 'Registering an agent')
      const network = await openNetwork(options)
      // Loaded here: the agent runtime takes a while to load, and other commands skip it.
      const { createAgent } = await import('@gotong/agent')
      const agent = await createAgent({
        account: key,
        network,
        store: storeOf(options, 'Registering an agent').store,
        ...(options.name ? { name: options.name } : {}),
        identity: {
          ...(options.description ? { description: options.description } : {}),
          ...(options.uri ? { uri: options.uri } : {}),
        },
        ...indexOf(options),
      })
      try {
        const identity = await agent.register({ services: options.service })
        if (options.json) {
          process.stdout.write(`${toJson(identity)}\n`)
          return
        }
        const services = (identity.registration.services ?? []).map((s) => s.name)
        process.stdout.write(
          [
            `agent ${identity.agentId} in ${identity.agentRegistry}`,
            `  owner   ${identity.owner}`,
            `  wallet  ${identity.wallet} (signs its receipts)`,
            `  URI     ${identity.agentURI.startsWith('data:') ? `data: URI, ${identity.agentURI.length} bytes on chain` : identity.agentURI}`,
            `  file    ${services.length} services: ${services.join(', ')}`,
            '',
            `Show it with: gotong agent show ${identity.agentId}`,
            '',
          ].join('\n'),
        )
      } finally {
        await agent.stop()
      }
    }),
  )
}
