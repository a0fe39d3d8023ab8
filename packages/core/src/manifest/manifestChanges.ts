import { canonicalJson } from '../utils/canonical.js'
import { gotongTermsKey } from './gotongTerms.js'
import { formatToolModel, type ToolModel, toolModelKey, toolModelOf } from './toolModel.js'

/** What differs between two versions of a tool's manifest. */
export type ManifestChanges = {
  /**
   * The parts that differ: manifest keys (`description`, `inputs`, `pricing`, …), `terms` for
   * `dev.gotong.terms`, `model` for `dev.gotong.model`, and `endpoint` when the tool moved (its
   * URL or a pricing entry's). Standard keys first, in manifest order, then extensions by name.
   */
  changed: string[]
  /** The model before and after, when `model` changed (undefined: none named). */
  model?: { before: ToolModel | undefined; after: ToolModel | undefined }
}

const order = [
  'type',
  'name',
  'description',
  'version',
  'tags',
  'image',
  'inputs',
  'outputs',
  'pricing',
  'access',
  'verifiability',
  'creatorAddress',
  'endpoint',
]
const aliases: Readonly<Record<string, string>> = {
  [gotongTermsKey]: 'terms',
  [toolModelKey]: 'model',
}

/**
 * Compares two manifests part by part, as canonical JSON: the reasons a consumer is shown when
 * a tool it approved changed, and the line `gotong tool <id> --versions` prints per version.
 *
 * @example manifestChanges(v1, v2) // { changed: ['model'], model: { before, after } }
 */
export function manifestChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): ManifestChanges {
  const [a, b] = [withoutEndpoints(before), withoutEndpoints(after)]
  const keys = [...new Set([...Object.keys(a.content), ...Object.keys(b.content)])]
  const differs = keys.filter((key) => !same(a.content, b.content, key))
  if (canonicalJson(a.endpoints) !== canonicalJson(b.endpoints)) differs.push('endpoint')
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length)
  const changed = differs
    .sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0))
    .map((key) => aliases[key] ?? key)
  if (!changed.includes('model')) return { changed }
  return { changed, model: { before: toolModelOf(before), after: toolModelOf(after) } }
}

/**
 * Changes in one line, the model spelled out: `model openai/gpt-4o-mini@2024-07-18 →
 * openai/gpt-4o-mini@2025-04-14, description`, or `no change`.
 *
 * @example describeManifestChanges({ changed: ['inputs', 'terms'] }) // 'inputs, terms'
 */
export function describeManifestChanges(changes: ManifestChanges): string {
  if (changes.changed.length === 0) return 'no change'
  const { model } = changes
  return changes.changed
    .map((part) =>
      part === 'model' && model
        ? `model ${formatToolModel(model.before)} → ${formatToolModel(model.after)}`
        : part,
    )
    .join(', ')
}

function same(a: Record<string, unknown>, b: Record<string, unknown>, key: string): boolean {
  const [x, y] = [a[key], b[key]]
  if (x === undefined || y === undefined) return x === y
  return canonicalJson(x) === canonicalJson(y)
}

/** A manifest's content apart from where it is served, and the URLs it is served at. */
function withoutEndpoints(manifest: Record<string, unknown>) {
  const { endpoint, ...content } = manifest
  const endpoints: unknown[] = [endpoint ?? null]
  if (Array.isArray(content.pricing))
    content.pricing = content.pricing.map((entry: unknown) => {
      if (entry === null || typeof entry !== 'object' || !('endpoint' in entry)) return entry
      const { endpoint: url, ...rest } = entry as Record<string, unknown>
      endpoints.push(url)
      return rest
    })
  return { content, endpoints }
}
