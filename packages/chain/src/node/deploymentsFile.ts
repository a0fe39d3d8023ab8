import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { bigintReplacer } from '@gotong/core'
import { type Deployments, parseDeployments } from '../deployments.js'
import { DeploymentsInvalidError } from '../errors.js'

/**
 * Writes a deployments file atomically (temp file, then rename), so a reader never sees half.
 *
 * @example await writeDeployments('.gotong/deployments.json', devnet.deployments)
 */
export async function writeDeployments(path: string, deployments: Deployments): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, `${JSON.stringify(deployments, bigintReplacer, 2)}\n`)
  await rename(temp, path)
}

/**
 * Reads and validates a deployments file; with `chainId`, also checks it is for that chain.
 *
 * @throws DeploymentsInvalidError, DeploymentsChainMismatchError
 */
export async function readDeployments(
  path: string,
  options: { chainId?: number } = {},
): Promise<Deployments> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new DeploymentsInvalidError(path, 'the file cannot be read', cause)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new DeploymentsInvalidError(path, 'the file is not JSON', cause)
  }
  return parseDeployments(json, { ...options, source: path })
}
