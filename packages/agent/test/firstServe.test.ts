import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { defineTool } from '../src/index.js'
import { type Setup, setup, wordStats } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 3 })
})
afterAll(async () => {
  await t?.stop()
})

describe("a provider's first serve", () => {
  test('publishes without opening its directory index; a restart on a new store reuses the listing', async () => {
    const store = join(t.dir, 'first-serve')
    const provider = await t.agent(1, { store })
    const tool = defineTool({ ...wordStats, name: 'word-stats-first' })
    const served = await provider.serve(tool, { price: 1_000n })
    // Nothing of this account was listed before, so no index of every tool was built to find it.
    expect(existsSync(join(store, 'directory.sqlite'))).toBe(false)
    const consumer = await t.agent(2)
    expect((await consumer.call(served.toolId, { text: 'a b' })).output).toMatchObject({ words: 2 })
    await provider.stop()

    // A new process with a new store: the account has a listing, found in the index and reused.
    const again = await t.agent(1, { store: join(t.dir, 'first-serve-again') })
    const reserved = await again.serve(tool, { price: 1_000n })
    expect(reserved.toolId).toBe(served.toolId)
  })
})
