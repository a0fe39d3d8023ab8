// Prints what `gotong <command> --help` prints for every command a user can run, as one JSON
// object keyed by the command's path (`channels claim`): one process instead of one per command.
import type { Command } from 'commander'
import { createProgram } from '../src/program.js'

function leaves(command: Command, path: string[] = []): [string, string][] {
  return command.commands.flatMap((sub) => {
    const at = [...path, sub.name()]
    return sub.commands.length
      ? leaves(sub, at)
      : [[at.join(' '), sub.helpInformation()] as [string, string]]
  })
}

process.stdout.write(JSON.stringify(Object.fromEntries(leaves(createProgram()))))
