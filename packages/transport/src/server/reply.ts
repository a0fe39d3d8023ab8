import { bigintReplacer, WireError } from '@gotong/core'

/** A transport-neutral answer: the status (a wire code, or 200) and the JSON text to send. */
export type Reply = { status: number; body: string }

/** `{"result": …}` with status 200; bigints become decimal strings. */
export function resultReply(result: unknown): Reply {
  return {
    status: 200,
    body: result === undefined ? '{}' : JSON.stringify({ result }, bigintReplacer),
  }
}

/** `{"error": {code, reason, message, data?}}` with the wire code as status. */
export function errorReply(error: WireError): Reply {
  const status = error.wireCode >= 200 && error.wireCode <= 599 ? error.wireCode : 500
  return { status, body: JSON.stringify({ error: error.toPayload() }, bigintReplacer) }
}

/** A WireError reply built in place. */
export function fail(
  reason: ConstructorParameters<typeof WireError>[0],
  message: string,
  data?: Record<string, unknown>,
): Reply {
  return errorReply(new WireError(reason, message, data ? { data } : {}))
}
