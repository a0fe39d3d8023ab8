import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi } from '@gotong/contracts'
import { type Agreement, bigintReplacer, gotongDomain, hashAgreement } from '@gotong/core'
import {
  type Address,
  createTestClient,
  type Hex,
  http,
  keccak256,
  type PublicClient,
  type TestClient,
  toHex,
} from 'viem'
import { type Budget, privateKeySigner, type SignedReceipt } from '../src/index.js'
import { createSqlitePayeeStore, createSqlitePayerStore } from '../src/node.js'
import { createChannelReader, createPayee, createSettler } from '../src/payee.js'
import { createPayer, openChannel } from '../src/payer.js'

export const price = 2_000n

/** A devnet with a payer (account 1) and payee (account 2), and helpers to wire them. */
export async function setup() {
  const devnet = await startDevnet({ accounts: 4 })
  const dir = mkdtempSync(join(tmpdir(), 'gotong-payments-'))
  const { paymentChannels: channels, gotongToken: token } = devnet.deployments!.contracts
  const chainId = devnet.chainId
  const account = (i: number) => devnet.accounts[i]!
  const clients = (i: number) =>
    createClients({ rpcUrl: devnet.rpcUrl, chainId, privateKey: account(i).privateKey })
  const publicClient: PublicClient = clients(0).publicClient
  const testClient: TestClient = createTestClient({ mode: 'anvil', transport: http(devnet.rpcUrl) })
  const balance = (who: Address) =>
    publicClient.readContract({
      address: token,
      abi: gotongTokenAbi,
      functionName: 'balanceOf',
      args: [who],
    })
  let stores = 0

  /** An agreement between payer i and payee j with its termsHash. */
  const agreement = (payer: number, payee: number, patch: Partial<Agreement> = {}) => {
    const terms: Agreement = {
      consumer: account(payer).address,
      provider: account(payee).address,
      registry: devnet.deployments!.contracts.toolDirectory,
      toolId: 1n,
      manifestHash: keccak256(toHex('manifest')),
      token,
      pricePerCall: price,
      maxCalls: 1_000n,
      validUntil: 0n,
      p95LatencyMs: 0,
      callsPerMinute: 0,
      nonce: keccak256(toHex(`${payer}-${payee}-${stores}`)),
      ...patch,
    }
    return {
      terms,
      termsHash: hashAgreement(terms, gotongDomain({ chainId, verifyingContract: channels })),
    }
  }

  const payerOf = (i: number, options: { budget?: Budget; path?: string } = {}) => {
    const path = options.path ?? join(dir, `payer-${i}-${stores++}.sqlite`)
    const store = createSqlitePayerStore(path)
    const payer = createPayer({
      store,
      signer: privateKeySigner(account(i).privateKey),
      chainId,
      channels,
      ...(options.budget ? { budget: options.budget } : {}),
    })
    return { payer, store, path, ...clients(i) }
  }

  const payeeOf = (i: number, options: { path?: string } = {}) => {
    const path = options.path ?? join(dir, `payee-${i}-${stores++}.sqlite`)
    const store = createSqlitePayeeStore(path)
    const c = clients(i)
    const payee = createPayee({
      store,
      signer: privateKeySigner(account(i).privateKey),
      chainId,
      channels,
      readChannel: createChannelReader(c.publicClient, channels),
    })
    const settler = createSettler({
      payee,
      store,
      wallet: c.walletClient!,
      publicClient: c.publicClient,
      channels,
    })
    return { payee, store, settler, path, ...c }
  }

  /** Opens a channel from payer i to payee j bound to fresh terms; both sides track it. */
  const channel = async (
    payerSide: ReturnType<typeof payerOf>,
    payeeSide: ReturnType<typeof payeeOf>,
    options: { deposit?: bigint; terms?: Partial<Agreement>; challengePeriod?: number } = {},
  ) => {
    const payerIndex = devnet.accounts.findIndex((a) => a.address === payerSide.payer.address)
    const payeeIndex = devnet.accounts.findIndex((a) => a.address === payeeSide.payee.address)
    const { terms, termsHash } = agreement(payerIndex, payeeIndex, options.terms)
    const deposit = options.deposit ?? 1_000_000n
    const opened = await openChannel(payerSide.walletClient!, publicClient, {
      channels,
      payee: payeeSide.payee.address,
      token,
      deposit,
      challengePeriod: options.challengePeriod ?? 60,
    })
    payerSide.payer.trackChannel({ key: opened.key, deposit })
    await payeeSide.payee.acceptChannel({ key: opened.key, agreement: terms, termsHash })
    return { ...opened, terms, termsHash, deposit }
  }

  /** One paid call end to end: voucher, acceptance, the tool, receipt, confirmation. */
  const call = async (
    payerSide: ReturnType<typeof payerOf>,
    payeeSide: ReturnType<typeof payeeOf>,
    ch: { channelId: Hex; termsHash: Hex },
    n: number,
  ) => {
    const requestHash = keccak256(toHex(`request ${n}`))
    const issued = await payerSide.payer.createVoucher({
      channelId: ch.channelId,
      termsHash: ch.termsHash,
      amount: price,
      requestHash,
    })
    const ticket = await payeeSide.payee.acceptVoucher(wire(issued.payment), { requestHash })
    const receipt = await ticket.commit({ responseHash: keccak256(toHex(`response ${n}`)) })
    return payerSide.payer.confirm(issued, wire(receipt), requestHash)
  }

  return {
    devnet,
    dir,
    chainId,
    channels,
    token,
    publicClient,
    testClient,
    account,
    balance,
    agreement,
    payerOf,
    payeeOf,
    channel,
    call,
    async stop() {
      await devnet.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** What crosses the wire: JSON with bigints as decimal strings. */
export function wire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, bigintReplacer))
}

export type Setup = Awaited<ReturnType<typeof setup>>
export type { Devnet, SignedReceipt }
