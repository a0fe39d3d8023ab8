/**
 * The serving side of the paidCall and mcp suites, in its own process as a provider runs: one
 * provider agent per durability setting, each serving the same tool, and the same handler behind
 * a plain signed route (the unpaid path). Prints `READY {json}` once serving; stops on SIGTERM.
 * On stdin, `profile start` starts sampling this process's CPU and `profile stop` prints
 * `PROFILE {json}` (the V8 CPU profile) on one line.
 */
import { join } from 'node:path'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import { createTransportServer } from '@gotong/transport'
import { serveHttp } from '@gotong/transport/node'
import { type Hex, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type CpuProfile, startCpuProfile } from '../cpuProfile.js'
import { wordStats } from '../wordStats.js'

type Config = {
  network: Network
  store: string
  /** One provider agent per entry. */
  providers: { key: Hex; durability: 'full' | 'process' }[]
  /** Serves the unpaid route as this account. */
  unpaidKey: Hex
}

const config = JSON.parse(process.argv[2]!) as Config
const agents: Agent[] = []
const tools: Record<string, string> = {}
for (const { key, durability } of config.providers) {
  const agent = await createAgent({
    account: key,
    network: config.network,
    store: join(config.store, `provider-${durability}`),
    durability,
  })
  agents.push(agent)
  tools[durability] = (await agent.serve(wordStats, { price: 1n })).toolId.toString()
}
const unpaidAccount = privateKeyToAccount(config.unpaidKey)
const server = createTransportServer({
  address: unpaidAccount.address,
  chainId: config.network.chainId,
}).handle('word-stats', wordStats.input, async (parsed, { from }) =>
  wordStats.output.parse(
    await wordStats.handler(parsed, {
      caller: from,
      termsHash: keccak256(toHex('unpaid')),
      signal: new AbortController().signal,
    }),
  ),
)
const listener = await serveHttp(server)

process.once('SIGTERM', async () => {
  for (const agent of agents) await agent.stop()
  await listener.close()
  process.exit(0)
})
let stopProfile: (() => Promise<CpuProfile>) | undefined
let commands = ''
process.stdin.setEncoding('utf8').on('data', async (chunk: string) => {
  commands += chunk
  for (let at = commands.indexOf('\n'); at >= 0; at = commands.indexOf('\n')) {
    const command = commands.slice(0, at)
    commands = commands.slice(at + 1)
    if (command === 'profile start') {
      stopProfile = await startCpuProfile()
      process.stdout.write('PROFILING\n')
    } else if (command === 'profile stop' && stopProfile) {
      const profile = await stopProfile()
      stopProfile = undefined
      process.stdout.write(`PROFILE ${JSON.stringify(profile)}\n`)
    }
  }
})
process.stdout.write(
  `READY ${JSON.stringify({ tools, unpaid: { url: listener.url, address: unpaidAccount.address } })}\n`,
)
