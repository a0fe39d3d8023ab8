// An MCP server (SDK v2, low-level Server, stdio) that lists its tools one per page, to show
// the wrapper follows every `nextCursor`. Its third tool's name no manifest can take.
import { Server } from '@modelcontextprotocol/server'
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio'

const object = { type: 'object', properties: {} }
const tools = [
  { name: 'first', description: 'Page one.', inputSchema: object },
  { name: 'second', description: 'x'.repeat(600), inputSchema: object },
  { name: '\u65e5\u672c', description: 'No ASCII letter to route by.', inputSchema: object },
  { name: 'fourth', inputSchema: object },
]

const server = new Server({ name: 'paged', version: '0.0.1' }, { capabilities: { tools: {} } })
server.setRequestHandler('tools/list', (request) => {
  const index = Number(request.params?.cursor ?? 0)
  return {
    tools: [tools[index]],
    ...(index + 1 < tools.length ? { nextCursor: String(index + 1) } : {}),
  }
})
server.setRequestHandler('tools/call', (request) => ({
  content: [{ type: 'text', text: `called ${request.params.name}` }],
}))
await server.connect(new StdioServerTransport())
