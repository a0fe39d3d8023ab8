export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolJsonSchema,
  type ToolManifestExtensions,
} from './defineTool.js'
export { isToolInputError, ToolInputError } from './toolInputError.js'
