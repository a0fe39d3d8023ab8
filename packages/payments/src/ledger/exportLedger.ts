import type { Hex } from 'viem'
import type { PayeeVoucher, PayerVoucher } from '../store/types.js'

/** One paid call in a ledger. Amounts are base-unit decimal strings. */
export type LedgerRow = {
  channelId: Hex
  call: string
  amount: string
  cumulativeAmount: string
  termsHash: Hex
  status: string
  requestHash: Hex | ''
  responseHash: Hex | ''
  servedAt: string
  receiptSignature: Hex | ''
  voucherSignature: Hex | ''
}

const columns: (keyof LedgerRow)[] = [
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
]

/**
 * Every call a payer paid or a payee was paid for, each with its receipt, as rows. A call's
 * amount is its cumulative total minus the one before it on the same channel.
 *
 * @example const rows = ledgerRows(payer.vouchers())
 */
export function ledgerRows(vouchers: readonly (PayerVoucher | PayeeVoucher)[]): LedgerRow[] {
  const sorted = [...vouchers].sort((a, b) =>
    a.channelId === b.channelId ? (a.calls < b.calls ? -1 : 1) : a.channelId < b.channelId ? -1 : 1,
  )
  let previous: { channelId: Hex; cumulative: bigint } | undefined
  return sorted.map((v) => {
    const before = previous?.channelId === v.channelId ? previous.cumulative : 0n
    previous = { channelId: v.channelId, cumulative: v.cumulativeAmount }
    return {
      channelId: v.channelId,
      call: v.calls.toString(),
      amount: ('amount' in v ? v.amount : v.cumulativeAmount - before).toString(),
      cumulativeAmount: v.cumulativeAmount.toString(),
      termsHash: v.termsHash,
      status: v.status,
      requestHash: v.receipt?.receipt.requestHash ?? v.requestHash ?? '',
      responseHash: v.receipt?.receipt.responseHash ?? '',
      servedAt: v.receipt ? new Date(Number(v.receipt.receipt.servedAt) * 1000).toISOString() : '',
      receiptSignature: v.receipt?.signature ?? '',
      voucherSignature: v.signature ?? '',
    }
  })
}

/**
 * A ledger as JSON (an array of rows) or CSV (RFC 4180, header first).
 *
 * @example writeFileSync('ledger.csv', exportLedger(payer.vouchers(), { format: 'csv' }))
 */
export function exportLedger(
  vouchers: readonly (PayerVoucher | PayeeVoucher)[],
  options: { format: 'json' | 'csv' },
): string {
  const rows = ledgerRows(vouchers)
  if (options.format === 'json') return `${JSON.stringify(rows, null, 2)}\n`
  const cell = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`
}
