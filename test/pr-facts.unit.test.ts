// What one pull request's comment says (pr-facts.ts): which files count as backend changes and
// as added migrations, by backend-paths and migrations-path (paths, globs and "!" entries, as for
// deploy); the files kept in our comment or read; one base comparison per base branch; what the
// environment runs and a later deploy to mention; and whether it runs this pull request. Against
// a fake GitHub (test/fake-github.ts), asserting the requests.
import { describe, expect, it } from 'vitest'
import { renderComment } from '../src/comment'
import { UserError } from '../src/errors'
import type { DeploymentStatus, PullRequest, PullRequestFile } from '../src/github'
import { factCollector, fileClassifier, laterDeploy, readBackend, runsThisPullRequest, type Backend } from '../src/pr-facts'
import { ENV, FakeGitHub, MAIN, REPOSITORY, reportSettings, RUN_URL, sha } from './fake-github'

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

const answer = (status: number, message: string) => Object.assign(new Error(message), { status })
const backendFile = (i: number): PullRequestFile => ({ path: `packages/backend/src/f${i}.rs`, status: 'modified', previousPath: null })
const CONTEXT = { repository: REPOSITORY, serverUrl: 'https://github.com' }
const RUNS: Backend = { deployed: { sha: MAIN, ref: 'main', at: '2026-01-01T00:01:00Z', runUrl: RUN_URL }, later: null }

function collector(api: FakeGitHub, backend: Backend = RUNS, fields: Parameters<typeof reportSettings>[0] = {}) {
  const warnings: string[] = []
  const collect = factCollector(api, reportSettings(fields), CONTEXT, backend, { warning: (message) => warnings.push(message) })
  return { collect, warnings }
}

describe('the facts of one comment', () => {
  it('reads the files once, then takes them from the comment written for the same head, base and path settings', async () => {
    const api = new FakeGitHub()
    const pr = api.addPull({ files: [backendFile(1), { path: 'packages/backend/migrations/01_a.up.sql', status: 'added', previousPath: null }] })
    const { collect } = collector(api)
    const facts = await collect(pr, null)
    expect(api.requests).toEqual([`files ${pr.number}`, 'compare main'])
    expect(facts).toMatchObject({
      environment: ENV,
      repositoryUrl: `https://github.com/${REPOSITORY}`,
      pullRequest: { headSha: pr.headSha, baseRef: 'main' },
      deployed: { sha: MAIN, at: '2026-01-01T00:01:00Z', runUrl: RUN_URL, base: { status: 'identical' }, thisPullRequest: null },
      files: { backendFileCount: 2, addedMigrationCount: 1, incomplete: false },
    })
    const comment = renderComment(facts)

    api.requests = []
    expect((await collector(api).collect(pr, comment)).files).toEqual(facts.files)
    expect(api.requests).toEqual(['compare main'])

    // Another head, another base, other path settings: read again.
    const read = async (changed: Partial<PullRequest>, fields: Parameters<typeof reportSettings>[0] = {}) => {
      api.requests = []
      await collector(api, RUNS, fields).collect({ ...pr, ...changed }, comment)
      return api.requests.filter((r) => r.startsWith('files'))
    }
    expect(await read({ headSha: sha(0xbeef) })).toEqual([`files ${pr.number}`])
    expect(await read({ baseRef: 'release' })).toEqual([`files ${pr.number}`])
    expect(await read({}, { migrationsPaths: ['packages/migrator'] })).toEqual([`files ${pr.number}`])
    expect(await read({})).toEqual([])
  })

  it('compares once per base branch, for every pull request into it', async () => {
    const api = new FakeGitHub()
    const pulls = [api.addPull(), api.addPull(), api.addPull({ baseRef: 'release' }), api.addPull()]
    const { collect } = collector(api)
    for (const pr of pulls) await collect(pr, null)
    expect(api.requests.filter((r) => r.startsWith('compare'))).toEqual(['compare main', 'compare release'])
  })

  it('warns once when GitHub cannot compare (404, 422), and fails each pull request into that base with one line otherwise', async () => {
    const api = new FakeGitHub()
    const [a, b, c] = [api.addPull(), api.addPull(), api.addPull({ baseRef: 'release' })] as [PullRequest, PullRequest, PullRequest]
    api.refuse = (request) =>
      request === 'compare main'
        ? answer(404, `No common ancestor between main and ${MAIN}.`)
        : request === 'compare release'
          ? answer(500, 'Internal Server Error')
          : undefined
    const { collect, warnings } = collector(api)
    expect((await collect(a, null)).deployed?.base).toBeNull()
    expect((await collect(b, null)).deployed?.base).toBeNull()
    expect(warnings).toEqual([`could not compare main with ${MAIN}: GitHub answered 404: No common ancestor between main and ${MAIN}.`])
    for (let i = 0; i < 2; i++) {
      const error = await collect(c, null).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UserError)
      expect((error as Error).message).toBe(`could not compare release with ${MAIN} (HTTP 500: Internal Server Error)`)
    }
    expect(api.requests.filter((r) => r.startsWith('compare'))).toEqual(['compare main', 'compare release'])
  })

  it('compares nothing when nothing was deployed', async () => {
    const api = new FakeGitHub()
    const pr = api.addPull()
    const facts = await collector(api, { deployed: null, later: null }).collect(pr, null)
    expect(facts.deployed).toBeNull()
    expect(api.requests).toEqual([`files ${pr.number}`])
  })

  it('reads at most 3,000 files (30 pages), and says the list stops there', async () => {
    const api = new FakeGitHub()
    const pr = api.addPull({ files: Array.from({ length: 3050 }, (_, i) => backendFile(i)) })
    const facts = await collector(api).collect(pr, null)
    expect(api.requests.filter((r) => r.startsWith('files'))).toHaveLength(30)
    expect(facts.files).toMatchObject({ backendFileCount: 3000, incomplete: true })
    expect(facts.files.backendFiles).toHaveLength(10)
  })

  it('says which pull request it could not read the files of', async () => {
    const api = new FakeGitHub()
    const pr = api.addPull()
    api.refuse = (request) => (request.startsWith('files') ? answer(403, 'Resource not accessible by integration') : undefined)
    await expect(collector(api).collect(pr, null)).rejects.toThrow(
      `could not read the files of #${pr.number} (HTTP 403: Resource not accessible by integration: the job needs permissions: pull-requests: read)`,
    )
  })
})

