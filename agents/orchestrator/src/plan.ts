import type { DatasetProfile } from '@gotong/tool-dataset-stats'

/** The capabilities (manifest tags) a dataset job buys, in the order it buys them. */
export const capabilities = ['statistics', 'dedupe', 'keywords', 'sentiment', 'summarize'] as const
export type Capability = (typeof capabilities)[number]

/** One step of a job: a capability to buy and why. */
export type JobStep = { capability: Capability; purpose: string }

const purposes: Record<Capability, string> = {
  statistics: 'profile every column',
  dedupe: 'find duplicate rows',
  keywords: 'find what the text talks about',
  sentiment: 'measure the tone of the text',
  summarize: 'summarize the text',
}

const asks: Record<Capability, RegExp> = {
  statistics: /\b(stat|statistics|describe|columns?|distribution|missing)\b/i,
  dedupe: /\b(dup|dupes|duplicates?|dedupe|deduplicate|unique|clean)\b/i,
  keywords: /\b(keywords?|topics?|themes?|terms?)\b/i,
  sentiment: /\b(sentiment|tone|mood|opinions?|feel|feelings?)\b/i,
  summarize: /\b(summary|summari[sz]e|gist|tl;?dr)\b/i,
}

/** Goals that ask for the whole picture. */
const everything = /\b(profile|profiling|report|analy[sz]e|analysis|overview|explore)\b/i

/**
 * Plans a dataset job from its goal, deterministically: a goal asking for a profile, report,
 * analysis or overview (or naming nothing the planner knows) gets every step; otherwise the
 * steps it names. Statistics always come first: the other steps read the profile.
 *
 * @example
 * planJob('profile this dataset and write a short report').map((s) => s.capability)
 * // ['statistics', 'dedupe', 'keywords', 'sentiment', 'summarize']
 * planJob('how many duplicates are there?').map((s) => s.capability) // ['statistics', 'dedupe']
 */
export function planJob(goal: string): JobStep[] {
  const named = capabilities.filter((capability) => asks[capability].test(goal))
  const wanted =
    everything.test(goal) || named.length === 0
      ? capabilities
      : capabilities.filter((c) => c === 'statistics' || named.includes(c))
  return wanted.map((capability) => ({ capability, purpose: purposes[capability] }))
}

/**
 * The columns worth reading as text: string columns whose values average at least
 * `minMeanLength` characters (free text, not codes or names).
 *
 * @example textColumns(profile) // ['review']
 */
export function textColumns(profile: DatasetProfile, minMeanLength = 20): string[] {
  return profile.columns
    .filter((column) => column.type === 'string' && (column.text?.meanLength ?? 0) >= minMeanLength)
    .map((column) => column.name)
}
