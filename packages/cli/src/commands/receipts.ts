import { existsSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { readDeployments } from '@gotong/chain/node'
import {
  createReceiptDigester,
  exportLedger,
  type LedgerRow,
  ledgerRows,
  type PayeeVoucher,
  type PayerVoucher,
  verifyReceipt,
} from '@gotong/payments'
import { isX402ReceiptSignedBy, type X402Ledger, type X402Payment } from '@gotong/x402'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { Address } from 'viem'
import { z } from 'zod'
import {
  type AgentOptions,
  explained,
  gusdText,
  storeOf,
  toJson,
  withAgentOptions,
} from './agentOptions.js'
import { type Books, openBooks } from './books.js'
import { withNetworkOptions } from './chainOptions.js'

/** A ledger row with the side it is on and whether its receipt checks out. */
export type ReceiptRow = LedgerRow & { side: 'paid' | 'earned'; verified: boolean }

const Side = z.enum(['paid', 'earned', 'all'])
const Format = z.enum(['csv', 'json'])

function choice<T extends z.ZodEnum>(schema: T) {
  return (value: string): z.output<T> => {
    const result = schema.safeParse(value)
    if (!result.success)
      throw new InvalidArgumentError(`expected one of ${schema.options.join(', ')}.`)
    return result.data
  }
}

/** Whether a stored receipt is signed by the channel's payee for exactly this voucher. */
function checks(
  voucher: PayerVoucher | PayeeVoucher,
  channel: { chainId: number; channels: Address; key: { payee: Address } } | undefined,
): boolean {
  if (!voucher.receipt || !channel || !voucher.requestHash) return false
  try {
    verifyReceipt({
      receipt: voucher.receipt,
      payee: channel.key.payee,
      voucher,
      requestHash: voucher.requestHash,
      digest: createReceiptDigester({
        chainId: channel.chainId,
        verifyingContract: channel.channels,
      }),
    })
    return true
  } catch {
    return false
  }
}

/**
 * The agent's x402 ledger (`x402.sqlite`), where it exists, and the gotong domain's contract to
 * check its receipts against, from the deployments file when there is one (receipts are read
 * offline; without it they are not checked).
 */
type X402Books = { ledger: X402Ledger | undefined; channels: Address | undefined }

async function openX402Books(store: string, deploymentsFile: string): Promise<X402Books> {
  const file = join(store, 'x402.sqlite')
  const { createSqliteX402Ledger } = await import('@gotong/x402/node')
  const ledger = existsSync(file) ? createSqliteX402Ledger(file) : undefined
  const channels = ledger
    ? await readDeployments(resolve(deploymentsFile)).then(
        (d) => d.contracts.paymentChannels,
        () => undefined,
      )
    : undefined
  return { ledger, channels }
}

/** Whether an x402 payment's receipt is signed by its payee under the gotong domain. */
function x402Checks(payment: X402Payment, channels: Address | undefined): boolean {
  const chainId = Number(payment.network.split(':')[1])
  if (!payment.receipt || !channels || !Number.isSafeInteger(chainId)) return false
  return isX402ReceiptSignedBy(payment.receipt, {
    payee: payment.payee,
    chainId,
    verifyingContract: channels,
  })
}

/**
 * Every call in an agent's books: what it paid (payer's log) and earned (payee's log), each
 * side's channel calls, then its calls paid over x402.
 */
function receiptRows(books: Books, x402: X402Books, side: 'paid' | 'earned' | 'all'): ReceiptRow[] {
  const rows: ReceiptRow[] = []
  const tag = (
    vouchers: (PayerVoucher | PayeeVoucher)[],
    as: 'paid' | 'earned',
    channelOf: (v: PayerVoucher | PayeeVoucher) => Parameters<typeof checks>[1],
  ) => {
    const byKey = new Map(vouchers.map((v) => [`${v.channelId}:${v.calls}`, v]))
    const payments = x402.ledger?.list({ direction: as }) ?? []
    const byNonce = new Map(payments.map((p) => [p.authorizationNonce.toLowerCase(), p]))
    const verify = (row: LedgerRow) => {
      if (row.scheme === 'x402')
        return x402Checks(byNonce.get(row.authorizationNonce.toLowerCase())!, x402.channels)
      const voucher = byKey.get(`${row.channelId}:${row.call}`)!
      return checks(voucher, channelOf(voucher))
    }
    for (const row of ledgerRows(vouchers, payments))
      rows.push({ side: as, ...row, verified: verify(row) })
  }
  if (side !== 'earned')
    tag(books.payer?.listVouchers() ?? [], 'paid', (v) => books.payer!.getChannel(v.channelId))
  if (side !== 'paid')
    tag(books.payee?.listVouchers() ?? [], 'earned', (v) => books.payee!.getChannel(v.channelId))
  return rows
}

const columns = [
  'side',
  'scheme',
  'channelId',
  'call',
  'amount',
  'cumulativeAmount',
  'termsHash',
  'status',
  'requestHash',
  'responseHash',
  'servedAt',
  'receiptSignature',
  'voucherSignature',
  'authorizationNonce',
  'transaction',
] as const

/** RFC 4180 CSV of both sides, with a `side` column first. */
function toCsv(rows: ReceiptRow[]): string {
  const cell = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`
}

/**
 * `gotong receipts`: every call the agent paid for or was paid for, each with its signed
 * receipt; `export` writes them as CSV or JSON.
 */
export function receiptsCommand(): Command {
  const receipts = new Command('receipts').description(
    "an agent's ledger: every call paid and earned, each with its signed receipt; export as CSV or JSON",
  )
  receipts.addCommand(listCommand(), { isDefault: true })
  receipts.addCommand(exportCommand())
  return receipts
}

/** Receipts need no chain; they take the chain options every other command takes all the same. */
const offline = { unused: "receipts are read from the agent's store and checked offline" }

type ListOptions = Omit<AgentOptions, 'rpc'> & { side: 'paid' | 'earned' | 'all' }

function listCommand(): Command {
  const command = new Command('list')
    .description('list every call paid and earned, with its receipt')
    .addOption(
      new Option('--side <side>', 'paid, earned or all').default('all').argParser(choice(Side)),
    )
  return withAgentOptions(withNetworkOptions(command, offline), { chain: false }).action(
    explained(async (options: ListOptions) => {
      const { store } = storeOf(options, 'Reading the ledger')
      const books = await openBooks(store)
      const x402 = await openX402Books(store, options.deployments)
      try {
        const rows = receiptRows(books, x402, options.side)
        if (options.json) return void process.stdout.write(`${toJson(rows)}\n`)
        process.stdout.write(formatRows(rows))
      } finally {
        books.close()
        x402.ledger?.close()
      }
    }),
  )
}

function formatRows(rows: ReceiptRow[]): string {
  if (rows.length === 0) return 'No calls paid or earned yet.\n'
  const total = (side: 'paid' | 'earned') =>
    rows
      .filter((r) => r.side === side && r.receiptSignature)
      .reduce((sum, r) => sum + BigInt(r.amount), 0n)
  const lines = rows.map(
    (r) =>
      `${r.side.padEnd(6)}  ${r.scheme === 'x402' ? `x402 ${r.authorizationNonce.slice(0, 10)}…     ` : `${r.channelId.slice(0, 10)}…  call ${r.call.padStart(3)}`}  ${gusdText(BigInt(r.amount)).padStart(14)}  ${r.status.padEnd(11)}  ${r.servedAt || '-'.padEnd(24)}  ${r.receiptSignature ? `receipt ${r.receiptSignature.slice(0, 12)}… ${r.verified ? 'verified' : 'INVALID'}` : 'no receipt'}`,
  )
  lines.push('', `paid ${gusdText(total('paid'))}, earned ${gusdText(total('earned'))}`)
  return `${lines.join('\n')}\n`
}

type ExportOptions = Omit<AgentOptions, 'rpc'> & {
  side: 'paid' | 'earned' | 'all'
  format: 'csv' | 'json'
  out?: string
}

function exportCommand(): Command {
  const command = new Command('export')
    .description(
      'export the ledger: one row per call with amounts, hashes and both signatures (a side alone: the exportLedger format; all: with a side column)',
    )
    .addOption(
      new Option('--format <format>', 'csv or json').default('csv').argParser(choice(Format)),
    )
    .addOption(
      new Option('--side <side>', 'paid, earned or all').default('all').argParser(choice(Side)),
    )
    .option('--out <file>', 'write to this file instead of stdout')
  return withAgentOptions(withNetworkOptions(command, offline), {
    chain: false,
    json: false,
  }).action(
    explained(async (options: ExportOptions) => {
      const { store } = storeOf(options, 'Exporting the ledger')
      const books = await openBooks(store)
      const x402 = await openX402Books(store, options.deployments)
      let text: string
      try {
        if (options.side === 'paid' || options.side === 'earned') {
          const log = options.side === 'paid' ? books.payer : books.payee
          text = exportLedger(log?.listVouchers() ?? [], {
            format: options.format,
            x402: x402.ledger?.list({ direction: options.side }) ?? [],
          })
        } else {
          const rows = receiptRows(books, x402, 'all')
          text = options.format === 'csv' ? toCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`
        }
      } finally {
        books.close()
        x402.ledger?.close()
      }
      if (options.out) {
        writeFileSync(options.out, text)
        process.stderr.write(`wrote ${options.out}\n`)
      } else process.stdout.write(text)
    }),
  )
}
