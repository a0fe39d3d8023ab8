import { useEffect, useState } from 'react'
import { AgentsGraph } from './components/AgentsGraph.js'
import { CallsTable } from './components/CallsTable.js'
import { DirectoryTable } from './components/DirectoryTable.js'
import { MoneyPlot } from './components/MoneyPlot.js'
import { Negotiations } from './components/Negotiations.js'
import { apply, initialState, type Message, type ViewState } from './store.js'

/** The live view: one stream of messages from the server, five panels drawn from it. */
export function App() {
  const [state, setState] = useState<ViewState>(initialState)
  const [connected, setConnected] = useState(false)
  useEffect(() => {
    const source = new EventSource('api/stream')
    let queue: Message[] = []
    let scheduled = false
    const flush = () => {
      scheduled = false
      const batch = queue
      queue = []
      setState((previous) => apply(previous, batch))
    }
    source.onopen = () => setConnected(true)
    source.onerror = () => setConnected(false)
    source.onmessage = (message) => {
      try {
        queue.push(JSON.parse(message.data) as Message)
      } catch {
        queue.push({ kind: 'problem', message: 'a message that is not JSON' })
      }
      // Messages arriving together are drawn together, at most 10 times a second: a busy swarm
      // sends hundreds a second, and drawing each frame would cost the machine it runs on.
      if (!scheduled) {
        scheduled = true
        setTimeout(flush, 100)
      }
    }
    return () => source.close()
  }, [])
  return (
    <main>
      <header>
        <h1>gotong · live view</h1>
        <span className={connected ? 'ok' : 'bad'} data-testid="connection">
          {connected ? 'live' : 'reconnecting'}
        </span>
        <span>
          {state.agents.size} agents · {state.channels.size} channels · {state.calls.length} calls ·{' '}
          {state.events} events{state.chain ? ` · block ${state.chain.block}` : ''}
        </span>
      </header>
      {state.unknown.length + state.problems.length > 0 && (
        <section className="notes" data-testid="unknown-events">
          {state.unknown.slice(-5).map((u) => (
            <div key={`${u.agent}-${u.at}-${u.type}`} className="unknown">
              unknown event (v{u.v}) <b>{u.type}</b> from {u.agent.slice(0, 10)}: shown, not read
            </div>
          ))}
          {state.problems.slice(-5).map((p) => (
            <div key={p} className="problem">
              {p}
            </div>
          ))}
        </section>
      )}
      <section>
        <h2>Agents</h2>
        <AgentsGraph state={state} />
      </section>
      <section>
        <h2>Negotiations</h2>
        <Negotiations state={state} />
      </section>
      <section>
        <h2>Calls</h2>
        <CallsTable state={state} />
      </section>
      <section>
        <h2>Money over time</h2>
        <MoneyPlot state={state} />
      </section>
      <section>
        <h2>Directory</h2>
        <DirectoryTable listings={state.listings} agents={state.agents} />
      </section>
    </main>
  )
}
