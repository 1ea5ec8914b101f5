// Which files of a pull request the comment counts as backend changes and as added migrations,
// by backend-paths and migrations-path (paths, globs and "!" entries, as for deploy).
import { expect, it } from 'vitest'
import type { PullRequestFile } from '../src/github'
import { fileClassifier } from '../src/pr-report'

const MIGRATOR = 'packages/migrator/src/migrations'
const file = (status: string, path: string, previousPath: string | null = null): PullRequestFile => ({ status, path, previousPath })

it('counts migrator-crate migrations added by a pull request, and not the mod.rs it edits', () => {
  const classify = fileClassifier(['packages/backend/**', MIGRATOR], [MIGRATOR, '!**/mod.rs'])
  expect(classify(file('added', `${MIGRATOR}/m20250901000000_ratings.rs`))).toEqual({ backendFile: `${MIGRATOR}/m20250901000000_ratings.rs`, addedMigration: true })
  expect(classify(file('modified', `${MIGRATOR}/mod.rs`))).toEqual({ backendFile: `${MIGRATOR}/mod.rs`, addedMigration: false })
  // Excluded from the migrations even when added: a new mod.rs in a subdirectory, say.
  expect(classify(file('added', `${MIGRATOR}/old/mod.rs`))).toEqual({ backendFile: `${MIGRATOR}/old/mod.rs`, addedMigration: false })
  // Added at its new path, as the deploy's diff without rename detection sees it.
  expect(classify(file('renamed', `${MIGRATOR}/m20250902000000_b.rs`, `${MIGRATOR}/m20250901000000_a.rs`)).addedMigration).toBe(true)
  expect(classify(file('removed', `${MIGRATOR}/m20250901000000_ratings.rs`)).addedMigration).toBe(false)
  expect(classify(file('added', 'packages/frontend/src/app.ts'))).toEqual({ backendFile: null, addedMigration: false })
})

it('reads a migrations-path directory as every file below it, and a glob as picomatch does', () => {
  const sqlx = fileClassifier([], ['packages/backend/migrations'])
  expect(sqlx(file('added', 'packages/backend/migrations/20241004010448_document_refs.up.sql')).addedMigration).toBe(true)
  expect(sqlx(file('added', 'packages/backend/migrations/.gitkeep')).addedMigration).toBe(true)
  expect(sqlx(file('added', 'packages/backend/migrationsold/01_x.sql')).addedMigration).toBe(false)
  const glob = fileClassifier([], [`${MIGRATOR}/m[0-9]*.rs`])
  expect(glob(file('added', `${MIGRATOR}/m20250901000000_ratings.rs`)).addedMigration).toBe(true)
  expect(glob(file('added', `${MIGRATOR}/mod.rs`)).addedMigration).toBe(false)
})

it('applies backend-paths "!" entries in order, and counts a file moved out of the backend under its old path', () => {
  const classify = fileClassifier(['packages/**', '!packages/frontend', 'packages/frontend/src/api/**'], [])
  expect(classify(file('modified', 'packages/backend/src/main.rs')).backendFile).toBe('packages/backend/src/main.rs')
  expect(classify(file('modified', 'packages/frontend/src/app.ts')).backendFile).toBe(null)
  expect(classify(file('modified', 'packages/frontend/src/api/client.ts')).backendFile).toBe('packages/frontend/src/api/client.ts')
  expect(classify(file('renamed', 'docs/main.rs', 'packages/backend/src/main.rs')).backendFile).toBe('packages/backend/src/main.rs')
  expect(classify(file('modified', 'README.md')).backendFile).toBe(null)
})
