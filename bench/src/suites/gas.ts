import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Suite } from '../harness.js'

const here = dirname(fileURLToPath(import.meta.url))
const contracts = resolve(here, '../../../packages/contracts')
const cacheDir = resolve(here, '../../../node_modules/.cache/gotong-bench')

/** µRaiden's published gas figures for its channel functions. */
const microRaiden = { open: 120_090, cooperativeClose: 71_182 }

/** The forge test contracts whose `test_Gas*` tests measure ERC-8004 calls, one transaction each. */
const erc8004GasContracts =
  '^(IdentityRegistryTest|ReputationRegistryTest|ReceiptFeedbackGatewayTest)$'

/** One function's row of forge's gas report. */
type Row = { calls: number; min: number; mean: number; median: number; max: number }
type Report = {
  contract: string
  deployment: { gas: number; size: number }
  functions: Record<string, Row>
}[]
type Result = {
  report: Report
  /** PaymentChannels' isolated transactions, by name. */
  scenarios: Record<string, number>
  /** GotongToken's isolated EIP-3009 transactions, by name (absent from older cached runs). */
  tokenScenarios?: Record<string, number>
  /** The ERC-8004 registries' and the receipt gateway's isolated transactions, by name (ditto). */
  erc8004Scenarios?: Record<string, number>
  seconds: number
}

/**
 * Every contract function's gas from forge's gas report of gotong's test suite, the isolated
 * per-transaction figures of the channel's gas tests beside µRaiden's published ones, gUSD's
 * EIP-3009 `transferWithAuthorization` (both signature forms) as x402's facilitator sends it, and
 * ERC-8004's `register` and `giveFeedback`, directly and through the receipt feedback gateway.
 */
export const gas: Suite = {
  name: 'gas',
  title:
    'Gas: every contract function (forge gas report), channels beside µRaiden, gUSD transferWithAuthorization, ERC-8004 register and feedback',
  async run(ctx) {
    const key = sourcesHash()
    const cacheFile = join(cacheDir, `forge-gas-${key}.json`)
    let result: (Result & { cached?: boolean }) | undefined
    if (ctx.quick) {
      try {
        result = { ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as Result), cached: true }
        ctx.log('quick: forge skipped, figures from the last full run on these sources')
      } catch {
        ctx.log('quick: forge skipped (a full run compiles and tests everything, ~1 min)')
      }
    } else {
      result = await runForge(ctx.log)
      mkdirSync(cacheDir, { recursive: true })
      writeFileSync(cacheFile, JSON.stringify(result))
      ctx.log(`forge ran in ${result.seconds.toFixed(0)} s`)
    }

    ctx.record({
      name: 'µRaiden openChannel (published)',
      unit: 'gas',
      samples: [microRaiden.open],
    })
    ctx.record({
      name: 'µRaiden cooperativeClose (published)',
      unit: 'gas',
      samples: [microRaiden.cooperativeClose],
    })
    if (!result) return
    const origin = result.cached ? 'cached from the last full run; ' : ''

    // Isolated transactions (21,000 base and calldata included), as the contracts README lists.
    const { scenarios } = result
    const beside: Record<string, { max: number; note: string }> = {
      open: { max: microRaiden.open, note: 'µRaiden openChannel: 120,090' },
      cooperativeClose: {
        max: microRaiden.cooperativeClose,
        note: 'µRaiden cooperativeClose: 71,182',
      },
      'open + cooperativeClose': {
        max: microRaiden.open + microRaiden.cooperativeClose,
        note: 'µRaiden: 191,272',
      },
    }
    for (const [name, used] of Object.entries(scenarios)) {
      const reference = beside[name]
      ctx.record({
        name: `PaymentChannels ${name}, one isolated transaction`,
        unit: 'gas',
        samples: [used],
        ...(reference ? { target: { max: reference.max } } : {}),
        note: `${origin}forge test --isolate --match-test test_Gas${reference ? `; ${reference.note}` : ''}`,
      })
    }

    // EIP-3009 on gUSD: what one x402 `exact` payment costs its facilitator (payer and payee
    // already hold gUSD; 21,000 base and calldata included).
    for (const [name, used] of Object.entries(result.tokenScenarios ?? {})) {
      ctx.record({
        name: `GotongToken ${name}, one isolated transaction`,
        unit: 'gas',
        samples: [used],
        note: `${origin}forge test --isolate --match-contract GotongToken3009Test --match-test test_Gas`,
      })
    }

    // ERC-8004: an agent's registration, a client's feedback, and feedback through the gateway
    // (receipt checked against the channel; the gateway already a client of the agent).
    for (const [name, used] of Object.entries(result.erc8004Scenarios ?? {})) {
      ctx.record({
        name: `ERC-8004 ${name}, one isolated transaction`,
        unit: 'gas',
        samples: [used],
        note: `${origin}forge test --isolate --match-contract ${erc8004GasContracts} --match-test test_Gas`,
      })
    }

    // Every function of every contract: min, median and max over the test suite's calls.
    // Test helpers (mocks, handlers) are in the report too; gotong's contracts live in contracts/.
    for (const { contract, deployment, functions } of result.report) {
      if (!contract.startsWith('contracts/')) continue
      const name = contract.split(':').at(-1)!
      ctx.record({
        name: `${name} deployment`,
        unit: 'gas',
        samples: [deployment.gas],
        note: `${origin}${deployment.size.toLocaleString('en-US')} bytes`,
      })
      for (const [signature, row] of Object.entries(functions)) {
        const fn = signature.slice(0, signature.indexOf('('))
        const reference =
          name === 'PaymentChannels' && (fn === 'open' || fn === 'openWithPermit')
            ? '; µRaiden openChannel: 120,090'
            : name === 'PaymentChannels' && fn === 'cooperativeClose'
              ? '; µRaiden cooperativeClose: 71,182'
              : ''
        ctx.record({
          name: `${name}.${fn}`,
          unit: 'gas',
          // forge reports min, median and max: the runs column counts those three.
          samples: [row.min, row.median, row.max],
          note: `${origin}${row.calls.toLocaleString('en-US')} calls incl. reverts and fuzz, mean ${Math.round(row.mean).toLocaleString('en-US')}${reference}`,
        })
      }
    }
  },
}

