export {
  type DedupeOptions,
  DedupeResult,
  DuplicateGroup,
  dedupeRecords,
  UniqueRecord,
} from './dedupeRecords.js'
export { DedupeInput, dedupeTool } from './dedupeTool.js'
export { DedupeError, type DedupeErrorCode } from './errors.js'
