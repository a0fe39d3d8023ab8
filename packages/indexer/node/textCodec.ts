/**
 * PostgreSQL text cannot hold NUL, and strings from the chain (URIs, agent names) or about a
 * manifest (a JSON parser's message quotes the bytes) can. Such columns hold the string
 * JSON-encoded, which escapes NUL, and are decoded when read.
 *
 * @example encodeText('a\u0000b') // '"a\\u0000b"'
 */
export function encodeText(value: string): string {
  return JSON.stringify(value)
}

/** The string `encodeText` stored (null stays null). */
export function decodeText(value: string): string
export function decodeText(value: string | null): string | null
export function decodeText(value: string | null): string | null {
  return value === null ? null : (JSON.parse(value) as string)
}
