// x402 both ways on one devnet: (a) a plain x402 client (x402's fetch wrapper and exact EVM
// client, no gotong code) pays a gotong tool's x402 URL; (b) a gotong agent pays an x402 server
// made of x402's packages (@x402/hono, x402's own facilitator in this process) under a budget.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAgent, defineTool } from '@gotong/agent'
import { chainFor } from '@gotong/chain'
import { startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { contentHash, formatAmount, SignedX402Receipt } from '@gotong/core'
import { isX402ReceiptSignedBy, x402RequestHash } from '@gotong/x402'
import { serve } from '@hono/node-server'
import { x402Client } from '@x402/core/client'
import { x402Facilitator } from '@x402/core/facilitator'
import { x402ResourceServer } from '@x402/core/server'
import type { SupportedResponse } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme as ExactClient } from '@x402/evm/exact/client'
import { ExactEvmScheme as ExactFacilitator } from '@x402/evm/exact/facilitator'
import { ExactEvmScheme as ExactServer } from '@x402/evm/exact/server'
import { decodePaymentResponseHeader, wrapFetchWithPayment } from '@x402/fetch'
import { paymentMiddleware } from '@x402/hono'
import { Hono } from 'hono'
import { type Address, createWalletClient, http, publicActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'

const devnet = await startDevnet({ accounts: 6 })
const dir = mkdtempSync(join(tmpdir(), 'gotong-example-x402-'))
const network = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! }
const { gotongToken: gUSD, paymentChannels } = network.deployments.contracts
const caip2 = `eip155:${devnet.chainId}` as const
const [, providerKey, buyerKey, consumerKey, sellerKey, facilitatorKey] = devnet.accounts.map(
  (a) => a.privateKey,
)
const balance = (who: Address) =>
  devnet.publicClient.readContract({
    address: gUSD,
    abi: gotongTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  })
const gusd = (amount: bigint) => `${formatAmount(amount, 6)} gUSD`

