import { formatAmount } from '@gotong/core'
import type { ColumnProfile, DatasetProfile } from '@gotong/tool-dataset-stats'
import type { DedupeResult } from '@gotong/tool-dedupe'
import type { KeywordsResult } from '@gotong/tool-keywords'
import type { SentimentResult } from '@gotong/tool-sentiment'
import type { Summary } from '@gotong/tool-summarize'
import type { Address, Hex } from 'viem'
import type { RejectedOffer } from './offers.js'
import type { Capability } from './plan.js'

/** One paid call a job made. */
export type CallRecord = {
  step: Capability
  tool: string
  toolId: bigint
  ref: string
  provider: Address
  /** Agreed price of the call, in base units: what was paid. */
  price: bigint
  /** Price the listing stated. */
  listedPrice: bigint
  p95LatencyMs: number | undefined
  channelId: Hex
  requestHash: Hex
}

/** A step that did not produce a result, and why. */
export type StepIssue = { step: Capability; code: string; message: string }

/** Everything a report is written from. */
export type ReportInput = {
  goal: string
  profile?: DatasetProfile | undefined
  dedupe?: DedupeResult | undefined
  textColumns?: readonly string[]
  keywords?: KeywordsResult | undefined
  sentiment?: SentimentResult | undefined
  summary?: Summary | undefined
  calls: readonly CallRecord[]
  /** Offers passed over per step (SLA or price), to say why the pick was made. */
  passedOver?: Partial<Record<Capability, readonly RejectedOffer[]>>
  failures?: readonly StepIssue[]
  skipped?: readonly StepIssue[]
}

/**
 * Writes a short markdown report from the tools' results and the calls that bought them.
 * Pure: the same input gives the same bytes.
 *
 * @example const markdown = renderReport({ goal, profile, dedupe, calls })
 */
export function renderReport(input: ReportInput): string {
  const lines: string[] = ['# Dataset report', '', `Goal: ${input.goal}`, '']
  const { profile, dedupe } = input
  if (profile) {
    lines.push('## Overview', '')
    lines.push(`- ${profile.rowCount} rows, ${profile.columnCount} columns.`)
    const missing = profile.columns.filter((c) => c.missing > 0)
    if (missing.length)
      lines.push(
        `- Missing values in ${missing.map((c) => `${c.name} (${c.missing})`).join(', ')}.`,
      )
    if (dedupe)
      lines.push(
        dedupe.duplicates
          ? `- ${dedupe.duplicates} duplicate row${dedupe.duplicates === 1 ? '' : 's'}; ${dedupe.unique} unique.`
          : '- No duplicate rows.',
      )
    lines.push('', '## Columns', '', '| column | type | present | missing | distinct | summary |')
    lines.push('| --- | --- | --- | --- | --- | --- |')
    for (const column of profile.columns)
      lines.push(
        `| ${cell(column.name)} | ${column.type} | ${column.count} | ${column.missing} | ${column.distinct} | ${cell(describe(column))} |`,
      )
    lines.push('')
  }
  if (dedupe?.groups.length) {
    lines.push('## Duplicates', '')
    for (const group of dedupe.groups.slice(0, 10))
      lines.push(
        `- rows ${group.indices.map((i) => i + 1).join(', ')} match (key ${group.key.slice(0, 10)}…)`,
      )
    if (dedupe.groups.length > 10) lines.push(`- … and ${dedupe.groups.length - 10} more groups`)
    lines.push('')
  }
  if (input.keywords || input.sentiment || input.summary) {
    const columns = input.textColumns?.length ? ` (${input.textColumns.join(', ')})` : ''
    lines.push(`## Text${columns}`, '')
    if (input.keywords)
      lines.push(
        `**Keywords:** ${input.keywords.keywords.map((k) => k.term).join(', ') || 'none found'}`,
        '',
      )
    if (input.sentiment) {
      const s = input.sentiment.summary
      lines.push(
        `**Sentiment:** ${s.positive} positive, ${s.negative} negative, ${s.neutral} neutral of ${s.count} (mean comparative ${number(s.meanComparative)}, ${input.sentiment.lexicon})`,
        '',
      )
    }
    if (input.summary)
      lines.push(
        `**Summary** (${input.summary.method}${input.summary.fallback ? ', model failed' : ''}): ${input.summary.summary || '(nothing to summarize)'}`,
        '',
      )
  }
  lines.push(...renderIssues(input.skipped ?? [], input.failures ?? []))
  lines.push(...renderCalls(input.calls, input.passedOver ?? {}))
  return `${lines.join('\n').trimEnd()}\n`
}

/**
 * The "Not done" section: steps skipped, then steps failed, each with its code; nothing when
 * every step was done.
 *
 * @example renderIssues([], [{ step: 'summarize', code: 'NO_OFFER', message: 'no provider offers it' }])
 */
export function renderIssues(
  skipped: readonly StepIssue[],
  failures: readonly StepIssue[],
): string[] {
  const notes = [...skipped, ...failures]
  if (!notes.length) return []
  return ['## Not done', '', ...notes.map((n) => `- ${n.step}: ${n.message} (${n.code})`), '']
}

/**
 * The "Tools bought" section: each call's tool, provider and price, the offers passed over and
 * the total.
 *
 * @example renderCalls(calls, {}).join('\n')
 */
export function renderCalls(
  calls: readonly CallRecord[],
  passedOver: Partial<Record<Capability, readonly RejectedOffer[]>>,
): string[] {
  const lines = ['## Tools bought', '']
  if (!calls.length) return [...lines, 'No calls were made.']
  lines.push(
    '| step | tool | provider | price (gUSD) | passed over |',
    '| --- | --- | --- | --- | --- |',
  )
  for (const call of calls) {
    const others = (passedOver[call.step] ?? [])
      .map((r) => `${short(r.offer.provider)} at ${formatAmount(r.offer.price, 6)}: ${r.reason}`)
      .join('; ')
    lines.push(
      `| ${call.step} | ${call.tool} #${call.toolId} | ${short(call.provider)} | ${formatAmount(call.price, 6)} | ${cell(others) || '—'} |`,
    )
  }
  const total = calls.reduce((sum, call) => sum + call.price, 0n)
  lines.push('', `Total: ${formatAmount(total, 6)} gUSD over ${calls.length} paid calls.`)
  return lines
}

function describe(column: ColumnProfile): string {
  if (column.numeric) {
    const n = column.numeric
    return `min ${number(n.min)}, max ${number(n.max)}, mean ${number(n.mean)}, median ${number(n.median)}, sd ${number(n.stddev)}`
  }
  if (column.dates) return `${column.dates.min} to ${column.dates.max}`
  const top = (column.top ?? [])
    .slice(0, 3)
    .map((t) => `${t.value.length > 24 ? `${t.value.slice(0, 23)}…` : t.value} (${t.count})`)
  const length = column.text ? `; mean length ${number(column.text.meanLength)}` : ''
  return top.length ? `top: ${top.join(', ')}${length}` : ''
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)))
}

function short(address: Address): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}
