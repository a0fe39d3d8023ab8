export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolJsonSchema,
  type ToolManifestExtensions,
  type ToolModel,
} from './defineTool.js'
export { isToolInputError, ToolInputError } from './toolInputError.js'
