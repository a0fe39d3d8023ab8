/** One measured quantity: its distribution over `runs` samples, and the target it answers to. */
export type Figure = {
  suite: string
  name: string
  unit: string
  median: number
  p95: number
  p99: number
  min: number
  max: number
  runs: number
  /** `max`: lower is better and must stay at or below; `min`: higher is better. */
  target?: { max?: number; min?: number }
  met?: boolean
  note?: string
}

export type RecordParameters = {
  name: string
  unit: string
  samples: readonly number[]
  target?: { max?: number; min?: number }
  note?: string
}

/** What a suite gets from the runner. */
export type SuiteContext = {
  /** Tiny sizes so CI keeps every suite alive; figures from quick runs mean nothing. */
  quick: boolean
  /**
   * `--profile`: a suite that supports it samples CPU and records self time per call by step in
   * place of its timings (the profiler slows every call, so its timings would mean little).
   */
  profile: boolean
  /** Records a figure from raw samples (latencies, rates, gas: one sample per run). */
  record(parameters: RecordParameters): Figure
  /** Progress for the human watching; goes to stderr. */
  log(message: string): void
}

export type Suite = {
  /** Short id, used by `--suite`. */
  name: string
  title: string
  run(context: SuiteContext): Promise<void>
}

/** Summarises samples; p95 and p99 by nearest rank. */
export function summarize(samples: readonly number[]) {
  if (samples.length === 0)
    return {
      median: Number.NaN,
      p95: Number.NaN,
      p99: Number.NaN,
      min: Number.NaN,
      max: Number.NaN,
    }
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return {
    median,
    p95: rank(0.95),
    p99: rank(0.99),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  }
}

/** Times `fn` `runs` times after `warmup` calls; returns milliseconds per call. */
export async function timeEach(
  runs: number,
  fn: (index: number) => Promise<unknown> | unknown,
  warmup = Math.min(10, runs),
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i)
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await fn(i)
    samples.push(performance.now() - start)
  }
  return samples
}

/** Rate in operations per second of a batch of `count` operations run by `fn`. */
export async function rate(count: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now()
  await fn()
  return count / ((performance.now() - start) / 1000)
}
