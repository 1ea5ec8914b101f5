// The pr-report command's inputs: it needs no host and no key, only the GitHub API.
import { expect, it } from 'vitest'
import { UserError } from '../src/errors'
import { parseSettings, type PrReportSettings } from '../src/inputs'
import { fileClassifier } from '../src/pr-facts'

function settings(inputs: Record<string, string>): PrReportSettings {
  const all: Record<string, string> = { command: 'pr-report', environment: 'catcolab-next', 'github-token': 'ghs_token', ...inputs }
  return parseSettings((name) => all[name] ?? '', { actor: '', runUrl: '' }) as PrReportSettings
}

function problem(inputs: Record<string, string>): string {
  try {
    settings(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as Error).message
  }
  throw new Error('expected a UserError')
}

it("needs no host, key or known-hosts, and has CatColab's defaults", () => {
  expect(settings({})).toEqual({
    command: 'pr-report',
    environment: 'catcolab-next',
    backendUrl: 'https://backend-next.catcolab.org',
    backendPaths: ['packages/backend/**', 'packages/automerge-doc-server/**', 'packages/migrator/**', 'packages/backend/migrations'],
    migrationsPaths: ['packages/backend/migrations'],
    pullRequest: null,
    commentAuthor: null,
    token: 'ghs_token',
  })
})

it('takes every migrations-path into the default backend paths, and backend-paths as given', () => {
  const migrator = settings({ 'migrations-path': 'packages/backend/migrations\n./packages/migrator/src/migrations/\n' })
  expect(migrator.backendPaths).toEqual([
    'packages/backend/**',
    'packages/automerge-doc-server/**',
    'packages/migrator/**',
    'packages/backend/migrations',
    'packages/migrator/src/migrations',
  ])
  expect(settings({ 'backend-paths': ' packages/backend/**\n\n./Cargo.lock\n' }).backendPaths).toEqual(['packages/backend/**', 'Cargo.lock'])
  // A migrations-path "!" entry only narrows the migrations: it must not take files out of the backend.
  const excluding = settings({ 'migrations-path': 'packages/migrator/src/migrations\n!**/mod.rs' })
  expect(excluding.migrationsPaths).toEqual(['packages/migrator/src/migrations', '!**/mod.rs'])
  expect(excluding.backendPaths).toEqual(['packages/backend/**', 'packages/automerge-doc-server/**', 'packages/migrator/**', 'packages/migrator/src/migrations'])
  expect(settings({ 'backend-paths': 'packages/**\n!packages/frontend\n' }).backendPaths).toEqual(['packages/**', '!packages/frontend'])
})

it('counts the whole migrator crate as backend files by default, not only the migrations in it', () => {
  const { backendPaths, migrationsPaths } = settings({ 'migrations-path': 'packages/migrator/src/migrations/m[0-9]*.rs' })
  const classify = fileClassifier(backendPaths, migrationsPaths)
  expect(classify({ status: 'modified', path: 'packages/migrator/src/main.rs', previousPath: null })).toEqual({
    backendFile: 'packages/migrator/src/main.rs',
    addedMigration: false,
  })
  expect(classify({ status: 'modified', path: 'packages/frontend/src/app.ts', previousPath: null }).backendFile).toBeNull()
})

it("takes a pull request number, all, or nothing (the event's)", () => {
  expect(settings({ 'pr-number': '42' }).pullRequest).toBe(42)
  expect(settings({ 'pr-number': 'all' }).pullRequest).toBe('all')
  for (const bad of ['0', '-1', '1.5', 'ALL', '#4', '12345678901']) expect(problem({ 'pr-number': bad })).toMatch(/^pr-number must be a pull request's number or "all"/)
})

it('requires the environment and a token, and checks the rest', () => {
  expect(problem({ environment: '' })).toMatch(/^environment is required for command pr-report/)
  expect(problem({ environment: 'a\nb' })).toMatch(/^environment "a\\nb" is not a GitHub environment name/)
  expect(problem({ 'github-token': '' })).toMatch(/^github-token is empty: pr-report needs a token with pull-requests: write, deployments: read and contents: read/)
  expect(problem({ 'backend-url': 'backend-next.catcolab.org' })).toMatch(/^backend-url .* is not a URL/)
  expect(problem({ 'backend-paths': '/etc/**' })).toMatch(/^backend-paths "\/etc\/\*\*" is absolute: use paths or globs relative to the repository root/)
  expect(problem({ 'backend-paths': '!packages/frontend/**' })).toMatch(/^backend-paths "!packages\/frontend\/\*\*" excludes nothing/)
  expect(problem({ 'migrations-path': '!**/mod.rs' })).toMatch(/^migrations-path "!\*\*\/mod.rs" excludes nothing/)
  expect(problem({ 'comment-author': 'x y' })).toMatch(/^comment-author "x y" is not a GitHub login/)
  expect(settings({ 'comment-author': 'catcolab-app[bot]' }).commentAuthor).toBe('catcolab-app[bot]')
  expect(settings({ 'backend-url': 'https://backend-next.catcolab.org/' }).backendUrl).toBe('https://backend-next.catcolab.org')
  expect(problem({ command: 'report' })).toBe('command must be "deploy", "rollback", "status", "hold", "release" or "pr-report", not "report"')
})
