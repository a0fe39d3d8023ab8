import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type CpuProfile,
  type ProfileSummary,
  type Step,
  startCpuProfile,
  steps,
  summarizeProfile,
} from './cpuProfile.js'
import type { SuiteContext } from './harness.js'

export type ProfileCallsParameters<Path extends string> = {
  /** One call of each path, as the suite times it. */
  paths: Record<Path, () => Promise<void>>
  label: Record<Path, string>
  /** The other process's profiler (the serving side). */
  provider: { start(): Promise<void>; stop(): Promise<CpuProfile> }
  /** Profile windows per path; each is one sample of every figure. */
  windows: number
  concurrent: number
  perCaller: number
  /** How many functions to list per side and path, by self time. */
  top?: number
}

const sides = ['caller', 'provider'] as const

/**
 * Runs each path's calls from `concurrent` callers while both processes' CPU is sampled, and
 * records self time per call by step and side (µs/call), then the functions that cost the most.
 * Paths take turns window by window, so each sees the same machine load.
 */
export async function profileCalls<Path extends string>(
  ctx: SuiteContext,
  {
    paths,
    label,
    provider,
    windows,
    concurrent,
    perCaller,
    top = 15,
  }: ProfileCallsParameters<Path>,
): Promise<void> {
  const names = Object.keys(paths) as Path[]
  const calls = concurrent * perCaller
  const perStep = new Map<string, number[]>()
  const functions = new Map<string, Map<string, { step: Step; micros: number }>>()
  const sites = new Map<string, Map<string, { step: Step; site: string; micros: number }>>()
  const dir = join(tmpdir(), 'gotong-bench-profiles')
  mkdirSync(dir, { recursive: true })
  for (let w = 0; w < windows; w++) {
    for (const name of names) {
      const stopCaller = await startCpuProfile()
      await provider.start()
      await Promise.all(
        Array.from({ length: concurrent }, async () => {
          for (let i = 0; i < perCaller; i++) await paths[name]()
        }),
      )
      const profiles = { caller: await stopCaller(), provider: await provider.stop() }
      for (const side of sides) {
        writeFileSync(
          join(dir, `${name}-${side}-${w + 1}.cpuprofile`),
          JSON.stringify(profiles[side]),
        )
        const summary: ProfileSummary = summarizeProfile(profiles[side])
        const push = (key: string, micros: number) => {
          const list = perStep.get(key) ?? []
          list.push(micros / calls)
          perStep.set(key, list)
        }
        // Samples count time the thread was descheduled too (other work on the machine): each
        // step is scaled by the process's CPU time over the sampled time, when it is known.
        const cpu = profiles[side].cpu
        const cpuMicros = cpu ? cpu.user + cpu.system : summary.totalMicros
        const scale = summary.totalMicros > 0 ? cpuMicros / summary.totalMicros : 1
        for (const step of steps) push(`${name}|${side}|${step}`, summary.bySteps[step] * scale)
        push(`${name}|${side}|total`, summary.totalMicros)
        push(`${name}|${side}|cpu`, cpuMicros)
        const byName = functions.get(`${name}|${side}`) ?? new Map()
        for (const f of summary.byFunction) {
          const entry = byName.get(f.name) ?? { step: f.step, micros: 0 }
          entry.micros += f.micros * scale
          byName.set(f.name, entry)
        }
        functions.set(`${name}|${side}`, byName)
        const bySite = sites.get(`${name}|${side}`) ?? new Map()
        for (const f of summary.bySite) {
          const key = `${f.step}|${f.site}`
          const entry = bySite.get(key) ?? { ...f, micros: 0 }
          entry.micros += f.micros * scale
          bySite.set(key, entry)
        }
        sites.set(`${name}|${side}`, bySite)
      }
    }
    ctx.log(`profile window ${w + 1} of ${windows} (${calls} calls a path); profiles in ${dir}`)
  }
  const what: Record<string, string> = {
    total: 'time sampled, all steps',
    cpu: 'CPU time, all steps (process.cpuUsage, user + system)',
  }
  const notes: Record<string, string> = {
    total: `${calls} calls per window from ${concurrent} callers; the main thread's time not idle, so also time it was descheduled by other work on the machine`,
    cpu: 'the steps above are their share of the sampled time times this',
  }
  for (const name of names)
    for (const side of sides) {
      for (const step of [...steps, 'total', 'cpu'] as const) {
        const samples = perStep.get(`${name}|${side}|${step}`)
        if (!samples || (!['total', 'cpu'].includes(step) && Math.max(...samples) < 1)) continue
        ctx.record({
          name: `${label[name]}, ${side}: ${what[step] ?? step}`,
          unit: 'µs/call',
          samples,
          ...(notes[step] ? { note: notes[step] } : {}),
        })
      }
      const perCall = (micros: number) => [micros / (calls * windows)]
      const bySite = [...sites.get(`${name}|${side}`)!.values()]
        .sort((a, b) => b.micros - a.micros)
        .slice(0, top)
      for (const { step, site, micros } of bySite)
        ctx.record({
          name: `${label[name]}, ${side}, ${step} for ${site}`,
          unit: 'µs/call',
          samples: perCall(micros),
          note: 'self time of the step (scaled to CPU time), charged to the gotong function it was spent for',
        })
      const byFunction = [...functions.get(`${name}|${side}`)!]
        .sort((a, b) => b[1].micros - a[1].micros)
        .slice(0, top)
      for (const [fn, { step, micros }] of byFunction)
        ctx.record({
          name: `${label[name]}, ${side}, function: ${fn}`,
          unit: 'µs/call',
          samples: perCall(micros),
          note: step,
        })
    }
}
