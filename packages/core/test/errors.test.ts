import { describe, expect, test } from 'vitest'
import {
  BaseError,
  InvalidInputError,
  parseWith,
  toWireError,
  Uint256,
  WireError,
  wireReasons,
} from '../src/index.js'

describe('BaseError', () => {
  test('carries a stable code, short message, details and meta lines', () => {
    const error = new BaseError('DEVNET_PORT_IN_USE', 'Port 8545 is in use.', {
      details: 'EADDRINUSE',
      metaMessages: ['Pass --port 0 to pick a free port.'],
    })
    expect(error.code).toBe('DEVNET_PORT_IN_USE')
    expect(error.shortMessage).toBe('Port 8545 is in use.')
    expect(error.message).toMatchInlineSnapshot(`
      "Port 8545 is in use.

      Pass --port 0 to pick a free port.

      Details: EADDRINUSE"
    `)
  })

  test('walk() follows causes to the root, or to the first match', () => {
    const root = new Error('ECONNREFUSED')
    const middle = new BaseError('RPC_UNREACHABLE', 'RPC unreachable.', { cause: root })
    const top = new BaseError('DEPLOY_FAILED', 'Deploy failed.', { cause: middle })
    expect(top.walk()).toBe(root)
    expect(top.walk((e) => e instanceof BaseError && e.code === 'RPC_UNREACHABLE')).toBe(middle)
    expect(top.walk((e) => e instanceof TypeError)).toBeNull()
    expect(top.details).toBe('ECONNREFUSED')
  })
})

describe('InvalidInputError', () => {
  test('lists every violated rule with its path', () => {
    let caught: unknown
    try {
      parseWith(Uint256, '-5', 'amount')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(InvalidInputError)
    expect((caught as InvalidInputError).code).toBe('INVALID_INPUT')
    expect((caught as InvalidInputError).rules).toEqual(['invalid_format'])
  })
})

describe('WireError', () => {
  test('numeric codes and reasons are stable', () => {
    expect(wireReasons).toMatchInlineSnapshot(`
      {
        "access_denied": 403,
        "expired": 408,
        "internal": 500,
        "invalid_input": 400,
        "invalid_signature": 401,
        "invalid_voucher": 422,
        "not_found": 404,
        "payload_too_large": 413,
        "payment_required": 402,
        "predicate_failed": 502,
        "quota_exceeded": 429,
        "rate_limited": 430,
        "replayed": 409,
        "terms_mismatch": 412,
        "timeout": 504,
        "unavailable": 503,
      }
    `)
  })

  test('round-trips through its JSON payload', () => {
    const error = new WireError('payment_required', 'Voucher increment is below the price', {
      data: { price: '5000' },
    })
    const payload = JSON.parse(JSON.stringify(error.toPayload()))
    expect(payload).toEqual({
      code: 402,
      reason: 'payment_required',
      message: 'Voucher increment is below the price',
      data: { price: '5000' },
    })
    const back = WireError.fromPayload(payload)
    expect(back.reason).toBe('payment_required')
    expect(back.wireCode).toBe(402)
    expect(back.code).toBe('REMOTE_ERROR')
  })

  test('a malformed payload is invalid input, not a crash', () => {
    expect(() => WireError.fromPayload({ code: 'x', reason: 'Bad Reason' })).toThrow(
      InvalidInputError,
    )
  })

  test('toWireError never leaks internal messages', () => {
    const internal = toWireError(new Error('database password is hunter2'))
    expect(internal.toPayload()).toEqual({
      code: 500,
      reason: 'internal',
      message: 'The agent failed to handle the request',
    })
    const invalid = toWireError(
      new InvalidInputError('call', [{ rule: 'required', path: 'x', message: 'm' }]),
    )
    expect(invalid.toPayload().reason).toBe('invalid_input')
  })
})
