import { describe, expect, test } from 'vitest'
import { InvalidInputError, parseWith } from '../errors/validation.js'
import { wireReasons } from '../errors/wire.js'
import { bigintReplacer } from '../utils/scalars.js'
import { CallForProposals } from './callForProposals.js'
import { ConsumerMessage, NegotiationMessage, ProviderMessage } from './negotiationMessage.js'
import { Proposal } from './proposal.js'
import { RejectReason, rejectReasons } from './reject.js'

const id = (byte: string) => `0x${byte.repeat(32)}`
const registry = '0x5fbdb2315678afecb367f032d93f642f64180aa3'

const cfpWire = {
  type: 'cfp',
  cfpId: id('AB'),
  consumer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  chainId: 31337,
  tool: { registry, toolId: '1' },
  constraints: {
    maxPricePerCall: '5000',
    calls: '100',
    deadline: '1900000000',
    sla: { p95LatencyMs: 250 },
  },
  respondBy: '1800000000',
}

const proposalWire = {
  type: 'proposal',
  cfpId: id('ab'),
  proposalId: id('cd'),
  round: 0,
  payee: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  tool: { registry, toolId: '1', manifestHash: id('ef') },
  terms: {
    token: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
    pricePerCall: '4000',
    maxCalls: '100',
    validUntil: '1900000000',
    p95LatencyMs: 200,
    callsPerMinute: 600,
  },
  channel: { contract: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512', minDeposit: '1000000' },
  expiresAt: '1800000060',
}

describe('negotiation protocol', () => {
  test('wire forms parse to bigints, checksummed addresses and lowercase hashes', () => {
    const cfp = parseWith(CallForProposals, cfpWire, 'cfp')
    expect(cfp.constraints.maxPricePerCall).toBe(5000n)
    expect(cfp.consumer).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    expect(cfp.cfpId).toBe(id('ab'))
    const proposal = parseWith(Proposal, proposalWire, 'proposal')
    expect(proposal.terms.pricePerCall).toBe(4000n)
    // and back: what a transport writes is what it reads
    const again = parseWith(Proposal, JSON.parse(JSON.stringify(proposal, bigintReplacer)), 'x')
    expect(again).toEqual(proposal)
  })

  test('a call names a tool or a capability, never both or neither', () => {
    const { tool: _, ...neither } = cfpWire
    const rulesOf = (value: unknown) => {
      try {
        parseWith(CallForProposals, value, 'cfp')
        return []
      } catch (error) {
        return (error as InvalidInputError).rules
      }
    }
    expect(rulesOf(neither)).toEqual(['tool_or_capability'])
    expect(rulesOf({ ...cfpWire, capability: 'weather' })).toEqual(['tool_or_capability'])
    expect(rulesOf({ ...neither, capability: 'weather' })).toEqual([])
    expect(rulesOf({ ...neither, capability: 'Weather!' })).toEqual(['invalid_format'])
    expect(rulesOf({ ...cfpWire, extra: 1 })).toEqual(['unknown_field'])
    expect(rulesOf({ ...cfpWire, constraints: { ...cfpWire.constraints, calls: '-1' } })).toEqual([
      'invalid_format',
    ])
  })

  test('messages are told apart by type; each side sends only its own', () => {
    expect(NegotiationMessage.parse(proposalWire).type).toBe('proposal')
    expect(ProviderMessage.safeParse(proposalWire).success).toBe(true)
    expect(ConsumerMessage.safeParse(proposalWire).success).toBe(false)
    expect(ConsumerMessage.safeParse(cfpWire).success).toBe(true)
    expect(ProviderMessage.safeParse(cfpWire).success).toBe(false)
    const reject = { type: 'reject', cfpId: id('ab'), reason: 'replayed' }
    expect(ConsumerMessage.parse(reject)).toEqual(reject)
    expect(() => parseWith(NegotiationMessage, { ...reject, reason: 'nope' }, 'reject')).toThrow(
      InvalidInputError,
    )
  })

  test('reject reasons are a fixed set; those shared with WireError keep its codes', () => {
    expect(RejectReason.options).toEqual([
      'declined',
      'expired',
      'replayed',
      'terms_mismatch',
      'invalid_signature',
      'invalid_input',
      'not_found',
      'closed',
      'cancelled',
      'unavailable',
    ])
    for (const [reason, code] of Object.entries(rejectReasons))
      if (reason in wireReasons) expect(code).toBe(wireReasons[reason as keyof typeof wireReasons])
    expect(rejectReasons.closed).toBe(410)
  })
})
