export {
  CreateDirectoryIndexParameters,
  createDirectoryIndex,
  type DirectoryIndex,
  type SearchResult,
  type SyncResult,
  type VersionRecord,
  type WatchOptions,
} from './node/createDirectoryIndex.js'
export { createManifestFetcher, type FetchManifest } from './node/fetchManifest.js'
export { isRangeRefusal } from './node/getLogsInRanges.js'
export type { Listing } from './node/listing.js'
export { SearchParameters, toMatchExpression } from './node/searchQuery.js'
