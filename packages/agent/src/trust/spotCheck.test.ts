import type { Agreement } from '@gotong/core'
import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import type { AgentContext } from '../agent/agentContext.js'
import type { PaidReceipt, Relationship } from '../consumer/types.js'
import { AgentError } from '../errors.js'
import { createSpotChecker } from './spotCheck.js'

const hex = (byte: string) => `0x${byte.repeat(32)}` as Hex
const agreement: Agreement = {
  consumer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  provider: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  registry: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  toolId: 1n,
  manifestHash: hex('aa'),
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  pricePerCall: 1_000n,
  maxCalls: 100n,
  validUntil: 2_000_000_000n,
  p95LatencyMs: 0,
  callsPerMinute: 0,
  nonce: hex('01'),
}

/** A paid receipt under terms `terms` (the checker asks once per terms hash whether it is deterministic). */
function paid(terms: string, spotCheck = false): PaidReceipt {
  const relationship = {
    toolId: 1n,
    provider: agreement.provider,
    routeBase: '/tools/1',
    agreement: { agreement, termsHash: hex(terms) },
    channelId: hex('cc'),
    budget: undefined,
  } as unknown as Relationship
  return {
    relationship,
    receipt: {
      receipt: {
        termsHash: hex(terms),
        channelId: hex('cc'),
        calls: 1n,
        cumulativeAmount: 1_000n,
        requestHash: hex('01'),
        responseHash: hex('02'),
        servedAt: 1n,
      },
      signature: `0x${'11'.repeat(65)}`,
    },
    input: { n: 1 },
    spotCheck,
  }
}

/** No check may reach the agent in these tests: the draws never fall below the rate. */
const noAgent = (): AgentContext => {
  throw new Error('a call was sampled')
}

describe('spot-check sampling', () => {
  test('a rate outside 0 to 1 is refused with SPOT_CHECK_INVALID', () => {
    for (const rate of [-0.1, 1.5, Number.NaN]) {
      const error = (() => {
        try {
          createSpotChecker({
            options: { rate },
            agent: noAgent,
            isDeterministic: async () => true,
          })
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(AgentError)
      expect((error as AgentError).code).toBe('SPOT_CHECK_INVALID')
    }
  })

  test('only deterministic calls are counted and drawn for; a spot check’s own calls never are', async () => {
    const draws: number[] = []
    const checker = createSpotChecker({
      options: {
        rate: 0.2,
        random: () => {
          draws.push(0.2)
          return 0.2
        },
      },
      agent: noAgent,
      isDeterministic: async () => true,
    })
    expect(await checker.observe(paid('dd'))).toBeUndefined()
    expect(await checker.observe(paid('dd'))).toBeUndefined()
    expect(checker.observe(paid('dd', true))).toBeUndefined()
    // A draw equal to the rate is not below it: nothing sampled, the calls still counted.
    expect(draws).toHaveLength(2)
    expect(checker.stats()).toEqual({
      deterministicCalls: 2,
      deterministicSpent: 2_000n,
      spotChecks: 0,
      rebought: 0,
      reboughtSpent: 0n,
      mismatches: 0,
    })
  })

  test('a tool whose manifest is not deterministic is neither drawn for nor counted', async () => {
    let drawn = 0
    const checker = createSpotChecker({
      options: { rate: 1, random: () => drawn++ },
      agent: noAgent,
      isDeterministic: async () => false,
    })
    expect(await checker.observe(paid('ee'))).toBeUndefined()
    expect(drawn).toBe(0)
    expect(checker.stats().deterministicCalls).toBe(0)
  })
})
