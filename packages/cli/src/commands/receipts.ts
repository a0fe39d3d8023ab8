import { writeFileSync } from 'node:fs'
import {
  createReceiptDigester,
  exportLedger,
  type LedgerRow,
  ledgerRows,
  type PayeeVoucher,
  type PayerVoucher,
  verifyReceipt,
} from '@gotong/payments'
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

/** Every call in an agent's books: what it paid (payer's log) and earned (payee's log). */
function receiptRows(books: Books, side: 'paid' | 'earned' | 'all'): ReceiptRow[] {
  const rows: ReceiptRow[] = []
  const tag = (
    vouchers: (PayerVoucher | PayeeVoucher)[],
    as: 'paid' | 'earned',
    channelOf: (v: PayerVoucher | PayeeVoucher) => Parameters<typeof checks>[1],
  ) => {
    const sorted = ledgerRows(vouchers)
    const byKey = new Map(vouchers.map((v) => [`${v.channelId}:${v.calls}`, v]))
    for (const row of sorted) {
      const voucher = byKey.get(`${row.channelId}:${row.call}`)!
      rows.push({ side: as, ...row, verified: checks(voucher, channelOf(voucher)) })
    }
  }
  if (side !== 'earned' && books.payer)
    tag(books.payer.listVouchers(), 'paid', (v) => books.payer!.getChannel(v.channelId))
  if (side !== 'paid' && books.payee)
    tag(books.payee.listVouchers(), 'earned', (v) => books.payee!.getChannel(v.channelId))
  return rows
}

const columns = [
  'side',
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

type ListOptions = Omit<AgentOptions, 'rpc' | 'deployments'> & { side: 'paid' | 'earned' | 'all' }

function listCommand(): Command {
  const command = new Command('list')
    .description('list every call paid and earned, with its receipt')
    .addOption(
      new Option('--side <side>', 'paid, earned or all').default('all').argParser(choice(Side)),
    )
  return withAgentOptions(withNetworkOptions(command, offline), { chain: false }).action(
    explained(async (options: ListOptions) => {
      const books = await openBooks(storeOf(options, 'Reading the ledger').store)
      try {
        const rows = receiptRows(books, options.side)
        if (options.json) return void process.stdout.write(`${toJson(rows)}\n`)
        process.stdout.write(formatRows(rows))
      } finally {
        books.close()
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
      `${r.side.padEnd(6)}  ${r.channelId.slice(0, 10)}…  call ${r.call.padStart(3)}  ${gusdText(BigInt(r.amount)).padStart(14)}  ${r.status.padEnd(11)}  ${r.servedAt || '-'.padEnd(24)}  ${r.receiptSignature ? `receipt ${r.receiptSignature.slice(0, 12)}… ${r.verified ? 'verified' : 'INVALID'}` : 'no receipt'}`,
  )
  lines.push('', `paid ${gusdText(total('paid'))}, earned ${gusdText(total('earned'))}`)
  return `${lines.join('\n')}\n`
}

type ExportOptions = Omit<AgentOptions, 'rpc' | 'deployments'> & {
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
      let text: string
      try {
        if (options.side === 'paid' || options.side === 'earned') {
          const log = options.side === 'paid' ? books.payer : books.payee
          text = exportLedger(log?.listVouchers() ?? [], { format: options.format })
        } else {
          const rows = receiptRows(books, 'all')
          text = options.format === 'csv' ? toCsv(rows) : `${JSON.stringify(rows, null, 2)}\n`
        }
      } finally {
        books.close()
      }
      if (options.out) {
        writeFileSync(options.out, text)
        process.stderr.write(`wrote ${options.out}\n`)
      } else process.stdout.write(text)
    }),
  )
}
