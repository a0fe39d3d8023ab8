import { gusd, nameOf } from '../format.js'
import type { ViewState } from '../store.js'

const width = 960
const height = 220
const colours = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
]

/** Spend (dashed) and earnings (solid) of each agent over time, cumulative, one colour each. */
export function MoneyPlot({ state }: { state: ViewState }) {
  const series = [...state.money.entries()]
  const points = series.flatMap(([, s]) => s)
  if (points.length === 0) return <p className="empty">No money has moved yet.</p>
  const t0 = Math.min(...points.map((p) => p.at))
  const t1 = Math.max(t0 + 1, ...points.map((p) => p.at))
  const top = points.reduce((m, p) => (p.spent > m ? p.spent : p.earned > m ? p.earned : m), 1n)
  const x = (at: number) => 50 + ((at - t0) / (t1 - t0)) * (width - 70)
  const y = (v: bigint) => height - 24 - (Number((v * 10_000n) / top) / 10_000) * (height - 40)
  const line = (s: { at: number; v: bigint }[]) =>
    s.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')
  return (
    <div className="money">
      <svg viewBox={`0 0 ${width} ${height}`} data-testid="money">
        <title>Spend and earnings over time</title>
        <line x1={50} y1={height - 24} x2={width - 20} y2={height - 24} className="axis" />
        <line x1={50} y1={16} x2={50} y2={height - 24} className="axis" />
        <text x={46} y={20} textAnchor="end" className="tick">
          {gusd(top)}
        </text>
        <text x={width - 20} y={height - 8} textAnchor="end" className="tick">
          {((t1 - t0) / 1000).toFixed(1)} s
        </text>
        {series.map(([address, s], i) => {
          const colour = colours[i % colours.length]
          const last = s.at(-1)!
          return (
            <g key={address}>
              {last.spent > 0n && (
                <path
                  d={line(s.map((p) => ({ at: p.at, v: p.spent })))}
                  stroke={colour}
                  className="spent"
                />
              )}
              {last.earned > 0n && (
                <path
                  d={line(s.map((p) => ({ at: p.at, v: p.earned })))}
                  stroke={colour}
                  className="earned"
                />
              )}
            </g>
          )
        })}
      </svg>
      <ul className="legend">
        {series.map(([address, s], i) => {
          const last = s.at(-1)!
          return (
            <li key={address} style={{ color: colours[i % colours.length] }}>
              {nameOf(state.agents, address)}: spent {gusd(last.spent)} · earned {gusd(last.earned)}
            </li>
          )
        })}
      </ul>
    </div>
  )
}
