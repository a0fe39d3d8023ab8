import { inputIssues, isToolInputError, type Tool, type ToolContext } from '@gotong/tool'

/** Why a call produced no output; nothing is charged for any of them. */
export type ToolFailure = {
  ok: false
  status: 400 | 500 | 504
  code: 'INPUT_INVALID' | 'HANDLER_FAILED' | 'HANDLER_TIMEOUT' | 'OUTPUT_INVALID'
  message: string
  data?: Record<string, unknown>
}

/** A call's output, checked against the tool's output schema, as JSON (bigints as strings). */
export type ToolSuccess = { ok: true; output: unknown }

/**
 * Runs one call of a tool: the input against its schema, the handler under a time limit (its
 * signal aborted when the time is up), the output against its schema.
 *
 * @example const outcome = await runTool(tool, input, { caller, termsHash }, 30_000)
 */
export async function runTool(
  tool: Tool,
  input: unknown,
  context: Omit<ToolContext, 'signal'>,
  timeoutMs: number,
): Promise<ToolSuccess | ToolFailure> {
  const parsed = tool.input.safeParse(input)
  if (!parsed.success)
    return {
      ok: false,
      status: 400,
      code: 'INPUT_INVALID',
      message: 'The input does not match the tool’s schema.',
      data: { issues: inputIssues(parsed.error) },
    }
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = Symbol('timeout')
  let output: unknown
  try {
    output = await Promise.race([
      Promise.resolve(tool.handler(parsed.data, { ...context, signal: controller.signal })),
      new Promise((resolve) => {
        timer = setTimeout(() => {
          controller.abort()
          resolve(timedOut)
        }, timeoutMs)
      }),
    ])
  } catch (error) {
    // The tool's own verdict on input its schema let through: the caller's to fix.
    if (isToolInputError(error))
      return {
        ok: false,
        status: 400,
        code: 'INPUT_INVALID',
        message: error.message,
        ...(error.reason ? { data: { reason: error.reason } } : {}),
      }
    return {
      ok: false,
      status: 500,
      code: 'HANDLER_FAILED',
      message: 'The tool failed while handling the call.',
    }
  } finally {
    clearTimeout(timer)
  }
  if (output === timedOut)
    return {
      ok: false,
      status: 504,
      code: 'HANDLER_TIMEOUT',
      message: `The tool took longer than ${timeoutMs} ms.`,
    }
  const checked = tool.output.safeParse(output)
  if (!checked.success)
    return {
      ok: false,
      status: 500,
      code: 'OUTPUT_INVALID',
      message: 'The tool produced output that does not match its schema.',
    }
  return { ok: true, output: toJson(checked.data) }
}

/** JSON form: bigints as decimal strings. */
function toJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null',
  )
}
