// A `serveHttp` server in its own process, as a provider runs: a client's socket errors and the
// server's closes then cross a real process boundary (in one process, event-loop order hides
// the lost 413s). Parameters as JSON in argv[2]; sends its URL over IPC; to the message
// 'memory' it answers with the bytes it holds in buffers after a full garbage collection.
//   fork(file, [JSON.stringify(parameters)], { execArgv: [...tsx, '--expose-gc'] })
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { createTransportServer } from '../../src/index.js'
import { type ServeHttpParameters, serveHttp } from '../../src/node.js'

const provider = privateKeyToAccount(
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
)
const server = createTransportServer({ address: provider.address, chainId: 31337 }).handle(
  'blob',
  z.object({ data: z.string() }),
  ({ data }) => ({ length: data.length }),
)
const listener = await serveHttp(server, JSON.parse(process.argv[2] ?? '{}') as ServeHttpParameters)
process.send?.(listener.url)
process.on('message', async () => {
  // Twice, a turn apart: V8 frees the memory behind dead buffers after a collection, not in it.
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  await new Promise((resolve) => setTimeout(resolve, 10))
  gc?.()
  process.send?.(process.memoryUsage().arrayBuffers)
})
process.on('disconnect', () => {
  void listener.close()
})
