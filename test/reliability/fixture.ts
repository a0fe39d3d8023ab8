import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Agent,
  type CreateAgentParameters,
  createAgent,
  defineTool,
  type Network,
} from '@gotong/agent'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongTokenAbi, paymentChannelsAbi } from '@gotong/contracts'
import { bigintReplacer, gotongDomain, noEnvelopeHash, voucherTypes, WireError } from '@gotong/core'
import type { SettlerWarning } from '@gotong/payments/payee'
import { createHttpClient } from '@gotong/transport'
import { type Address, createTestClient, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'

/**
 * One devnet per test file, a temp folder for the agents' stores, and helpers to read what a
 * user would check: balances and channels on chain, ledgers, error codes.
 */
export async function setup(options: { accounts?: number; chainId?: number } = {}) {
  const devnet: Devnet = await startDevnet({
    accounts: options.accounts ?? 6,
    ...(options.chainId ? { chainId: options.chainId } : {}),
  })
  const dir = mkdtempSync(join(tmpdir(), 'gotong-reliability-'))
  const contracts = devnet.deployments!.contracts
  const network = devnet as Network
  const testClient = createTestClient({ mode: 'anvil', transport: http(devnet.rpcUrl) })
  const agents: Agent[] = []
  /** Every warning an agent made here raised, with the agent's account index. */
  const warnings: (SettlerWarning & { agent: number })[] = []
  let n = 0
  const key = (index: number) => devnet.accounts[index]!.privateKey

  const t = {
    devnet,
    dir,
    warnings,
    network,
    contracts,
    testClient,
    key,
    address: (index: number) => devnet.accounts[index]!.address,
    /** A fresh store folder, or the one given (to restart an agent on its state). */
    store: (label: string) => join(dir, `${label}-${n++}`),
    async agent(index: number, extra: Partial<CreateAgentParameters> = {}) {
      const agent = await createAgent({
        account: key(index),
        network,
        store: t.store(`agent-${index}`),
        // Collected for the tests that check them, instead of process warnings on stderr.
        onWarning: (warning) => warnings.push({ agent: index, ...warning }),
        ...extra,
      })
      agents.push(agent)
      return agent
    },
    wallet(index: number, chainId = devnet.chainId) {
      return createClients({ rpcUrl: devnet.rpcUrl, chainId, privateKey: key(index) }).walletClient!
    },
    balance: (who: Address) =>
      devnet.publicClient.readContract({
        address: contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [who],
      }),
    /** A channel as the PaymentChannels contract holds it (status 1 open, 2 closing, 3 closed). */
    channel: (channelId: Hex, at: Address = contracts.paymentChannels) =>
      devnet.publicClient.readContract({
        address: at,
        abi: paymentChannelsAbi,
        functionName: 'getChannel',
        args: [channelId],
      }),
    /** Sum of what `Claimed` events paid out on a channel: the money that moved to the payee. */
    async paidOut(channelId: Hex): Promise<bigint> {
      const logs = await devnet.publicClient.getContractEvents({
        address: contracts.paymentChannels,
        abi: paymentChannelsAbi,
        eventName: 'Claimed',
        args: { channelId },
        fromBlock: BigInt(devnet.deployments!.startBlock),
      })
      return logs.reduce((sum, log) => sum + (log.args.paid ?? 0n), 0n)
    },
    /** Moves the chain's clock past a challenge window and mines a block. */
    async elapse(seconds: number) {
      await testClient.increaseTime({ seconds })
      await testClient.mine({ blocks: 1 })
    },
    async stop() {
      for (const agent of agents) await agent.stop().catch(() => {})
      await devnet.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return t
}

export type Setup = Awaited<ReturnType<typeof setup>>

/** A tool that counts how often its handler really ran: the proof that nothing ran unpaid. */
export function countingTool(name: string, options: { tags?: string[] } = {}) {
  let runs = 0
  const tool = defineTool({
    name,
    description: `Echoes a text and counts its words (${name}).`,
    tags: options.tags ?? ['text'],
    input: z.object({ text: z.string().max(1_000) }),
    output: z.object({ words: z.number().int(), echo: z.string() }),
    handler: ({ text }) => {
      runs++
      return { words: text.split(/\s+/).filter(Boolean).length, echo: text }
    },
  })
  return { tool, runs: () => runs }
}

/** The error code a call ended with ('ok' if it succeeded): what a user branches on. */
export function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: { code?: string; data?: { code?: string } }) =>
      error instanceof WireError
        ? String(error.data?.code ?? error.reason)
        : String(error.code ?? error),
  )
}

