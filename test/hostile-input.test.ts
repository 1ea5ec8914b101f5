// Hostile input: thousands of generated strings as ref, remote, repo-path and migrations-path.
// Each is either refused by validation with one clear line, or reaches host.sh as the literal
// value; a marker file proves no shell ever ran any part of one.
import { spawnSync } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserError } from '../src/errors'
import { sshHost } from '../src/host'
import { parseSettings, type DeploySettings } from '../src/inputs'
import type { SshSession } from '../src/ssh'
import { createHost, type TestHost } from './fixture/host'
import { hostInputs, runAction } from './run-action'

const dir = mkdtempSync(join(tmpdir(), 'hostile-'))
const MARKER = join(dir, 'ran')
const repo = join(dir, 'repo')
/** A clone of repo: prepare fetches from its origin. */
const clone = join(dir, 'clone')

/** Strings built to break out of any quoting, around commands that would create the marker. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(';', '&', '&&', '|', '||', '$(', ')', '`', '${', '}', "'", '"', '\\', '\n', '\r', '\0', ' ', '\t'),
        fc.constantFrom('-', '--', '-c', '--upload-pack=', '/', '..', '.', '~', '*', '?', '[', ']', '!', '#', '<', '>', '>>', '=', ':', '@{'),
        fc.constantFrom(`touch ${MARKER}`, `>${MARKER}`, `$(touch ${MARKER})`, `\`touch ${MARKER}\``, 'é', '🙂', 'main', 'v0.7.0', 'origin', 'packages'),
        fc.string({ maxLength: 6 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join('')),
)
/** The same, often made to look like what each input expects (a leading "/" for paths, say). */
const asPath = fc.oneof(
  hostile,
  hostile.map((s) => `/${s}`),
)

let key: string
beforeAll(() => {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')])
  key = execFileSync('cat', [join(dir, 'key')], { encoding: 'utf8' })
  execFileSync('git', ['init', '-q', '-b', 'main', repo])
  execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'one'])
  execFileSync('git', ['clone', '-q', repo, clone])
})
afterAll(() => {
  expect(existsSync(MARKER), 'a hostile string ran a command').toBe(false)
  rmSync(dir, { recursive: true, force: true })
})

function parse(overrides: Record<string, string>): DeploySettings | UserError {
  const inputs: Record<string, string> = {
    host: 'backend-next.catcolab.org',
    'private-key': key,
    'known-hosts': 'backend-next.catcolab.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
    ref: 'main',
    ...overrides,
  }
  try {
    return parseSettings((name) => inputs[name] ?? '', { actor: '', runUrl: '' }) as DeploySettings
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).not.toMatch(/[\n\r\0]/)
    return error as UserError
  }
}

/**
 * host.sh reached exactly as over SSH (the same constant command line and stdin), but run locally.
 * Its stdin is a socket, so bash reads ~/.bashrc as it does under sshd: HOME is an empty dir, as
 * for a user without one (root's may start pyenv, seconds per call).
 */
const local: SshSession = {
  async exec(command, stdin) {
    const result = spawnSync('bash', ['-c', command], { input: stdin, env: { PATH: process.env['PATH'], HOME: dir } })
    return { code: result.status ?? 129, stdout: result.stdout, stderr: result.stderr.toString('utf8') }
  },
  close() {},
}

/** Every generated value goes through validation; the first 60 accepted per input also through host.sh. */
const roundTrips = new Map<string, number>()
function roundTrip(input: string): boolean {
  const done = roundTrips.get(input) ?? 0
  roundTrips.set(input, done + 1)
  return done < 60
}

/** The one-line problem host.sh reports, which quotes the argument it got. */
async function hostProblem(call: () => Promise<unknown>): Promise<string> {
  try {
    await call()
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as Error).message
  }
  return ''
}

