// Paid calls as PROTOCOL.md §9 describes them: a cumulative voucher per call, signed for the
// envelope it goes out in, the answer's receipt checked against the call it pays for.
import assert from 'node:assert/strict'
import { type Hex, recoverTypedDataAddress } from 'viem'
import type { Deal } from './negotiate.js'
import { contentHash, gotongDomain, requestHashOf, typesOf } from './protocol.js'
import { type Peer, post, randomHex } from './transport.js'

export type Payment = {
  scheme: 'gotong-channel'
  chainId: number
  channels: Hex
  voucher: {
    channelId: Hex
    cumulativeAmount: string
    calls: string
    termsHash: Hex
    envelopeHash: Hex
  }
  signature: Hex
}

type Receipt = {
  termsHash: Hex
  channelId: Hex
  calls: string
  cumulativeAmount: string
  requestHash: Hex
  responseHash: Hex
  servedAt: string
}
export type Answer<Output> = { output: Output; receipt: { receipt: Receipt; signature: Hex } }

/** Pays for calls of one tool through one channel bound to one agreement. */
export function createPayer(
  peer: Peer,
  parameters: { route: string; tool: string; deal: Deal; channelId: Hex; channels: Hex },
) {
  const { deal, channelId, channels } = parameters
  const { termsHash } = deal
  const price = BigInt(deal.agreement.pricePerCall)
  const domain = gotongDomain(peer.chainId, channels)

  /** The voucher for the `calls`-th call, `calls × price` in all, sent in envelope `envelopeHash`. */
  async function voucher(calls: bigint, envelopeHash: Hex): Promise<Payment> {
    const voucher = {
      channelId,
      cumulativeAmount: (price * calls).toString(),
      calls: calls.toString(),
      termsHash,
      envelopeHash,
    }
    const signature = await peer.account.signTypedData({
      domain,
      types: typesOf('Voucher'),
      primaryType: 'Voucher',
      message: { ...voucher, cumulativeAmount: price * calls, calls },
    })
    return { scheme: 'gotong-channel', chainId: peer.chainId, channels, voucher, signature }
  }

  /**
   * One call, paid with the `calls`-th voucher signed for its envelope (or with `payment` as it
   * is, whatever envelope it names); the receipt must name this voucher and this request, signed
   * by the provider. Returns the answer and the payment sent.
   */
  async function call<Output>(
    input: unknown,
    pay: bigint | Payment,
  ): Promise<Answer<Output> & { payment: Payment }> {
    let payment: Payment | undefined
    const answer = await post<Answer<Output>>(
      peer,
      parameters.route,
      { termsHash, input },
      {
        idempotencyKey: randomHex(16),
        pay: async (envelopeHash) => {
          payment = typeof pay === 'bigint' ? await voucher(pay, envelopeHash) : pay
          return payment
        },
      },
    )
    const sent = payment as Payment
    const { receipt, signature } = answer.receipt
    assert.deepEqual(receipt, {
      termsHash,
      channelId,
      calls: sent.voucher.calls,
      cumulativeAmount: sent.voucher.cumulativeAmount,
      requestHash: requestHashOf(parameters.tool, termsHash, input),
      responseHash: contentHash(answer.output),
      servedAt: receipt.servedAt,
    })
    const signer = await recoverTypedDataAddress({
      domain,
      types: typesOf('Receipt'),
      primaryType: 'Receipt',
      message: {
        ...receipt,
        calls: BigInt(receipt.calls),
        cumulativeAmount: BigInt(receipt.cumulativeAmount),
        servedAt: BigInt(receipt.servedAt),
      },
      signature,
    })
    assert.equal(signer, deal.proposal.payee, 'the receipt is signed by the provider')
    return { ...answer, payment: sent }
  }

  return { price, voucher, call }
}
