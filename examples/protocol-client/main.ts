// A third-party client: it makes paid calls to a gotong provider with viem, fetch and
// PROTOCOL.md alone. The gotong side (a devnet and a ready-made provider) runs as separate
// processes of the `gotong` command; nothing of gotong is imported here.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type Chain, claimOf, finalize, openWithPermit, startClose } from './channel.js'
import { checkVectors } from './checkVectors.js'
import { checkCurrent, readDirectory } from './discover.js'
import { negotiate } from './negotiate.js'
import { createPayer } from './pay.js'
import { type Gotong, interrupted, startGotong, stopAll } from './processes.js'
import { abi } from './protocol.js'
import { type Peer, post, RemoteError } from './transport.js'

/** What `gotong devnet --json` prints. */
type Devnet = {
  rpcUrl: string
  chainId: number
  contracts: { gotongToken: Address; toolDirectory: Address; paymentChannels: Address }
  deploymentsFile: string
  accounts: { address: Address; privateKey: Hex }[]
}
type Conversion = { result: number; text: string }

const step = (text: string) => console.log(`• ${text}`)
const dir = mkdtempSync(join(tmpdir(), 'gotong-protocol-client-'))
const children: Gotong[] = []

try {
  step(`checked ${await checkVectors()} formulas of this client against vectors/*.json`)

  // The gotong side: `gotong devnet` prints one JSON object; `gotong agent start` says "ready".
  const deploymentsFile = join(dir, 'deployments.json')
  const devnetArgs = ['devnet', '--port', '0', '--json', '--deployments', deploymentsFile]
  children.unshift(startGotong('gotong devnet', devnetArgs, dir))
  const devnet = JSON.parse(await children[0]!.line(/^\{/)) as Devnet
  const { gotongToken, toolDirectory, paymentChannels } = devnet.contracts
  const provider = devnet.accounts[1]!
  children.unshift(
    startGotong(
      'gotong agent start convert-provider',
      ['agent', 'start', 'convert-provider', '--rpc', devnet.rpcUrl]
        .concat(['--deployments', deploymentsFile, '--key', provider.privateKey])
        .concat(['--store', join(dir, 'provider')]),
      dir,
    ),
  )
  await children[0]!.line(/^ready/)
  step(`gotong devnet (${devnet.rpcUrl}) and convert-provider started as separate processes`)

  const chainConfig = defineChain({
    id: devnet.chainId,
    name: 'gotong devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [devnet.rpcUrl] } },
  })
  const account = privateKeyToAccount(devnet.accounts[2]!.privateKey)
  const publicClient = createPublicClient({ chain: chainConfig, transport: http() })
  const wallet = createWalletClient({ account, chain: chainConfig, transport: http() })
  const chain: Chain = {
    publicClient,
    wallet,
    account,
    chainId: devnet.chainId,
    channels: paymentChannels,
  }
  const balance = () =>
    publicClient.readContract({
      address: gotongToken,
      abi,
      functionName: 'balanceOf',
      args: [account.address],
    })

  // §5 Discovery: the directory's logs, every manifest verified; the tool tagged "conversion".
  const { startBlock } = JSON.parse(readFileSync(deploymentsFile, 'utf8')) as { startBlock: number }
  const listings = await readDirectory(publicClient, toolDirectory, BigInt(startBlock))
  const listing = listings.find((l) => l.manifest.tags?.includes('conversion'))
  assert.ok(listing, 'a verified listing tagged "conversion"')
  await checkCurrent(publicClient, toolDirectory, listing)
  const { manifest } = listing
  assert.equal(manifest.pricing[0]?.protocol, 'gotong-channel')
  const terms = manifest['dev.gotong.terms']
  assert.equal(terms.channels, `eip155:${devnet.chainId}:${paymentChannels.toLowerCase()}`)
  const endpoint = new URL(manifest.endpoint)
  const routeBase = endpoint.pathname.replace(/^\/+|\/+$/g, '')
  const peer: Peer = {
    account,
    chainId: devnet.chainId,
    address: listing.creator,
    baseUrl: endpoint.origin,
  }
  step(
    `found tool ${listing.toolId} "${manifest.name}" (version ${listing.version}) of ${listing.creator} at ${manifest.endpoint}, listed at ${manifest.pricing[0]?.amount} base units a call; manifest hash ${listing.manifestHash} checked`,
  )

  // §7 Negotiation.
  const deal = await negotiate(peer, `${routeBase}/negotiate`, {
    registry: toolDirectory,
    listing,
    channels: paymentChannels,
    token: gotongToken,
    calls: 10n,
  })
  const { agreement, termsHash, proposal } = deal
  step(
    `agreed ${agreement.pricePerCall} base units a call, at most ${agreement.maxCalls} calls, until ${new Date(Number(agreement.validUntil) * 1000).toISOString()}: termsHash ${termsHash}, countersigned by the provider`,
  )

  // §10 A channel, funded in one transaction with a permit; §8 bound to the agreement.
  const before = await balance()
  const price = BigInt(agreement.pricePerCall)
  const minDeposit = BigInt(proposal.channel.minDeposit)
  const deposit = minDeposit > price * 3n ? minDeposit : price * 3n
  const opened = await openWithPermit(chain, {
    payee: proposal.payee,
    token: gotongToken,
    deposit,
    challengePeriod: 3_600,
  })
  const { key, channelId } = opened
  step(`opened channel ${channelId} with ${deposit} base units (openWithPermit)`)
  const funded = await post(peer, `${routeBase}/fund`, { termsHash, key })
  assert.deepEqual(funded, { channelId, deposit: deposit.toString() })
  step('bound the channel to the agreement (fund)')

  // §9 Paid calls: a cumulative voucher each; every receipt checked against its call.
  const payer = createPayer(peer, {
    route: `${routeBase}/call`,
    tool: manifest.name,
    deal,
    channelId,
    channels: paymentChannels,
  })
  const first = await payer.call<Conversion>({ value: 1, from: 'mi', to: 'ft' }, 1n)
  assert.equal(first.output.result, 5280)
  const r1 = first.receipt.receipt
  step(
    `call 1: ${first.output.text}; receipt: call ${r1.calls}, ${r1.cumulativeAmount} in all, requestHash ${r1.requestHash} (ours), signed by the provider`,
  )
  const secondInput = { value: 100, from: 'km', to: 'mi' }
  const second = await payer.call<Conversion>(secondInput, 2n)
  assert.equal(second.output.result, 62.1371192237)
  step(
    `call 2: ${second.output.text}; receipt: call 2, ${second.receipt.receipt.cumulativeAmount} in all`,
  )

  // §9.5 Call 2 again, as after a lost reply (a new envelope, its voucher signed again for it):
  // its first answer, not a new charge.
  const again = await payer.call<Conversion>(secondInput, 2n)
  assert.deepEqual(
    { output: again.output, receipt: again.receipt },
    {
      output: second.output,
      receipt: second.receipt,
    },
  )
  step('call 2 sent again in a new envelope: answered from its first result, the same receipt')

  // §9.3 Call 1's voucher as it was sent, on another input: it signs call 1's envelope, not this.
  const mismatch = await payer
    .call({ value: 3, from: 'mi', to: 'ft' }, first.payment)
    .catch((error: unknown) => error)
  assert.ok(mismatch instanceof RemoteError, String(mismatch))
  assert.equal(mismatch.status, 401)
  assert.equal(mismatch.error.data?.code, 'VOUCHER_REQUEST_MISMATCH')
  step(`voucher 1 as sent, on another input: ${mismatch.status} (${mismatch.error.data?.code})`)

  // §11 Call 1 again, signed for another input: refused, and the error body says why.
  const refused = await payer
    .call({ value: 3, from: 'mi', to: 'ft' }, 1n)
    .catch((error: unknown) => error)
  assert.ok(refused instanceof RemoteError, String(refused))
  assert.equal(refused.status, 409)
  assert.equal(refused.error.code, 409)
  assert.equal(refused.error.reason, 'replayed')
  assert.equal(refused.error.data?.code, 'VOUCHER_REPLAYED')
  assert.deepEqual(refused.error.data?.highest, { calls: '2', cumulativeAmount: `${price * 2n}` })
  step(
    `voucher 1 again for another input: ${refused.status} ${refused.error.reason} (${refused.error.data?.code}), the provider holds ${JSON.stringify(refused.error.data?.highest)}`,
  )

  // §10 Close: the provider claims its newest voucher in the window; then finalize.
  await startClose(chain, key)
  const claimed = await claimOf(chain, channelId, opened.receipt.blockNumber, 30_000)
  assert.deepEqual(claimed, {
    channelId,
    cumulativeAmount: price * 2n,
    calls: 2n,
    termsHash,
    paid: price * 2n,
  })
  step(`close started; the provider claimed ${claimed.paid} for ${claimed.calls} calls`)
  const testClient = createTestClient({ chain: chainConfig, mode: 'anvil', transport: http() })
  await testClient.increaseTime({ seconds: key.challengePeriod })
  await testClient.mine({ blocks: 1 })
  const closed = await finalize(chain, key)
  assert.deepEqual(closed, {
    channelId,
    paidToPayee: price * 2n,
    refundedToPayer: deposit - price * 2n,
  })
  assert.equal(before - (await balance()), price * 2n)
  step(
    `finalized after the challenge period (devnet time moved on): ${closed.refundedToPayer} back; 2 calls cost this client exactly ${price * 2n}`,
  )
  console.log('protocol client: OK (viem, fetch and PROTOCOL.md; no gotong code)')
} catch (error) {
  process.exitCode = 1
  // Stopped by a signal, the error is only its consequence (processes.ts says so).
  if (!interrupted()) {
    console.error(
      `protocol client: FAILED\n${error instanceof Error ? (error.stack ?? error.message) : error}`,
    )
    for (const child of children)
      console.error(`--- ${child.name} (its last output):\n${child.output().slice(-2_000)}`)
  }
} finally {
  await stopAll(children)
  rmSync(dir, { recursive: true, force: true })
}
