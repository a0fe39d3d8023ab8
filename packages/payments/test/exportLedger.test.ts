import { describe, expect, test } from 'vitest'
import { exportLedger, type X402LedgerEntry } from '../src/index.js'

const hex = (byte: string, bytes: number) => `0x${byte.repeat(bytes)}` as const
const settled: X402LedgerEntry = {
  authorizationNonce: hex('aa', 32),
  amount: 2_000n,
  status: 'settled',
  requestHash: hex('01', 32),
  transaction: hex('03', 32),
  receipt: {
    receipt: { requestHash: hex('01', 32), responseHash: hex('02', 32), servedAt: 1_700_000_000n },
    signature: hex('04', 65),
  },
  createdAt: 2,
}
const failed: X402LedgerEntry = {
  authorizationNonce: hex('bb', 32),
  amount: 2_000n,
  status: 'failed',
  requestHash: undefined,
  transaction: undefined,
  receipt: undefined,
  createdAt: 1,
}

describe('exportLedger with calls paid over x402', () => {
  test('one row per x402 payment, oldest first, scheme x402, channel columns empty', () => {
    const csv = exportLedger([], { format: 'csv', x402: [settled, failed] }).split('\r\n')
    expect(csv).toEqual([
      'scheme,channelId,call,amount,cumulativeAmount,termsHash,status,requestHash,responseHash,servedAt,receiptSignature,voucherSignature,authorizationNonce,transaction',
      `x402,,,2000,,,failed,,,,,,${failed.authorizationNonce},`,
      `x402,,,2000,,,settled,${hex('01', 32)},${hex('02', 32)},2023-11-14T22:13:20.000Z,${hex('04', 65)},,${settled.authorizationNonce},${settled.transaction}`,
      '',
    ])
    const [row] = JSON.parse(exportLedger([], { format: 'json', x402: [settled] }))
    expect(row).toMatchObject({ scheme: 'x402', amount: '2000', transaction: settled.transaction })
  })
})
