import {
  type Agreement,
  contentHash,
  GotongTerms,
  gotongTermsKey,
  type ToolManifest,
} from '@gotong/core'
import type { DirectoryIndex } from '@gotong/directory/node'
import type { Hex } from 'viem'

/** The manifest of the version an agreement names, as the directory index has it. */
export async function agreedManifest(
  index: DirectoryIndex,
  agreement: Agreement,
): Promise<ToolManifest | undefined> {
  const listing = await index.getListing(agreement.toolId)
  const manifestHash = agreement.manifestHash.toLowerCase()
  return listing?.manifestHash.toLowerCase() === manifestHash
    ? listing.manifest
    : listing?.versions.find((v) => v.manifestHash.toLowerCase() === manifestHash)?.manifest
}

/** A manifest's gotong terms, if it carries valid ones. */
export function termsOfManifest(manifest: ToolManifest | undefined): GotongTerms | undefined {
  const terms = GotongTerms.safeParse(manifest?.[gotongTermsKey])
  return terms.success ? terms.data : undefined
}

/**
 * The hash of what a tool is, apart from who serves it and at what price: its name and its
 * input and output JSON Schemas. Two providers whose manifests hash alike offer the same
 * function, so a deterministic one must answer an input as the other does.
 *
 * @example toolDefinitionHash(listing.manifest) // '0x…'
 */
export function toolDefinitionHash(manifest: ToolManifest): Hex {
  return contentHash({ name: manifest.name, inputs: manifest.inputs, outputs: manifest.outputs })
}
