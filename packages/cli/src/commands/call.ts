import { readFileSync } from 'node:fs'
import type { ConsumerEvent } from '@gotong/agent'
import { gotongTokenDecimals } from '@gotong/chain'
import { formatAmount, gotongChannelProtocol, InvalidInputError } from '@gotong/core'
import { parseToolRef } from '@gotong/directory'
import { createBudget, createReceiptDigester, verifyReceipt } from '@gotong/payments'
import { Command, InvalidArgumentError } from 'commander'
import type { Address, Hex } from 'viem'
import { z } from 'zod'
import {
  type AgentOptions,
  addressOf,
  CliError,
  createProgress,
  explained,
  gusdText,
  indexOf,
  openNetwork,
  parseGusd,
  parseWhole,
  requireKey,
  storeOf,
  toJson,
  withAgentOptions,
} from './agentOptions.js'

type CallOptions = AgentOptions & {
  input: unknown
  maxPrice?: bigint
  budget?: bigint
  callsPerChannel?: number
  challengePeriod?: number
}

const Json = z.json()

/** Commander parser for `--input`: JSON, or `@file` holding JSON. */
export function parseInput(value: string): unknown {
  let text = value
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8')
    } catch {
      throw new InvalidArgumentError(`cannot read the file ${value.slice(1)}.`)
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InvalidArgumentError(`expected JSON (e.g. '{"text":"hello"}') or @file.json.`)
  }
  const result = Json.safeParse(parsed)
  if (!result.success) throw new InvalidArgumentError('expected JSON.')
  return result.data
}

/** What `gotong call --json` prints. */
export type CallSummary = {
  toolId: bigint
  tool: string
  provider: Address
  output: unknown
  price: bigint
  channel: { channelId: Hex; opened: boolean; deposit: bigint }
  receipt: {
    calls: bigint
    amount: bigint
    cumulativeAmount: bigint
    termsHash: Hex
    requestHash: Hex
    responseHash: Hex
    servedAt: bigint
    signature: Hex
    verified: boolean
  }
}

/**
 * `gotong call <tool> --input '{…}'`: one paid call as an agent whose state persists in its
 * store: approve the tool's manifest, negotiate terms, open and fund a channel, sign a voucher,
 * call, and check the provider's signed receipt.
 */
export function callCommand(): Command {
  const command = new Command('call')
    .description(
      'call a directory tool and pay for it: negotiate, fund a channel, pay per call, check the receipt',
    )
    .argument('<tool>', 'tool id, or eip155:<chainId>/erc8257:<registry>/<toolId>')
    .requiredOption('--input <json>', 'the tool input as JSON, or @file.json', parseInput)
    .option('--max-price <gUSD>', 'refuse tools priced above this per call, e.g. 0.01', parseGusd)
    .option('--budget <gUSD>', 'the most this command may spend, e.g. 1', parseGusd)
    .option(
      '--calls-per-channel <n>',
      'calls a new channel is funded for: deposit = n × price (default 100)',
      parseWhole(1, 1_000_000),
    )
    .option(
      '--challenge-period <seconds>',
      'challenge period of a channel this call opens (default 3600)',
      parseWhole(1, 2_592_000),
    )
  return withAgentOptions(command).action(
    explained(async (reference: string, options: CallOptions) => {
      const progress = createProgress(!options.json)
      try {
        const summary = await call(reference, options, progress)
        progress.done()
        process.stdout.write(options.json ? `${toJson(summary)}\n` : formatCall(summary))
      } catch (error) {
        progress.done(false)
        throw error
      }
    }),
  )
}

