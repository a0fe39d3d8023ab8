import type { Hex } from 'viem'
import type { PayeeVoucher, PayerVoucher } from '../store/types.js'

/**
 * One paid call in a ledger. Amounts are base-unit decimal strings. `scheme` says how it was
 * paid: `channel` (a voucher on a payment channel) or `x402` (one EIP-3009 transfer); columns
 * of the other scheme are empty.
 */
export type LedgerRow = {
  scheme: 'channel' | 'x402'
  channelId: Hex | ''
  call: string
  amount: string
  cumulativeAmount: string
  termsHash: Hex | ''
  status: string
  requestHash: Hex | ''
  responseHash: Hex | ''
  servedAt: string
  receiptSignature: Hex | ''
  voucherSignature: Hex | ''
  /** x402: the EIP-3009 authorization's nonce. */
  authorizationNonce: Hex | ''
  /** x402: the settling transaction. */
  transaction: Hex | ''
}

/**
 * A call paid over x402 as an x402 ledger keeps it (`X402Payment` of `@gotong/x402`, earned or
 * paid), with the provider's signed receipt once settled.
 */
export type X402LedgerEntry = {
  authorizationNonce: Hex
  amount: bigint
  status: string
  requestHash: Hex | undefined
  transaction: Hex | undefined
  receipt:
    | { receipt: { requestHash: Hex; responseHash: Hex; servedAt: bigint }; signature: Hex }
    | undefined
  createdAt: number
}

const columns: (keyof LedgerRow)[] = [
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
]

/**
 * Every call a payer paid or a payee was paid for, each with its receipt, as rows: channel calls
 * (by channel, then call), then x402 calls (oldest first). A channel call's amount is its
 * cumulative total minus the one before it on the same channel.
 *
 * @example const rows = ledgerRows(payer.vouchers(), agent.ledger().x402.paid)
 */
export function ledgerRows(
  vouchers: readonly (PayerVoucher | PayeeVoucher)[],
  x402: readonly X402LedgerEntry[] = [],
): LedgerRow[] {
  const sorted = [...vouchers].sort((a, b) =>
    a.channelId === b.channelId ? (a.calls < b.calls ? -1 : 1) : a.channelId < b.channelId ? -1 : 1,
  )
  let previous: { channelId: Hex; cumulative: bigint } | undefined
  const channelRows = sorted.map((v): LedgerRow => {
    const before = previous?.channelId === v.channelId ? previous.cumulative : 0n
    previous = { channelId: v.channelId, cumulative: v.cumulativeAmount }
    return {
      scheme: 'channel',
      channelId: v.channelId,
      call: v.calls.toString(),
      amount: ('amount' in v ? v.amount : v.cumulativeAmount - before).toString(),
      cumulativeAmount: v.cumulativeAmount.toString(),
      termsHash: v.termsHash,
      status: v.status,
      requestHash: v.receipt?.receipt.requestHash ?? v.requestHash ?? '',
      responseHash: v.receipt?.receipt.responseHash ?? '',
      servedAt: servedAt(v.receipt?.receipt.servedAt),
      receiptSignature: v.receipt?.signature ?? '',
      voucherSignature: v.signature ?? '',
      authorizationNonce: '',
      transaction: '',
    }
  })
  const x402Rows = [...x402]
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(
      (p): LedgerRow => ({
        scheme: 'x402',
        channelId: '',
        call: '',
        amount: p.amount.toString(),
        cumulativeAmount: '',
        termsHash: '',
        status: p.status,
        requestHash: p.receipt?.receipt.requestHash ?? p.requestHash ?? '',
        responseHash: p.receipt?.receipt.responseHash ?? '',
        servedAt: servedAt(p.receipt?.receipt.servedAt),
        receiptSignature: p.receipt?.signature ?? '',
        voucherSignature: '',
        authorizationNonce: p.authorizationNonce,
        transaction: p.transaction ?? '',
      }),
    )
  return [...channelRows, ...x402Rows]
}

/**
 * A ledger as JSON (an array of rows) or CSV (RFC 4180, header first), channel calls and, with
 * `x402`, calls paid over x402.
 *
 * @example writeFileSync('ledger.csv', exportLedger(payer.vouchers(), { format: 'csv', x402: agent.ledger().x402.paid }))
 */
export function exportLedger(
  vouchers: readonly (PayerVoucher | PayeeVoucher)[],
  options: { format: 'json' | 'csv'; x402?: readonly X402LedgerEntry[] },
): string {
  const rows = ledgerRows(vouchers, options.x402)
  if (options.format === 'json') return `${JSON.stringify(rows, null, 2)}\n`
  return toCsv(rows, columns)
}

/** Rows as RFC 4180 CSV with these columns, header first. */
function toCsv(rows: readonly LedgerRow[], header: readonly (keyof LedgerRow)[]): string {
  const cell = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
  return `${[header.join(','), ...rows.map((r) => header.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`
}

function servedAt(seconds: bigint | undefined): string {
  return seconds === undefined ? '' : new Date(Number(seconds) * 1000).toISOString()
}
