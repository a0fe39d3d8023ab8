// The paid-call vectors (vectors/call.json and channel.json at the repository root, described in
// PROTOCOL.md) against the agent's code: the request hash a receipt binds, and the bodies of the
// `call` and `fund` routes.
import { readFileSync } from 'node:fs'
import { bigintReplacer } from '@gotong/core'
import { describe, expect, test } from 'vitest'
import { CallRequest, callRequestHash, FundRequest } from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: vectors are plain JSON, checked field by field
type Json = any
const vector = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../vectors/${name}.json`, import.meta.url), 'utf8'))
const wire = (value: unknown) => JSON.parse(JSON.stringify(value, bigintReplacer))

describe('protocol vectors: a paid call', () => {
  const call = vector('call')

  test('the request hash, whatever the case of the terms hash sent', () => {
    expect(callRequestHash(call.tool, call.termsHash, call.input)).toBe(call.requestHash)
    expect(
      callRequestHash(call.tool, call.termsHash.toUpperCase().replace('0X', '0x'), call.input),
    ).toBe(call.requestHash)
  })

  test('the call and fund bodies parse as the routes take them', () => {
    expect(wire(CallRequest.parse(call.body))).toEqual(call.body)
    const { fund } = vector('channel')
    expect(wire(FundRequest.parse(fund))).toEqual(fund)
  })
})
