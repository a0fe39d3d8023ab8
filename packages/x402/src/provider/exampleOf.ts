type Schema = Record<string, unknown>

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A small value a JSON Schema accepts, for the example x402's bazaar declaration requires: its
 * own `const`, `enum`, `default` or `examples` first, else the least value of its type (required
 * properties only, `minItems` items, `minLength` characters, the lower bound). Best effort: a
 * `pattern` or a `format` beyond the usual few is not honoured.
 *
 * @example exampleOf({ type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }) // { text: '' }
 */
export function exampleOf(schema: unknown, depth = 0): unknown {
  if (!isSchema(schema) || depth > 16) return null
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if ('default' in schema) return schema.default
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0]
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const variants = schema[key]
    if (Array.isArray(variants) && variants.length > 0) return exampleOf(variants[0], depth + 1)
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {}
      const required = Array.isArray(schema.required) ? schema.required : []
      return Object.fromEntries(
        required
          .filter((name): name is string => typeof name === 'string')
          .map((name) => [name, exampleOf(properties[name] ?? {}, depth + 1)]),
      )
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 0
      return Array.from({ length: count }, () => exampleOf(schema.items, depth + 1))
    }
    case 'string':
      return stringExample(schema)
    case 'integer':
    case 'number':
      return numberExample(schema, type === 'integer')
    case 'boolean':
      return false
    case 'null':
      return null
    default:
      return isSchema(schema.properties) ? exampleOf({ ...schema, type: 'object' }, depth) : null
  }
}

const formats: Record<string, string> = {
  'date-time': '1970-01-01T00:00:00Z',
  date: '1970-01-01',
  time: '00:00:00Z',
  email: 'someone@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
}

function stringExample(schema: Schema): string {
  const formatted = typeof schema.format === 'string' ? formats[schema.format] : undefined
  if (formatted) return formatted
  const length = typeof schema.minLength === 'number' ? schema.minLength : 0
  return 'a'.repeat(length)
}

function numberExample(schema: Schema, integer: boolean): number {
  const step = integer ? 1 : 0.5
  let value =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + step
        : 0
  if (typeof schema.maximum === 'number' && value > schema.maximum) value = schema.maximum
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum)
    value = schema.exclusiveMaximum - step
  return integer ? Math.ceil(value) : value
}
