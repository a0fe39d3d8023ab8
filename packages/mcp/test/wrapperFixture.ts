import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CreateAgentParameters, createAgent } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { type Address, erc20Abi } from 'viem'
import type { WrappedMcpServer } from '../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))

/** The real third-party MCP server, spawned over stdio. */
export const everythingServer = {
  command: process.execPath,
  args: [
    join(here, '../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js'),
    'stdio',
  ],
  stderr: 'ignore',
} as const

/** An MCP server that lists one tool per page. */
export const pagedServer = join(here, 'wrapperPagedServer.mjs')

/** This folder's small MCP server, whose `greet` changes when its definition file does. */
export function testServer(dir: string, definition: { description: string; formal?: boolean }) {
  const files = { definition: join(dir, 'greet.json'), marker: join(dir, 'hang.started') }
  writeFileSync(files.definition, JSON.stringify(definition))
  return {
    files,
    /** Writes a new definition; the server reads it on SIGHUP or when it starts again. */
    define(next: { description: string; formal?: boolean }) {
      writeFileSync(files.definition, JSON.stringify(next))
    },
    source: {
      command: process.execPath,
      args: [join(here, 'wrapperTestServer.mjs')],
      env: { WRAPPER_TEST_DEFINITION: files.definition, WRAPPER_TEST_MARKER: files.marker },
      stderr: 'ignore',
    } as const,
  }
}

/** True while a process with this id runs. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A devnet, a temp folder, agents on it and wrapped servers: all stopped with it. */
export async function setup(options: { accounts?: number } = {}) {
  const devnet: Devnet = await startDevnet({ accounts: options.accounts ?? 8 })
  const dir = mkdtempSync(join(tmpdir(), 'gotong-mcp-wrapper-'))
  const agents: Awaited<ReturnType<typeof createAgent>>[] = []
  const wrappers: WrappedMcpServer[] = []
  const pids = new Set<number>()
  let n = 0
  return {
    devnet,
    dir,
    /** A fresh folder under the temp folder. */
    folder: () => mkdtempSync(join(dir, 'server-')),
    async agent(index: number, extra: Partial<CreateAgentParameters> = {}) {
      const agent = await createAgent({
        account: devnet.accounts[index]!.privateKey,
        network: devnet as CreateAgentParameters['network'],
        store: join(dir, `agent-${index}-${n++}`),
        onWarning: () => {},
        ...extra,
      })
      agents.push(agent)
      return agent
    },
    /** Keeps a wrapper (and its child's ids) to close and check at the end. */
    track<T extends WrappedMcpServer>(wrapper: T): T {
      wrappers.push(wrapper)
      if (wrapper.pid) pids.add(wrapper.pid)
      return wrapper
    },
    pids,
    balance: (who: Address) =>
      devnet.publicClient.readContract({
        address: devnet.deployments!.contracts.gotongToken,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [who],
      }),
    async stop() {
      for (const wrapper of wrappers) {
        if (wrapper.pid) pids.add(wrapper.pid)
        await wrapper.close()
      }
      for (const agent of agents) await agent.stop()
      await devnet.stop()
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type Setup = Awaited<ReturnType<typeof setup>>

/** Records events; `when` resolves with the first one from `since` on (seen or to come) that matches. */
export function recorder<T>() {
  const seen: T[] = []
  let waiting: { match: (event: T) => boolean; resolve: (event: T) => void }[] = []
  return {
    seen,
    push(event: T) {
      seen.push(event)
      const ready = waiting.filter((w) => w.match(event))
      waiting = waiting.filter((w) => !w.match(event))
      for (const w of ready) w.resolve(event)
    },
    when(match: (event: T) => boolean, since = 0): Promise<T> {
      const found = seen.slice(since).find(match)
      return found
        ? Promise.resolve(found)
        : new Promise((resolve) => waiting.push({ match, resolve }))
    },
  }
}
