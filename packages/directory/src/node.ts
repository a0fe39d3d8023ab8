export {
  CreateDirectoryIndexParameters,
  createDirectoryIndex,
  type DirectoryIndex,
  type WatchOptions,
} from './node/createDirectoryIndex.js'
export { createManifestFetcher, type FetchManifest } from './node/fetchManifest.js'
export { type FtsDocument, ftsDocument, ftsPhrases } from './node/ftsTerms.js'
export { isRangeRefusal } from './node/getLogsInRanges.js'
export type { Listing, ToolRow } from './node/listing.js'
export {
  CreateRemoteIndexParameters,
  createRemoteIndex,
} from './node/remote/createRemoteIndex.js'
export {
  ListingResponse,
  SearchResponse,
  StatusResponse,
  toWireJson,
} from './node/remote/wire.js'
export {
  createSearch,
  type SearchContext,
  type SearchResult,
  type SearchSource,
  type VersionRecord,
  type VersionRow,
} from './node/searchIndex.js'
export {
  bm25Weights,
  type ParsedSearchParameters,
  type RankedRow,
  SearchParameters,
  toMatchExpression,
} from './node/searchQuery.js'
export type { SyncResult } from './node/syncIndex.js'
export { priceKey } from './node/writer/writerState.js'
