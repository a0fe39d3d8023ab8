// How often a client uploading an oversized body sees the server's 413 rather than a reset:
// `tries` tries per client (global fetch, node:http) at 2 MiB, streamed and with its length, and
// 5 at 64 MiB streamed, against `serveHttp` (1 MiB limit) in its own process, as a provider runs.
//   node --conditions=source --import tsx scripts/oversize.ts [tries]
import { type Outcome, serveInChild, uploadWithFetch, uploadWithNodeHttp } from '../test/uploads.js'

const tries = Number(process.argv[2] ?? 20)
const MiB = 1024 * 1024
const server = await serveInChild()
const url = `${server.url}/blob`
const refused = `{"error":{"code":413,"reason":"payload_too_large","message":"Requests are limited to ${MiB} bytes","data":{"maxBodyBytes":${MiB}}}}`
const name = (outcome: Outcome) =>
  'error' in outcome
    ? outcome.error
    : outcome.status === 413 && outcome.body === refused
      ? '413'
      : `${outcome.status}`

const cases: [string, () => Promise<Outcome>, number][] = [
  ['fetch, 2 MiB with its length', () => uploadWithFetch(url, 2 * MiB, { declared: true }), tries],
  ['fetch, 2 MiB streamed', () => uploadWithFetch(url, 2 * MiB, { declared: false }), tries],
  ['fetch, 64 MiB streamed', () => uploadWithFetch(url, 64 * MiB, { declared: false }), 5],
  [
    'node:http, 2 MiB with its length',
    () => uploadWithNodeHttp(url, 2 * MiB, { declared: true }),
    tries,
  ],
  ['node:http, 2 MiB streamed', () => uploadWithNodeHttp(url, 2 * MiB, { declared: false }), tries],
  ['node:http, 64 MiB streamed', () => uploadWithNodeHttp(url, 64 * MiB, { declared: false }), 5],
]
for (const [label, upload, n] of cases) {
  const counts = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const outcome = name(await upload())
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
  }
  const seen = counts.get('413') ?? 0
  const rest = [...counts].filter(([outcome]) => outcome !== '413')
  console.log(
    `${label.padEnd(34)} 413 seen ${seen}/${n}${rest.length ? `  (${rest.map(([o, k]) => `${o} ×${k}`).join(', ')})` : ''}`,
  )
}
console.log(`server buffers after: ${((await server.buffers()) / MiB).toFixed(1)} MiB`)
server.close()
