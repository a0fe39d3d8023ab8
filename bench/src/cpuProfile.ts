import { Session } from 'node:inspector/promises'

/** The parts of a V8 CPU profile (`Profiler.stop`) the summary reads. */
export type CpuProfile = {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    children?: number[]
  }[]
  samples: number[]
  timeDeltas: number[]
  /** The process's CPU time (`process.cpuUsage`, all threads) over the same window, in µs. */
  cpu?: { user: number; system: number }
}

/** The steps of a call a sample is charged to, in the order tables list them. */
export const steps = [
  'parse (JSON, canonical JSON)',
  'zod',
  'hashes (keccak, EIP-712 digests)',
  'signatures (secp256k1)',
  'SQLite',
  'budget',
  'events',
  'HTTP/transport',
  'tool handler',
  'gotong logic (agent, payments, negotiation)',
  'async runtime (promises, timers)',
  'gc',
  'other',
] as const
export type Step = (typeof steps)[number]

/** Self time per step and per function, in microseconds, over one profile window. */
export type ProfileSummary = {
  /** Time sampled while the thread was not idle (descheduled time included). */
  totalMicros: number
  bySteps: Record<Step, number>
  /** Self time by function (a builtin is named with the nearest named caller), highest first. */
  byFunction: { name: string; step: Step; micros: number }[]
  /**
   * Self time by step and the gotong function it was spent for: the nearest caller in
   * `packages/` outside the shared helpers (hex, keccak, canonical JSON, signers, `parseWith`),
   * e.g. zod for `verifyReceipt` or secp256k1 for `signRequest`. Highest first.
   */
  bySite: { step: Step; site: string; micros: number }[]
}

// Shared helpers: time in them is charged to whoever called them.
const helper =
  /\/(crypto|utils)\/|\/recoverSigner\.[jt]s$|\/validation\.[jt]s$|\/createEnvelopeDigester\.[jt]s$|Digest\.[jt]s$/

/** Starts sampling this process's CPU every `intervalMicros`; the returned stop hands back the profile. */
export async function startCpuProfile(intervalMicros = 100): Promise<() => Promise<CpuProfile>> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: intervalMicros })
  await session.post('Profiler.start')
  const cpuAtStart = process.cpuUsage()
  return async () => {
    const cpu = process.cpuUsage(cpuAtStart)
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    return { ...(profile as unknown as CpuProfile), cpu }
  }
}

type Frame = CpuProfile['nodes'][number]['callFrame']

// A frame's own step, or undefined when the step is its caller's (builtins, unclassified
// libraries). Order matters: the first rule that matches wins.
function stepOf({ functionName: name, url }: Frame): Step | 'ours' | undefined {
  if (name === '(garbage collector)') return 'gc'
  if (name === '(program)' || name === '(root)') return 'other'
  if (url === '' && (name === 'parse' || name === 'stringify'))
    return 'parse (JSON, canonical JSON)'
  if (/\/utils\/canonical\.[jt]s$|canonicalize|\/json-canonicalize\//.test(url))
    return 'parse (JSON, canonical JSON)'
  if (/\/node_modules\/zod\//.test(url)) return 'zod'
  if (/secp256k1|\/@noble\/curves\/|\/digestSigner\.[jt]s$|\/recoverSigner\.[jt]s$/.test(url))
    return 'signatures (secp256k1)'
  if (url === '' && /^ecdsa(Sign|Recover)$|^publicKeyCreate$/.test(name))
    return 'signatures (secp256k1)'
  if (
    /keccak|\/@noble\/hashes\/|\/typedDigest\.[jt]s$|[dD]igest\.[jt]s$|\/eip712\/|hashTypedData|\/hashes\//.test(
      url,
    )
  )
    return 'hashes (keccak, EIP-712 digests)'
  if (/better-sqlite3|\/payments\/src\/node\/|\/payments\/src\/store\//.test(url)) return 'SQLite'
  if (/\/payments\/src\/budget\//.test(url)) return 'budget'
  if (/\/agent\/src\/events\/|\/core\/src\/events\//.test(url)) return 'events'
  if (
    /\/transport\/src\/|^node:(_http|http|net|stream|internal\/(streams|http|net|stream|js_stream))/.test(
      url,
    )
  )
    return 'HTTP/transport'
  if (/^node:(internal\/)?(timers|process\/task_queues|async_hooks|internal\/async)/.test(url))
    return 'async runtime (promises, timers)'
  if (/\/bench\/src\/wordStats\.[jt]s$/.test(url)) return 'tool handler'
  if (/\/packages\/[^/]+\/src\//.test(url)) return 'ours'
  return undefined
}

/**
 * Charges each sample to the step of the nearest frame, leaf upwards, that has one: a builtin
 * or a library without a step of its own counts for whoever called it.
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  type Hit = { step: Step; name: string; site: string }
  const stepCache = new Map<number, Hit | null>()
  const resolve = (id: number): Hit | null => {
    const cached = stepCache.get(id)
    if (cached !== undefined) return cached
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)') {
      stepCache.set(id, null)
      return null
    }
    let step: Step | undefined
    let named: Frame | undefined
    let site: Frame | undefined
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame
      if (!named && f.url !== '') named = f
      if (!site && /\/packages\/[^/]+\/src\//.test(f.url) && !helper.test(f.url)) site = f
      if (step && site) break
      if (step) continue
      const s = stepOf(f)
      if (s) step = s === 'ours' ? 'gotong logic (agent, payments, negotiation)' : s
    }
    const short = (f: Frame) =>
      `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|packages)\//, '')}${f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}`
    const name =
      frame.url !== '' || !named
        ? short(frame)
        : `${frame.functionName || '(native)'} in ${short(named)}`
    const result = { step: step ?? 'other', name, site: site ? short(site) : '(none)' }
    stepCache.set(id, result)
    return result
  }
  const bySteps = Object.fromEntries(steps.map((s) => [s, 0])) as Record<Step, number>
  const byName = new Map<string, { step: Step; micros: number }>()
  const bySiteKey = new Map<string, { step: Step; site: string; micros: number }>()
  let totalMicros = 0
  const { samples, timeDeltas } = profile
  for (let i = 0; i < samples.length; i++) {
    // V8 stamps each sample with the time since the previous one: the next delta is this one's.
    const micros = Math.max(0, timeDeltas[i + 1] ?? 0)
    const hit = resolve(samples[i]!)
    if (!hit) continue
    totalMicros += micros
    bySteps[hit.step] += micros
    const entry = byName.get(hit.name) ?? { step: hit.step, micros: 0 }
    entry.micros += micros
    byName.set(hit.name, entry)
    const siteKey = `${hit.step}|${hit.site}`
    const at = bySiteKey.get(siteKey) ?? { step: hit.step, site: hit.site, micros: 0 }
    at.micros += micros
    bySiteKey.set(siteKey, at)
  }
  const byFunction = [...byName]
    .map(([name, { step, micros }]) => ({ name, step, micros }))
    .sort((a, b) => b.micros - a.micros)
  const bySite = [...bySiteKey.values()].sort((a, b) => b.micros - a.micros)
  return { totalMicros, bySteps, byFunction, bySite }
}
