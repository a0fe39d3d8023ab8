import { gusd, nameOf } from '../format.js'
import type { ViewState } from '../store.js'

const width = 960
const rowHeight = 74

/**
 * Agents as a graph: payers on the left, providers and the rest on the right; each channel an
 * edge with its deposit, what was paid through it and what was claimed (from the chain when it
 * has answered), each balance read from the chain.
 */
export function AgentsGraph({ state }: { state: ViewState }) {
  const channels = [...state.channels.values()]
  const payers = new Set(channels.map((c) => c.payer.toLowerCase()))
  const payees = new Set(channels.map((c) => c.payee.toLowerCase()))
  // Payers on the left; providers and everyone else on the right, so no node sits on an edge.
  const columns: string[][] = [[], []]
  for (const key of state.agents.keys()) columns[payers.has(key) ? 0 : 1]!.push(key)
  const rows = Math.max(1, ...columns.map((c) => c.length))
  const height = Math.max(rows * rowHeight, channels.length * 34 + 60) + 40
  const at = new Map<string, { x: number; y: number }>()
  columns.forEach((column, c) => {
    column.forEach((key, r) => {
      const offset = ((rows - column.length) * rowHeight) / 2
      at.set(key, { x: 110 + c * (width - 220), y: 40 + offset + r * rowHeight })
    })
  })
  const fan = new Map<string, number>()
  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="graph" data-testid="agents-graph">
      <title>Agents and their channels</title>
      {channels.map((channel) => {
        const from = at.get(channel.payer.toLowerCase())
        const to = at.get(channel.payee.toLowerCase())
        if (!from || !to) return null
        const onChain = state.chain?.channels[channel.id.toLowerCase()]
        // A finalized channel holds nothing on chain any more: its history is the events'.
        const live = onChain && onChain.status !== 'closed' && onChain.status !== 'none'
        const deposit = live ? BigInt(onChain.deposit) : channel.deposit
        const claimed =
          onChain && BigInt(onChain.claimed) > channel.claimed
            ? BigInt(onChain.claimed)
            : channel.claimed
        // Channels between the same two agents are fanned out, one above the other.
        const pair = `${channel.payer}-${channel.payee}`.toLowerCase()
        const k = (fan.get(pair) ?? -1) + 1
        fan.set(pair, k)
        const share = (part: bigint) => (deposit > 0n ? Number((part * 1000n) / deposit) / 1000 : 0)
        const mx = (from.x + to.x) / 2
        const my = (from.y + to.y) / 2 + k * 34
        return (
          <g
            key={channel.id}
            className="channel"
            data-testid="channel"
            data-channel={channel.id}
            data-deposit={deposit.toString()}
            data-paid={channel.paid.toString()}
            data-claimed={claimed.toString()}
          >
            <path d={`M${from.x},${from.y} Q${mx},${my + k * 34} ${to.x},${to.y}`} />
            <rect x={mx - 60} y={my - 22} width={120} height={6} className="bar-deposit" />
            <rect
              x={mx - 60}
              y={my - 22}
              width={120 * share(channel.paid)}
              height={6}
              className="bar-paid"
            />
            <rect
              x={mx - 60}
              y={my - 14}
              width={120 * share(claimed)}
              height={4}
              className="bar-claimed"
            />
            <text x={mx} y={my + 2} textAnchor="middle" className="edge-label">
              {gusd(deposit)} · paid {gusd(channel.paid)} · claimed {gusd(claimed)}
              {onChain && onChain.status !== 'open' ? ` · ${onChain.status}` : ''}
            </text>
          </g>
        )
      })}
      {[...state.agents.values()].map((agent) => {
        const point = at.get(agent.address.toLowerCase())
        if (!point) return null
        const balance = state.chain?.balances[agent.address.toLowerCase()]
        const stake = state.chain?.stakes[agent.address.toLowerCase()]
        const role = payers.has(agent.address.toLowerCase())
          ? 'consumer'
          : payees.has(agent.address.toLowerCase())
            ? 'provider'
            : 'agent'
        return (
          <g
            key={agent.address}
            className={`node ${role}`}
            data-testid="agent"
            data-address={agent.address.toLowerCase()}
            data-balance={balance ?? ''}
            data-stake={stake ?? ''}
          >
            <circle cx={point.x} cy={point.y} r={16} className={agent.streaming ? 'live' : ''} />
            <text x={point.x} y={point.y + 30} textAnchor="middle">
              {nameOf(state.agents, agent.address)}
            </text>
            <text x={point.x} y={point.y + 44} textAnchor="middle" className="balance">
              {balance === undefined ? '' : `${gusd(balance)} gUSD`}
              {stake && stake !== '0' ? ` · staked ${gusd(stake)}` : ''}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
