import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { createMcpGateway, type McpGateway, serveMcp } from '@gotong/mcp'
import {
  Client,
  InMemoryTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { type Figure, type Suite, timeEach } from '../harness.js'
import { type ProviderProcess, startProvider } from '../providerProcess.js'

const input = { text: 'many hands make light work' }
// Every limit set, so each gateway call is held against all of them, as an operator would run it.
const limits = { sessionBudget: '100', dailyBudget: '100', perToolCap: '100' }
// One channel for the whole run on every path: none is reopened while measuring.
const callsPerChannel = 10_000_000n
const gatewayChild = fileURLToPath(new URL('../children/mcpGateway.ts', import.meta.url))

type Path = 'direct' | 'memory' | 'stdio' | 'http' | 'httpModern'
const label: Record<Path, string> = {
  direct: '(a) agent.call, direct',
  memory: '(b) gateway over the SDK’s in-memory transport',
  stdio: '(c) gateway over stdio',
  http: '(d) gateway over Streamable HTTP',
  httpModern: '(d′) gateway over Streamable HTTP, 2026-07-28 era',
}
const note: Record<Path, string> = {
  direct: 'the consumer agent in this process; the provider agent in its own',
  memory:
    'MCP SDK Client and the gateway’s McpServer in this process, over (a)’s agent, no I/O: the SDK’s protocol work alone',
  stdio:
    'MCP SDK Client + StdioClientTransport launching what `gotong mcp` runs (serveMcp on stdio, its own agent) as a child process; 2025-11-25 era',
  http: 'MCP SDK Client + StreamableHTTPClientTransport to serveMcp(agent, { http }) in this process, over (a)’s agent; 2025-11-25 era (stateless)',
  httpModern: "the same with versionNegotiation: { mode: 'auto' } (per-request envelopes)",
}
const gateways: { path: Exclude<Path, 'direct'>; overhead: string }[] = [
  { path: 'memory', overhead: '(b − a)' },
  { path: 'stdio', overhead: '(c − a)' },
  { path: 'http', overhead: '(d − a)' },
  { path: 'httpModern', overhead: '(d′ − a)' },
]

/**
 * A paid call through the MCP gateway beside the same call made directly: (a) `agent.call`;
 * (b) the gateway and an MCP client in this process, no I/O between them; (c) an MCP host's
 * call over stdio to the gateway in a child process (what `gotong mcp` runs); (d) the same over
 * Streamable HTTP to `serveMcp` in this process, in both eras. One devnet, one provider process,
 * calls one after another, the paths interleaved round by round.
 */
export const mcp: Suite = {
  name: 'mcp',
  title: 'MCP gateway: a paid call through gotong mcp (stdio, Streamable HTTP) beside agent.call',
  async run(ctx) {
    // Short rounds, so a change in the machine's load lands on every path alike.
    const rounds = ctx.quick ? 1 : 10
    const perRound = ctx.quick ? 10 : 100
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-mcp-'))
    let devnet: Devnet | undefined
    let provider: ProviderProcess | undefined
    let agent: Agent | undefined
    let served: { close(): Promise<void> } | undefined
    let inProcess: McpGateway | undefined
    const clients: Client[] = []
    let stdioLog = ''
    try {
      devnet = await startDevnet({ accounts: 4 })
      const network: Network = {
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        deployments: devnet.deployments!,
      }
      const keys = devnet.accounts.map((a) => a.privateKey)
      provider = await startProvider({
        network,
        store: join(dir, 'provider'),
        providers: [{ key: keys[1]!, durability: 'full' }],
        unpaidKey: keys[1]!,
      })
      const toolId = BigInt(provider.ready.tools.full!)
      const name = `word-stats_${toolId}`
      const config = { ...limits, expose: [`${toolId}`] }

      agent = await createAgent({
        account: keys[2]!,
        network,
        store: join(dir, 'consumer'),
        callsPerChannel,
      })
      const http = await serveMcp(agent, { config, http: { port: 0 } })
      served = http
      inProcess = await createMcpGateway(agent, { config })
      const connect = async (transport: Transport, era: 'default' | 'auto' = 'default') => {
        const client = new Client(
          { name: 'bench-host', version: '1.0.0' },
          era === 'auto' ? { versionNegotiation: { mode: 'auto' } } : {},
        )
        clients.push(client)
        await client.connect(transport)
        // As a host does: the listing gives the client the output schema it checks results with.
        const tools = (await client.listTools()).tools.map((t) => t.name)
        if (!tools.includes(name)) throw new Error(`${name} is not among ${tools.join(', ')}`)
        return client
      }

      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
      await (await inProcess.factory({ era: 'legacy' })).connect(serverSide)
      const inMemory = await connect(clientSide)
      const stdio = new StdioClientTransport({
        command: process.execPath,
        args: [
          '--conditions=source',
          '--import',
          'tsx',
          gatewayChild,
          JSON.stringify({
            network,
            key: keys[3]!,
            store: join(dir, 'gateway'),
            callsPerChannel: `${callsPerChannel}`,
            gateway: config,
          }),
        ],
        stderr: 'pipe',
      })
      stdio.stderr?.on('data', (chunk: Buffer) => {
        stdioLog += chunk.toString()
      })
      const overStdio = await connect(stdio)
      const overHttp = await connect(new StreamableHTTPClientTransport(new URL(http.url!)))
      const overHttpModern = await connect(
        new StreamableHTTPClientTransport(new URL(http.url!)),
        'auto',
      )
      if (overHttpModern.getProtocolEra() !== 'modern')
        throw new Error('the 2026-07-28 client did not negotiate the modern era')

      const viaMcp = (client: Client) => async () => {
        const result = await client.callTool({ name, arguments: input })
        if (result.isError)
          throw new Error(`the gateway refused: ${JSON.stringify(result.content)}`)
      }
      const paths: Record<Path, () => Promise<void>> = {
        direct: async () => {
          await agent!.call(toolId, input)
        },
        memory: viaMcp(inMemory),
        stdio: viaMcp(overStdio),
        http: viaMcp(overHttp),
        httpModern: viaMcp(overHttpModern),
      }
      const names = Object.keys(paths) as Path[]
      // The first call of each agent negotiates and opens its channel: not measured.
      await paths.direct()
      await paths.stdio()

      const latency = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<
        Path,
        number[]
      >
      for (let r = 0; r < rounds; r++) {
        for (const path of names)
          latency[path].push(...(await timeEach(perRound, paths[path], r === 0 ? 20 : 0)))
        ctx.log(
          `round ${r + 1} of ${rounds}, median ms: ${names.map((n) => `${n} ${median(latency[n].slice(-perRound)).toFixed(2)}`).join(', ')}`,
        )
      }

      const figure = {} as Record<Path, Figure>
      for (const path of names)
        figure[path] = ctx.record({
          name: `${label[path]}, 1 caller`,
          unit: 'ms',
          samples: latency[path],
          note: note[path],
        })
      for (const { path, overhead } of gateways)
        ctx.record({
          name: `gateway overhead ${overhead} at p50`,
          unit: 'ms',
          samples: [figure[path].median - figure.direct.median],
          ...(path === 'memory' ? {} : { target: { max: 1 } }),
          note: `at p95: ${(figure[path].p95 - figure.direct.p95).toFixed(3)} ms`,
        })
    } catch (error) {
      if (stdioLog) ctx.log(`the stdio gateway said:\n${stdioLog}`)
      throw error
    } finally {
      for (const client of clients) await client.close().catch(() => undefined)
      inProcess?.close()
      await served?.close()
      await agent?.stop()
      await provider?.stop()
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[sorted.length >> 1]!
}