const reverse = defineTool({
  name: 'reverse-text',
  description: 'Reverses a text, character by character.',
  input: z.object({ text: z.string().max(1_000) }),
  output: z.object({ reversed: z.string() }),
  handler: ({ text }) => ({ reversed: [...text].reverse().join('') }),
})
const provider = await createAgent({ account: providerKey!, network, store: join(dir, 'p') })
const consumer = await createAgent({
  account: consumerKey!,
  network,
  store: join(dir, 'c'),
  budget: '1', // everything this agent pays, on any rail
})
let seller: ReturnType<typeof serve> | undefined
try {
  // (a) A gotong tool, priced 0.002 gUSD: it also answers x402 at served.x402Url.
  const served = await provider.serve(reverse, { price: '0.002' })
  console.log(`(a) gotong tool ${served.ref}, x402 face at ${served.x402Url}`)

  // An x402 client as any x402 buyer writes it: x402's exact EVM scheme for this chain, gUSD
  // allowed by its spend controls (x402 pays only assets it knows unless told), x402's fetch.
  const buyer = privateKeyToAccount(buyerKey!)
  const client = x402Client.fromConfig({
    schemes: [{ network: caip2, client: new ExactClient(buyer) }],
    spendControls: {
      allowedAssets: [{ network: caip2, asset: gUSD, maxAmountPerPayment: '2000' }],
    },
  })
  const pay = wrapFetchWithPayment(fetch, client)
  const beforeA = [await balance(buyer.address), await balance(provider.address)] as const
  const input = { text: 'many hands' }
  const response = await pay(served.x402Url!, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  })
  assert.equal(response.status, 200)
  const output = await response.json()
  assert.deepEqual(output, { reversed: 'sdnah ynam' })
  const settlement = decodePaymentResponseHeader(response.headers.get('PAYMENT-RESPONSE')!)
  assert.equal(settlement.success, true)

  // Exactly the price moved, from the buyer to the provider, which sent the transfer (and paid
  // its gas) as its own facilitator.
  assert.equal(await balance(buyer.address), beforeA[0] - 2_000n)
  assert.equal(await balance(provider.address), beforeA[1] + 2_000n)
  const settledA = await devnet.publicClient.getTransactionReceipt({
    hash: settlement.transaction as `0x${string}`,
  })
  assert.equal(settledA.from, provider.address.toLowerCase())
  // The provider's signed receipt came in the settlement's extensions: it names this payment,
  // this request and this output, and the provider signed it under the gotong domain.
  const { receipt, signature } = SignedX402Receipt.parse(
    settlement.extensions?.['dev.gotong.receipt'],
  )
  assert.equal(receipt.payer, buyer.address)
  assert.equal(receipt.amount, 2_000n)
  assert.equal(receipt.transaction, settlement.transaction)
  assert.equal(receipt.responseHash, contentHash(output))
  const { authorizationNonce } = receipt
  assert.equal(
    receipt.requestHash,
    x402RequestHash({ tool: reverse.name, authorizationNonce, input }),
  )
  const by = {
    payee: provider.address,
    chainId: devnet.chainId,
    verifyingContract: paymentChannels,
  }
  assert.equal(isX402ReceiptSignedBy({ receipt, signature }, by), true)
  // The authorization is spent on chain, and the provider's ledger holds the settled call.
  const used = await devnet.publicClient.readContract({
    address: gUSD,
    abi: gotongTokenAbi,
    functionName: 'authorizationState',
    args: [buyer.address, authorizationNonce],
  })
  assert.equal(used, true)
  const [earned] = provider.ledger().x402.earned
  assert.equal(earned?.status, 'settled')
  assert.equal(earned?.transaction, settlement.transaction)
  console.log(`    an x402 client paid ${gusd(receipt.amount)}: ${JSON.stringify(output)}`)
  console.log(`    settled in ${settlement.transaction}, receipt signed by ${provider.address}`)

  // (b) An x402 seller made of x402's packages: @x402/hono's payment middleware, x402's resource
  // server with the exact EVM server scheme, and x402's facilitator (exact EVM facilitator
  // scheme) in this process, sending the transfers from its own account.
  const sellerAccount = privateKeyToAccount(sellerKey!)
  const facilitatorAccount = privateKeyToAccount(facilitatorKey!)
  const wallet = createWalletClient({
    account: facilitatorAccount,
    chain: chainFor(devnet.chainId, devnet.rpcUrl),
    transport: http(devnet.rpcUrl),
  }).extend(publicActions)
  const facilitator = new x402Facilitator().register(
    caip2,
    new ExactFacilitator(
      toFacilitatorEvmSigner({
        address: facilitatorAccount.address,
        readContract: (args) => wallet.readContract(args as never),
        verifyTypedData: (args) => wallet.verifyTypedData(args as never),
        writeContract: (args) => wallet.writeContract(args as never),
        sendTransaction: (args) => wallet.sendTransaction(args),
        waitForTransactionReceipt: (args) => wallet.waitForTransactionReceipt(args),
        getCode: (args) => wallet.getCode(args),
      }),
    ),
  )
  const price = { amount: '5000', asset: gUSD, extra: { name: 'Gotong USD', version: '1' } }
  const app = new Hono()
  let signed = 0 // requests that came with a payment
  app.use(async (c, next) => {
    if (c.req.header('PAYMENT-SIGNATURE')) signed++
    await next()
  })
  app.use(
    paymentMiddleware(
      {
        'POST /forecast': {
          accepts: { scheme: 'exact', network: caip2, payTo: sellerAccount.address, price },
          description: "Tomorrow's weather for a city.",
        },
      },
      new x402ResourceServer({
        verify: (payload, requirements) => facilitator.verify(payload, requirements),
        settle: (payload, requirements) => facilitator.settle(payload, requirements),
        getSupported: async () => facilitator.getSupported() as SupportedResponse,
      }).register(caip2, new ExactServer()),
    ),
  )
  app.post('/forecast', async (c) => {
    const { city } = await c.req.json()
    return c.json({ city, sky: 'sunny', celsius: 31 })
  })
  seller = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const url = `http://127.0.0.1:${(seller.address() as AddressInfo).port}/forecast`
  console.log(`(b) x402 server (@x402/hono, x402's facilitator in process) at ${url}`)

  // A gotong agent pays it as a tool, within at most 0.005 gUSD a call and 0.009 gUSD in all.
  const forecast = await consumer.x402Tool(url, {
    input: z.object({ city: z.string() }),
    output: z.object({ city: z.string(), sky: z.string(), celsius: z.number() }),
    maxPrice: '0.005',
    budget: '0.009',
    description: "Tomorrow's weather for a city.",
  })
  const beforeB = [await balance(consumer.address), await balance(sellerAccount.address)] as const
  const paid = await forecast.pay({ city: 'Jakarta' })
  assert.deepEqual(paid.output, { city: 'Jakarta', sky: 'sunny', celsius: 31 })
  assert.equal(paid.rail, 'x402')
  assert.equal(paid.payment?.status, 'settled')
  assert.equal(await balance(consumer.address), beforeB[0] - 5_000n)
  assert.equal(await balance(sellerAccount.address), beforeB[1] + 5_000n)
  const transfer = await devnet.publicClient.getTransactionReceipt({
    hash: paid.payment.transaction!,
  })
  assert.equal(transfer.status, 'success')
  assert.equal(transfer.from, facilitatorAccount.address.toLowerCase())
  const kept = consumer.ledger().x402.paid[0]!
  assert.equal(kept.transaction, paid.payment.transaction)
  console.log(`    a gotong agent paid ${gusd(kept.amount)}: ${JSON.stringify(paid.output)}`)
  console.log(`    settled in ${kept.transaction} by x402's facilitator`)

  // A second call would cross the tool's budget: refused before anything is signed or paid.
  const refused = await forecast.pay({ city: 'Bandung' }).catch((error: { code?: string }) => error)
  assert.equal((refused as { code?: string }).code, 'BUDGET_EXCEEDED')
  assert.equal(await balance(consumer.address), beforeB[0] - 5_000n)
  assert.equal(consumer.ledger().x402.paid.length, 1)
  assert.equal(signed, 1)
  console.log('    a second call (0.010 gUSD in all) refused by the budget: BUDGET_EXCEEDED')
} finally {
  await new Promise((resolve) => (seller ? seller.close(resolve) : resolve(undefined)))
  await provider.stop()
  await consumer.stop()
  await devnet.stop()
  rmSync(dir, { recursive: true, force: true })
}