describe('whether the environment runs this pull request', () => {
  const pr: PullRequest = { number: 1, state: 'open', headSha: sha(1), headRef: 'feature', headRepository: REPOSITORY, baseRef: 'main', locked: false }

  it("runs its head, an earlier commit of its branch, or neither; a fork's branch of the same name is not it", () => {
    expect(runsThisPullRequest({ sha: sha(1), ref: 'anything' }, pr, REPOSITORY)).toBe('head')
    expect(runsThisPullRequest({ sha: sha(2), ref: 'feature' }, pr, REPOSITORY)).toBe('earlier')
    expect(runsThisPullRequest({ sha: sha(2), ref: 'feature' }, pr, 'toposinstitute/catcolab')).toBe('earlier')
    expect(runsThisPullRequest({ sha: sha(2), ref: 'feature' }, { ...pr, headRepository: 'someone/CatColab' }, REPOSITORY)).toBeNull()
    expect(runsThisPullRequest({ sha: sha(2), ref: 'main' }, pr, REPOSITORY)).toBeNull()
    // A fork's own head deployed is its head all the same.
    expect(runsThisPullRequest({ sha: sha(1), ref: 'feature' }, { ...pr, headRepository: '' }, REPOSITORY)).toBe('head')
  })
})

describe('what the environment runs', () => {
  const status = (state: DeploymentStatus['state'], createdAt = '2026-01-01T00:00:00Z'): DeploymentStatus => ({
    state,
    description: `${state}!`,
    logUrl: 'https://log',
    environmentUrl: '',
    createdAt,
  })
  const deployment = { id: 1, sha: sha(1), environment: ENV, createdAt: '2025-12-31T00:00:00Z', payload: {} }
  const payload = { version: 1 as const, ref: 'main', previous: '', run_url: RUN_URL }

  it('mentions a later deploy that failed, even made inactive since, or has not finished; not one superseded before it ended', () => {
    // Histories newest first.
    expect(laterDeploy(deployment, payload, [status('failure')])).toEqual({
      sha: sha(1),
      state: 'failure',
      description: 'failure!',
      at: '2026-01-01T00:00:00Z',
      runUrl: RUN_URL,
    })
    expect(laterDeploy(deployment, payload, [status('inactive', 'later'), status('error'), status('in_progress')])).toMatchObject({
      state: 'error',
      description: 'error!',
    })
    expect(laterDeploy(deployment, payload, [status('in_progress')])).toMatchObject({ state: 'in_progress' })
    expect(laterDeploy(deployment, { ...payload, run_url: '' }, [])).toEqual({ sha: sha(1), state: '', description: '', at: deployment.createdAt, runUrl: '' })
    expect(laterDeploy(deployment, payload, [status('inactive'), status('in_progress')])).toBeNull()
    expect(laterDeploy(deployment, payload, [status('inactive')])).toBeNull()
  })

  it('reads the newest success of ours and the newest later deploy to mention', async () => {
    const api = new FakeGitHub()
    api.deploy(sha(1))
    api.deploy(sha(2), ['in_progress', 'failure'])
    api.deploy(sha(3), ['in_progress', 'inactive'])
    const backend = await readBackend(api, ENV, REPOSITORY)
    expect(backend).toEqual({
      deployed: { sha: sha(1), ref: 'main', at: '2026-01-01T00:01:00Z', runUrl: RUN_URL },
      later: { sha: sha(2), state: 'failure', description: '', at: '2026-01-01T00:01:00Z', runUrl: RUN_URL },
    })
    expect(await readBackend(new FakeGitHub(), ENV, REPOSITORY)).toEqual({ deployed: null, later: null })
  })

  it('says what it could not read, and which permission that needs', async () => {
    const api = new FakeGitHub()
    api.refuse = () => answer(403, 'Resource not accessible by integration')
    await expect(readBackend(api, ENV, REPOSITORY)).rejects.toThrow(
      `could not read the deployments of ${ENV} (HTTP 403: Resource not accessible by integration: the job needs permissions: deployments: read)`,
    )
    api.refuse = () => answer(404, 'Not Found')
    await expect(readBackend(api, ENV, REPOSITORY)).rejects.toThrow(
      `could not read the deployments of ${ENV} (HTTP 404: the repository ${REPOSITORY}, or one of its deployments not found)`,
    )
  })
})
