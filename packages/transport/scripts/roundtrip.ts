// Signed-envelope round trips over loopback HTTP, client and server in this one process, at 1
// and 32 concurrent callers: the harness to profile the transport with.
//   node --conditions=source --import tsx scripts/roundtrip.ts [seconds] [--typed] [--fetch]
//   node --conditions=source --import tsx --cpu-prof scripts/roundtrip.ts 6
// The signer signs digests natively (as an agent's does); --typed has it sign EIP-712 typed data
// hashed by viem instead, --fetch sends with Node's fetch instead of node:http.
import { createRequire } from 'node:module'
import { bytesToHex, type Hex, hashTypedData, hexToBytes } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { createHttpClient, createTransportServer, type Signer } from '../src/index.js'
import { serveHttp } from '../src/node.js'

const secp256k1 = createRequire(import.meta.url)('secp256k1') as {
  ecdsaSign(digest: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number }
}
const providerKey = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const consumerKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const provider = privateKeyToAccount(providerKey)
const chainId = 31337
const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 3)
const typed = process.argv.includes('--typed')

const key = hexToBytes(consumerKey)
const signDigest = (digest: Uint8Array): Hex => {
  const { signature, recid } = secp256k1.ecdsaSign(digest, key)
  return `${bytesToHex(signature)}${(27 + recid).toString(16)}` as Hex
}
const address = privateKeyToAccount(consumerKey).address
const signer: Signer = typed
  ? { address, signTypedData: async (data) => signDigest(hexToBytes(hashTypedData(data))) }
  : { address, signDigest }

const server = createTransportServer({ address: provider.address, chainId }).handle(
  'word-stats',
  z.object({ text: z.string().max(10_000) }),
  ({ text }) => {
    const words = text.split(/\s+/).filter(Boolean)
    return { words: words.length, characters: text.length, longest: words[0] ?? '' }
  },
)
const listener = await serveHttp(server)
const client = createHttpClient({
  signer,
  chainId,
  peers: { [provider.address]: listener.url },
  ...(process.argv.includes('--fetch') ? { fetch: globalThis.fetch } : {}),
})
const call = () =>
  client.request(provider.address, 'word-stats', { text: 'many hands make light work' })

/** Calls per second of wall time, and CPU microseconds per call (steadier on a busy machine). */
async function measure(callers: number, ms: number) {
  let count = 0
  const end = performance.now() + ms
  const start = performance.now()
  const cpu = process.cpuUsage()
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        await call()
        count++
      }
    }),
  )
  const used = process.cpuUsage(cpu)
  return {
    rate: count / ((performance.now() - start) / 1000),
    cpu: (used.user + used.system) / count,
  }
}

await measure(32, 500)
for (const callers of [1, 32]) {
  const runs: { rate: number; cpu: number }[] = []
  for (let i = 0; i < 3; i++) runs.push(await measure(callers, (seconds * 1000) / 3))
  console.log(
    `${callers} caller(s): ${runs.map((r) => Math.round(r.rate)).join(' / ')} calls/s; ${runs.map((r) => Math.round(r.cpu)).join(' / ')} µs CPU per call`,
  )
}
await listener.close()
