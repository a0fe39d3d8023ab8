import { exampleOf } from './exampleOf.js'

/** The key of x402's discovery extension in `PAYMENT-REQUIRED`'s `extensions`. */
export const bazaarKey = 'bazaar'

/** A tool's JSON Schemas as its manifest publishes them (`inputs`, `outputs`). */
export type ToolSchemas = {
  input: Readonly<Record<string, unknown>>
  output: Readonly<Record<string, unknown>>
}

/**
 * x402's `bazaar` discovery extension for a tool's x402 face: `POST` with a JSON body. `info`
 * holds an example body and output made from the schemas; `schema` validates `info`, and carries
 * the manifest's input schema as the body's schema and its output schema as the example
 * output's, unchanged, so a directory of x402 resources lists the same contract as gotong's.
 *
 * @example bazaarDeclaration({ input: manifest.inputs, output: manifest.outputs })
 */
export function bazaarDeclaration(schemas: ToolSchemas) {
  return {
    info: {
      input: { type: 'http', method: 'POST', bodyType: 'json', body: exampleOf(schemas.input) },
      output: { type: 'json', example: exampleOf(schemas.output) },
    },
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        input: {
          type: 'object',
          properties: {
            type: { type: 'string', const: 'http' },
            method: { type: 'string', enum: ['POST', 'PUT', 'PATCH'] },
            bodyType: { type: 'string', enum: ['json', 'form-data', 'text'] },
            body: schemas.input,
            queryParams: { type: 'object', additionalProperties: { type: 'string' } },
            headers: { type: 'object', additionalProperties: { type: 'string' } },
          },
          required: ['type', 'method', 'bodyType', 'body'],
          additionalProperties: false,
        },
        output: {
          type: 'object',
          properties: { type: { type: 'string' }, example: schemas.output },
          required: ['type'],
        },
      },
      required: ['input'],
    },
  }
}
