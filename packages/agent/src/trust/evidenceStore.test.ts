import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Agreement, Receipt } from '@gotong/core'
import type { Hex } from 'viem'
import { afterAll, describe, expect, test } from 'vitest'
import { createEvidenceStore, type Evidence } from './evidenceStore.js'

const dir = mkdtempSync(join(tmpdir(), 'gotong-evidence-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

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

function evidence(calls: bigint, request: string, response: string, terms = 'ee'): Evidence {
  const receipt: Receipt = {
    termsHash: hex(terms),
    channelId: hex('cc'),
    calls,
    cumulativeAmount: calls * 1_000n,
    requestHash: hex(request),
    responseHash: hex(response),
    servedAt: 1_767_139_200n,
  }
  return { agreement, receipt: { receipt, signature: `0x${'11'.repeat(65)}` } }
}

describe('evidence store', () => {
  test('a second answer to one request under one agreement is an equivocation; the same answer again is not kept', () => {
    const store = createEvidenceStore()
    expect(store.add(evidence(1n, 'b1', 'a1'))).toBeUndefined()
    expect(store.add(evidence(2n, 'b1', 'a1'))).toBeUndefined()
    expect(store.add(evidence(3n, 'b2', 'a2'))).toBeUndefined()
    const found = store.add(evidence(4n, 'b1', 'a9'))
    expect(found?.first.receipt.calls).toBe(1n)
    expect(found?.second.receipt.calls).toBe(4n)
    expect(store.byRequest(hex('b1')).map((e) => e.receipt.receipt.calls)).toEqual([1n, 4n])
    expect(store.list()).toHaveLength(3)
  })

  test('receipts under different agreements never pair up (the contract needs one termsHash)', () => {
    const store = createEvidenceStore()
    store.add(evidence(1n, 'b1', 'a1', 'e1'))
    expect(store.add(evidence(1n, 'b1', 'a2', 'e2'))).toBeUndefined()
  })

  test('evidence on disk survives a restart, past a line cut short by a crash', () => {
    const file = join(dir, 'evidence.jsonl')
    createEvidenceStore({ file }).add(evidence(1n, 'b1', 'a1'))
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"agreement":`)
    const again = createEvidenceStore({ file })
    expect(again.list()).toHaveLength(1)
    expect(again.add(evidence(2n, 'b1', 'a2'))?.first.receipt.responseHash).toBe(hex('a1'))
  })
})
