// Each input's default is written once, in action.yml. scripts/input-defaults.mjs (run by
// npm run build) generates src/input-defaults.ts from it, and src/inputs.ts reads an empty input
// as that default.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseSettings } from '../src/inputs'

const ROOT = join(__dirname, '..')

it('src/input-defaults.ts is what scripts/input-defaults.mjs makes from action.yml now', () => {
  const fresh = execFileSync(process.execPath, [join(ROOT, 'scripts/input-defaults.mjs'), '--stdout'], { encoding: 'utf8' })
  expect(readFileSync(join(ROOT, 'src/input-defaults.ts'), 'utf8'), 'src/input-defaults.ts is stale: run npm run build and commit it').toBe(fresh)
})

it('reads an empty input as its default in action.yml, for every command', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }
  // What the runner passes for an input a workflow leaves out; an expression's value comes from
  // the run (github.sha, github.token), so each command below is given those inputs.
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']))
  expect(defaults['ref']).toBe('${{ github.sha }}')
  expect(defaults['github-token']).toBe('${{ github.token }}')

  const dir = mkdtempSync(join(tmpdir(), 'input-defaults-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')])
  const connection = {
    host: 'backend-next.catcolab.org',
    'private-key': readFileSync(join(dir, 'key'), 'utf8'),
    'known-hosts': 'backend-next.catcolab.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
  }
  const requester = { actor: 'octocat', runUrl: 'https://github.com/o/r/actions/runs/1' }
  const commands: Record<string, string>[] = [
    { ...connection, ref: 'main', 'github-token': 'ghs_token', environment: 'catcolab-next' },
    { ...connection, command: 'status' },
    { command: 'pr-report', environment: 'catcolab-next', 'github-token': 'ghs_token' },
  ]
  for (const given of commands) {
    const empty = parseSettings((name) => given[name] ?? '', requester)
    const byRunner = parseSettings((name) => given[name] ?? defaults[name] ?? '', requester)
    expect(empty).toEqual(byRunner)
  }
})
