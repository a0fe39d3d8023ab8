// A LangChain agent that finds tools in the directory and pays for them as it uses them.
// With OPENAI_API_KEY (or OPENAI_BASE_URL) set it plans with that model; otherwise it runs
// LangChain's scripted fake model, and says so.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool } from '@gotong/agent'
import { startDevnet } from '@gotong/chain/node'
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
  const toolName = `celsius-to-fahrenheit_${toolId}`
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
    console.log(output)
    assert.ok(toolCalls >= 1)
    assert.equal(assistant.ledger().paid[0]?.status, 'served')
    if (!live) assert.equal(output, '30 °C is 86 °F.')
  } finally {
    await assistant.stop()
  }
} finally {
  await provider.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
