export { defineTool, type Tool, type ToolContext } from './defineTool.js'
