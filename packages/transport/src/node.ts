export { type HttpListener, type ServeHttpParameters, serveHttp } from './http/serveHttp.js'
