import { resolve } from 'node:path'
import { Command, InvalidArgumentError, Option } from 'commander'
import { exitWithParent } from '../exitWithParent.js'
import { parsePort } from '../options.js'
import {
  type AgentOptions,
  CliError,
  explained,
  openNetwork,
  requireKey,
  toJson,
  withAgentOptions,
} from './agentOptions.js'
import { agentRegisterCommand } from './agentRegister.js'
import { agentShowCommand } from './agentShow.js'
import { parseRpcUrl } from './chainOptions.js'
import { serveMcpCommand } from './serveMcpCommand.js'

type AgentModule = { main(env: Record<string, string | undefined>): Promise<void> }

/** The ready-made agents of `agents/`, each a package whose `main(env)` runs it alone. */
export const readyMadeAgents = {
  'stats-provider': {
    package: '@gotong/agent-stats-provider',
    sells: 'dataset-stats and dedupe',
    load: () => import('@gotong/agent-stats-provider') as Promise<AgentModule>,
  },
  'text-provider': {
    package: '@gotong/agent-text-provider',
    sells: 'keywords, sentiment and summarize at standard prices, tight SLA',
    load: () => import('@gotong/agent-text-provider') as Promise<AgentModule>,
  },
  'budget-text-provider': {
    package: '@gotong/agent-budget-text-provider',
    sells: 'the same text tools, cheaper, looser SLA',
    load: () => import('@gotong/agent-budget-text-provider') as Promise<AgentModule>,
  },
  'premium-provider': {
    package: '@gotong/agent-premium-provider',
    sells: 'dataset-stats-premium to AccessPass holders, holder discount',
    load: () => import('@gotong/agent-premium-provider') as Promise<AgentModule>,
  },
  'convert-provider': {
    package: '@gotong/agent-convert-provider',
    sells: 'unit and currency conversion',
    load: () => import('@gotong/agent-convert-provider') as Promise<AgentModule>,
  },
  orchestrator: {
    package: '@gotong/agent-orchestrator',
    sells: 'dataset-report, made by buying the other agents’ tools (--dataset: one job, then stop)',
    load: () => import('@gotong/agent-orchestrator') as Promise<AgentModule>,
  },
} as const

type AgentName = keyof typeof readyMadeAgents
const names = Object.keys(readyMadeAgents) as AgentName[]
const isAgentName = (name: string): name is AgentName => Object.hasOwn(readyMadeAgents, name)

const agentList = names
  .map((name) => `  ${name.padEnd(22)} ${readyMadeAgents[name].sells}`)
  .join('\n')

type StartOptions = AgentOptions & {
  host?: string
  port?: number
  dataset?: string
  goal?: string
  x402?: boolean
  x402Facilitator?: string
  ledgerUrl?: string
  publicUrl?: string
}

/** An x402 facilitator's URL: http(s). */
function parseFacilitatorUrl(value: string): string {
  try {
    return parseRpcUrl(value)
  } catch {
    throw new InvalidArgumentError('expected the http(s) URL of an x402 facilitator.')
  }
}

/**
 * `gotong agent start <name>` and `gotong agent list`: run the ready-made agents of `agents/`;
 * `gotong agent register` and `gotong agent show`: ERC-8004 identities.
 */
export function agentCommand(): Command {
  const agent = new Command('agent')
    .description(
      'run a ready-made agent (providers, an orchestrator) until Ctrl-C; register or show ERC-8004 agents',
    )
    .addHelpText('after', `\nReady-made agents:\n${agentList}\n`)
  agent.addCommand(startCommand())
  agent.addCommand(listCommand())
  agent.addCommand(serveMcpCommand())
  agent.addCommand(agentRegisterCommand())
  agent.addCommand(agentShowCommand())
  return agent
}

function startCommand(): Command {
  const command = new Command('start')
    .description('start a ready-made agent: it publishes its tools and serves them until Ctrl-C')
    .argument('<name>', `one of: ${names.join(', ')}`)
    .option('--host <host>', 'interface to serve on (default 127.0.0.1)')
    .option('--port <port>', 'port to serve on (default: a free one)', parsePort)
    .option('--dataset <file>', 'orchestrator only: profile this CSV once, print the report, stop')
    .option('--goal <text>', 'orchestrator only: what to do with --dataset')
    .option('--x402', 'each priced tool also answers x402 at <its endpoint>/x402 (the default)')
    .option('--no-x402', 'serve tools over gotong channels only')
    .option(
      '--x402-facilitator <url>',
      'settle x402 payments through this facilitator (default: the agent settles them, paying the gas)',
      parseFacilitatorUrl,
    )
    .addOption(
      new Option(
        '--ledger-url <url>',
        'PostgreSQL payee ledger shared by replicas of this provider (same key) instead of its payee.sqlite',
      ).env('GOTONG_LEDGER_URL'),
    )
    .addOption(
      new Option(
        '--public-url <url>',
        'the URL consumers reach it at (a balancer in front of its replicas): its listings name it',
      ).env('GOTONG_PUBLIC_URL'),
    )
    .addHelpText('after', `\nReady-made agents:\n${agentList}\n`)
  return withAgentOptions(command, { json: false }).action(
    explained(async (name: string, options: StartOptions) => {
      // The agent stops on SIGTERM; under npx or npm run, a SIGTERM kills the shell in between.
      exitWithParent()
      if (!isAgentName(name))
        throw new CliError(
          'AGENT_UNKNOWN',
          `There is no ready-made agent called "${name}".`,
          `Known agents: ${names.join(', ')} (\`gotong agent list\` says what each sells).`,
        )
      const key = requireKey(options, `Starting ${name}`)
      // Fail here, with the command line's codes and hints, rather than in the agent.
      await openNetwork(options)
      const module = await readyMadeAgents[name].load()
      await module.main({
        ...process.env,
        GOTONG_RPC_URL: options.rpc,
        GOTONG_DEPLOYMENTS: resolve(options.deployments),
        GOTONG_PRIVATE_KEY: key,
        GOTONG_STORE: options.store ? resolve(options.store) : undefined,
        GOTONG_HOST: options.host,
        GOTONG_PORT: options.port === undefined ? undefined : String(options.port),
        ...(options.dataset ? { GOTONG_DATASET: resolve(options.dataset) } : {}),
        ...(options.goal ? { GOTONG_GOAL: options.goal } : {}),
        ...(options.x402 === false ? { GOTONG_X402: 'off' } : {}),
        ...(options.x402 === true ? { GOTONG_X402: 'on' } : {}),
        ...(options.x402Facilitator ? { GOTONG_X402_FACILITATOR: options.x402Facilitator } : {}),
        ...(options.ledgerUrl ? { GOTONG_LEDGER_URL: options.ledgerUrl } : {}),
        ...(options.publicUrl ? { GOTONG_PUBLIC_URL: options.publicUrl } : {}),
      })
      // The agent is stopped and its stores closed; timers still pending (a provider's open
      // negotiation sessions) must not keep the process alive.
      process.exit(process.exitCode ?? 0)
    }),
  )
}

function listCommand(): Command {
  return new Command('list')
    .description('list the ready-made agents')
    .option('--json', 'print JSON instead of text')
    .action((options: { json?: boolean }) => {
      if (options.json)
        process.stdout.write(
          `${toJson(names.map((name) => ({ name, package: readyMadeAgents[name].package, sells: readyMadeAgents[name].sells })))}\n`,
        )
      else process.stdout.write(`${agentList}\n`)
    })
}
