import { contentHash } from '@gotong/core'
import { getTool } from '@gotong/directory'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { defineTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 5 })
})
afterAll(async () => {
  await t?.stop()
})

const snapshot = { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' } as const
const newer = { ...snapshot, version: '2025-04-14', digest: 'openai-fp:fp_6c2f6f6e2b' } as const

describe('a provider changes the model behind its tool', () => {
  test('the pinned consumer is refused with TOOL_CHANGED naming the model; a new consumer and the re-approved one proceed', async () => {
    const provider = await t.agent(1)
    const served = await provider.serve(
      defineTool({ ...wordStats, name: 'word-stats-model', model: snapshot }),
      { price: 1_000n },
    )
    const pinned = await t.agent(2, { toolCheckTtlMs: 0 })
    expect(await pinned.approve(served.toolId)).toBe(served.manifestHash)
    expect((await pinned.call(served.toolId, { text: 'a b' })).output).toMatchObject({ words: 2 })

    const updated = await served.update({ model: newer })
    // On chain: version 2, whose manifest names the new model, and nothing else changed.
    const address = t.devnet.deployments!.contracts.toolDirectory
    const onChain = await getTool(t.devnet.publicClient, { address, toolId: served.toolId })
    expect([onChain.version, onChain.manifestHash]).toEqual([2n, updated])
    await pinned.index.sync()
    const listing = await pinned.index.getListing(served.toolId)
    expect(listing?.manifest?.['dev.gotong.model']).toEqual(newer)
    expect(listing?.versions.map((v) => v.manifest && contentHash(v.manifest))).toEqual([
      served.manifestHash,
      updated,
    ])

    const error = await pinned.call(served.toolId, { text: 'a b c' }).catch((e) => e)
    expect(error.code).toBe('TOOL_CHANGED')
    expect(error.data).toEqual({
      approved: served.manifestHash,
      current: updated,
      changed: ['model'],
      model: { before: snapshot, after: newer },
    })
    expect(error.shortMessage).toBe(
      `Tool ${served.toolId} changed on chain (now version 2) since it was approved (model openai/gpt-4o-mini@2024-07-18 → openai/gpt-4o-mini@2025-04-14 (openai-fp:fp_6c2f6f6e2b)); approve it again to use it.`,
    )
    // The refused call was not paid for: one voucher, the first call's.
    expect(pinned.ledger().paid).toHaveLength(1)
    expect(provider.ledger().earned).toHaveLength(1)

    // A consumer that approved nothing before takes the tool as it is now.
    const fresh = await t.agent(3)
    expect((await fresh.call(served.toolId, { text: 'x y z' })).output).toMatchObject({ words: 3 })

    // Approving the new version lets the pinned consumer call again, on its old channel.
    expect(await pinned.approve(served.toolId)).toBe(updated)
    expect((await pinned.call(served.toolId, { text: 'a b c' })).output).toMatchObject({
      words: 3,
    })
    expect(pinned.ledger().paid).toHaveLength(2)
  })

  test('a consumer pinned across restarts is refused the same way, from the pin alone', async () => {
    const provider = await t.agent(1)
    const served = await provider.serve(
      defineTool({ ...wordStats, name: 'word-stats-model-pin', model: snapshot }),
      { price: 1_000n },
    )
    const pin = served.manifestHash
    const updated = await served.update({ model: newer, description: 'Counts words, anew.' })
    const later = await t.agent(4, { toolCheckTtlMs: 0 }) // a new process: only the pin is known
    expect(await later.approve(served.toolId, pin)).toBe(pin)
    const error = await later.call(served.toolId, { text: 'a b' }).catch((e) => e)
    expect(error.code).toBe('TOOL_CHANGED')
    expect(error.data).toMatchObject({
      approved: pin,
      current: updated,
      changed: ['description', 'model'],
      model: { before: snapshot, after: newer },
    })
    expect(later.ledger().paid).toEqual([])
  })
})
