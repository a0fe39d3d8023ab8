import type { DirectoryIndex } from '@gotong/directory/node'

/**
 * A directory index opened on first use: an agent that never searches, consumes or restarts a
 * listing (most providers, an idle agent) never opens its SQLite file, whose creation (schema,
 * full-text tables, WAL) costs tens of milliseconds of blocking work per agent.
 */
export function lazyIndex(store: string, open: () => DirectoryIndex): DirectoryIndex {
  let index: DirectoryIndex | undefined
  let closed = false
  const opened = () => {
    if (!index) {
      index = open()
      // Used after the agent stopped: answered as a closed index is, not by a reopened file.
      if (closed) index.close()
    }
    return index
  }
  return {
    store,
    sync: (options) => opened().sync(options),
    search: (parameters) => opened().search(parameters),
    getListing: (toolId) => opened().getListing(toolId),
    watch: (options) => opened().watch(options),
    cursor: () => opened().cursor(),
    close: () => {
      closed = true
      index?.close()
    },
  }
}
