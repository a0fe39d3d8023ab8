import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors/validation.js'
import { type AgentEvent, agentEventTypes } from './agentEvent.js'
import { agentEventJson, parseAgentEvent } from './parseAgentEvent.js'

const agent = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const provider = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const channelId = `0x${'ab'.repeat(32)}` as const

const paid: AgentEvent = {
  v: 1,
  seq: 7,
  at: 1_765_000_000_123,
  agent,
  type: 'call.paid',
  toolId: 3n,
  provider,
  price: 2_000n,
  channelId,
  latencyMs: 2.5,
}

describe('an agent event on the wire', () => {
  test('amounts travel as decimal strings and come back as bigints', () => {
    const json = agentEventJson(paid)
    expect(json).toMatchInlineSnapshot(
      `"{"v":1,"seq":7,"at":1765000000123,"agent":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","type":"call.paid","toolId":"3","provider":"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC","price":"2000","channelId":"0xabababababababababababababababababababababababababababababababab","latencyMs":2.5}"`,
    )
    expect(parseAgentEvent(json)).toEqual({ known: true, event: paid })
  })

  test('fields a newer agent adds to a known event are dropped, not refused', () => {
    const parsed = parseAgentEvent({ ...JSON.parse(agentEventJson(paid)), colour: 'green' })
    expect(parsed).toEqual({ known: true, event: paid })
  })

  test('an event of another version is returned as its envelope, not thrown', () => {
    const future = { v: 2, seq: 1, at: 5, agent, type: 'call.paid', price: { amount: '1' } }
    expect(parseAgentEvent(JSON.stringify(future))).toEqual({ known: false, envelope: future })
  })

  test('a type this version does not know is shown as unknown too', () => {
    const parsed = parseAgentEvent({ v: 1, seq: 0, at: 5, agent, type: 'agent.teleported' })
    expect(parsed.known).toBe(false)
  })

  test('a malformed event of this version is refused with what was wrong', () => {
    const bad = { ...JSON.parse(agentEventJson(paid)), price: '-1' }
    const error = (() => {
      try {
        parseAgentEvent(bad)
      } catch (e) {
        return e as InvalidInputError
      }
    })()
    expect(error).toBeInstanceOf(InvalidInputError)
    expect(error?.issues.map((i) => `${i.path} ${i.rule}`)).toEqual(['price invalid_format'])
  })

  test('no envelope, no event: text that is not JSON is refused', () => {
    expect(() => parseAgentEvent('data: hello')).toThrow(InvalidInputError)
  })

  test('a stream never sends an event its readers would refuse', () => {
    expect(() => agentEventJson({ ...paid, agent: '0x1234' as never })).toThrow(InvalidInputError)
  })

  test('version 1 names each kind of event the issue lists', () => {
    expect(agentEventTypes).toMatchInlineSnapshot(`
      [
        "agent.started",
        "tool.published",
        "negotiation.state",
        "agreement.signed",
        "channel.opened",
        "channel.toppedUp",
        "channel.closing",
        "channel.claimed",
        "channel.finalized",
        "call.paid",
        "call.served",
        "call.refused",
        "receipt.verified",
        "budget.spent",
        "warning",
      ]
    `)
  })
})
