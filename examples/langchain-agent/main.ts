// A LangChain agent that finds tools in the directory and pays for them as it uses them.
// With OPENAI_API_KEY (or OPENAI_BASE_URL) set it plans with that model; otherwise it runs
// LangChain's scripted fake model (`fakeModel` from `@langchain/core/testing`), and says so.
// It checks, and prints, what a user would: the tool the model saw, the paid call and the
// provider's signed receipt for it, and that the provider's ledger holds the same call.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool, langChainToolName } from '@gotong/agent'
import { startDevnet } from '@gotong/chain/node'
import { formatAmount } from '@gotong/core'
import { AIMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { z } from 'zod'

const devnet = await startDevnet({ accounts: 3 })
const dir = mkdtempSync(join(tmpdir(), 'gotong-example-'))
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }

const convert = defineTool({
  name: 'celsius-to-fahrenheit',
  description: 'Converts a temperature from degrees Celsius to degrees Fahrenheit.',
  tags: ['conversion'],
  input: z.object({ celsius: z.number() }),
  output: z.object({ fahrenheit: z.number() }),
  handler: ({ celsius }) => ({ fahrenheit: Math.round((celsius * 9) / 5 + 32) }),
})

const provider = await createAgent({
  account: devnet.accounts[1]!.privateKey,
  network,
  store: join(dir, 'p'),
})
const live = Boolean(process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL)
try {
  const { toolId } = await provider.serve(convert, { price: '0.005' })
  // LangChain names a directory tool `<manifest name>_<tool id>` (see langChainToolName).
  const toolName = langChainToolName(convert.name, toolId)
  const llm = live
    ? undefined
    : fakeModel()
        .respondWithTools([{ name: toolName, args: { celsius: 30 }, id: 'call-1' }])
        .respond(new AIMessage('30 °C is 86 °F.'))
  const assistant = await createAgent({
    account: devnet.accounts[2]!.privateKey,
    network,
    store: join(dir, 'a'),
    ...(llm ? { llm } : {}),
  })
  console.log(
    live
      ? `model: ${assistant.modelSource}`
      : 'model: none configured, running LangChain fakeModel (scripted)',
  )
  try {
    const tools = await assistant.toolkit({ query: 'temperature' })
    assert.deepEqual(
      tools.map((t) => t.name),
      [toolName],
    )
    const { output, toolCalls } = await assistant.run('What is 30 degrees Celsius in Fahrenheit?', {
      tools,
    })
    console.log(`answer: ${output}`)
    assert.ok(toolCalls >= 1)
    const paid = assistant.ledger().paid.filter((v) => v.status === 'served')
    assert.ok(paid.length >= 1, 'the tool call the model made was paid for')
    for (const voucher of paid) {
      const receipt = voucher.receipt!
      console.log(
        `paid call ${voucher.calls} on channel ${voucher.channelId.slice(0, 10)}…: ${formatAmount(voucher.amount, 6)} gUSD, receipt signed by ${provider.address} for request ${receipt.receipt.requestHash.slice(0, 10)}…`,
      )
      assert.equal(receipt.receipt.cumulativeAmount, voucher.cumulativeAmount)
    }
    const earned = provider.ledger().earned.filter((v) => v.status === 'committed')
    assert.deepEqual(
      earned.map((v) => v.cumulativeAmount),
      paid.map((v) => v.cumulativeAmount),
    )
    // The provider cashes its vouchers in one transaction: the chain pays what the ledgers say.
    const claim = await provider.settler.claim(paid[0]!.channelId)
    assert.equal(claim?.amount, paid.at(-1)!.cumulativeAmount)
    console.log(`provider claimed ${formatAmount(claim!.amount, 6)} gUSD in ${claim!.hash}`)
    if (!live) assert.equal(output, '30 °C is 86 °F.')
  } finally {
    await assistant.stop()
  }
} finally {
  await provider.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
