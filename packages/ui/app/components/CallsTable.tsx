import { memo, useLayoutEffect, useRef, useState } from 'react'
import { gusd, nameOf, wallClock } from '../format.js'
import type { AgentView, CallView, ViewState } from '../store.js'

/**
 * Calls as they happen, newest first: tool, provider, price, latency, receipt checked, refusal
 * code; filtered by any word of a row. Each row notes when it first appeared
 * (`data-rendered-at`) beside the event's own time (`data-at`), both on the wall clock.
 */
export function CallsTable({ state }: { state: ViewState }) {
  const [filter, setFilter] = useState('')
  const [kind, setKind] = useState<'all' | CallView['kind']>('all')
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean)
  const rows = state.calls
    .filter((call) => {
      // A served call whose caller streams is already there as the caller's paid call.
      if (call.kind === 'served' && state.agents.get(call.caller?.toLowerCase() ?? '')?.streaming)
        return false
      if (kind !== 'all' && call.kind !== kind) return false
      const text = `${toolName(state, call)} ${nameOf(state.agents, call.provider)} ${call.code ?? ''} ${call.kind}`
      return words.every((w) => text.toLowerCase().includes(w))
    })
    .slice(-200)
    .reverse()
  return (
    <div className="calls">
      <div className="filters">
        <input
          placeholder="filter: tool, provider, code…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="calls-filter"
        />
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="all">all</option>
          <option value="paid">paid</option>
          <option value="refused">refused</option>
          <option value="served">served</option>
        </select>
      </div>
      <table data-testid="calls">
        <thead>
          <tr>
            <th>time</th>
            <th>tool</th>
            <th>caller</th>
            <th>provider</th>
            <th>price</th>
            <th>latency</th>
            <th>receipt</th>
            <th>outcome</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((call) => (
            <CallRow
              key={call.key}
              call={call}
              tool={toolName(state, call)}
              agents={state.agents}
            />
          ))}
        </tbody>
      </table>
    </div>
  )
}

const CallRow = memo(function CallRow({
  call,
  tool,
  agents,
}: {
  call: CallView
  tool: string
  agents: Map<string, AgentView>
}) {
  const row = useRef<HTMLTableRowElement>(null)
  useLayoutEffect(() => {
    // Once, when the row is first in the document: how long the event took to be drawn.
    if (row.current && !row.current.dataset.renderedAt)
      row.current.dataset.renderedAt = String(wallClock())
  }, [])
  return (
    <tr
      ref={row}
      className={call.kind}
      data-testid="call"
      data-kind={call.kind}
      data-at={call.at}
      data-verified={call.verified ? 'true' : 'false'}
    >
      <td>{new Date(call.at).toLocaleTimeString()}</td>
      <td>{tool}</td>
      <td>{nameOf(agents, call.caller ?? call.agent)}</td>
      <td>{nameOf(agents, call.provider)}</td>
      <td>{call.price === undefined ? '—' : gusd(call.price)}</td>
      <td>{call.latencyMs === undefined ? '—' : `${call.latencyMs.toFixed(1)} ms`}</td>
      <td>{call.kind === 'paid' ? (call.verified ? '✔ verified' : '?') : '—'}</td>
      <td title={call.railReason}>
        {call.kind === 'refused'
          ? `refused ${call.code}`
          : call.rail
            ? `${call.kind} · ${call.rail}`
            : call.kind}
      </td>
    </tr>
  )
})

function toolName(state: ViewState, call: CallView): string {
  if (call.tool) return call.tool
  if (call.toolId === undefined) return '—'
  return (
    state.tools.get(call.toolId.toString()) ??
    state.listings.find((l) => l.toolId === call.toolId!.toString())?.name ??
    `tool ${call.toolId}`
  )
}
