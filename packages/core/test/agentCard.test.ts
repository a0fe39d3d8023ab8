import { describe, expect, test } from 'vitest'
import { AgentCard, agentCardHash, InvalidInputError, parseWith } from '../src/index.js'

const card = {
  type: 'https://gotong.dev/agent-card-v1',
  name: 'stats-provider',
  description: 'Dataset statistics on demand.',
  endpoint: 'http://127.0.0.1:4021',
  address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  chain: 'eip155:31337',
  tags: ['statistics'],
}

describe('AgentCard', () => {
  test('a devnet card with a loopback endpoint is valid; its hash ignores key order', () => {
    expect(parseWith(AgentCard, card, 'agent card')).toEqual(card)
    const reordered = Object.fromEntries(Object.entries(card).reverse())
    expect(agentCardHash(reordered)).toBe(agentCardHash(card))
    expect(agentCardHash({ ...card, name: 'stats-provider-2' })).not.toBe(agentCardHash(card))
  })

  test.each([
    ['a loopback endpoint off devnet', { chain: 'eip155:8453' }, 'not_https'],
    [
      'a checksummed address',
      { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
      'invalid_format',
    ],
    ['an NFD name', { name: 'cafe\u0301' }, 'not_nfc'],
    ['an unknown field', { owner: 'me' }, 'unknown_field'],
  ])('rejects %s', (_name, patch, rule) => {
    let caught: unknown
    try {
      agentCardHash({ ...card, ...patch })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(InvalidInputError)
    expect((caught as InvalidInputError).rules).toContain(rule)
  })
})
