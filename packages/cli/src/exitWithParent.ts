/**
 * Sends this process SIGTERM once the process that started it is gone, so a long-running command
 * stops through its own SIGTERM handling (its devnet, its agent) instead of living on orphaned.
 * This is what happens under `npx` and `npm run`: they start the command through `sh -c`, and a
 * SIGTERM to them kills that shell without reaching the command. An orphan is noticed by its
 * parent pid changing (to 1 or to a subreaper), checked every `intervalMs`; that works on Linux
 * and macOS, not on Windows, where an orphan keeps its parent's pid.
 *
 * @returns A function that stops watching.
 * @example exitWithParent() // first thing in a command that runs until Ctrl-C
 */
export function exitWithParent(intervalMs = 250): () => void {
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    process.kill(process.pid, 'SIGTERM')
  }, intervalMs)
  // Watching must not keep a command alive that has finished its work.
  timer.unref()
  return () => clearInterval(timer)
}
