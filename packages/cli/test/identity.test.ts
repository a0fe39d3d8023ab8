import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { gotong, json, type Where } from './gotong.js'

let devnet: Devnet
let dir: string
let where: Where

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-identity-'))
  devnet = await startDevnet({ accounts: 4, deploymentsFile: join(dir, 'deployments.json') })
  where = {
    cwd: dir,
    env: { GOTONG_RPC_URL: devnet.rpcUrl, GOTONG_DEPLOYMENTS: join(dir, 'deployments.json') },
  }
}, 60_000)
afterAll(async () => {
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

type Identity = {
  agentId: string
  agentRegistry: string
  owner: string
  wallet: string
  agentURI: string
  registration: { name: string; services: { name: string; endpoint: string }[]; active: boolean }
}

describe('gotong agent register / show, gotong reputation', () => {
  test('register prints the agent id, and again keeps it; show reads the registry and the file', async () => {
    const key = devnet.accounts[1]!.privateKey
    const register = () =>
      gotong(
        where,
        ...['agent', 'register', '--key', key, '--name', 'cli-agent', '--json'],
        ...['--service', 'MCP=https://mcp.example/mcp'],
      )
    const first = json<Identity>(await register())
    expect(first).toMatchObject({
      owner: devnet.accounts[1]!.address,
      wallet: devnet.accounts[1]!.address,
      registration: { name: 'cli-agent', active: false },
    })
    expect(first.agentURI).toMatch(/^data:application\/json;base64,/)
    expect(first.registration.services.map((s) => s.name)).toEqual(['agentWallet', 'MCP'])
    expect(json<Identity>(await register()).agentId).toBe(first.agentId)

    const shown = await gotong(where, 'agent', 'show', first.agentId)
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain(`agent ${first.agentId}: cli-agent`)
    expect(shown.stdout).toContain(`owner     ${devnet.accounts[1]!.address}`)
    expect(shown.stdout).toMatch(/service {3}MCP {8}https:\/\/mcp\.example\/mcp/)
    // By address: the agents it owns or is the wallet of.
    const byAddress = json<{ agents: { agentId: string }[] }>(
      await gotong(where, 'agent', 'show', devnet.accounts[1]!.address, '--json'),
    )
    expect(byAddress.agents.map((a) => a.agentId)).toEqual([first.agentId])

    const missing = await gotong(where, 'agent', 'show', '999')
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('AGENT_NOT_FOUND')
    const nobody = await gotong(where, 'agent', 'register')
    expect(nobody.code).not.toBe(0)
    expect(nobody.stderr).toContain('PRIVATE_KEY_REQUIRED')
  }, 60_000)

  test('reputation counts the paid feedback given through the gateway, weighted by payment', async () => {
    const network = {
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      deployments: devnet.deployments!,
    }
    const provider = await createAgent({
      account: devnet.accounts[2]!.privateKey,
      network,
      name: 'echo-provider',
      store: join(dir, 'provider'),
    })
    const consumer = await createAgent({
      account: devnet.accounts[3]!.privateKey,
      network,
      store: join(dir, 'consumer'),
    })
    try {
      const echo = defineTool({
        name: 'echo',
        description: 'Answers with its input.',
        input: z.object({ text: z.string() }),
        output: z.object({ text: z.string() }),
        handler: ({ text }) => ({ text }),
      })
      const served = await provider.serve(echo, { price: '0.002' })
      const before = await gotong(where, 'reputation', provider.address)
      expect(before.stdout).toContain('no paid feedback yet')
      for (const text of ['a', 'b', 'c']) await consumer.call(served.toolId, { text })
      const [given] = await consumer.giveFeedback({ value: 90 })
      expect(given).toMatchObject({ given: true, amount: 6_000n })
      const agentId = provider.identity!.agentId.toString()
      const read = json<{
        agents: {
          agentId: string
          name: string
          summary: { count: string; value: string; decimals: number }
          paid: { count: string; amount: string; value: string }
        }[]
      }>(await gotong(where, 'reputation', agentId, '--json'))
      expect(read.agents).toEqual([
        expect.objectContaining({
          agentId,
          name: 'echo-provider',
          summary: { count: '1', value: '90', decimals: 0 },
          paid: { count: '1', amount: '6000', value: '90', decimals: 0 },
        }),
      ])
      const text = await gotong(
        where,
        'reputation',
        provider.address,
        '--tool',
        served.toolId.toString(),
      )
      expect(text.stdout).toContain(`1 paid feedback for tool ${served.toolId}: average 90`)
      expect(text.stdout).toContain('weighted by payment: average 90 over 0.006 gUSD paid')
      const otherTool = await gotong(where, 'reputation', agentId, '--tool', '999')
      expect(otherTool.stdout).toContain('no paid feedback for tool 999 yet')
    } finally {
      await consumer.stop()
      await provider.stop()
    }
  }, 90_000)
})
