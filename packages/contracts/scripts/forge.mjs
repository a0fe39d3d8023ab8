#!/usr/bin/env node
// Runs forge from @foundry-rs/forge's platform package. Use it instead of the package's own
// `forge` bin, for two reasons:
//
// 1. Exit codes. The 1.7.1 bin shim always exits 0, so `forge test && vitest` would carry on
//    after failing tests. This script exits with forge's code (or dies of forge's signal).
// 2. Library paths. npm hoists node_modules to the workspace root, outside the foundry project,
//    so foundry.toml's remappings point at `../../node_modules/…`. forge then names each
//    library file twice in the compiler input (`../../node_modules/x.sol` for remapped imports,
//    `/abs/node_modules/x.sol` for relative imports inside the library), and solc compiles
//    every library twice. Here each `…/node_modules/<package>/…` remapping is re-pointed at the
//    package's absolute path, resolved the way Node resolves it, so every library file has one
//    name, wherever npm put it. foundry.toml stays the one list of remappings.

import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const require = createRequire(path.join(root, 'package.json'))

function fail(message) {
  process.stderr.write(`forge.mjs: ${message}\n`)
  process.exit(1)
}

function forgeBinary() {
  const forgeRequire = createRequire(require.resolve('@foundry-rs/forge/package.json'))
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch]
  const binary = process.platform === 'win32' ? 'forge.exe' : 'forge'
  const platformPackage = `@foundry-rs/forge-${process.platform}-${arch}`
  try {
    return forgeRequire.resolve(`${platformPackage}/bin/${binary}`)
  } catch {
    return fail(`${platformPackage} is not installed (run npm ci)`)
  }
}

/** Directory of an installed package, e.g. `@openzeppelin/contracts`. */
function packageDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`))
  } catch {
    return fail(`${name} is not installed (run npm ci)`)
  }
}

/**
 * Reads the `prefix/=…/node_modules/<package>/sub/` remappings from foundry.toml and returns
 * them with absolute targets, plus the package directories (whose warnings are not ours).
 */
function resolvedRemappings() {
  const toml = readFileSync(path.join(root, 'foundry.toml'), 'utf8')
  const remappings = []
  const packageDirs = []
  for (const [, prefix, target] of toml.matchAll(/"([^"=\s]+)=([^"]*node_modules\/[^"]*)"/g)) {
    const inside = target.slice(target.lastIndexOf('node_modules/') + 'node_modules/'.length)
    const segments = inside.split('/')
    const name = segments.slice(0, segments[0].startsWith('@') ? 2 : 1).join('/')
    const dir = packageDir(name)
    const resolved = path.join(dir, inside.slice(name.length + 1))
    remappings.push(
      `${prefix}=${resolved}${target.endsWith('/') && !resolved.endsWith('/') ? '/' : ''}`,
    )
    packageDirs.push(dir)
  }
  return { remappings, packageDirs: [...new Set(packageDirs)] }
}

const { remappings, packageDirs } = resolvedRemappings()
const env = {
  ...process.env,
  // forge reads one remapping per line from this variable.
  FOUNDRY_REMAPPINGS: remappings.join('\n'),
  FOUNDRY_IGNORED_WARNINGS_FROM: JSON.stringify(packageDirs),
}

// forge gets its own process group, so a signal reaches the solc (scripts/solc.mjs) processes it
// started too; forge itself leaves them running when it is stopped.
const detached = process.platform !== 'win32'
const child = spawn(forgeBinary(), process.argv.slice(2), {
  stdio: 'inherit',
  cwd: root,
  env,
  detached,
})

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    try {
      if (detached) process.kill(-child.pid, signal)
      else child.kill(signal)
    } catch {
      // The group is already gone.
    }
  })
}

child.on('error', (error) => fail(`cannot run forge: ${error.message}`))

child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
    return
  }
  process.exit(code ?? 1)
})