/** Runs forge's gas report, then the isolated gas tests, building into a temp dir. */
async function runForge(log: (message: string) => void): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-gas-'))
  const start = performance.now()
  try {
    const env = {
      ...process.env,
      FOUNDRY_OUT: join(dir, 'out'),
      FOUNDRY_CACHE_PATH: join(dir, 'cache'),
    }
    log('forge test --gas-report (compiles contracts and tests with solc-js first)')
    const reportText = await forge(['test', '--gas-report', '--json'], env)
    const report = JSON.parse(reportText.slice(reportText.indexOf('['))) as Report
    const isolated = await forge(
      [
        'test',
        '--isolate',
        '--match-contract',
        'PaymentChannelsTest',
        '--match-test',
        'test_Gas',
        '-vv',
      ],
      env,
    )
    const scenarios = figuresOf(isolated)
    if (!scenarios.open || !scenarios.cooperativeClose)
      throw new Error(`the isolated gas tests printed no figures:\n${isolated}`)
    const token = await forge(
      [
        'test',
        '--isolate',
        '--match-contract',
        '^GotongToken3009Test$',
        '--match-test',
        'test_Gas',
        '-vv',
      ],
      env,
    )
    const tokenScenarios = figuresOf(token)
    if (Object.keys(tokenScenarios).length !== 2)
      throw new Error(`the token's isolated gas test printed no figures:\n${token}`)
    const erc8004 = await forge(
      [
        'test',
        '--isolate',
        '--match-contract',
        erc8004GasContracts,
        '--match-test',
        'test_Gas',
        '-vv',
      ],
      env,
    )
    const erc8004Scenarios = figuresOf(erc8004)
    if (
      !erc8004Scenarios['register()'] ||
      !erc8004Scenarios["gateway giveFeedback, a channel's first receipt"]
    )
      throw new Error(`the ERC-8004 isolated gas tests printed no figures:\n${erc8004}`)
    return {
      report,
      scenarios,
      tokenScenarios,
      erc8004Scenarios,
      seconds: (performance.now() - start) / 1_000,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The `  name: gas` lines forge prints for `emit log_named_uint(name, gas)`. */
function figuresOf(output: string): Record<string, number> {
  const figures: Record<string, number> = {}
  for (const [, name, used] of output.matchAll(/^ {2}([^:\n]+): (\d+)$/gm))
    figures[name!] = Number(used)
  return figures
}

/** Runs packages/contracts/scripts/forge.mjs; resolves with its stdout, rejects on failure. */
function forge(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['scripts/forge.mjs', ...args], {
      cwd: contracts,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    // forge.mjs passes a signal on to forge and the solc processes it started.
    const timer = setTimeout(() => child.kill('SIGTERM'), 15 * 60_000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolvePromise(stdout)
      else
        reject(
          new Error(
            `forge ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${stderr.slice(-4_000)}${stdout.slice(-4_000)}`,
          ),
        )
    })
  })
}

/** A hash of everything forge's figures depend on: sources, tests and configuration. */
function sourcesHash(): string {
  const hash = createHash('sha256')
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sol')) hash.update(path).update(readFileSync(path))
    }
  }
  walk(join(contracts, 'contracts'))
  walk(join(contracts, 'test'))
  hash.update(readFileSync(join(contracts, 'foundry.toml')))
  return hash.digest('hex').slice(0, 16)
}
