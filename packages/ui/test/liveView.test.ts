import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Agent, type CreateAgentParameters, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi, paymentChannelsAbi } from '@gotong/contracts'
import { consumerMachine } from '@gotong/negotiation'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { startUi, type UiServer } from '../src/index.js'
import { launchChromium } from './browser.js'

/** Screenshots go here: test artifacts, not committed. */
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url))

const wordCount = defineTool({
  name: 'word-count',
  description: 'Counts the words of a text.',
  tags: ['word-count'],
  input: z.object({ text: z.string().max(1_000) }),
  output: z.object({ words: z.number().int() }),
  handler: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
})

let devnet: Devnet
let dir: string
let cheap: Agent
let dear: Agent
let consumer: Agent
let ui: UiServer
let page: Page
let closeBrowser: () => Promise<void>
let unknownSource: Server
const agents: Agent[] = []

const agent = async (index: number, name: string) => {
  const made = await createAgent({
    account: devnet.accounts[index]!.privateKey,
    network: devnet as CreateAgentParameters['network'],
    store: join(dir, name),
    name,
    durability: 'process',
  })
  agents.push(made)
  return made
}

// One devnet, two providers, a consumer, the view and a browser for the whole file.
beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true })
  dir = mkdtempSync(join(tmpdir(), 'gotong-ui-test-'))
  devnet = await startDevnet({ accounts: 4 })
  cheap = await agent(1, 'cheap-words')
  dear = await agent(2, 'dear-words')
  await cheap.serve(wordCount, { price: '0.001', sla: { p95LatencyMs: 500, callsPerMinute: 600 } })
  await dear.serve(wordCount, { price: '0.003', sla: { p95LatencyMs: 100, callsPerMinute: 600 } })
  consumer = await agent(3, 'consumer')
  ui = await startUi({
    network: devnet as CreateAgentParameters['network'],
    // The consumer and one provider in this process; the other provider over HTTP, as a
    // provider in its own process is read (`swarm --processes`).
    sources: [
      { events: consumer.events, address: consumer.address, name: 'consumer' },
      { events: cheap.events, address: cheap.address, name: 'cheap-words' },
      { url: dear.url!, name: 'dear-words' },
    ],
    refreshMs: 200,
  })
  const browser = await launchChromium()
  closeBrowser = browser.close
  page = await browser.browser.newPage({ viewport: { width: 1280, height: 1800 } })
  await page.goto(ui.url)
  await page.getByTestId('connection').getByText('live').waitFor()
  const relationship = await consumer.negotiate('word-count')
  for (const text of ['many hands', 'make light work', 'gotong royong'])
    await consumer.call(relationship.toolId, { text })
})

