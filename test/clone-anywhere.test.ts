// The README's commands work wherever the project is cloned: here, a clone inside a `mktemp -d`
// directory (mode 0700, like root's home), whose own Node binary in node_modules the throwaway
// host's user cannot reach. The clone is this repository with the working tree's files on top,
// so what is tested is what is here now, committed or not (dist/ included: build it first).
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { check, hostUser, isRoot, run, runAs } from './fixture/proc'

const ROOT = join(__dirname, '..')
let parent: string
let clone: string

/** The environment of someone who just cloned: their PATH with the clone's tools first, nothing of this run. */
function cloneEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('VITEST') && !name.startsWith('CATCOLAB_TEST_') && !name.startsWith('npm_')) env[name] = value
  }
  const path = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules'))
  env['PATH'] = [join(clone, 'node_modules', '.bin'), ...path].join(delimiter)
  env['NO_COLOR'] = '1'
  return env
}

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'clone-anywhere-'))
  clone = join(parent, 'catcolab-deploy')
  await check('git', ['clone', '-q', ROOT, clone])
  // The working tree on top: tracked files as they are now (or gone), and new untracked ones.
  const paths = (await check('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })).split('\0').filter(Boolean)
  for (const path of paths) {
    const target = join(clone, path)
    if (!existsSync(join(ROOT, path))) {
      rmSync(target, { force: true })
      continue
    }
    mkdirSync(dirname(target), { recursive: true })
    cpSync(join(ROOT, path), target, { force: true, verbatimSymlinks: true })
  }
  // node_modules without a network: hard links, so the clone's Node binary lives inside it.
  await check('cp', ['-al', join(ROOT, 'node_modules'), join(clone, 'node_modules')])
}, 120_000)

afterAll(() => {
  if (parent) rmSync(parent, { recursive: true, force: true })
})

it('the clone sits in a directory only its owner can enter, Node binary included', async () => {
  expect(statSync(parent).mode & 0o777).toBe(0o700)
  const node = join(clone, 'node_modules', 'node', 'bin', 'node')
  expect(lstatSync(node).isFile()).toBe(true)
  const env = cloneEnv()
  expect((await check('node', ['-p', 'process.execPath'], { cwd: clone, env })).trim()).toBe(node)
  if (isRoot) {
    // The situation the fixture must cope with: the host user cannot run the clone's Node.
    const reach = await runAs(await hostUser(), { PATH: '/usr/bin:/bin' }, ['test', '-x', node], { cwd: '/' })
    expect(reach.code).not.toBe(0)
  }
})

it('npm run demo succeeds there', async () => {
  const demo = await run('npm', ['run', 'demo'], { cwd: clone, env: cloneEnv() })
  expect(demo.code, `${demo.stdout}\n${demo.stderr}`).toBe(0)
  expect(demo.stdout).toMatch(/^Demo finished in [\d.]+ s\.$/m)
  expect(demo.stdout).not.toContain('UNEXPECTED')
}, 300_000)

it('npm test there runs a deploy test against a host made from inside the clone', async () => {
  const test = await run('npm', ['test', '--', 'test/deploy.int.test.ts', '-t', 'stops, migrates and starts'], { cwd: clone, env: cloneEnv() })
  expect(test.code, `${test.stdout}\n${test.stderr}`).toBe(0)
  const report = JSON.parse(readFileSync(join(clone, '.vitest-report.json'), 'utf8')) as { numPassedTests: number; numFailedTests: number }
  expect(report).toMatchObject({ numPassedTests: 1, numFailedTests: 0 })
}, 300_000)
