import { accessPassAbi } from '@gotong/contracts'
import { createBudget } from '@gotong/payments'
import type { Address, Hash } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { codeOf, countingTool, type Setup, setup, until } from './fixture.js'

let t: Setup
beforeAll(async () => {
  t = await setup({ accounts: 8 })
})
afterAll(async () => {
  await t?.stop()
})

const price = 1_000n
const passId = 1n

const rpc = (method: string, params: unknown[] = []) =>
  t.testClient.request({ method, params } as never) as Promise<unknown>

async function mined(hash: Hash) {
  const receipt = await t.devnet.publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return receipt
}

/** The pass owner (account 0) mints a pass to `to`: an airdrop, nobody asked `to`. */
async function mint(to: Address) {
  return mined(
    await t.wallet(0).writeContract({
      address: t.contracts.accessPass,
      abi: accessPassAbi,
      functionName: 'mint',
      args: [to, passId, 1n, '0x'],
    }),
  )
}

/** Account `from` sends its pass to `to`; gas given, so it can be sent before it would succeed. */
function transfer(from: number, to: Address) {
  return t.wallet(from).writeContract({
    address: t.contracts.accessPass,
    abi: accessPassAbi,
    functionName: 'safeTransferFrom',
    args: [t.address(from), to, passId, 1n, '0x'],
    gas: 200_000n,
  })
}

/** A provider serving a tool gated by the access pass, re-checking the gate on every call. */
async function gated(name: string, toolPrice = price) {
  const provider = await t.agent(1, { gate: { ttlMs: 0 } })
  const counted = countingTool(name)
  const served = await provider.serve(counted.tool, {
    price: toolPrice,
    gate: { erc1155: t.contracts.accessPass, id: passId },
  })
  return { provider, counted, served }
}

describe('token gates', () => {
  test('a pass borrowed and returned within one block never opens the gate, not while pending, not after', async () => {
    const { counted, served } = await gated('flash')
    const lender = 3
    await mint(t.address(lender))
    const borrower = await t.agent(2)
    // Refused before anything is negotiated or deposited.
    expect(await codeOf(borrower.call(served.toolId, { text: 'no pass' }))).toBe('GATE_DENIED')
    await rpc('evm_setAutomine', [false])
    let lend: Hash
    let giveBack: Hash
    try {
      lend = await transfer(lender, borrower.address)
      giveBack = await transfer(2, t.address(lender))
      await until(
        async () => Number(((await rpc('txpool_status')) as { pending: string }).pending) === 2,
      )
      // The loan sits in the mempool: the gate reads mined state only.
      expect(await codeOf(borrower.call(served.toolId, { text: 'pending' }))).toBe('GATE_DENIED')
      await rpc('evm_mine')
    } finally {
      await rpc('evm_setAutomine', [true])
    }
    const [lent, returned] = await Promise.all([mined(lend), mined(giveBack)])
    // Both in one block: the borrower held the pass between the two transactions.
    expect(lent.blockNumber).toBe(returned.blockNumber)
    expect(lent.transactionIndex).toBeLessThan(returned.transactionIndex)
    expect(await codeOf(borrower.call(served.toolId, { text: 'same block' }))).toBe('GATE_DENIED')
    await t.testClient.mine({ blocks: 2 })
    expect(await codeOf(borrower.call(served.toolId, { text: 'after' }))).toBe('GATE_DENIED')
    expect(counted.runs()).toBe(0)
    expect(borrower.ledger().paid.filter((v) => v.status !== 'failed')).toEqual([])
  })

  test('a pass transferred away mid-session stops working one block later', async () => {
    const { counted, served } = await gated('mid-session')
    const holder = await t.agent(4)
    await mint(holder.address)
    await t.testClient.mine({ blocks: 1 }) // one confirmation
    expect(await codeOf(holder.call(served.toolId, { text: 'with pass' }))).toBe('ok')
    await mined(await transfer(4, t.address(5)))
    await t.testClient.mine({ blocks: 1 })
    expect(await codeOf(holder.call(served.toolId, { text: 'pass gone' }))).toBe('GATE_DENIED')
    expect(counted.runs()).toBe(1)
  })

  test('a pass airdropped to an agent opens gates but never widens its spending: the budget still binds', async () => {
    const cheap = await gated('airdrop-cheap')
    const pricey = await gated('airdrop-pricey', 5n * price)
    const budget = createBudget('airdropped', { max: 8n * price })
    const agent = await t.agent(6, { budget })
    expect(await codeOf(agent.call(pricey.served.toolId, { text: 'before' }))).toBe('GATE_DENIED')
    await mint(agent.address)
    await t.testClient.mine({ blocks: 1 })
    const outcomes = [await codeOf(agent.call(pricey.served.toolId, { text: 'pricey' }))]
    for (let i = 0; i < 5; i++)
      outcomes.push(await codeOf(agent.call(cheap.served.toolId, { text: `cheap ${i}` })))
    outcomes.push(await codeOf(agent.call(pricey.served.toolId, { text: 'pricey again' })))
    expect(outcomes).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'BUDGET_EXCEEDED',
      'BUDGET_EXCEEDED',
      'BUDGET_EXCEEDED',
    ])
    expect(budget.spent()).toBe(8n * price)
    expect(cheap.counted.runs() + pricey.counted.runs()).toBe(4)
    // The providers can claim exactly what the budget allowed.
    let claimed = 0n
    for (const { provider } of [cheap, pricey])
      for (const v of provider.ledger().earned)
        claimed += (await provider.settler.claim(v.channelId))?.amount ?? 0n
    expect(claimed).toBe(8n * price)
  })
})
