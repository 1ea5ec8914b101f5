// Releases (RELEASING.md): scripts/release.mjs run as .github/workflows/release.yml runs it, from a
// clone of a real origin (main, a side branch, tags) against the loopback GitHub stand-in, whose
// releases and refs are that origin's (addReleases in test/github-api.ts); its pure parts; the
// workflow, as GitHub reads it; and what a release needs in this repository (LICENSE, CHANGELOG.md,
// the version).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { addReleases, startGitHubApi, type GitHubStandIn, type StoredRelease } from './github-api'
import { checkExchange, problemText } from './openapi'
import { readWorkflow, simulate, type SampleEvent } from './workflow-sim'

const ROOT = join(__dirname, '..')
const SCRIPT = readFileSync(join(ROOT, 'scripts/release.mjs'), 'utf8')
const REPOSITORY = 'ToposInstitute/catcolab-deploy'
const RELEASES = `https://github.com/${REPOSITORY}/releases/tag`
/** MAJOR_TAG_TOKEN: a maintainer's token, which may change workflow files (the stand-in's userTokens). */
const MAJOR_TAG_TOKEN = 'maintainer-token'

/** scripts/release.mjs's pure parts. */
interface Version {
  major: string
  minor: string
  patch: string
  version: string
}
interface ReleaseModule {
  parseVersionTag(tag: string): Version | null
  compareVersions(a: Version, b: Version): number
  isHighest(version: Version, tags: string[], major?: string): boolean
  changelogSection(changelog: string, version: string): string | null
}
let script: ReleaseModule
beforeAll(async () => {
  // By URL: the script is plain JavaScript without type declarations; the interface above types it.
  script = (await import(pathToFileURL(join(ROOT, 'scripts/release.mjs')).href)) as ReleaseModule
})

// ---- a repository to release from ------------------------------------------------------------

const GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }
const IDENTITY = ['-c', 'user.name=Maintainer', '-c', 'user.email=maintainer@example.com']

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim()
}

/** A Keep a Changelog file with these versions' sections, newest first. */
function changelog(versions: [version: string, notes: string][]): string {
  const sections = versions.map(([version, notes]) => `## [${version}] - 2026-12-02\n\n${notes}\n`)
  const links = versions.map(([version]) => `[${version}]: https://github.com/${REPOSITORY}/releases/tag/v${version}`)
  return ['# Changelog\n', '## [Unreleased]\n', ...sections, `[Unreleased]: https://github.com/${REPOSITORY}/compare/v${versions[0]?.[0]}...HEAD`, ...links, ''].join(
    '\n',
  )
}

const NOTES: Record<string, string> = {
  '1.0.0': '### Added\n\n- Deploys over one pinned SSH connection.\n- Rollback, hold and release.',
  '1.0.1': '### Fixed\n\n- A backported fix.',
  '1.1.0': '### Added\n\n- One action per command.',
  '1.1.1': '### Fixed\n\n- A fix released after a refused v1.2.0.',
  '1.2.0': '### Added\n\n- Something not merged.',
}

interface Run {
  code: number | null
  stdout: string[]
  stderr: string
  /** The API calls of this run, "METHOD path" with the repository as ~. */
  calls: string[]
}

/** An origin on GitHub, its API, and runs of the release workflow's last step against both. */
interface World {
  origin: string
  stand: GitHubStandIn
  releases: StoredRelease[]
  /** A commit on the current branch of origin with this package.json version and changelog, and these files written too. */
  commit(version: string, versions?: [string, string][], files?: Record<string, string>): string
  /** The release step for a pushed tag, from a fresh full clone (as actions/checkout with fetch-depth 0 makes it). */
  release(tag: string, env?: Record<string, string>): Promise<Run>
}

