/**
 * The metadata URI ERC-8257 §6 expects for a manifest: the well-known path on its endpoint's
 * origin, `<origin>/.well-known/ai-tool/<slug>.json`, the slug derived from the tool's name.
 *
 * @example wellKnownManifestUri({ name: 'Weather now', endpoint: 'https://a.example/api' })
 * // 'https://a.example/.well-known/ai-tool/weather-now.json'
 */
export function wellKnownManifestUri(manifest: { name: string; endpoint: string }): string {
  const slug =
    manifest.name
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/, '') || 'tool'
  return `${new URL(manifest.endpoint).origin}/.well-known/ai-tool/${slug}.json`
}
