export {
  CreateDirectoryIndexParameters,
  createDirectoryIndex,
  type DirectoryIndex,
  type WatchOptions,
} from './node/createDirectoryIndex.js'
export { createManifestFetcher, type FetchManifest } from './node/fetchManifest.js'
export { isRangeRefusal } from './node/getLogsInRanges.js'
export type { Listing } from './node/listing.js'
export type { SearchResult, VersionRecord } from './node/searchIndex.js'
export { SearchParameters, toMatchExpression } from './node/searchQuery.js'
export type { SyncResult } from './node/syncIndex.js'
