// migrations-path and backend-paths entries: paths, globs and "!" exclusions, in order.
import { describe, expect, it } from 'vitest'
import { literalPrefixes, pathMatcher } from '../src/path-patterns'

/** The paths of `paths` that `entries` match. */
const matched = (entries: string[], paths: string[]) => paths.filter(pathMatcher(entries))

const MIGRATOR = 'packages/migrator/src/migrations'
const TREE = [
  'packages/backend/migrations/01_create_table_snapshots.sql',
  'packages/backend/migrations/20241004010448_document_refs.up.sql',
  'packages/backend/migrationsextra/x.sql',
  'packages/backend/src/main.rs',
  `${MIGRATOR}/mod.rs`,
  `${MIGRATOR}/m20250601000000_x.rs`,
  `${MIGRATOR}/m20250901000000_ratings.rs`,
  `${MIGRATOR}/README.md`,
  'packages/migrator/src/lib.rs',
]

describe('pathMatcher', () => {
  it('takes an entry without glob characters for a file or directory: itself and everything below', () => {
    expect(matched(['packages/backend/migrations'], TREE)).toEqual(TREE.slice(0, 2))
    expect(matched(['packages/backend/src/main.rs'], TREE)).toEqual(['packages/backend/src/main.rs'])
    // A path component, not a string prefix: migrationsextra is another directory.
    expect(pathMatcher(['packages/backend/migrations'])('packages/backend/migrationsextra/x.sql')).toBe(false)
  })

  it('matches globs as picomatch does: * stays within a directory, ** crosses them', () => {
    expect(matched([`${MIGRATOR}/m[0-9]*.rs`], TREE)).toEqual([`${MIGRATOR}/m20250601000000_x.rs`, `${MIGRATOR}/m20250901000000_ratings.rs`])
    // The trap: mod.rs starts with m as well.
    expect(matched([`${MIGRATOR}/m*.rs`], TREE)).toEqual(TREE.slice(4, 7))
    expect(matched(['packages/*/src/*.rs'], TREE)).toEqual(['packages/backend/src/main.rs', 'packages/migrator/src/lib.rs'])
    expect(matched(['**/*.sql'], TREE)).toEqual(TREE.slice(0, 3))
    expect(matched(['packages/{backend,migrator}/src/**'], TREE)).toEqual(['packages/backend/src/main.rs', ...TREE.slice(4)])
  })

  it('lets a "!" entry remove what the entries before it matched, and a later entry match again', () => {
    expect(matched([MIGRATOR, '!**/mod.rs'], TREE)).toEqual(TREE.slice(5, 8))
    expect(matched([MIGRATOR, '!**/mod.rs', '!**/*.md'], TREE)).toEqual(TREE.slice(5, 7))
    // In order: the exclusion applies to what came before it, not to what follows.
    expect(matched([MIGRATOR, '!**/*.md', `${MIGRATOR}/README.md`], TREE)).toEqual(TREE.slice(4, 8))
    // A "!" entry without glob characters excludes that file or directory and everything below.
    expect(matched(['packages', '!packages/migrator', '!packages/backend/src'], TREE)).toEqual(TREE.slice(0, 3))
    // The transition: both layouts at once, the crate's mod.rs left out.
    expect(matched(['packages/backend/migrations', `${MIGRATOR}/**`, '!**/mod.rs', '!**/*.md'], TREE)).toEqual([...TREE.slice(0, 2), ...TREE.slice(5, 7)])
  })

  it('matches dotfiles with globs too, as a directory entry does', () => {
    const dotted = ['m/.gitkeep', 'm/.hidden/01_x.sql', 'm/01_x.sql']
    expect(matched(['m'], dotted)).toEqual(dotted)
    expect(matched(['m/**'], dotted)).toEqual(dotted)
    expect(matched(['m/*'], dotted)).toEqual(['m/.gitkeep', 'm/01_x.sql'])
    expect(matched(['m/**', '!**/.*'], dotted)).toEqual(['m/.hidden/01_x.sql', 'm/01_x.sql'])
  })

  it('takes characters that do not make a glob literally, in paths and in entries', () => {
    expect(pathMatcher(['a/{b'])('a/{b/c')).toBe(true)
    expect(pathMatcher(['a/b]'])('a/b]')).toBe(true)
    expect(pathMatcher(['a/*'])('a/line\nbreak')).toBe(true)
    expect(pathMatcher(['a/b?'])('a/bc')).toBe(true)
    expect(pathMatcher(['a/b?'])('a/b/c')).toBe(false)
  })

  it('matches nothing with no entries', () => {
    expect(matched([], TREE)).toEqual([])
  })
})

describe('literalPrefixes', () => {
  it('gives git the directories the entries lie below, never a glob', () => {
    expect(literalPrefixes(['packages/backend/migrations'])).toEqual(['packages/backend/migrations'])
    expect(literalPrefixes([`${MIGRATOR}/m[0-9]*.rs`])).toEqual([MIGRATOR])
    expect(literalPrefixes(['packages/backend/migrations', `${MIGRATOR}/**`, '!**/mod.rs', `${MIGRATOR}/m*.rs`])).toEqual(['packages/backend/migrations', MIGRATOR])
    expect(literalPrefixes(['packages/{backend,migrator}/migrations/*'])).toEqual(['packages'])
    expect(literalPrefixes(['a/{b', 'a/b]'])).toEqual(['a/{b', 'a/b]'])
  })

  it('asks for the whole tree when a glob starts with a glob character', () => {
    expect(literalPrefixes(['packages/backend/migrations', '**/migrations/*.sql'])).toEqual([])
    expect(literalPrefixes(['m*.rs'])).toEqual([])
  })

  it('covers every path the matcher matches (property over the tree above)', () => {
    for (const entries of [[`${MIGRATOR}/m[0-9]*.rs`], [MIGRATOR, '!**/mod.rs'], ['packages/*/src/**'], ['packages/backend/migrations', '**/lib.rs']]) {
      const prefixes = literalPrefixes(entries)
      for (const path of matched(entries, TREE)) {
        expect(prefixes.length === 0 || prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)), `${entries.join(', ')}: ${path}`).toBe(true)
      }
    }
  })
})
