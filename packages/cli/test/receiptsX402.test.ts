import { mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Agent, createAgent, defineTool } from '@gotong/agent'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { createX402Payer, x402RequestHash } from '@gotong/x402'
import { createSqliteX402Ledger } from '@gotong/x402/node'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { z } from 'zod'
import { gotong, json, type Where } from './gotong.js'

let devnet: Devnet
let dir: string
let provider: Agent
let where: Where

const wordCount = defineTool({
  name: 'word-count',
  description: 'Counts the words of a text.',
  input: z.object({ text: z.string() }),
  output: z.object({ words: z.number().int() }),
  handler: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
})

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-receipts-x402-'))
  devnet = await startDevnet({ accounts: 3, deploymentsFile: join(dir, 'deployments.json') })
  provider = await createAgent({
    account: devnet.accounts[1]!.privateKey,
    network: { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, deployments: devnet.deployments! },
    store: join(dir, 'provider'),
  })
  where = {
    cwd: dir,
    env: { GOTONG_RPC_URL: devnet.rpcUrl, GOTONG_DEPLOYMENTS: join(dir, 'deployments.json') },
  }
}, 60_000)
afterAll(async () => {
  await provider?.stop()
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('gotong receipts with calls paid over x402', () => {
  test('both sides list the call as scheme x402 with its transaction, the receipt verified', async () => {
    const served = await provider.serve(wordCount, { price: '0.002' })
    mkdirSync(join(dir, 'consumer'))
    const ledger = createSqliteX402Ledger(join(dir, 'consumer', 'x402.sqlite'))
    const { gotongToken, paymentChannels } = devnet.deployments!.contracts
    const input = { text: 'many hands' }
    const answer = await createX402Payer({
      account: privateKeyToAccount(devnet.accounts[2]!.privateKey),
      chainId: devnet.chainId,
      assets: [gotongToken],
      publicClient: devnet.publicClient,
      ledger,
      receiptDomain: { verifyingContract: paymentChannels },
    }).pay({
      url: served.x402Url!,
      body: JSON.stringify(input),
      contentType: 'application/json',
      maxPrice: 2_000n,
      tool: wordCount.name,
      requestHash: (authorizationNonce) =>
        x402RequestHash({ tool: wordCount.name, authorizationNonce, input }),
    })
    ledger.close()
    expect(answer.body).toEqual({ words: 2 })
    const transaction = answer.payment!.transaction

    const [earned, paid, csv] = await Promise.all([
      gotong(where, 'receipts', '--store', join(dir, 'provider'), '--json'),
      gotong(where, 'receipts', '--store', join(dir, 'consumer'), '--json'),
      gotong(where, 'receipts', 'export', '--store', join(dir, 'provider'), '--side', 'earned'),
    ])
    const row = {
      scheme: 'x402',
      amount: '2000',
      status: 'settled',
      transaction,
      authorizationNonce: answer.payment!.authorizationNonce,
      responseHash: answer.receipt!.receipt.responseHash,
      receiptSignature: answer.receipt!.signature,
      verified: true,
    }
    expect(json<unknown[]>(earned)).toEqual([expect.objectContaining({ side: 'earned', ...row })])
    expect(json<unknown[]>(paid)).toEqual([expect.objectContaining({ side: 'paid', ...row })])
    const [header, line, end] = csv.stdout.split('\r\n')
    expect(header).toMatch(/^scheme,channelId,.*,authorizationNonce,transaction$/)
    expect(line).toMatch(new RegExp(`^x402,,,2000,,,settled,.*,${transaction}$`))
    expect(end).toBe('')
    const listed = await gotong(where, 'receipts', '--store', join(dir, 'provider'))
    expect(listed.stdout).toContain('x402 0x')
    expect(listed.stdout).toContain('verified')
    expect(listed.stdout).toContain('earned 0.002 gUSD')
  }, 60_000)
})
