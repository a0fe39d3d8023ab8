import { readFileSync } from 'node:fs'
import { createAgent } from '@gotong/agent'
import { createMcpGateway, GatewayConfig, type GatewayConfigInput, serveMcp } from '@gotong/mcp'
import { Command, InvalidArgumentError, Option } from 'commander'
import { exitWithParent } from '../exitWithParent.js'
import {
  type AgentOptions,
  explained,
  indexOf,
  openNetwork,
  parseGusd,
  parseWhole,
  requireKey,
  storeOf,
  toJson,
  withAgentOptions,
} from './agentOptions.js'

type McpOptions = AgentOptions & {
  http?: boolean
  host: string
  port: number
  config?: GatewayConfigInput
  sessionBudget?: bigint
  dailyBudget?: bigint
  perToolCap?: bigint
  maxPrice?: bigint
  confirmAbove?: bigint
  payee?: string[]
  expose?: string[]
  approve?: string[]
}

/** Commander parser for `--config`: a JSON file of gateway limits, checked before anything runs. */
function parseConfigFile(file: string): GatewayConfigInput {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    throw new InvalidArgumentError(`cannot read JSON from ${file}.`)
  }
  const parsed = GatewayConfig.safeParse(raw)
  if (!parsed.success)
    throw new InvalidArgumentError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'} ${i.message}`).join('; ')}`,
    )
  return raw as GatewayConfigInput
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',')]

/**
 * `gotong mcp`: the directory's tools to any MCP client, over stdio (what an MCP host launches)
 * or Streamable HTTP, paid by this agent within limits its operator sets here, never the model.
 * `gotong mcp approve <tool>` approves a tool's current version for the gateway.
 */
export function mcpCommand(): Command {
  const command = withAgentOptions(
    new Command('mcp')
      .description(
        'serve the gotong directory to MCP clients (stdio by default): search, paid calls, budgets',
      )
      .option('--http', 'serve Streamable HTTP instead of stdio')
      .option('--host <host>', 'HTTP address (loopback by default)', '127.0.0.1')
      .option('--port <port>', 'HTTP port (0 picks a free one)', parseWhole(0, 65_535), 8788)
      .option(
        '--config <file>',
        'JSON file of limits (the flags below override it)',
        parseConfigFile,
      )
      .option('--session-budget <gUSD>', 'most this gateway process may pay', parseGusd)
      .option(
        '--daily-budget <gUSD>',
        'most paid in any 24 hours (past spending counts)',
        parseGusd,
      )
      .option('--per-tool-cap <gUSD>', 'most any one tool may be paid this session', parseGusd)
      .option('--max-price <gUSD>', 'highest price per call', parseGusd)
      .option(
        '--confirm-above <gUSD>',
        'ask the user (MCP elicitation) above this price per call',
        parseGusd,
      )
      .addOption(new Option('--payee <addresses>', 'only pay these providers').argParser(collect))
      .addOption(
        new Option('--expose <ids or tags>', 'also serve these directory tools by name').argParser(
          collect,
        ),
      )
      .addOption(
        new Option('--approve <tools>', 'approve these tools at their current version').argParser(
          collect,
        ),
      ),
    { json: false },
  ).action(
    explained(async (options: McpOptions) => {
      const privateKey = requireKey(options, 'Serving MCP')
      const config: GatewayConfigInput = {
        ...options.config,
        ...defined({
          sessionBudget: options.sessionBudget,
          dailyBudget: options.dailyBudget,
          perToolCap: options.perToolCap,
          maxPrice: options.maxPrice,
          confirmAbove: options.confirmAbove,
          payees: options.payee,
          expose: options.expose,
          approve: options.approve,
        }),
      }
      const { store } = storeOf(options, 'Serving MCP')
      const agent = await createAgent({
        account: privateKey,
        network: await openNetwork(options),
        store,
        ...indexOf(options),
      })
      const served = await serveMcp(agent, {
        config,
        ...(options.http ? { http: { host: options.host, port: options.port } } : {}),
      })
      let stopping = false
      const stop = async () => {
        if (stopping) return
        stopping = true
        await served.close()
        await agent.stop()
        process.exit(0)
      }
      // stdout is the protocol channel over stdio: everything else goes to stderr.
      process.stderr.write(
        `gotong mcp: agent ${agent.address}, ${served.url ? `Streamable HTTP at ${served.url}` : 'stdio'}; exposed ${toJson(served.gateway.exposed().map((t) => t.name))}\n`,
      )
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      if (!served.url) process.stdin.once('end', stop)
      exitWithParent()
      await new Promise(() => {})
    }),
  )
  command.addCommand(
    withAgentOptions(
      new Command('approve')
        .description(
          "approve a tool's current version for the MCP gateway (serves it again if withdrawn)",
        )
        .argument('<tool>', 'tool id or ERC-8257 reference'),
    ).action(
      explained(async (tool: string, options: AgentOptions) => {
        const privateKey = requireKey(options, 'Approving a tool')
        const { store } = storeOf(options, 'Approving a tool')
        const agent = await createAgent({
          account: privateKey,
          network: await openNetwork(options),
          store,
          ...indexOf(options),
        })
        try {
          const gateway = await createMcpGateway(agent)
          const manifestHash = await gateway.approve(tool)
          gateway.close()
          process.stdout.write(
            options.json
              ? `${toJson({ tool, manifestHash })}\n`
              : `approved ${tool} at ${manifestHash}\n`,
          )
        } finally {
          await agent.stop()
        }
      }),
    ),
  )
  return command
}

/** The entries of `values` that were given. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>
}
