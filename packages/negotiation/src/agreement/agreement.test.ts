import { type CallForProposals, gotongDomain, hashAgreement, type Proposal } from '@gotong/core'
import { concat, keccak256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { agreementDomain, agreementFor, proposalIdFor, termsHashFor } from './agreementFor.js'
import { signAgreement } from './signAgreement.js'
import { verifyAgreement } from './verifyAgreement.js'

const consumer = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const provider = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const contract = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const cfpId = `0x${'11'.repeat(32)}` as const
const cfp = { cfpId, consumer: consumer.address, chainId: 31337 } as CallForProposals
const proposal: Proposal = {
  type: 'proposal',
  cfpId,
  proposalId: proposalIdFor(cfpId, provider.address, 0),
  round: 0,
  payee: provider.address,
  tool: { registry: contract, toolId: 7n, manifestHash: `0x${'ab'.repeat(32)}` },
  terms: {
    token: contract,
    pricePerCall: 5_000n,
    maxCalls: 1_000n,
    validUntil: 1_900_000_000n,
    p95LatencyMs: 250,
    callsPerMinute: 600,
  },
  channel: { contract, minDeposit: 0n },
  expiresAt: 1_800_000_000n,
}

describe('agreements', () => {
  test('built field for field from the proposal, with a nonce no other agreement has', () => {
    const agreement = agreementFor(cfp, proposal)
    expect(agreement).toEqual({
      consumer: consumer.address,
      provider: provider.address,
      registry: contract,
      toolId: 7n,
      manifestHash: proposal.tool.manifestHash,
      token: contract,
      pricePerCall: 5_000n,
      maxCalls: 1_000n,
      validUntil: 1_900_000_000n,
      p95LatencyMs: 250,
      callsPerMinute: 600,
      nonce: keccak256(concat([cfpId, proposal.proposalId])),
    })
    expect(proposalIdFor(cfpId, provider.address, 1)).not.toBe(proposal.proposalId)
    expect(termsHashFor(cfp, proposal)).toBe(
      hashAgreement(agreement, gotongDomain({ chainId: 31337, verifyingContract: contract })),
    )
  })

  test('verifyAgreement: the signer’s signature passes, others and garbage do not', async () => {
    const agreement = agreementFor(cfp, proposal)
    const domain = agreementDomain(cfp, proposal)
    const signature = await signAgreement(provider, { agreement, domain })
    const check = (sig: `0x${string}`, signer = provider.address) =>
      verifyAgreement({ agreement, domain, signature: sig, signer })
    expect(await check(signature)).toBe(true)
    expect(await check(signature, consumer.address)).toBe(false)
    expect(
      await verifyAgreement({
        agreement: { ...agreement, pricePerCall: 1n },
        domain,
        signature,
        signer: provider.address,
      }),
    ).toBe(false)
    // not a point on the curve: viem throws, the check says false
    expect(await check(`0x${'00'.repeat(65)}`)).toBe(false)
  })
})
