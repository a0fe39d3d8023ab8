import { describe, expect, test } from 'vitest'
import { type Budget, BudgetExceededError, createBudget, reserveAll } from '../src/index.js'

const alice = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const bob = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

describe('createBudget', () => {
  test('a child spend counts against every ancestor', () => {
    const swarm = createBudget('swarm', { max: 100n })
    const a = swarm.child('a', { max: 80n })
    const b = swarm.child('b', { max: 80n })
    a.reserve(60n).commit()
    expect(swarm.spent()).toBe(60n)
    expect(swarm.remaining()).toBe(40n)
    // b has room of its own but the swarm does not.
    const error = (() => {
      try {
        b.reserve(50n)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', scope: 'swarm' })
    expect(b.reserved()).toBe(0n)
    expect(swarm.reserved()).toBe(0n)
  })

  test('reservations hold room until released; release and commit are idempotent', () => {
    const budget = createBudget('agent', { max: 10n })
    const r = budget.reserve(7n)
    expect(() => budget.reserve(4n)).toThrow(BudgetExceededError)
    r.release()
    r.release()
    const s = budget.reserve(10n)
    s.commit()
    s.commit()
    s.release()
    expect(budget.spent()).toBe(10n)
    expect(budget.remaining()).toBe(0n)
  })

  test('a rolling window forgets spends older than the window', () => {
    let now = 1_000_000
    const budget = createBudget('agent', { max: 10n, windowMs: 60_000 }, { now: () => now })
    budget.reserve(10n).commit()
    expect(() => budget.reserve(1n)).toThrow(/cross the limit of budget agent/)
    now += 59_999
    expect(() => budget.reserve(1n)).toThrow(BudgetExceededError)
    now += 1
    expect(budget.spent()).toBe(0n)
    budget.reserve(10n).commit()
  })

  test('a payee allowlist applies to the scope and its children', () => {
    const agent = createBudget('agent', { payees: [alice] })
    const agreement = agent.child('terms')
    agreement.reserve(1n, { payee: alice.toLowerCase() as `0x${string}` }).commit()
    expect(() => agreement.reserve(1n, { payee: bob })).toThrow(
      expect.objectContaining({ code: 'BUDGET_PAYEE_NOT_ALLOWED', scope: 'agent' }),
    )
    expect(() => agreement.reserve(1n)).toThrow(
      expect.objectContaining({ code: 'BUDGET_PAYEE_NOT_ALLOWED' }),
    )
  })

  test('50 concurrent reservations never overspend', async () => {
    const swarm = createBudget('swarm', { max: 1_000n })
    const agent = swarm.child('agent', { max: 2_000n })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 7))
        const r = agent.child(`terms-${i % 3}`).reserve(70n)
        await new Promise((r) => setTimeout(r, 1))
        r.commit()
      }),
    )
    const ok = results.filter((r) => r.status === 'fulfilled').length
    expect(ok).toBe(14) // floor(1000 / 70)
    expect(swarm.spent()).toBe(980n)
    expect(swarm.spent()).toBeLessThanOrEqual(1_000n)
  })

  test('a negative limit or amount is refused', () => {
    expect(() => createBudget('x', { max: -1n })).toThrow(
      expect.objectContaining({ code: 'AMOUNT_INVALID' }),
    )
    expect(() => createBudget('x').reserve(-1n)).toThrow(
      expect.objectContaining({ code: 'AMOUNT_INVALID' }),
    )
  })
})

describe('record', () => {
  test('a spend read back after a restart counts at its own time, even past the limit', () => {
    let now = 1_000
    const day = createBudget('day', { max: 10n, windowMs: 100 }, { now: () => now })
    const session = day.child('session')
    now = 950
    session.record(12n) // spent before the limit was lowered: over it already
    now = 1_000
    expect([day.spent(), day.remaining(), session.spent()]).toEqual([12n, 0n, 12n])
    expect(() => session.reserve(1n)).toThrow(expect.objectContaining({ code: 'BUDGET_EXCEEDED' }))
    now = 1_051 // the window has passed the recorded spend
    expect([day.spent(), day.remaining()]).toEqual([0n, 10n])
    expect(() => day.record(-1n)).toThrow(expect.objectContaining({ code: 'AMOUNT_INVALID' }))
  })
})

describe('reserveAll', () => {
  test('one spend held against independent budgets: the tightest decides, a refusal reserves nothing', () => {
    const agent = createBudget('agent', { max: 10n })
    const call = createBudget('call', { max: 3n })
    reserveAll([agent, call], 2n).commit()
    expect(() => reserveAll([agent, call], 2n)).toThrow(
      expect.objectContaining({ code: 'BUDGET_EXCEEDED', scope: 'call' }),
    )
    expect([agent.spent(), agent.reserved(), call.spent(), call.reserved()]).toEqual([
      2n,
      0n,
      2n,
      0n,
    ])
    reserveAll([agent, call], 1n).commit()
    expect(agent.remaining()).toBe(7n)
  })

  test('a scope reached through several budgets counts once', () => {
    const agent = createBudget('agent', { max: 10n })
    const terms = agent.child('terms', { max: 4n })
    const r = reserveAll([agent, terms, terms], 4n)
    expect(agent.reserved()).toBe(4n)
    r.release()
    r.release()
    expect(agent.reserved()).toBe(0n)
    expect(() => reserveAll([agent, terms], 5n)).toThrow(
      expect.objectContaining({ code: 'BUDGET_EXCEEDED', scope: 'agent/terms' }),
    )
  })

  test('a budget implemented elsewhere is reserved through its own reserve, and undone when another refuses', () => {
    const held: string[] = []
    const foreign = (name: string, refuse: boolean): Budget => {
      const own = createBudget(name)
      return {
        ...own,
        reserve(amount) {
          if (refuse)
            throw new BudgetExceededError('BUDGET_EXCEEDED', `${name} refuses`, { scope: name })
          held.push(`${name}+${amount}`)
          return {
            amount,
            commit: () => held.push(`${name} commit`),
            release: () => held.push(`${name} release`),
          }
        },
      }
    }
    const agent = createBudget('agent', { max: 10n })
    expect(() => reserveAll([agent, foreign('a', false), foreign('b', true)], 2n)).toThrow(
      /b refuses/,
    )
    expect(held).toEqual(['a+2', 'a release'])
    expect(agent.reserved()).toBe(0n)
    reserveAll([agent, foreign('c', false)], 3n).commit()
    expect(held.slice(2)).toEqual(['c+3', 'c commit'])
    expect(agent.spent()).toBe(3n)
  })
})
