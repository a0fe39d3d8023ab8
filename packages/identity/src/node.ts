export { a2aHttpHandler, agentCardHttpHandler } from './a2a/node/serveA2aHttp.js'
