import type * as NodeModule from 'node:module'

const nodeProcess = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process

/**
 * A Node built-in module, reached without a static `node:` import (`process.getBuiltinModule`),
 * so the modules that use it still load in a browser or a worker, where this is `undefined`.
 */
export function builtin<T>(id: string): T | undefined {
  try {
    return nodeProcess?.getBuiltinModule?.(id) as T | undefined
  } catch {
    return undefined
  }
}

/**
 * A native addon loaded with Node's `require` from here; `undefined` outside Node or when it
 * does not load (no prebuilt binary for this platform), so callers fall back to JavaScript.
 */
export function loadNative<T>(load: (require: NodeJS.Require) => T): T | undefined {
  const module = builtin<typeof NodeModule>('node:module')
  if (!module) return undefined
  try {
    return load(module.createRequire(import.meta.url))
  } catch {
    return undefined
  }
}
