import { useState } from 'react'
import type { ViewListing } from '../../src/listDirectory.js'
import { gusd, nameOf, short } from '../format.js'
import type { AgentView } from '../store.js'

/** The directory's listings: search, price, access rule, version lineage, manifest hash. */
export function DirectoryTable({
  listings,
  agents,
}: {
  listings: ViewListing[]
  agents: Map<string, AgentView>
}) {
  const [search, setSearch] = useState('')
  const words = search.toLowerCase().split(/\s+/).filter(Boolean)
  const shown = listings.filter((l) => {
    const text = `${l.name} ${l.description} ${l.tags.join(' ')} ${nameOf(agents, l.creator)}`
    return words.every((w) => text.toLowerCase().includes(w))
  })
  return (
    <div className="directory">
      <input
        placeholder="search listings…"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        data-testid="directory-search"
      />
      <table data-testid="directory">
        <thead>
          <tr>
            <th>id</th>
            <th>tool</th>
            <th>provider</th>
            <th>price</th>
            <th>stake</th>
            <th>access</th>
            <th>versions</th>
            <th>manifest hash</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((l) => (
            <tr key={l.toolId} data-testid="listing" className={l.deregistered ? 'gone' : l.status}>
              <td>{l.toolId}</td>
              <td title={l.description}>
                <b>{l.name}</b> <small>{l.tags.join(', ')}</small>
              </td>
              <td>{nameOf(agents, l.creator)}</td>
              <td>{l.price === undefined ? '—' : `${gusd(l.price)} gUSD`}</td>
              <td data-testid="listing-stake" data-stake={l.stake ?? ''}>
                {l.stake === undefined ? '—' : `${gusd(l.stake)} gUSD`}
                {l.deterministic ? ' · deterministic' : ''}
              </td>
              <td title={l.access.hint}>
                {l.access.predicate ? `gated ${short(l.access.predicate)}` : 'open'}
              </td>
              <td>
                {l.versions.map((v) => (
                  <span
                    key={v.version}
                    className="version"
                    title={`block ${v.block}, after ${short(v.previousManifestHash)}`}
                  >
                    v{v.version} {short(v.manifestHash)}
                  </span>
                ))}
              </td>
              <td>
                <code>{short(l.manifestHash)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
