import { BaseError } from '@gotong/core'
import { CommanderError } from 'commander'
import { createProgram } from './program.js'

/**
 * Runs the gotong command line. Errors print their message (and what to do next) without a
 * stack trace, and set a non-zero exit code.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram()
  try {
    await program.parseAsync(argv as string[])
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode
      return
    }
    if (error instanceof BaseError) {
      process.stderr.write(`error [${error.code}]: ${error.message}\n`)
      process.exitCode = 1
      return
    }
    throw error
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv)