describe('hostile strings as inputs', { timeout: 180_000 }, () => {
  it('ref: refused, or reaches the host literally', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const parsed = parse({ ref: value })
        if (parsed instanceof UserError) {
          expect(parsed.message).toMatch(/^ref (is required|".*" is not a valid git ref name)/)
          return
        }
        // Inputs are trimmed, as the runner's getInput does; nothing else changes.
        expect(parsed.ref.toLowerCase()).toBe(value.trim().toLowerCase())
        if (!roundTrip('ref')) return
        // The run id travels the same way as the ref; host.sh quotes it back.
        expect(await hostProblem(() => sshHost(local, repo).result(parsed.ref))).toBe(`deploy run ${parsed.ref} left no result`)
      }),
      { numRuns: 1000 },
    )
  })

  it('remote: refused, or reaches the host literally', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const parsed = parse({ remote: value })
        if (parsed instanceof UserError) {
          expect(parsed.message).toMatch(/^remote ".*" is not a git remote name/)
          return
        }
        expect(parsed.remote).toBe(value.trim() || 'origin')
        if (!roundTrip('remote')) return
        const problem = await hostProblem(() =>
          sshHost(local, repo).prepare({ remote: parsed.remote, ref: 'main', expectedSha: '', branches: [], needCurl: false, commandWords: [], migrationsPaths: [] }),
        )
        expect(problem).toBe(`remote ${parsed.remote} is not configured in ${repo}: check the remote input`)
      }),
      { numRuns: 1000 },
    )
  })

  it('repo-path: refused, or reaches the host literally', async () => {
    let reached = 0
    await fc.assert(
      fc.asyncProperty(asPath, async (value) => {
        const parsed = parse({ 'repo-path': value })
        if (parsed instanceof UserError) {
          expect(parsed.message).toMatch(/^repo-path /)
          return
        }
        reached++
        if (!roundTrip('repo-path')) return
        const problem = await hostProblem(() => sshHost(local, parsed.repoPath).state())
        expect(problem).toContain(`repo-path ${parsed.repoPath} `)
      }),
      { numRuns: 1000 },
    )
    expect(reached).toBeGreaterThan(100)
  })

  it('migrations-path: refused, or given to git as a literal path', async () => {
    let reached = 0
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const parsed = parse({ 'migrations-path': value })
        if (parsed instanceof UserError) {
          expect(parsed.message).toMatch(/^migrations-path /)
          return
        }
        reached++
        if (!roundTrip('migrations-path')) return
        const prepared = await sshHost(local, clone).prepare({
          remote: 'origin',
          ref: 'main',
          expectedSha: '',
          branches: [],
          needCurl: false,
          commandWords: [],
          migrationsPaths: parsed.migrationsPaths,
        })
        expect(prepared.changes).toEqual(new Map([[prepared.head, { ancestor: true, nameStatus: '' }]]))
      }),
      { numRuns: 1000 },
    )
    expect(reached).toBeGreaterThan(100)
  })
})

describe('hostile strings end to end over SSH', () => {
  let h: TestHost
  beforeAll(async () => {
    h = await createHost()
  })
  afterAll(async () => {
    await h.close()
  })

  it('a few dozen runs of the bundled action: each refused or harmless, nothing ran', async () => {
    const samples = [
      ...fc.sample(hostile, { numRuns: 8, seed: 1 }).map((ref) => ({ ref })),
      ...fc.sample(hostile, { numRuns: 8, seed: 2 }).map((remote) => ({ remote })),
      ...fc
        .sample(
          hostile.map((s) => `/${s}`),
          { numRuns: 8, seed: 3 },
        )
        .map((path) => ({ 'repo-path': path })),
      ...fc.sample(hostile, { numRuns: 8, seed: 4 }).map((path) => ({ 'migrations-path': path })),
    ]
    let connected = 0
    for (const sample of samples) {
      // Runners cannot pass NUL in an environment variable; the action never sees one.
      const inputs = Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v.replace(/\0/g, '')]))
      const before = h.logins()
      const run = await runAction({ ...hostInputs(h), ref: h.commits.B, 'dry-run': 'true', ...inputs })
      if (h.logins() > before) connected++
      expect(run.log.split('\n').filter((line) => line.startsWith('::error::')).length).toBeLessThanOrEqual(1)
      expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(h.commits.A)
    }
    expect(existsSync(MARKER)).toBe(false)
    expect(h.events()).toEqual([])
    expect(connected).toBeGreaterThan(0)
  })
})
