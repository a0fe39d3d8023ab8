#!/usr/bin/env node
// A stand-in for the native `solc` binary, backed by solc-js from npm, so forge compiles
// offline with the exact compiler pinned in package.json (no ~/.svm, no download).
//
// forge only ever calls two things:
//   solc --version
//   solc [--base-path P] [--include-path P]... [--allow-paths A,B] --standard-json  < input.json
// Anything else is refused loudly instead of being half-supported.

import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Loads solc-js lazily: it takes about a second, and `--help` should not pay for it. */
const loadSolc = () => require('solc')

/**
 * Native solc prints e.g. `0.8.37+commit.f401782d.Linux.g++`; solc-js reports
 * `…Emscripten.clang`. forge parses the last line, strips `Version: ` and reads a semver, so
 * only the `X.Y.Z+commit.HASH` prefix matters; keep solc-js's platform suffix honest.
 */
function printVersion() {
  const solc = loadSolc()
  process.stdout.write(
    `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`,
  )
}

/** Parses the flags forge passes; both `--flag value` and `--flag=value` are accepted. */
function parseArgs(argv) {
  const options = { standardJson: false, basePath: undefined, includePaths: [], allowPaths: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg]
    const value = () => {
      if (inline !== undefined) return inline
      const next = argv[++i]
      if (next === undefined) fail(`${flag} needs a value`)
      return next
    }
    switch (flag) {
      case '--standard-json':
        options.standardJson = true
        break
      case '--base-path':
        options.basePath = value()
        break
      case '--include-path':
        options.includePaths.push(value())
        break
      case '--allow-paths':
        options.allowPaths.push(...value().split(',').filter(Boolean))
        break
      default:
        fail(`unsupported argument ${JSON.stringify(arg)} (this wrapper only does --standard-json)`)
    }
  }
  return options
}

function fail(message) {
  process.stderr.write(`solc.mjs: ${message}\n`)
  process.exit(1)
}

/** Resolves a directory to its real absolute path, or undefined if it does not exist. */
function realDir(dir) {
  const absolute = path.resolve(dir)
  return existsSync(absolute) ? realpathSync(absolute) : undefined
}

function isInside(file, dir) {
  const relative = path.relative(dir, file)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * Builds solc's import callback with the native CLI's rules: a source unit name is looked up
 * under the base path, then each include path; absolute names are read as they are. A file is
 * only read if it lies inside the base path, an include path or an allowed path.
 */
function createImportCallback({ basePath, includePaths, allowPaths }) {
  const base = realDir(basePath ?? process.cwd())
  const roots = [base, ...includePaths.map(realDir)].filter(Boolean)
  const allowed = [...roots, ...allowPaths.map(realDir).filter(Boolean)]

  return (sourceUnitName) => {
    const candidates = path.isAbsolute(sourceUnitName)
      ? [sourceUnitName]
      : roots.map((root) => path.join(root, sourceUnitName))
    for (const candidate of candidates) {
      if (!existsSync(candidate) || !statSync(candidate).isFile()) continue
      const real = realpathSync(candidate)
      if (!allowed.some((dir) => isInside(real, dir))) {
        return { error: `${sourceUnitName} is outside the allowed paths` }
      }
      return { contents: readFileSync(real, 'utf8') }
    }
    return { error: `File not found: ${sourceUnitName} (searched ${roots.join(', ')})` }
  }
}

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

async function main() {
  const argv = process.argv.slice(2)
  if (argv.includes('--version')) return printVersion()

  const options = parseArgs(argv)
  if (!options.standardJson) fail('expected --standard-json (input on stdin)')

  const input = await readStdin()
  const solc = loadSolc()
  const output = solc.compile(input, { import: createImportCallback(options) })
  // Like native solc: diagnostics live in the JSON and the exit code stays 0.
  process.stdout.write(output)
}

await main()