afterAll(async () => {
  await closeBrowser?.()
  await ui?.close()
  for (const a of agents) await a.stop()
  unknownSource?.close()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const balanceOf = (who: string) =>
  devnet.publicClient.readContract({
    address: devnet.deployments!.contracts.gotongToken,
    abi: gotongTokenAbi,
    functionName: 'balanceOf',
    args: [who as `0x${string}`],
  })

describe('the live view in a browser', () => {
  test('the agents and their channel appear', async () => {
    for (const a of [consumer, cheap, dear])
      await page.locator(`[data-testid=agent][data-address="${a.address.toLowerCase()}"]`).waitFor()
    const channelId = consumer.ledger().paid[0]!.channelId
    const channel = page.locator(`[data-testid=channel][data-channel="${channelId}"]`)
    await channel.waitFor()
    // Three calls at 0.001 gUSD paid through it, its deposit as the chain holds it.
    await expect.poll(() => channel.getAttribute('data-paid')).toBe('3000')
    const onChain = await devnet.publicClient.readContract({
      address: devnet.deployments!.contracts.paymentChannels,
      abi: paymentChannelsAbi,
      functionName: 'getChannel',
      args: [channelId],
    })
    await expect.poll(() => channel.getAttribute('data-deposit')).toBe(onChain.deposit.toString())
    await page.screenshot({ path: join(artifacts, 'agents.png'), fullPage: true })
  })

  test('a negotiation shows the offers side by side, and why the losing one lost', async () => {
    const lost = page.locator('[data-testid=offer][data-outcome=lost]')
    await lost.waitFor()
    await expect
      .poll(() => lost.getByTestId('offer-reason').textContent())
      .toBe('outranked: 0.003 gUSD per call against 0.001 gUSD')
    expect(await page.locator('[data-testid=offer][data-outcome=won]').count()).toBe(1)
  })

  test('the state diagram, drawn from the machine, lights the current state', async () => {
    // Every state of the consumer machine's definition is drawn, nested ones included.
    const leaves = (states: Record<string, { states?: object }>, prefix = ''): string[] =>
      Object.entries(states).flatMap(([key, node]) =>
        node.states
          ? leaves(node.states as Record<string, { states?: object }>, `${prefix}${key}.`)
          : [`${prefix}${key}`],
      )
    const defined = leaves(consumerMachine.config.states as Record<string, { states?: object }>)
    const drawn = page.getByTestId('machine-state')
    await expect
      .poll(async () =>
        (await drawn.evaluateAll((n) => n.map((e) => e.getAttribute('data-state')))).sort(),
      )
      .toEqual(defined.sort())
    const current = page.locator('[data-testid=machine-state][data-current=true]')
    await expect.poll(() => current.getAttribute('data-state')).toBe('active')
    expect(await page.locator('[data-state="negotiating.signing"].visited').count()).toBe(1)
  })

  test('a paid call appears within a second of its receipt', async () => {
    // A call made now, while the page watches: the receipt's time (the event's) against the
    // moment its row entered the page, both on the page's wall clock.
    const before = await page.getByTestId('call').count()
    await consumer.call((await consumer.negotiate('word-count')).toolId, { text: 'one more' })
    await expect.poll(() => page.getByTestId('call').count()).toBe(before + 1)
    const row = page.locator('[data-testid=call][data-kind=paid]').first()
    const at = Number(await row.getAttribute('data-at'))
    const renderedAt = Number(await row.getAttribute('data-rendered-at'))
    const delay = renderedAt - at
    console.log(`event-to-render delay of a paid call: ${delay.toFixed(1)} ms`)
    expect(delay).toBeGreaterThanOrEqual(0)
    expect(delay).toBeLessThan(1_000)
    expect(await row.getAttribute('data-verified')).toBe('true')
    await page.screenshot({ path: join(artifacts, 'calls.png'), fullPage: true })
  })

  test('balances match the chain', async () => {
    for (const a of [consumer, cheap, dear]) {
      const node = page.locator(`[data-testid=agent][data-address="${a.address.toLowerCase()}"]`)
      const expected = (await balanceOf(a.address)).toString()
      await expect.poll(() => node.getAttribute('data-balance')).toBe(expected)
    }
  })

  test('stake matches the chain, on the agent and on its listing', async () => {
    await cheap.stake('5')
    // Staking sends no agent event: the view sees it at its next quiet read of the chain (every
    // tenth refresh, 5 s by default).
    const quietRead = { timeout: 15_000 }
    const node = page.locator(`[data-testid=agent][data-address="${cheap.address.toLowerCase()}"]`)
    await expect.poll(() => node.getAttribute('data-stake'), quietRead).toBe('5000000')
    const stakes = () =>
      page
        .getByTestId('listing-stake')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-stake')).sort())
    await expect.poll(stakes, quietRead).toEqual(['0', '5000000'])
  })

  test('an event of an unknown version is shown, and the view goes on', async () => {
    unknownSource = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' })
      response.write(
        `id: x-0\ndata: ${JSON.stringify({ v: 2, seq: 0, at: Date.now(), agent: '0x00000000000000000000000000000000000000aa', type: 'call.paid', price: { amount: '1', unit: 'gUSD' } })}\n\n`,
      )
    }).listen(0, '127.0.0.1')
    await new Promise((r) => unknownSource.once('listening', r))
    const { port } = unknownSource.address() as AddressInfo
    ui.add({ url: `http://127.0.0.1:${port}`, name: 'from the future' })
    const notes = page.getByTestId('unknown-events')
    await expect.poll(() => notes.textContent()).toContain('unknown event (v2) call.paid')
    // The rest still renders and updates.
    expect(await page.getByTestId('agent').count()).toBeGreaterThanOrEqual(3)
    expect(await page.getByTestId('listing').count()).toBe(2)
    await page.screenshot({ path: join(artifacts, 'unknown-version.png'), fullPage: true })
  })
})
