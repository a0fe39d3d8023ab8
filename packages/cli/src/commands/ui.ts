import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import { getAddress, isAddress } from 'viem'
import {
  defaultStateDir,
  type NetworkOptions,
  openChain,
  withNetworkOptions,
} from './chainOptions.js'

type UiOptions = NetworkOptions & {
  port: number
  host: string
  agent?: string[]
  token?: string
  store?: string
}

/**
 * `gotong ui`: the live view of the agents on a chain. It reads the streams of the agents it is
 * given (`--agent <url>`) and of every agent the directory names (each listing's endpoint),
 * shows the agents whose state is under `.gotong/agents/`, and serves the page until Ctrl-C.
 */
export function uiCommand(): Command {
  const command = new Command('ui')
    .description(
      "the live view in a browser: agents, negotiations, calls, money and the directory, from the agents' event streams and the chain",
    )
    .option('--port <n>', 'port to serve the page on (0: a free one)', port, 0)
    .option('--host <host>', 'interface to serve on', '127.0.0.1')
    .option('--agent <url...>', "also read these agents' streams (their base URLs)")
    .option('--token <token>', 'token for agents that serve their events to holders of one')
    .option('--store <dir>', 'folder of agent state to show agents from', defaultStateDir)
  return withNetworkOptions(command).action(async (options: UiOptions) => {
    const chain = await openChain(options)
    const { startUi } = await import('@gotong/ui')
    const ui = await startUi({
      network: {
        rpcUrl: options.rpc,
        chainId: chain.chain.id,
        deployments: chain.deployments,
      },
      host: options.host,
      port: options.port,
      sources: (options.agent ?? []).map((url) => ({
        url,
        ...(options.token ? { token: options.token } : {}),
      })),
      ...(options.token ? { token: options.token } : {}),
    })
    for (const address of agentsIn(options.store)) ui.watch(address)
    process.stdout.write(`gotong ui: open ${ui.url} (Ctrl-C stops it)\n`)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await ui.close()
  })
}

/** Addresses of the agents whose state is under `<store>/agents/` (one folder per address). */
function agentsIn(store: string | undefined): `0x${string}`[] {
  const folder = join(store ?? defaultStateDir, 'agents')
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter((name) => isAddress(name, { strict: false }))
    .map((name) => getAddress(name))
}

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port number from 0 to 65535')
  return n
}