async function call(
  reference: string,
  options: CallOptions,
  progress: ReturnType<typeof createProgress>,
): Promise<CallSummary> {
  const ref = parseToolRef(reference)
  const key = requireKey(options, 'Calling a tool')
  const { store } = storeOf(options, 'Calling a tool')
  progress.step(`connecting to ${options.rpc}`)
  const network = await openNetwork(options)
  const { toolDirectory, paymentChannels } = network.deployments.contracts
  if (
    (ref.chainId !== undefined && ref.chainId !== network.chainId) ||
    (ref.registry !== undefined && ref.registry !== toolDirectory)
  )
    throw new InvalidInputError('tool reference', [
      {
        rule: 'other_directory',
        path: '',
        message: `${reference} is not in the directory at ${toolDirectory} on chain ${network.chainId}`,
      },
    ])
  progress.step(`starting agent ${addressOf(key)} (state in ${store})`)
  const { createAgent } = await import('@gotong/agent')
  let opened: { channelId: Hex; deposit: bigint } | undefined
  const onEvent = (event: ConsumerEvent) => {
    if (event.type === 'negotiation') {
      const state = event.state.replace(/[{}]/g, '').split(':').pop()
      progress.step(
        state === 'active' ? 'calling the tool' : `negotiating with ${event.provider}: ${state}`,
      )
    } else if (event.type === 'channel') {
      opened = { channelId: event.channelId, deposit: event.deposit }
      progress.step(`channel ${event.channelId} funded with ${gusdText(event.deposit)}`)
    }
  }
  const agent = await createAgent({
    account: key,
    network,
    store,
    ...indexOf(options),
    ...(options.budget !== undefined
      ? { budget: createBudget('cli', { max: options.budget }) }
      : {}),
    ...(options.callsPerChannel ? { callsPerChannel: BigInt(options.callsPerChannel) } : {}),
    ...(options.challengePeriod ? { challengePeriod: options.challengePeriod } : {}),
    onEvent,
  })
  try {
    progress.step(`reading tool ${ref.toolId} from the directory`)
    // Approving pins the manifest version now on chain (and fails for an unknown tool).
    await agent.approve(ref.toolId)
    const listing = await agent.index.getListing(ref.toolId)
    const listed = listing?.price?.amount
    // The listed price is the most negotiation may agree to: refuse before any channel is
    // funded, not after.
    if (listed !== undefined && options.maxPrice !== undefined && listed > options.maxPrice)
      throw new CliError(
        'PRICE_TOO_HIGH',
        `Tool ${ref.toolId} costs ${gusdText(listed)} per call, more than --max-price ${gusdText(options.maxPrice)}. Nothing was paid.`,
        `Raise --max-price to ${formatAmount(listed, gotongTokenDecimals)}, or find a cheaper tool with \`gotong search --max-price\`.`,
      )
    if (listed !== undefined && options.budget !== undefined && listed > options.budget)
      throw new CliError(
        'BUDGET_EXCEEDED',
        `Tool ${ref.toolId} costs ${gusdText(listed)} per call, more than --budget ${gusdText(options.budget)}. Nothing was paid.`,
        `Raise --budget to at least ${formatAmount(listed, gotongTokenDecimals)}.`,
      )
    // With no expected number of calls, a listing with a channel is paid through it; one paid
    // over x402 only is refused here, before anything is paid.
    if (listing && listing.price?.protocol !== gotongChannelProtocol)
      throw new CliError(
        'RAIL_UNSUPPORTED',
        `Tool ${ref.toolId} is not paid through gotong channels (it lists ${listing.price?.protocol ?? 'no price'}).`,
        'Call it from code: agent.call pays x402 listings, agent.x402Tool any x402 URL.',
      )
    const result = await agent.call(ref.toolId, options.input, {
      ...(options.maxPrice !== undefined ? { maxPrice: options.maxPrice } : {}),
    })
    if (result.rail !== 'channel')
      throw new CliError(
        'RAIL_UNSUPPORTED',
        `Tool ${ref.toolId} was paid over ${result.rail}, not through a channel.`,
        'See the payment with `gotong receipts`.',
      )
    const { receipt, signature } = result.receipt
    const channel = agent.payer.getChannel(receipt.channelId)!
    const voucher = agent.payer.vouchers(receipt.channelId).find((v) => v.calls === receipt.calls)!
    // An independent check of what the agent already checked: the payee signed this very call.
    let verified = true
    try {
      verifyReceipt({
        receipt: result.receipt,
        payee: channel.key.payee,
        voucher,
        requestHash: voucher.requestHash!,
        digest: createReceiptDigester({
          chainId: network.chainId,
          verifyingContract: paymentChannels,
        }),
      })
    } catch {
      verified = false
    }
    return {
      toolId: ref.toolId,
      tool: listing?.manifest?.name ?? `tool ${ref.toolId}`,
      provider: channel.key.payee,
      output: result.output,
      price: result.price,
      channel: {
        channelId: receipt.channelId,
        opened: opened?.channelId === receipt.channelId,
        deposit: channel.deposit,
      },
      receipt: {
        calls: receipt.calls,
        amount: voucher.amount,
        cumulativeAmount: receipt.cumulativeAmount,
        termsHash: receipt.termsHash,
        requestHash: receipt.requestHash,
        responseHash: receipt.responseHash,
        servedAt: receipt.servedAt,
        signature,
        verified,
      },
    }
  } finally {
    await agent.stop()
  }
}

function formatCall(s: CallSummary): string {
  const output =
    typeof s.output === 'string'
      ? s.output
      : JSON.stringify(s.output, null, 2).replaceAll('\n', '\n  ')
  const r = s.receipt
  return `${[
    `Called ${s.tool} (tool ${s.toolId}) of ${s.provider} for ${gusdText(s.price)}`,
    '',
    `  ${output}`,
    '',
    `Channel   ${s.channel.channelId}`,
    `          ${s.channel.opened ? 'opened for this call' : 'reused'}, deposit ${gusdText(s.channel.deposit)}`,
    'Receipt',
    `  call      ${r.calls} on the channel, ${gusdText(r.amount)} (cumulative ${gusdText(r.cumulativeAmount)})`,
    `  request   ${r.requestHash}`,
    `  response  ${r.responseHash}`,
    `  served    ${new Date(Number(r.servedAt) * 1000).toISOString()}`,
    `  signature ${r.signature}`,
    `  verified  ${r.verified ? `yes: signed by ${s.provider} for this request and amount` : 'NO: the signature does not match'}`,
  ].join('\n')}\n`
}
