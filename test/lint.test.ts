// `npm run lint` as tests, so every run of the tests (npm test, .ci/run) counts a lint finding as
// a failed test: ESLint with typescript-eslint's type-checked rules (eslint.config.mjs), and
// Prettier's check of the formatting (.prettierrc.json, .prettierignore).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = join(__dirname, '..')

function run(bin: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(join(ROOT, 'node_modules/.bin', bin), args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { status: result.status, output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}` }
}

it('ESLint finds nothing', () => {
  const eslint = run('eslint', ['--max-warnings=0', '.'])
  expect(eslint.status, eslint.output).toBe(0)
}, 300_000)

it('every file is formatted as Prettier formats it (npm run format)', () => {
  const prettier = run('prettier', ['--check', '.'])
  expect(prettier.status, prettier.output).toBe(0)
  expect(prettier.output).toContain('All matched files use Prettier code style!')
}, 120_000)
