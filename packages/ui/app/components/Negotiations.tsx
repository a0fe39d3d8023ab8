import { useState } from 'react'
import { gusd, nameOf, short } from '../format.js'
import type { ViewState } from '../store.js'
import { MachineDiagram } from './MachineDiagram.js'

/**
 * Each negotiation: the offers side by side (price, quota, service levels, outcome and why each
 * lost), who dropped out where, and the consumer machine with the current state lit.
 */
export function Negotiations({ state }: { state: ViewState }) {
  const all = [...state.negotiations.values()].sort((a, b) => b.at - a.at)
  const [chosen, choose] = useState<string | undefined>(undefined)
  const shown = all.find((n) => n.id === chosen) ?? all[0]
  if (!shown) return <p className="empty">No negotiation yet.</p>
  return (
    <div className="negotiations">
      <ul className="picker">
        {all.map((n) => (
          <li key={n.id}>
            <button
              type="button"
              className={n.id === shown.id ? 'chosen' : ''}
              onClick={() => choose(n.id)}
            >
              {nameOf(state.agents, n.agent)} · {n.capability ?? `tool ${n.toolId}`} · {n.state}
            </button>
          </li>
        ))}
      </ul>
      <div className="negotiation" data-testid="negotiation" data-state={shown.state}>
        <h3>
          {nameOf(state.agents, shown.agent)} asks for{' '}
          {shown.capability ? `“${shown.capability}”` : `tool ${shown.toolId}`}:{' '}
          <b>{shown.state}</b>
          <small> cfp {short(shown.id)}</small>
        </h3>
        <div className="offers">
          {shown.offers.map((offer) => (
            <div
              key={offer.provider}
              className={`offer ${offer.outcome}`}
              data-testid="offer"
              data-outcome={offer.outcome}
            >
              <div className="who">{nameOf(state.agents, offer.provider)}</div>
              <div>tool {offer.toolId.toString()}</div>
              <div>
                <b>{gusd(offer.pricePerCall)}</b> gUSD / call
              </div>
              <div>quota {offer.maxCalls.toString()} calls</div>
              <div>
                SLA p95 {offer.p95LatencyMs || '—'} ms · {offer.callsPerMinute || '—'} / min
              </div>
              <div>min deposit {gusd(offer.minDeposit)}</div>
              <div className="outcome">{offer.outcome}</div>
              {offer.reason && (
                <div className="reason" data-testid="offer-reason">
                  {offer.reason}
                </div>
              )}
            </div>
          ))}
        </div>
        {shown.dropouts.length > 0 && (
          <ul className="dropouts">
            {shown.dropouts.map((d) => (
              <li key={`${d.provider}-${d.stage}`}>
                {nameOf(state.agents, d.provider)} dropped out at {d.stage}: {d.reason}
                {d.message ? ` (${d.message})` : ''}
              </li>
            ))}
          </ul>
        )}
        {state.machine && (
          <MachineDiagram graph={state.machine} current={shown.state} visited={shown.states} />
        )}
      </div>
    </div>
  )
}