const worlds: { dirs: string[]; stand: GitHubStandIn }[] = []
afterEach(async () => {
  for (const { dirs, stand } of worlds.splice(0)) {
    await stand.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
})

async function world(): Promise<World> {
  const base = mkdtempSync(join(tmpdir(), 'catcolab-release-'))
  const origin = join(base, 'origin')
  const stand = await startGitHubApi({ repository: REPOSITORY, userTokens: [MAJOR_TAG_TOKEN] })
  worlds.push({ dirs: [base], stand })
  mkdirSync(origin)
  git(origin, 'init', '-q', '-b', 'main')
  const { releases } = addReleases(stand, { git: origin })
  let clones = 0

  function commit(version: string, versions: [string, string][] = [[version, NOTES[version]!]], more: Record<string, string> = {}): string {
    const files = {
      'package.json': `${JSON.stringify({ name: 'catcolab-deploy', version }, null, 2)}\n`,
      'CHANGELOG.md': changelog(versions),
      'scripts/release.mjs': SCRIPT,
      ...more,
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(origin, path)), { recursive: true })
      writeFileSync(join(origin, path), text)
    }
    git(origin, 'add', '-A')
    git(origin, 'commit', '-q', '--allow-empty', '-m', `version ${version}`)
    return git(origin, 'rev-parse', 'HEAD')
  }

  async function release(tag: string, env: Record<string, string> = {}): Promise<Run> {
    const clone = join(base, `clone-${++clones}`)
    git(base, 'clone', '-q', origin, clone)
    git(clone, 'checkout', '-q', '--detach', `refs/tags/${tag}`)
    const before = stand.requests.length
    const result = await runNode(clone, ['scripts/release.mjs'], {
      // Only what the workflow gives the step: the runner's variables and GITHUB_TOKEN (and MAJOR_TAG_TOKEN, in env).
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: base,
      ...GIT_ENV,
      GITHUB_REF_NAME: tag,
      // For a tag push, github.sha is the tagged commit.
      GITHUB_SHA: git(clone, 'rev-parse', `refs/tags/${tag}^{commit}`),
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_API_URL: stand.url,
      GITHUB_TOKEN: stand.token,
      ...env,
    })
    return { ...result, calls: stand.calls().slice(before) }
  }

  return { origin, stand, releases, commit, release }
}

function runNode(cwd: string, args: string[], env: Record<string, string>): Promise<Omit<Run, 'calls'>> {
  return new Promise((resolve, reject) => {
    // Asynchronously: the stand-in answers from this process.
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout: stdout.split('\n').filter(Boolean), stderr }))
  })
}

/** Where origin's tag points, as a commit; null when it has no such tag. */
function tagCommit(origin: string, tag: string): string | null {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], { cwd: origin, encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : null
}

/** A refusal: exit 1, one line on stderr, nothing asked of GitHub, nothing released or tagged. */
function expectRefused(run: Run, w: World, pattern: RegExp): void {
  expect(run.code).toBe(1)
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(run.stderr).toMatch(pattern)
  expect(run.stderr).toContain('nothing was released')
  expect(run.stderr).not.toMatch(/\n\s+at /)
  expect(run.calls).toEqual([])
  expect(w.releases).toEqual([])
  expect(tagCommit(w.origin, 'v1')).toBeNull()
}

/** Every request and reply is what GitHub's OpenAPI description allows. */
function expectDescribed(stand: GitHubStandIn): void {
  expect(stand.exchanges.flatMap(checkExchange).map(problemText)).toEqual([])
}

// ---- the release step ------------------------------------------------------------------------