/** JSON as it crosses the wire: bigints as decimal strings. */
export function wire<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, bigintReplacer))
}

export type VoucherFields = {
  channelId: Hex
  cumulativeAmount: bigint
  calls: bigint
  termsHash: Hex
  /** The request it pays for; zero (a voucher made without one) when absent. */
  envelopeHash?: Hex
}

/** Every field of a voucher, a missing `envelopeHash` as zero. */
export function voucherOf(voucher: VoucherFields) {
  return { envelopeHash: noEnvelopeHash as Hex, ...voucher }
}

/** Signs a voucher as a payer would, for any chain and channels contract. */
export function signVoucher(
  privateKey: Hex,
  domain: { chainId: number; channels: Address },
  voucher: VoucherFields,
): Promise<Hex> {
  return privateKeyToAccount(privateKey).signTypedData({
    domain: gotongDomain({ chainId: domain.chainId, verifyingContract: domain.channels }),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: voucherOf(voucher),
  })
}

/** A voucher payment in wire form, as a consumer attaches it to a call. */
export function payment(
  domain: { chainId: number; channels: Address },
  voucher: VoucherFields,
  signature: Hex,
) {
  return wire({
    scheme: 'gotong-channel',
    chainId: domain.chainId,
    channels: domain.channels,
    voucher: voucherOf(voucher),
    signature,
  })
}

/**
 * A hand-driven client for a serving agent's routes, signed by `privateKey`: what an attacker
 * (or a buggy peer) can send, past everything the consumer runtime would check.
 */
export function rawClient(
  privateKey: Hex,
  chainId: number,
  provider: Agent,
  options: { now?: () => number } = {},
) {
  const client = createHttpClient({
    signer: privateKeyToAccount(privateKey),
    chainId,
    peers: { [provider.address]: provider.url! },
    ...(options.now ? { now: options.now } : {}),
  })
  return {
    client,
    /**
     * With `pay`, a paid call as the protocol sends it: the envelope unsigned, and `pay` gets
     * its struct hash and returns the payment (whose voucher should sign that hash).
     */
    request: (
      route: string,
      body: unknown,
      options: { idempotencyKey?: string; pay?: (envelopeHash: Hex) => unknown } = {},
    ) =>
      client.request(provider.address, route, body, {
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        ...(options.pay ? { authenticate: { field: 'payment', attach: options.pay } } : {}),
      }),
  }
}

/**
 * The relationship a consumer agent holds after its calls: channel, terms, key, totals. With
 * several channels, name the ones to skip.
 */
export function relationshipOf(consumer: Agent, options: { not?: Hex[] } = {}) {
  const paid = consumer.ledger().paid
  const channelIds = [...new Set(paid.map((v) => v.channelId))].filter(
    (id) => !options.not?.includes(id),
  )
  if (channelIds.length !== 1) throw new Error(`${channelIds.length} channels match`)
  const channelId = channelIds[0]!
  const vouchers = paid.filter((v) => v.channelId === channelId)
  const channel = consumer.payer.getChannel(channelId)!
  return {
    channelId,
    termsHash: vouchers[0]!.termsHash,
    key: channel.key,
    deposit: channel.deposit,
    calls: vouchers.reduce((max, v) => (v.calls > max ? v.calls : max), 0n),
    cumulative: vouchers.reduce(
      (max, v) => (v.cumulativeAmount > max ? v.cumulativeAmount : max),
      0n,
    ),
  }
}

/** Waits for a condition by polling (never a fixed sleep): receipts, watchers, processes. */
export async function until<T>(
  probe: () => T | Promise<T>,
  options: { timeout?: number; interval?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeout ?? 30_000)
  for (;;) {
    const value = await probe()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${options.what ?? 'a condition'}`)
    await new Promise((resolve) => setTimeout(resolve, options.interval ?? 50))
  }
}
