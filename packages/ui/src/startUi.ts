import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AgentEvents, Network } from '@gotong/agent'
import { createClients } from '@gotong/chain'
import { createDirectoryIndex } from '@gotong/directory/node'
import { consumerMachine } from '@gotong/negotiation'
import type { Address, PublicClient } from 'viem'
import { connectStream } from './connectStream.js'
import { createViewHub } from './createViewHub.js'
import { describeMachine } from './describeMachine.js'
import { listDirectory } from './listDirectory.js'
import { readChain } from './readChain.js'

/** An agent whose events the view shows: in this process, or at its endpoint over HTTP. */
export type UiSource =
  | { events: AgentEvents; address: Address; name?: string }
  | { url: string; token?: string; name?: string }

export type StartUiParameters = {
  network: Network
  /** Where to listen: 127.0.0.1 and a free port by default. */
  host?: string
  port?: number
  sources?: readonly UiSource[]
  /**
   * Also read the streams of agents the directory names (each listing's endpoint): the way
   * `gotong ui` finds agents started elsewhere. Default true.
   */
  discover?: boolean
  /** Token sent to discovered agents. */
  token?: string
  /** How often the chain and the directory are read when something happened (default 500 ms). */
  refreshMs?: number
}

export type UiServer = {
  url: string
  add(source: UiSource): void
  /** Shows an address (and its balance) before it streams anything. */
  watch(address: Address): void
  /** Pages connected now. */
  viewers(): number
  close(): Promise<void>
}

const appDir = fileURLToPath(new URL('../dist/app/', import.meta.url))
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/**
 * Starts the live view: collects the event streams of the agents it is given (and those the
 * directory names), reads balances, channels and listings from the chain, and serves the page
 * (bundled into `dist/app` at build time: nothing is fetched from elsewhere) with everything
 * pushed to it as Server-Sent Events at `/api/stream`.
 *
 * @example
 * const ui = await startUi({ network: devnet, sources: [{ events: agent.events, address: agent.address }] })
 * console.log(`open ${ui.url}`)
 */
export async function startUi(parameters: StartUiParameters): Promise<UiServer> {
  const { network } = parameters
  const { contracts } = network.deployments
  const hub = createViewHub()
  const client = createClients({ rpcUrl: network.rpcUrl, chainId: network.chainId })
    .publicClient as PublicClient
  const store = mkdtempSync(join(tmpdir(), 'gotong-ui-'))
  const index = createDirectoryIndex({
    client,
    address: contracts.toolDirectory,
    fromBlock: BigInt(network.deployments.startBlock),
    store: join(store, 'directory.sqlite'),
    chainId: network.chainId,
    fetchManifest: false,
  })
  hub.replace('machine', { kind: 'machine', graph: describeMachine(consumerMachine) })
  const closers: (() => void)[] = []
  const streaming = new Set<string>()
  let sources = 0
  const add = (source: UiSource) => {
    const id = `source-${sources++}`
    if ('events' in source) {
      streaming.add(source.address.toLowerCase())
      hub.watch(source.address)
      for (const event of source.events.recent()) hub.receiveLocal(event)
      closers.push(source.events.subscribe((event) => hub.receiveLocal(event)))
      hub.replace(id, { kind: 'source', id, label: source.name ?? source.address, status: 'open' })
      return
    }
    streaming.add(new URL(source.url).origin)
    closers.push(
      connectStream({
        url: source.url,
        token: source.token,
        onData: (data) => hub.receive(data, source.url),
        onStatus: (status, detail) =>
          hub.replace(id, {
            kind: 'source',
            id,
            label: source.name ?? source.url,
            status,
            ...(detail ? { detail } : {}),
          }),
      }),
    )
  }
  for (const source of parameters.sources ?? []) add(source)

  // Chain and directory: read again when an event came, at most every refreshMs; once in a
  // while anyway (a close or a claim by someone who does not stream).
  let reading = false
  let quiet = 0
  let lastBlock: bigint | undefined
  let lastSeen = ''
  const refresh = async () => {
    if (reading) return
    const news = hub.takeChanged()
    if (!news && ++quiet < 10) return
    quiet = 0
    reading = true
    try {
      // Balances and channels change only with a block, and most events (paid calls) mine none:
      // read them again only for a new block or agents and channels not read yet.
      const block = await client.getBlockNumber({ cacheTime: 0 })
      const seen = `${hub.agents().length}/${hub.channels().length}`
      if (block === lastBlock && seen === lastSeen) return
      lastBlock = block
      lastSeen = seen
      const view = await readChain(client, contracts, {
        agents: hub.agents(),
        channels: hub.channels(),
      })
      hub.replace('chain', { kind: 'chain', view })
      const listings = await listDirectory(index, {
        client,
        providerStake: contracts.providerStake,
      })
      hub.replace('directory', { kind: 'directory', listings })
      if (parameters.discover !== false)
        for (const listing of listings) {
          hub.watch(listing.creator)
          const origin = listing.endpoint ? new URL(listing.endpoint).origin : undefined
          if (!origin || streaming.has(origin) || streaming.has(listing.creator.toLowerCase()))
            continue
          add({ url: origin, ...(parameters.token ? { token: parameters.token } : {}) })
        }
    } catch (error) {
      hub.problem(`reading the chain: ${(error as Error).message.split('\n')[0]}`)
    } finally {
      reading = false
    }
  }
  const timer = setInterval(() => void refresh(), parameters.refreshMs ?? 500)
  timer.unref()
  void refresh()

  const server = createServer((request, response) => route(request, response))
  const route = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://ui').pathname
    if (request.method !== 'GET') return void response.writeHead(405).end()
    if (path === '/api/stream') return hub.attach(response)
    if (path === '/api/status') {
      response.writeHead(200, { 'content-type': 'application/json' })
      return void response.end(
        JSON.stringify({ viewers: hub.viewers(), agents: hub.agents().length }),
      )
    }
    const file = normalize(path === '/' ? 'index.html' : path.slice(1))
    if (file.startsWith('..')) return void response.writeHead(404).end()
    try {
      const body = readFileSync(join(appDir, file))
      response.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      })
      response.end(body)
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`Not found: ${path}\n`)
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(parameters.port ?? 0, parameters.host ?? '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  const host = parameters.host ?? '127.0.0.1'
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    add,
    watch: (address) => hub.watch(address),
    viewers: () => hub.viewers(),
    async close() {
      clearInterval(timer)
      for (const close of closers) close()
      hub.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      index.close()
      rmSync(store, { recursive: true, force: true })
    },
  }
}