describe('scripts/release.mjs, as the release workflow runs it', () => {
  it('releases v1.0.0, the first release, with its changelog section as the notes, and creates v1', async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    const run = await w.release('v1.0.0')
    expect(run).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `v1.0.0: version 1.0.0, as package.json says, at ${a}`,
        `${a} is on main`,
        "release notes: CHANGELOG.md's section for 1.0.0, 4 lines",
        `release v1.0.0 created: ${RELEASES}/v1.0.0, the latest release`,
        `v1 created at ${a}`,
      ],
      calls: ['GET ~/releases/tags/v1.0.0', 'GET ~/releases?per_page=100&page=1', 'POST ~/releases', 'GET ~/git/ref/tags/v1', 'POST ~/git/refs'],
    })
    expect(w.releases).toMatchObject([{ tag_name: 'v1.0.0', name: 'v1.0.0', body: NOTES['1.0.0'], draft: false, prerelease: false, make_latest: 'true' }])
    expect(w.stand.requests.map((r) => r.body).filter(Boolean)).toEqual([
      { tag_name: 'v1.0.0', name: 'v1.0.0', body: NOTES['1.0.0'], make_latest: 'true' },
      { ref: 'refs/tags/v1', sha: a },
    ])
    expect(tagCommit(w.origin, 'v1')).toBe(a)
    for (const request of w.stand.requests) {
      expect(request.headers).toMatchObject({
        authorization: `Bearer ${w.stand.token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      })
    }
    expectDescribed(w.stand)
  })

  it('moves v1 to a later v1.1.0, forcing the move, with the workflow token as its workflow files are unchanged', async () => {
    const w = await world()
    w.commit('1.0.0', undefined, { '.github/workflows/ci.yml': 'on: push\n' })
    git(w.origin, 'tag', 'v1.0.0')
    expect((await w.release('v1.0.0')).code).toBe(0)
    const b = w.commit('1.1.0', [
      ['1.1.0', NOTES['1.1.0']!],
      ['1.0.0', NOTES['1.0.0']!],
    ])
    git(w.origin, 'tag', 'v1.1.0')
    const run = await w.release('v1.1.0')
    expect(run.code).toBe(0)
    expect(run.stdout.slice(2)).toEqual([
      "release notes: CHANGELOG.md's section for 1.1.0, 3 lines",
      `release v1.1.0 created: ${RELEASES}/v1.1.0, the latest release`,
      `v1 moved from ${tagCommit(w.origin, 'v1.0.0')} to ${b}`,
    ])
    expect(run.calls).toEqual([
      'GET ~/releases/tags/v1.1.0',
      'GET ~/releases?per_page=100&page=1',
      'POST ~/releases',
      'GET ~/git/ref/tags/v1',
      'PATCH ~/git/refs/tags/v1',
    ])
    expect(w.stand.requests.at(-1)!.body).toEqual({ sha: b, force: true })
    expect(w.releases.map((r) => [r.tag_name, r.body, r.make_latest])).toEqual([
      ['v1.0.0', NOTES['1.0.0'], 'true'],
      ['v1.1.0', NOTES['1.1.0'], 'true'],
    ])
    expect(tagCommit(w.origin, 'v1')).toBe(b)
    expectDescribed(w.stand)
  })

  it('releases a backport v1.0.1 tagged after v1.1.0 as not the latest, and leaves v1 on v1.1.0', async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    await w.release('v1.0.0')
    const b = w.commit('1.1.0', [
      ['1.1.0', NOTES['1.1.0']!],
      ['1.0.0', NOTES['1.0.0']!],
    ])
    git(w.origin, 'tag', 'v1.1.0')
    await w.release('v1.1.0')
    // The fix on a side branch from v1.0.0, tagged, and merged into main (keeping main's files).
    git(w.origin, 'checkout', '-q', '-b', 'release/1.0', a)
    const c = w.commit('1.0.1', [
      ['1.0.1', NOTES['1.0.1']!],
      ['1.0.0', NOTES['1.0.0']!],
    ])
    git(w.origin, 'tag', 'v1.0.1')
    git(w.origin, 'checkout', '-q', 'main')
    git(w.origin, 'merge', '-q', '-s', 'ours', '-m', 'merge release/1.0', 'release/1.0')
    const run = await w.release('v1.0.1')
    expect(run.code).toBe(0)
    expect(run.stdout).toEqual([
      `v1.0.1: version 1.0.1, as package.json says, at ${c}`,
      `${c} is on main`,
      "release notes: CHANGELOG.md's section for 1.0.1, 3 lines",
      `release v1.0.1 created: ${RELEASES}/v1.0.1, not the latest (v1.1.0 is a higher release)`,
      'v1 left where it is: v1.1.0 is a higher v1 release',
    ])
    expect(run.calls).toEqual(['GET ~/releases/tags/v1.0.1', 'GET ~/releases?per_page=100&page=1', 'POST ~/releases'])
    expect(w.releases.at(-1)).toMatchObject({ tag_name: 'v1.0.1', body: NOTES['1.0.1'], make_latest: 'false' })
    expect(tagCommit(w.origin, 'v1')).toBe(b)
    expectDescribed(w.stand)
  })

  it('releases an annotated tag as the commit it tags, and v1 names that commit', async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', '-a', '-m', 'catcolab-deploy 1.0.0', 'v1.0.0')
    const tagObject = git(w.origin, 'rev-parse', 'refs/tags/v1.0.0')
    expect(tagObject).not.toBe(a)
    // github.sha is the commit; the tag object is accepted too (github.event.after).
    for (const sha of [a, tagObject]) {
      const run = await w.release('v1.0.0', { GITHUB_SHA: sha })
      expect(run.code, run.stderr).toBe(0)
    }
    expect(w.releases.map((r) => r.tag_name)).toEqual(['v1.0.0'])
    expect(git(w.origin, 'rev-parse', 'refs/tags/v1')).toBe(a)
    expect(git(w.origin, 'cat-file', '-t', 'refs/tags/v1')).toBe('commit')
  })

  it('refuses a tag whose commit is not on main, creating nothing', async () => {
    const w = await world()
    w.commit('1.0.0')
    git(w.origin, 'checkout', '-q', '-b', 'feature')
    const side = w.commit('1.2.0')
    git(w.origin, 'tag', 'v1.2.0')
    git(w.origin, 'checkout', '-q', 'main')
    const run = await w.release('v1.2.0')
    expectRefused(run, w, new RegExp(`^refusing v1\\.2\\.0: its commit ${side} is not on main; releases are cut from main`))
    expect(run.stdout).toEqual([`v1.2.0: version 1.2.0, as package.json says, at ${side}`])
  })

  it("refuses a tag that is not package.json's version, or not vX.Y.Z, or not what was pushed", async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.1')
    expectRefused(await w.release('v1.0.1'), w, /^refusing v1\.0\.1: package\.json's version at \w+ is 1\.0\.0, not 1\.0\.1; /)
    // The workflow's filter (v[0-9]+...) lets a leading zero through.
    git(w.origin, 'tag', 'v01.0.0')
    expectRefused(await w.release('v01.0.0'), w, /^refusing v01\.0\.0: a release tag is vX\.Y\.Z in digits without leading zeros/)
    git(w.origin, 'tag', 'v1.0.0')
    const moved = 'f'.repeat(40)
    expectRefused(await w.release('v1.0.0', { GITHUB_SHA: moved }), w, new RegExp(`^refusing v1\\.0\\.0: it names ${a} now, not ${moved} as when it was pushed`))
  })

  it('refuses a version whose changelog section is missing or empty', async () => {
    const w = await world()
    w.commit('1.1.0', [['1.0.0', NOTES['1.0.0']!]])
    git(w.origin, 'tag', 'v1.1.0')
    expectRefused(
      await w.release('v1.1.0'),
      w,
      /^refusing v1\.1\.0: CHANGELOG\.md at \w+ has no section for 1\.1\.0; write its changes under "## \[1\.1\.0\] - YYYY-MM-DD"/,
    )
    w.commit('1.2.0', [
      ['1.2.0', '  '],
      ['1.0.0', NOTES['1.0.0']!],
    ])
    git(w.origin, 'tag', 'v1.2.0')
    expectRefused(await w.release('v1.2.0'), w, /^refusing v1\.2\.0: CHANGELOG\.md at \w+ has an empty section for 1\.2\.0/)
  })

  it('judges the highest over published releases, not tags: a tag refused (never released) holds back neither latest nor v1', async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    expect((await w.release('v1.0.0')).code).toBe(0)
    // v1.2.0 on main without its changelog section: refused; its tag stays (the ruleset forbids deleting it).
    w.commit('1.2.0', [['1.0.0', NOTES['1.0.0']!]])
    git(w.origin, 'tag', 'v1.2.0')
    const refused = await w.release('v1.2.0')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^refusing v1\.2\.0: CHANGELOG\.md at \w+ has no section for 1\.2\.0/)
    // Then a lower version, released normally.
    const c = w.commit('1.1.1', [
      ['1.1.1', NOTES['1.1.1']!],
      ['1.0.0', NOTES['1.0.0']!],
    ])
    git(w.origin, 'tag', 'v1.1.1')
    const run = await w.release('v1.1.1')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.slice(3)).toEqual([`release v1.1.1 created: ${RELEASES}/v1.1.1, the latest release`, `v1 moved from ${a} to ${c}`])
    expect(run.calls).toEqual([
      'GET ~/releases/tags/v1.1.1',
      'GET ~/releases?per_page=100&page=1',
      'POST ~/releases',
      'GET ~/git/ref/tags/v1',
      'PATCH ~/git/refs/tags/v1',
    ])
    expect(w.releases.map((r) => [r.tag_name, r.make_latest])).toEqual([
      ['v1.0.0', 'true'],
      ['v1.1.1', 'true'],
    ])
    expect(tagCommit(w.origin, 'v1')).toBe(c)
    expect(tagCommit(w.origin, 'v1.2.0')).not.toBeNull()
    expectDescribed(w.stand)
  })

  it('reads every page of releases, newest first, counting neither drafts nor tags that are not vX.Y.Z', async () => {
    const w = await world()
    w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    expect((await w.release('v1.0.0')).code).toBe(0)
    // v2.0.0, then 100 newer releases: it is on the second page of 100.
    const seed = async (tag_name: string, draft = false) => {
      const reply = await fetch(`${w.stand.url}/repos/${REPOSITORY}/releases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.stand.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tag_name, draft }),
      })
      expect(reply.status, tag_name).toBe(201)
    }
    await seed('v2.0.0')
    await seed('v3.0.0', true)
    await seed('v1.9.0', true)
    await seed('v4.0.0-rc.1')
    await seed('nightly')
    for (let n = 0; n < 96; n++) await seed(`v0.1.${n}`)
    const b = w.commit('1.1.0', [
      ['1.1.0', NOTES['1.1.0']!],
      ['1.0.0', NOTES['1.0.0']!],
    ])
    git(w.origin, 'tag', 'v1.1.0')
    const run = await w.release('v1.1.0')
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.slice(3)).toEqual([
      `release v1.1.0 created: ${RELEASES}/v1.1.0, not the latest (v2.0.0 is a higher release)`,
      `v1 moved from ${tagCommit(w.origin, 'v1.0.0')} to ${b}`,
    ])
    expect(run.calls).toEqual([
      'GET ~/releases/tags/v1.1.0',
      'GET ~/releases?per_page=100&page=1',
      'GET ~/releases?per_page=100&page=2',
      'POST ~/releases',
      'GET ~/git/ref/tags/v1',
      'PATCH ~/git/refs/tags/v1',
    ])
    const [first, second] = w.stand.exchanges.filter((e) => e.target.startsWith(`/repos/${REPOSITORY}/releases?`)).slice(-2)
    expect(first!.headers['link']).toContain('rel="next"')
    expect((second!.body as { tag_name: string }[]).map((r) => r.tag_name)).toEqual(['v2.0.0', 'v1.0.0'])
    expect(w.releases.at(-1)).toMatchObject({ tag_name: 'v1.1.0', make_latest: 'false' })
    expect(tagCommit(w.origin, 'v1')).toBe(b)
    expectDescribed(w.stand)
  })

  it('makes the release but fails, saying what to do, when GitHub refuses the workflow token a v1 move that changes .github/workflows', async () => {
    const w = await world()
    const a = w.commit('1.0.0', undefined, { '.github/workflows/ci.yml': 'on: push\n' })
    git(w.origin, 'tag', 'v1.0.0')
    expect((await w.release('v1.0.0')).code).toBe(0)
    const b = w.commit(
      '1.1.0',
      [
        ['1.1.0', NOTES['1.1.0']!],
        ['1.0.0', NOTES['1.0.0']!],
      ],
      { '.github/workflows/ci.yml': 'on: [push, pull_request]\n' },
    )
    git(w.origin, 'tag', 'v1.1.0')
    // An unset secret reaches the step as ''.
    const run = await w.release('v1.1.0', { MAJOR_TAG_TOKEN: '' })
    expect(run.code).toBe(1)
    expect(run.stdout.slice(3)).toEqual([`release v1.1.0 created: ${RELEASES}/v1.1.0, the latest release`])
    expect(run.stderr).toBe(
      `PATCH ${w.stand.url}/repos/${REPOSITORY}/git/refs/tags%2Fv1 answered 403: Resource not accessible by integration; the release is made, but v1 was not moved: ` +
        "GitHub refuses the workflow's token a tag move that changes .github/workflows; set the secret MAJOR_TAG_TOKEN (RELEASING.md) and re-run this workflow, " +
        `or move it by hand: git push --force origin ${b}:refs/tags/v1\n`,
    )
    expect(w.stand.exchanges.at(-1)).toMatchObject({
      status: 403,
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' },
    })
    expect(w.releases.map((r) => r.tag_name)).toEqual(['v1.0.0', 'v1.1.0'])
    expect(tagCommit(w.origin, 'v1')).toBe(a)

    // A MAJOR_TAG_TOKEN GitHub refuses is named as the culprit.
    const wrong = await w.release('v1.1.0', { MAJOR_TAG_TOKEN: 'expired' })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(
      new RegExp(
        `^GET \\S+/git/ref/tags%2Fv1 answered 401: Bad credentials; the release is made, but v1 was not moved: the secret MAJOR_TAG_TOKEN was refused .*: git push --force origin ${b}:refs/tags/v1\n$`,
      ),
    )
    // With the secret set, running the workflow again moves v1, keeping the release.
    const again = await w.release('v1.1.0', { MAJOR_TAG_TOKEN })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout.slice(3)).toEqual([`release v1.1.0 exists already (${RELEASES}/v1.1.0): not creating another`, `v1 moved from ${a} to ${b}`])
    expect(w.releases).toHaveLength(2)
    expect(tagCommit(w.origin, 'v1')).toBe(b)
  })

  it('moves v1 across a workflow change with MAJOR_TAG_TOKEN, used for the v1 ref alone', async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    expect((await w.release('v1.0.0')).code).toBe(0)
    // A workflow where there was none changes .github/workflows too.
    const b = w.commit(
      '1.1.0',
      [
        ['1.1.0', NOTES['1.1.0']!],
        ['1.0.0', NOTES['1.0.0']!],
      ],
      { '.github/workflows/ci.yml': 'on: push\n' },
    )
    git(w.origin, 'tag', 'v1.1.0')
    const before = w.stand.requests.length
    const run = await w.release('v1.1.0', { MAJOR_TAG_TOKEN })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.slice(3)).toEqual([`release v1.1.0 created: ${RELEASES}/v1.1.0, the latest release`, `v1 moved from ${a} to ${b}`])
    const sent = w.stand.requests.slice(before).map((r, i) => [run.calls[i], r.token])
    expect(sent).toEqual([
      ['GET ~/releases/tags/v1.1.0', w.stand.token],
      ['GET ~/releases?per_page=100&page=1', w.stand.token],
      ['POST ~/releases', w.stand.token],
      ['GET ~/git/ref/tags/v1', MAJOR_TAG_TOKEN],
      ['PATCH ~/git/refs/tags/v1', MAJOR_TAG_TOKEN],
    ])
    expect(tagCommit(w.origin, 'v1')).toBe(b)
    expectDescribed(w.stand)
  })

  it('finds the release a run before made, and creates no second one', async () => {
    const w = await world()
    const a = w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    expect((await w.release('v1.0.0')).code).toBe(0)
    const again = await w.release('v1.0.0')
    expect(again.code).toBe(0)
    expect(again.stdout.slice(3)).toEqual([`release v1.0.0 exists already (${RELEASES}/v1.0.0): not creating another`, `v1 names ${a} already`])
    expect(again.calls).toEqual(['GET ~/releases/tags/v1.0.0', 'GET ~/releases?per_page=100&page=1', 'GET ~/git/ref/tags/v1'])
    expect(w.releases).toHaveLength(1)
    expect(tagCommit(w.origin, 'v1')).toBe(a)
  })

  it("says GitHub's refusal in one line, with the status and GitHub's message", async () => {
    const w = await world()
    w.commit('1.0.0')
    git(w.origin, 'tag', 'v1.0.0')
    w.stand.refuse(403, 'Resource not accessible by integration', (r) => r.method === 'POST')
    const run = await w.release('v1.0.0')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`POST ${w.stand.url}/repos/${REPOSITORY}/releases answered 403: Resource not accessible by integration\n`)
    expect(w.releases).toEqual([])
  })

  it('imports only Node built-in modules (the runner installs nothing) and reads only what the workflow gives it', () => {
    const imports = [...SCRIPT.matchAll(/^import .* from '([^']+)'$/gm)].map((m) => m[1])
    expect(imports.length).toBeGreaterThan(0)
    expect(imports.filter((name) => !name!.startsWith('node:'))).toEqual([])
    expect(SCRIPT).not.toMatch(/\bimport\(|\brequire\(/)
    const read = [...SCRIPT.matchAll(/(?:required|optional)\(env, '(\w+)'\)/g)].map((m) => m[1])
    expect(read.sort()).toEqual(['GITHUB_API_URL', 'GITHUB_REF_NAME', 'GITHUB_REPOSITORY', 'GITHUB_SHA', 'GITHUB_TOKEN', 'MAJOR_TAG_TOKEN'])
    // No other read: env[...] only in required() and optional().
    expect([...SCRIPT.matchAll(/\b(?:process\.)?env\b[.[]/g)].map((m) => m[0])).toEqual(['env[', 'env['])
  })
})

// ---- its pure parts --------------------------------------------------------------------------

describe("release.mjs's pure parts", () => {
  it('takes vX.Y.Z in digits, without leading zeros but 0 itself', () => {
    expect(script.parseVersionTag('v1.2.3')).toEqual({ major: '1', minor: '2', patch: '3', version: '1.2.3' })
    expect(script.parseVersionTag('v0.0.0')?.version).toBe('0.0.0')
    expect(script.parseVersionTag('v10.20.300')?.version).toBe('10.20.300')
    for (const tag of [
      'v01.2.3',
      'v1.02.3',
      'v1.2.03',
      '1.2.3',
      'V1.2.3',
      'v1.2',
      'v1',
      'v1.2.3.4',
      'v1.2.3-rc.1',
      'v1.2.3 ',
      ' v1.2.3',
      'v1..3',
      'v-1.2.3',
      'v١.2.3',
      '',
    ]) {
      expect(script.parseVersionTag(tag), tag).toBeNull()
    }
  })

  it('compares versions numerically, any size, and finds the highest among strict tags only', () => {
    const v = (tag: string) => script.parseVersionTag(tag)!
    expect(script.compareVersions(v('v1.10.0'), v('v1.9.0'))).toBeGreaterThan(0)
    expect(script.compareVersions(v('v2.0.0'), v('v1.99.99'))).toBeGreaterThan(0)
    expect(script.compareVersions(v('v1.0.10'), v('v1.0.9'))).toBeGreaterThan(0)
    expect(script.compareVersions(v('v1.2.3'), v('v1.2.3'))).toBe(0)
    expect(script.compareVersions(v('v99999999999999999999.0.0'), v('v99999999999999999998.0.0'))).toBeGreaterThan(0)
    const tags = ['v1', 'v1.0.0', 'v1.1.0', 'v1.0.1', 'v2.0.0', 'v9.9.9-rc.1', 'v09.0.0', 'nightly']
    expect(script.isHighest(v('v2.0.0'), tags)).toBe(true)
    expect(script.isHighest(v('v1.1.0'), tags)).toBe(false)
    expect(script.isHighest(v('v1.1.0'), tags, '1')).toBe(true)
    expect(script.isHighest(v('v1.0.1'), tags, '1')).toBe(false)
    expect(script.isHighest(v('v3.0.0'), [])).toBe(true)
  })

  it("reads a version's changelog section up to the next version or the link references, trimmed", () => {
    const text = changelog([
      ['1.1.0', '### Added\n\n- b'],
      ['1.0.10', '### Fixed\n\n- c'],
      ['1.0.0', '### Added\n\n- a'],
    ])
    expect(script.changelogSection(text, '1.1.0')).toBe('### Added\n\n- b')
    expect(script.changelogSection(text, '1.0.0')).toBe('### Added\n\n- a')
    expect(script.changelogSection(text, '1.0.1')).toBeNull()
    expect(script.changelogSection(text, '1.0.10')).toBe('### Fixed\n\n- c')
    expect(script.changelogSection(text.replace(/\n/g, '\r\n'), '1.1.0')).toBe('### Added\n\n- b')
    expect(script.changelogSection('## [1.0.0]\n\n## [0.9.0]\n- x\n', '1.0.0')).toBe('')
    expect(script.changelogSection('## [Unreleased]\n- x\n', 'Unreleased')).toBe('- x')
  })
})

// ---- the workflow ----------------------------------------------------------------------------

describe('.github/workflows/release.yml', () => {
  const path = join(ROOT, '.github/workflows/release.yml')
  const workflow = readWorkflow(path)
  const jobs = workflow.jobs as Record<string, (typeof workflow.jobs)[string] & { needs?: unknown; concurrency?: unknown }>
  const SHA = '0123456789abcdef0123456789abcdef01234567'
  const push = (ref: string): SampleEvent => ({ name: 'push', ref, sha: SHA, payload: { ref, after: SHA }, repository: REPOSITORY })

  it('runs for a pushed vX.Y.Z tag only, both jobs', () => {
    for (const tag of ['v1.0.0', 'v0.7.0', 'v10.20.30']) {
      const run = simulate(workflow, push(`refs/tags/${tag}`), {})
      expect(
        Object.entries(run ?? {}).map(([id, job]) => [id, job.runs]),
        tag,
      ).toEqual([
        ['test', true],
        ['release', true],
      ])
    }
    // v1 is the major tag the release moves; the others are not releases.
    for (const tag of ['v1', 'v1.2', 'v1.2.3-rc.1', 'v1.2.3.4', 'nightly', 'vnext', 'release-1.2.3']) {
      expect(simulate(workflow, push(`refs/tags/${tag}`), {}), tag).toBeNull()
    }
    expect(simulate(workflow, push('refs/heads/main'), {})).toBeNull()
    expect(simulate(workflow, { ...push('refs/heads/main'), name: 'workflow_dispatch' }, {})).toBeNull()
    expect(
      simulate(workflow, { ...push('refs/pull/1/merge'), name: 'pull_request', payload: { action: 'opened', pull_request: { base: { ref: 'main' } } } }, {}),
    ).toBeNull()
    expect(workflow.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
  })

  it('grants nothing at the top, each job only what it needs', () => {
    expect(workflow.permissions).toEqual({})
    expect(jobs['test']!.permissions).toEqual({ contents: 'read' })
    expect(jobs['release']!.permissions).toEqual({ contents: 'write' })
  })

  it("tests first as ci.yml's test job does, after checking every generated file is current", () => {
    const steps = jobs['test']!.steps!
    expect(steps[0]).toEqual({ uses: expect.stringMatching(/^actions\/checkout@/), with: { 'persist-credentials': false } })
    expect(steps.map((step) => step.run ?? step.uses!.replace(/@.*/, ''))).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'npm ci --no-audit --no-fund',
      expect.stringMatching(/^npm run build\n/),
      'sudo --preserve-env=PATH bash .ci/run',
    ])
    expect(steps[1]!.with).toEqual({ 'node-version': 24 })
    const ciTest = readWorkflow(join(ROOT, '.github/workflows/ci.yml'))
      .jobs['test']!.steps!.map((step) => step.run)
      .filter(Boolean)
    expect(ciTest).toEqual(['sudo --preserve-env=PATH bash .ci/run'])
  })

  it('pins the same action commits as ci.yml, with their version comments', () => {
    const uses = (file: string) => readFileSync(file, 'utf8').match(/uses: \S+ # .*/g) ?? []
    const ci = new Set(uses(join(ROOT, '.github/workflows/ci.yml')))
    expect(uses(path)).toHaveLength(3)
    for (const line of uses(path)) expect(ci, line).toContain(line)
  })

  describe('the generated-files check', () => {
    const check = jobs['test']!.steps!.find((step) => step.run?.startsWith('npm run build'))!.run!

    /** The step's script in a git checkout where `npm run build` writes `writes` (nothing when empty). */
    function runCheck(writes: Record<string, string>) {
      const dir = mkdtempSync(join(tmpdir(), 'catcolab-release-check-'))
      try {
        mkdirSync(join(dir, 'bin'))
        mkdirSync(join(dir, 'repo'))
        const repo = join(dir, 'repo')
        git(repo, 'init', '-q', '-b', 'main')
        writeFileSync(join(repo, 'dist.js'), 'built\n')
        git(repo, 'add', '-A')
        git(repo, 'commit', '-q', '-m', 'built')
        // A stand-in npm: `npm run build` writes the files given.
        const writesScript = Object.entries(writes)
          .map(([file, text]) => `printf '%s' '${text}' > '${file}'`)
          .join('\n')
        writeFileSync(join(dir, 'bin/npm'), `#!/bin/sh\n[ "$1 $2" = "run build" ] || exit 2\n${writesScript}\n`, { mode: 0o755 })
        // As GitHub runs a run: script on Linux.
        return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', check], {
          cwd: repo,
          encoding: 'utf8',
          env: { ...process.env, ...GIT_ENV, PATH: `${join(dir, 'bin')}:${process.env['PATH']}` },
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }

    it('passes when the build changes nothing', () => {
      expect(runCheck({})).toMatchObject({ status: 0, stdout: '' })
      expect(runCheck({ 'dist.js': 'built\n' })).toMatchObject({ status: 0, stdout: '' })
    })

    it('fails when the build changes a file or adds one, naming them and printing the diff', () => {
      const changed = runCheck({ 'dist.js': 'rebuilt\n', 'new.js': 'x' })
      expect(changed.status).toBe(1)
      expect(changed.stdout).toContain('::error::npm run build changed files')
      expect(changed.stdout).toContain(' M dist.js')
      expect(changed.stdout).toContain('?? new.js')
      expect(changed.stdout).toContain('-built\n+rebuilt')
    })
  })

  it('releases only after the tests, from a full clone, with the runner’s Node and nothing installed, one release at a time, MAJOR_TAG_TOKEN given when set', () => {
    const job = jobs['release']!
    expect(job.needs).toBe('test')
    expect(job.concurrency).toEqual({ group: 'release', 'cancel-in-progress': false })
    const steps = job.steps!
    expect(steps).toHaveLength(2)
    expect(steps[0]).toEqual({ uses: expect.stringMatching(/^actions\/checkout@/), with: { 'persist-credentials': false, 'fetch-depth': 0 } })
    expect(steps[1]).toMatchObject({
      run: 'node scripts/release.mjs',
      env: { GITHUB_TOKEN: '${{ github.token }}', MAJOR_TAG_TOKEN: '${{ secrets.MAJOR_TAG_TOKEN }}' },
    })
    expect(Object.keys(steps[1]!.env!)).toEqual(['GITHUB_TOKEN', 'MAJOR_TAG_TOKEN'])
    expect(JSON.stringify(steps)).not.toMatch(/setup-node|\bnpm\b|\bnpx\b|yarn|pnpm/)
  })
})

// ---- what a release needs here ---------------------------------------------------------------

describe('this repository, for a release', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string }

  it('has the MIT license of the catcolab-deploy contributors, as package.json says', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8')
    expect(pkg.license).toBe('MIT')
    expect(license.split('\n')[0]).toBe('MIT License')
    expect(license).toContain('Copyright (c) 2026 the catcolab-deploy contributors\n')
    expect(license).toContain('Permission is hereby granted, free of charge, to any person obtaining a copy')
    expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND')
  })

  it("has a CHANGELOG.md section for package.json's version (the tag must match it) and an Unreleased one", () => {
    const text = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    expect(script.parseVersionTag(`v${pkg.version}`)).not.toBeNull()
    expect(script.changelogSection(text, pkg.version)).toMatch(/\S/)
    expect(text).toMatch(new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'))
    expect(text).toMatch(/^## \[Unreleased\]$/m)
    expect(text.indexOf('## [Unreleased]')).toBeLessThan(text.indexOf(`## [${pkg.version}]`))
    expect(text).toContain(`[Unreleased]: https://github.com/${REPOSITORY}/compare/v${pkg.version}...HEAD\n`)
    expect(text).toMatch(new RegExp(`^\\[${pkg.version.replace(/\./g, '\\.')}\\]: https://github\\.com/${REPOSITORY}/`, 'm'))
  })

  it("has package-lock.json at package.json's version", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { version: string; packages: Record<string, { version?: string }> }
    expect([lock.version, lock.packages['']?.version]).toEqual([pkg.version, pkg.version])
  })
})
