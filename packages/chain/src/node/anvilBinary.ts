import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { AnvilBinaryMissingError } from '../errors.js'

const targets: Record<string, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-amd64',
}

/**
 * Path of anvil's native binary from the @foundry-rs/anvil-<os>-<cpu> package for this machine.
 * The native binary is spawned directly: the npm `anvil` shim leaves orphans on SIGTERM.
 *
 * @throws AnvilBinaryMissingError
 */
export function anvilBinaryPath(
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const target = targets[`${platform}-${arch}`]
  if (!target) throw new AnvilBinaryMissingError(`${platform}-${arch}`)
  const file = `@foundry-rs/anvil-${target}/bin/anvil${platform === 'win32' ? '.exe' : ''}`
  try {
    const path = createRequire(import.meta.url).resolve(file)
    if (existsSync(path)) return path
    throw new Error(`${path} does not exist`)
  } catch (cause) {
    throw new AnvilBinaryMissingError(`${platform}-${arch}`, cause)
  }
}
