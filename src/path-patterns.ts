/**
 * Lists of repository path patterns, as migrations-path and backend-paths take them: which
 * files a list matches, and which literal directories git needs to diff to find them all.
 * Pure; the lists were validated by inputs.ts.
 *
 * - An entry without glob characters is a file or directory: it matches itself and every path
 *   below it, as a git pathspec does.
 * - Any other entry is a picomatch glob; `*` and `**` also match dotfiles.
 * - An entry starting with `!` removes what the entries before it matched; a later entry can
 *   match a path again. (picomatch given a list ORs it, and a `!` pattern in a list matches
 *   everything else, so the order is applied here.)
 */
import picomatch from 'picomatch'

export interface PathPattern {
  /** The entry without its leading `!`. */
  pattern: string
  exclude: boolean
  glob: boolean
}

export function parsePattern(entry: string): PathPattern {
  const exclude = entry.startsWith('!')
  const pattern = exclude ? entry.slice(1) : entry
  return { pattern, exclude, glob: picomatch.scan(pattern).isGlob }
}

/** Compiles one pattern; throws picomatch's own error for a glob it cannot compile. */
function compile({ pattern, glob }: PathPattern): (path: string) => boolean {
  if (!glob) return (path) => path === pattern || path.startsWith(`${pattern}/`)
  // nonegate: a leading "!" was ours, and is gone; anything else is not a negation either.
  const re = picomatch.makeRe(pattern, { dot: true, nonegate: true })
  return (path) => re.test(path)
}

/** Whether the glob compiles: the problem in picomatch's words, or null. */
export function globProblem(pattern: string): string | null {
  try {
    compile({ pattern, exclude: false, glob: true })
    return null
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0]!
  }
}

/** A path matches when the last entry that matches it is not a `!` entry. */
export function pathMatcher(entries: readonly string[]): (path: string) => boolean {
  const compiled = entries.map(parsePattern).map((p) => ({ exclude: p.exclude, test: compile(p) }))
  return (path) => {
    let matched = false
    for (const entry of compiled) if (entry.test(path)) matched = !entry.exclude
    return matched
  }
}

/**
 * The literal directories below which every path the entries can match lies: a plain entry
 * itself, a glob's leading directories (`a/b/m*.rs` → `a/b`). Empty when a glob starts with a
 * glob character: then any path of the repository may match. `!` entries only remove.
 */
export function literalPrefixes(entries: readonly string[]): string[] {
  const prefixes = new Set<string>()
  for (const entry of entries.map(parsePattern)) {
    if (entry.exclude) continue
    const prefix = entry.glob ? picomatch.scan(entry.pattern).base : entry.pattern
    if (prefix === '') return []
    prefixes.add(prefix)
  }
  return [...prefixes]
}
