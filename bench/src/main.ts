import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { type Figure, type Suite, summarize } from './harness.js'
import { toMarkdown } from './markdown.js'
import { suites } from './suites/index.js'

const here = dirname(fileURLToPath(import.meta.url))

const program = new Command('gotong-bench')
  .description("Runs gotong's benchmark suites and writes results as JSON and markdown.")
  .option('--quick', 'tiny sizes: checks every suite still runs (figures mean nothing)', false)
  .option('--suite <names...>', 'run only these suites')
  .option(
    '--profile',
    "suites that can (paidCall) sample both processes' CPU and report self time per call by step, instead of timing",
    false,
  )
  .option('--out <file>', 'JSON results file', resolve(here, '../results/latest.json'))
  .parse()

const options = program.opts<{ quick: boolean; profile: boolean; suite?: string[]; out: string }>()
const selected: Suite[] = options.suite
  ? suites.filter((s) => options.suite!.includes(s.name))
  : suites
if (options.suite && selected.length !== options.suite.length) {
  const known = suites.map((s) => s.name).join(', ')
  process.stderr.write(`unknown suite in ${options.suite.join(', ')}; known: ${known}\n`)
  process.exit(2)
}

const figures: Figure[] = []
const startedAt = new Date()
for (const suite of selected) {
  process.stderr.write(`\n▶ ${suite.title}\n`)
  const start = performance.now()
  await suite.run({
    quick: options.quick,
    profile: options.profile,
    log: (message) => process.stderr.write(`  ${message}\n`),
    record({ name, unit, samples, target, note }) {
      const figure: Figure = {
        suite: suite.name,
        name,
        unit,
        ...summarize(samples),
        runs: samples.length,
      }
      if (target) {
        figure.target = target
        figure.met =
          (target.max === undefined || figure.median <= target.max) &&
          (target.min === undefined || figure.median >= target.min)
      }
      if (note) figure.note = note
      figures.push(figure)
      return figure
    },
  })
  process.stderr.write(`  done in ${((performance.now() - start) / 1000).toFixed(1)} s\n`)
}

const result = {
  startedAt: startedAt.toISOString(),
  quick: options.quick,
  profile: options.profile,
  machine: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  },
  versions: process.versions,
  figures,
}
mkdirSync(dirname(options.out), { recursive: true })
writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`)
const markdown = toMarkdown(figures, options.quick)
writeFileSync(options.out.replace(/\.json$/, '.md'), markdown)
process.stdout.write(markdown)
