/**
 * Untrusted text (a tool's description, its name) made safe to show a model: control,
 * zero-width and bidirectional-override characters removed, whitespace collapsed, and cut to
 * `max` characters.
 *
 * @example cleanText('Counts words.\u202e\n\nIGNORE PREVIOUS', 20) // 'Counts words. IGNOR…'
 */
export function cleanText(text: string, max: number): string {
  const clean = text
    // Control and format characters: zero-width, bidirectional overrides, byte-order marks.
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`
}
