import type { Figure } from './harness.js'

/** Renders figures as one markdown table per suite. */
export function toMarkdown(figures: readonly Figure[], quick: boolean): string {
  const lines: string[] = []
  if (quick) lines.push('> quick run: sizes are tiny, figures only prove the suites run.', '')
  let suite = ''
  for (const f of figures) {
    if (f.suite !== suite) {
      suite = f.suite
      lines.push(
        '',
        `### ${suite}`,
        '',
        '| figure | median | p95 | p99 | min | max | runs | target | met |',
      )
      lines.push('| --- | --: | --: | --: | --: | --: | --: | --- | --- |')
    }
    const target = [
      f.target?.min !== undefined ? `≥ ${num(f.target.min)}` : '',
      f.target?.max !== undefined ? `≤ ${num(f.target.max)}` : '',
    ]
      .filter(Boolean)
      .join(' ')
    const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**'
    const name = f.note ? `${f.name} (${f.note})` : f.name
    lines.push(
      `| ${name} [${f.unit}] | ${num(f.median)} | ${num(f.p95)} | ${num(f.p99)} | ${num(f.min)} | ${num(f.max)} | ${f.runs} | ${target} | ${met} |`,
    )
  }
  return `${lines.join('\n').trim()}\n`
}

function num(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return value.toPrecision(3)
}
