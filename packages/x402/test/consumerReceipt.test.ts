import { contentHash, gotongDomain, type SignedX402Receipt, x402ReceiptTypes } from '@gotong/core'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { verifyX402Receipt } from '../src/index.js'

const provider = privateKeyToAccount(`0x${'11'.repeat(32)}`)
const stranger = privateKeyToAccount(`0x${'22'.repeat(32)}`)
const domain = {
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
} as const
const payment = {
  payer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  authorizationNonce: `0x${'ab'.repeat(32)}`,
  amount: 2_000n,
  transaction: `0x${'cd'.repeat(32)}`,
} as const
const output = { words: 5 }
const receipt: SignedX402Receipt['receipt'] = {
  payer: payment.payer.toLowerCase() as `0x${string}`,
  authorizationNonce: payment.authorizationNonce,
  amount: payment.amount,
  requestHash: `0x${'01'.repeat(32)}`,
  responseHash: contentHash(output),
  transaction: payment.transaction,
  servedAt: 1_700_000_000n,
}
const sign = (by = provider, message: typeof receipt = receipt) =>
  by
    .signTypedData({
      domain: gotongDomain(domain),
      types: x402ReceiptTypes,
      primaryType: 'X402Receipt',
      message,
    })
    .then((signature) => ({ receipt: message, signature }))
const verify = async (signed: unknown, got: unknown = output) =>
  verifyX402Receipt({ receipt: signed, signer: provider.address, payment, output: got, domain })
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string; shortMessage?: string }) => `${error.code}: ${error.shortMessage}`,
  )

describe("a provider's x402 receipt", () => {
  test('binds the payment, the output and the provider', async () => {
    expect(await codeOf(verify(await sign()))).toBe('ok')
    expect(await codeOf(verify(await sign(), { words: 6 }))).toBe(
      "RECEIPT_INVALID: The x402 receipt's responseHash does not match the call it answers.",
    )
    expect(await codeOf(verify(await sign(provider, { ...receipt, amount: 1_000n })))).toBe(
      "RECEIPT_INVALID: The x402 receipt's amount does not match the call it answers.",
    )
    const otherRequest = verifyX402Receipt({
      receipt: await sign(),
      signer: provider.address,
      payment: { ...payment, requestHash: `0x${'02'.repeat(32)}` },
      output,
      domain,
    })
    expect(await codeOf(otherRequest)).toBe(
      "RECEIPT_INVALID: The x402 receipt's requestHash does not match the call it answers.",
    )
    expect(await codeOf(verify(await sign(stranger)))).toBe(
      'RECEIPT_INVALID: The x402 receipt is not signed by the provider.',
    )
    expect(await codeOf(verify({ receipt, signature: '0x1234' }))).toBe(
      'RECEIPT_INVALID: The x402 receipt is malformed.',
    )
  })
})
