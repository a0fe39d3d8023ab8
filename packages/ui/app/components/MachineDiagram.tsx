import type { MachineGraph } from '../../src/describeMachine.js'

const boxW = 118
const boxH = 30
const colW = 138
const rowH = 52

/**
 * The consumer machine's states as the server read them from its definition, laid out by
 * distance from the start; the current state lit, states already passed through marked.
 */
export function MachineDiagram({
  graph,
  current,
  visited,
}: {
  graph: MachineGraph
  current: string
  visited: readonly string[]
}) {
  const place = new Map(
    graph.states.map((s) => [s.id, { x: 10 + s.col * colW, y: 24 + s.row * rowH }] as const),
  )
  const width = Math.max(...graph.states.map((s) => s.col)) * colW + boxW + 20
  const height = (Math.max(...graph.states.map((s) => s.row)) + 1) * rowH + 30
  const seen = new Set(visited)
  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="machine" data-testid="machine">
      <title>The consumer negotiation machine</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 8 8"
          refX="8"
          refY="4"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L8,4 L0,8 z" />
        </marker>
      </defs>
      {graph.groups.map((group) => {
        const members = graph.states
          .filter((s) => s.parent === group.id)
          .map((s) => place.get(s.id)!)
        if (members.length === 0) return null
        const x = Math.min(...members.map((m) => m.x)) - 6
        const y = Math.min(...members.map((m) => m.y)) - 16
        const x2 = Math.max(...members.map((m) => m.x)) + boxW + 6
        const y2 = Math.max(...members.map((m) => m.y)) + boxH + 6
        return (
          <g key={group.id} className="group">
            <rect x={x} y={y} width={x2 - x} height={y2 - y} rx={8} />
            <text x={x + 6} y={y + 11}>
              {group.label}
            </text>
          </g>
        )
      })}
      {graph.edges.map((edge) => {
        const a = place.get(edge.from)
        const b = place.get(edge.to)
        if (!a || !b || edge.from === edge.to) return null
        const forward = b.x > a.x
        const x1 = forward ? a.x + boxW : a.x + boxW / 2
        const y1 = forward ? a.y + boxH / 2 : a.y + boxH
        const x2 = forward ? b.x : b.x + boxW / 2
        const y2 = forward ? b.y + boxH / 2 : b.y + boxH
        const bend = forward ? 0 : 26
        return (
          <path
            key={`${edge.from}-${edge.to}`}
            className="edge"
            d={`M${x1},${y1} C${x1 + (forward ? 20 : 0)},${y1 + bend} ${x2 - (forward ? 20 : 0)},${y2 + bend} ${x2},${y2}`}
            markerEnd="url(#arrow)"
          >
            <title>{edge.events.join(', ')}</title>
          </path>
        )
      })}
      {graph.states.map((state) => {
        const p = place.get(state.id)!
        const lit = state.id === current
        return (
          <g
            key={state.id}
            className={`state${lit ? ' current' : seen.has(state.id) ? ' visited' : ''}${state.final ? ' final' : ''}`}
            data-testid="machine-state"
            data-state={state.id}
            data-current={lit ? 'true' : 'false'}
          >
            <rect x={p.x} y={p.y} width={boxW} height={boxH} rx={state.final ? 15 : 5} />
            <text x={p.x + boxW / 2} y={p.y + 19} textAnchor="middle">
              {state.label}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
