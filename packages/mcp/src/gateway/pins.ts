import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { Bytes32 } from '@gotong/core'
import type { Hex } from 'viem'
import { z } from 'zod'

/** What was approved of a tool: its manifest hash, and the manifest apart from its endpoint. */
export const Pin = z.strictObject({ manifestHash: Bytes32, fingerprint: Bytes32 })
export type Pin = { manifestHash: Hex; fingerprint: Hex }

const PinsFile = z.record(z.string().regex(/^[1-9][0-9]*$/), Pin)

/**
 * The approved version of each tool, kept in a JSON file so every gateway process (and
 * `gotong mcp approve`) agrees on what may be served: a tool is only ever served at its
 * approved version.
 */
export type Pins = {
  get(toolId: bigint): Pin | undefined
  set(toolId: bigint, pin: Pin): void
  /** Re-reads the file (another process may have approved a tool since). */
  reload(): void
}

/** Pins kept in `file` (created on the first approval); an unreadable file is refused. */
export function openPins(file: string): Pins {
  let pins = read(file)
  return {
    get: (toolId) => pins.get(toolId.toString()),
    set(toolId, pin) {
      pins = read(file)
      pins.set(toolId.toString(), pin)
      // Written whole and renamed over the old file, so a reader never sees half of it.
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(pins), null, 2)}\n`)
      renameSync(temporary, file)
    },
    reload() {
      pins = read(file)
    },
  }
}

function read(file: string): Map<string, Pin> {
  if (!existsSync(file)) return new Map()
  const parsed = PinsFile.parse(JSON.parse(readFileSync(file, 'utf8')))
  return new Map(Object.entries(parsed) as [string, Pin][])
}
