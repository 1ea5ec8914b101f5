// action-spec.yml is the one source of the action's interface: scripts/generate.mjs (run by
// npm run build) writes action.yml, each command's own action.yml, src/input-defaults.ts and the
// README's tables from it. These tests hold the generated files to it, and the spec to the code:
// each command's action declares exactly the inputs the code reads for that command.
import { NoOperationTraceWriter } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { COMMANDS, parseSettings, type Command } from '../src/inputs'
import { actionFile } from './run-action'

const ROOT = join(__dirname, '..')
const spec = parse(readFileSync(join(ROOT, 'action-spec.yml'), 'utf8'), { merge: true }) as { commands: Record<string, { post?: boolean }> }
const requester = { actor: 'octocat', runUrl: 'https://github.com/o/r/actions/runs/1' }

function sshKey(): string {
  const dir = mkdtempSync(join(tmpdir(), 'generated-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')])
  return readFileSync(join(dir, 'key'), 'utf8')
}
const connection = {
  host: 'backend-next.catcolab.org',
  'private-key': sshKey(),
  'known-hosts': 'backend-next.catcolab.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
}

it('every generated file is what scripts/generate.mjs makes from action-spec.yml now', () => {
  const check = spawnSync(process.execPath, [join(ROOT, 'scripts/generate.mjs'), '--check'], { encoding: 'utf8' })
  expect(check.stderr).toBe('')
  expect(check.status).toBe(0)
})

it('the spec names the commands the code knows, in its order', () => {
  expect(Object.keys(spec.commands)).toEqual([...COMMANDS])
})

describe.each(COMMANDS)("the %s command's own action", (command) => {
  const action = actionFile(command)

  it("is valid by GitHub's action parser, runs its own entry in dist/ on node24, with a post step only to settle records", () => {
    const content = readFileSync(join(action.dir, 'action.yml'), 'utf8')
    const parsed = parseAction({ name: `${command}/action.yml`, content }, new NoOperationTraceWriter())
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([])
    expect(action.runs).toMatchObject({ using: 'node24', main: `../dist/${command}.js` })
    expect(existsSync(join(action.dir, action.runs.main))).toBe(true)
    const settles = command === 'deploy' || command === 'rollback'
    expect(spec.commands[command]?.post ?? false).toBe(settles)
    expect(action.runs.post).toBe(settles ? action.runs.main : undefined)
  })

  it('has no command input, and declares exactly the inputs the code reads for it; the required ones without a default', () => {
    expect(action.inputs).not.toHaveProperty('command')
    // Values that take every branch that reads an input: records on, the optional commands set.
    const values: Record<string, string> = {
      ...connection,
      environment: 'catcolab-next',
      'github-token': 'ghs_token',
      ref: 'main',
      reason: 'migrating by hand',
      'logs-command': 'journalctl -n 100',
      'backup-command': 'backup-db',
    }
    const read = new Set<string>()
    parseSettings((name) => {
      read.add(name)
      return name === 'command' ? command : (values[name] ?? '')
    }, requester)
    read.delete('command')
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort())
    for (const [name, input] of Object.entries(action.inputs)) {
      if (input.required) expect(input.default, name).toBeUndefined()
    }
  })
})

it('requires what each command cannot go without: the connection, a hold its reason, pr-report its environment', () => {
  const required = (command: Command) => Object.keys(actionFile(command).inputs).filter((name) => actionFile(command).inputs[name]!.required)
  for (const command of ['deploy', 'rollback', 'status', 'release'] as const) expect(required(command)).toEqual(['host', 'private-key', 'known-hosts'])
  expect(required('hold')).toEqual(['host', 'private-key', 'known-hosts', 'reason'])
  expect(required('pr-report')).toEqual(['environment'])
})

it('reads an empty input as its default in action.yml, for every command', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }
  // What the runner passes for an input a workflow leaves out; an expression's value comes from
  // the run (github.sha, github.token), so each command below is given those inputs.
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']))
  expect(defaults['ref']).toBe('${{ github.sha }}')
  expect(defaults['github-token']).toBe('${{ github.token }}')
  const commands: Record<string, string>[] = [
    { ...connection, ref: 'main', 'github-token': 'ghs_token', environment: 'catcolab-next' },
    { ...connection, command: 'rollback', 'github-token': 'ghs_token' },
    { ...connection, command: 'status' },
    { ...connection, command: 'hold', reason: 'by hand' },
    { ...connection, command: 'release' },
    { command: 'pr-report', environment: 'catcolab-next', 'github-token': 'ghs_token' },
  ]
  for (const given of commands) {
    const empty = parseSettings((name) => given[name] ?? '', requester)
    const byRunner = parseSettings((name) => given[name] ?? defaults[name] ?? '', requester)
    expect(empty).toEqual(byRunner)
  }
})

describe('README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const headings = (level: string) => [...readme.matchAll(new RegExp(`^${level} (.+)$`, 'gm'))].map((match) => match[1])

  it('reads usage first: what it does, usage of each command, inputs and outputs, what a deploy does, failures, troubleshooting, development, performance', () => {
    expect(headings('##')).toEqual([
      'Usage',
      'Inputs and outputs',
      'What a deploy does',
      'Failures and what they leave behind',
      'Troubleshooting',
      'Development',
      'Performance',
    ])
    // Three sentences before the first heading say what it does.
    const intro = readme.slice(readme.indexOf('\n') + 1, readme.indexOf('\n## ')).trim()
    expect(intro.split(/(?<=\.)\s+(?=[A-Z])/)).toHaveLength(3)
  })

  it("shows each command's own action in a workflow, and answers the first errors a user meets", () => {
    const usage = readme.slice(readme.indexOf('## Usage'), readme.indexOf('## Inputs and outputs'))
    for (const command of COMMANDS) expect(usage).toContain(`uses: ToposInstitute/catcolab-deploy/${command}@v1`)
    // One entry for each of the first errors a user meets.
    const troubleshooting = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('## Development'))
    const entries = [...troubleshooting.matchAll(/^### (.+)$/gm)].map((match) => match[1])
    expect(entries).toEqual([
      'Host key mismatch',
      'The private key is refused',
      'A `catcolab-*` command is not on the PATH',
      'Tracked files are modified on the host',
      'Another deploy holds the host, or the host is held',
      'Records refused: the job lacks `permissions:`',
      'Restrict the deploy key in `authorized_keys`',
      'Rotate the deploy key',
    ])
    // The host key entry says how to check the fingerprint on the host itself.
    expect(troubleshooting).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub')
  })
})
