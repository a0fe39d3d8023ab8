// A small MCP server (SDK v2, stdio) for the wrapper's tests. `greet`'s definition is read from
// the JSON file named by WRAPPER_TEST_DEFINITION at start and again on SIGHUP, which updates
// the tool and so sends notifications/tools/list_changed. `hang` writes the file named by
// WRAPPER_TEST_MARKER once it has the call, then never answers.
import { readFileSync, writeFileSync } from 'node:fs'
import { McpServer } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { z } from 'zod'

const readDefinition = () => JSON.parse(readFileSync(process.env.WRAPPER_TEST_DEFINITION, 'utf8'))

const greetInput = (definition) =>
  definition.formal
    ? z.object({ name: z.string(), title: z.string().describe('Mr, Ms, Dr') })
    : z.object({ name: z.string() })

const greetText = ({ name, title }) => ({
  content: [{ type: 'text', text: `Hello, ${title ? `${title} ` : ''}${name}!` }],
})

let greet

serveStdio(() => {
  const server = new McpServer({ name: 'wrapper-test', version: '1.2.3' })
  const definition = readDefinition()
  greet = server.registerTool(
    'greet',
    { description: definition.description, inputSchema: greetInput(definition) },
    greetText,
  )
  server.registerTool(
    'shout',
    {
      description: 'Repeats a word that must already be upper case.',
      // The refinement is not in the JSON Schema the server lists: only the server checks it.
      inputSchema: z.object({
        word: z.string().refine((w) => w === w.toUpperCase(), 'must be upper case'),
      }),
    },
    ({ word }) => ({ content: [{ type: 'text', text: `${word}!` }] }),
  )
  server.registerTool('fail', { description: 'Always fails.', inputSchema: z.object({}) }, () => {
    throw new Error('the warehouse is closed')
  })
  server.registerTool(
    'hang',
    { description: 'Takes the call and never answers.', inputSchema: z.object({}) },
    () => {
      writeFileSync(process.env.WRAPPER_TEST_MARKER, String(process.pid))
      return new Promise(() => {})
    },
  )
  return server
})

process.on('SIGHUP', () => {
  const definition = readDefinition()
  greet?.update({ description: definition.description, paramsSchema: greetInput(definition) })
})
console.error('wrapper-test MCP server on stdio')
