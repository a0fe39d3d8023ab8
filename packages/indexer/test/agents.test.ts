import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { z } from 'zod'
import { createTestDatabase } from '../../../test/support/postgres.js'
import { type Indexer, startIndexer } from '../node/index.js'

let devnet: Devnet
let database: Awaited<ReturnType<typeof createTestDatabase>>
let indexer: Indexer
let dir: string
const agents: Awaited<ReturnType<typeof createAgent>>[] = []

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 3 })
  database = await createTestDatabase(inject('databaseUrl'))
  dir = mkdtempSync(join(tmpdir(), 'gotong-indexer-agents-'))
  indexer = await startIndexer({
    rpcUrl: devnet.rpcUrl,
    deployments: devnet.deployments!,
    databaseUrl: database.url,
    port: 0,
    pollingInterval: 100,
  })
})

afterAll(async () => {
  for (const agent of agents) await agent.stop()
  await indexer?.stop()
  await database?.drop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const shout = defineTool({
  name: 'shout',
  description: 'Turns a whisper into a shout: the text in capital letters.',
  tags: ['text'],
  input: z.object({ text: z.string().max(1_000) }),
  output: z.object({ text: z.string() }),
  handler: ({ text }) => ({ text: text.toUpperCase() }),
})

describe('agents on the shared index', () => {
  test('one option: a provider publishes, a consumer finds the tool and pays for a call', async () => {
    const agent = async (index: number) => {
      const created = await createAgent({
        account: devnet.accounts[index]!.privateKey,
        network: {
          rpcUrl: devnet.rpcUrl,
          chainId: devnet.chainId,
          deployments: devnet.deployments!,
        },
        store: join(dir, `agent-${index}`),
        index: { url: indexer.url },
      })
      agents.push(created)
      return created
    }
    const provider = await agent(1)
    const consumer = await agent(2)
    const served = await provider.serve(shout, { price: '0.002' })
    const [tool] = await consumer.toolkit({ query: 'whisper shout' })
    expect(tool?.name).toBe(`shout_${served.toolId}`)
    const result = await consumer.call(served.toolId, { text: 'hello' })
    expect(result.output).toEqual({ text: 'HELLO' })
    expect(consumer.index.store).toBe(indexer.url)
    // Neither agent indexed the directory itself.
    for (const index of [1, 2])
      expect(readdirSync(join(dir, `agent-${index}`))).not.toContain('directory.sqlite')
    expect(existsSync(join(dir, 'agent-2'))).toBe(true)
  })
})
