import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { Agreement } from '@gotong/core'
import { SignedReceipt } from '@gotong/payments'
import type { Hex } from 'viem'
import { z } from 'zod'

/** A provider's signed receipt kept as evidence, with the agreement its `termsHash` commits to. */
export const Evidence = z.strictObject({ agreement: Agreement, receipt: SignedReceipt })
export type Evidence = z.output<typeof Evidence>

/**
 * Two receipts of one provider for one request (one `requestHash` under one agreement) with
 * different responses: proof it lied at least once, which `reportEquivocation` takes on chain.
 */
export type Equivocation = { agreement: Agreement; first: SignedReceipt; second: SignedReceipt }

/** Receipts of deterministic tools, one per request and response, kept to prove equivocation. */
export type EvidenceStore = {
  /** Keeps a receipt; returns the equivocation it proves with one kept before, if any. */
  add(evidence: Evidence): Equivocation | undefined
  /** The receipts kept for one request: one per distinct response. */
  byRequest(requestHash: Hex): Evidence[]
  /** Every receipt kept, oldest first. */
  list(): Evidence[]
}

export type CreateEvidenceStoreParameters = {
  /** A JSON-lines file that keeps the evidence across restarts (memory only without it). */
  file?: string | undefined
}

/**
 * An evidence store: the first receipt of each (request, response) is kept, in memory and, with
 * `file`, appended to disk, so evidence gathered before a restart still proves a later lie.
 *
 * @example
 * const store = createEvidenceStore({ file: '.gotong/evidence.jsonl' })
 * const equivocation = store.add({ agreement, receipt })
 * if (equivocation) await reportEquivocation(client, { providerStake, equivocation })
 */
export function createEvidenceStore(parameters: CreateEvidenceStoreParameters = {}): EvidenceStore {
  const byRequest = new Map<string, Evidence[]>()
  const all: Evidence[] = []
  const keep = (evidence: Evidence) => {
    const key = keyOf(evidence)
    const kept = byRequest.get(key) ?? []
    const response = evidence.receipt.receipt.responseHash
    const differing = kept.find((e) => e.receipt.receipt.responseHash !== response)
    if (kept.some((e) => e.receipt.receipt.responseHash === response)) return { added: false }
    kept.push(evidence)
    byRequest.set(key, kept)
    all.push(evidence)
    return { added: true, differing }
  }
  if (parameters.file && existsSync(parameters.file))
    for (const line of readFileSync(parameters.file, 'utf8').split('\n')) {
      if (!line.trim()) continue
      // A line cut short by a crash is skipped: the receipts before it still count.
      const parsed = Evidence.safeParse(safeJson(line))
      if (parsed.success) keep(parsed.data)
    }
  return {
    add(evidence) {
      const { added, differing } = keep(evidence)
      if (!added) return undefined
      if (parameters.file)
        appendFileSync(parameters.file, `${JSON.stringify(evidence, bigintAsString)}\n`)
      return differing
        ? { agreement: evidence.agreement, first: differing.receipt, second: evidence.receipt }
        : undefined
    },
    byRequest: (requestHash) =>
      all.filter((e) => e.receipt.receipt.requestHash === requestHash.toLowerCase()),
    list: () => [...all],
  }
}

/** Receipts prove equivocation only within one agreement (the contract checks one `termsHash`). */
function keyOf(evidence: Evidence): string {
  const { termsHash, requestHash } = evidence.receipt.receipt
  return `${termsHash}:${requestHash}`
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}
