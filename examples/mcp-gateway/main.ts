// Any MCP host can pay for gotong tools: the MCP SDK's own client launches `gotong mcp` over
// stdio, as Claude Desktop or an IDE would, and makes a paid call within a session budget.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createAgent, defineTool } from '@gotong/agent'
import { startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { contentHash, formatAmount, gotongDomain, receiptTypes } from '@gotong/core'
import { SignedReceipt } from '@gotong/payments'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { isAddressEqual, recoverTypedDataAddress } from 'viem'
import { z } from 'zod'

// The CLI from its sources, as this example runs; tsx by URL, so it loads from the temp folder.
const cli = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url))
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

const dir = mkdtempSync(join(tmpdir(), 'gotong-example-mcp-'))
const deploymentsFile = join(dir, 'deployments.json')
const devnet = await startDevnet({ accounts: 3, deploymentsFile })
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }
const { gotongToken, paymentChannels } = network.deployments.contracts
const balance = (who: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: gotongToken,
    abi: gotongTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  })

// A provider agent serving a priced tool, as in publish-and-call.
const slugify = defineTool({
  name: 'slugify',
  description: 'Turns a title into a URL slug.',
  tags: ['text'],
  input: z.object({ title: z.string().max(500) }),
  output: z.object({ slug: z.string() }),
  handler: ({ title }) => ({
    slug: title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, ''),
  }),
})
const provider = await createAgent({
  account: devnet.accounts[1]!.privateKey,
  network,
  store: join(dir, 'provider'),
})
const client = new Client({ name: 'example-host', version: '1.0.0' })
let log = ''
try {
  const { toolId } = await provider.serve(slugify, { price: '0.005' })
  const before = await balance(provider.address)

  // The host launches `gotong mcp` with the consumer's key and the operator's limits: at most
  // 0.01 gUSD this session, and the slugify tool also served under its own name.
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--conditions=source',
      '--import',
      tsx,
      cli,
      'mcp',
      '--session-budget',
      '0.01',
      '--expose',
      `${toolId}`,
    ],
    cwd: dir,
    env: {
      ...(process.env as Record<string, string>),
      GOTONG_RPC_URL: devnet.rpcUrl,
      GOTONG_DEPLOYMENTS: deploymentsFile,
      GOTONG_PRIVATE_KEY: devnet.accounts[2]!.privateKey,
    },
    stderr: 'pipe', // its log, shown if anything fails
  })
  transport.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString()
  })
  await client.connect(transport)
  const names = (await client.listTools()).tools.map((t) => t.name).sort()
  console.log(`gotong mcp serves ${names.join(', ')}`)
  const name = `slugify_${toolId}`
  assert.deepEqual(names, ['gotong_budget', 'gotong_call', 'gotong_search', name])

  // One paid call, made by the host like any MCP tool call.
  const call = await client.callTool({ name, arguments: { title: 'Many Hands, Light Work!' } })
  assert.notEqual(call.isError, true, JSON.stringify(call.content))
  const output = call.structuredContent
  assert.deepEqual(output, { slug: 'many-hands-light-work' })

  // The provider's signed receipt rides in _meta: it answers this output, for this amount, and
  // the provider signed it (checked with viem alone).
  const signed = SignedReceipt.parse(call._meta?.['dev.gotong/receipt'])
  const { receipt } = signed
  assert.equal(receipt.responseHash, contentHash(output))
  assert.equal(receipt.calls, 1n)
  assert.equal(receipt.cumulativeAmount, 5_000n)
  const signer = await recoverTypedDataAddress({
    domain: gotongDomain({ chainId: devnet.chainId, verifyingContract: paymentChannels }),
    types: receiptTypes,
    primaryType: 'Receipt',
    message: receipt,
    signature: signed.signature,
  })
  assert.ok(isAddressEqual(signer, provider.address))
  console.log(
    `${name} → ${JSON.stringify(output)}, receipt for ${formatAmount(receipt.cumulativeAmount, 6)} gUSD signed by the provider`,
  )

  const budget = await client.callTool({ name: 'gotong_budget', arguments: {} })
  const { session } = budget.structuredContent as { session: { spent: string; left: string } }
  assert.deepEqual(session, { spent: '0.005', left: '0.005' })
  console.log(`session budget: ${session.spent} gUSD spent, ${session.left} gUSD left`)

  // The provider cashes the voucher: its balance on chain grows by exactly the price.
  const claim = await provider.settler.claim(receipt.channelId)
  const earned = (await balance(provider.address)) - before
  console.log(`provider claimed ${formatAmount(earned, 6)} gUSD in ${claim?.hash}`)
  assert.equal(earned, 5_000n)
} catch (error) {
  process.stderr.write(`gotong mcp said:\n${log}`)
  throw error
} finally {
  await client.close().catch(() => undefined)
  await provider.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
