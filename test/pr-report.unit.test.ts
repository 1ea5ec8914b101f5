// Which files of a pull request the comment counts as backend changes and as added migrations,
// by backend-paths and migrations-path (paths, globs and "!" entries, as for deploy); and
// prReport() itself against a fake GitHub: many pull requests, the requests it makes, locked
// pull requests, and the one line a failed call becomes.
import { describe, expect, it } from 'vitest'
import { UserError } from '../src/errors'
import type { Comparison, Deployment, DeploymentStatus, GitHubApi, IssueComment, PullRequest, PullRequestApi, PullRequestFile } from '../src/github'
import type { PrReportSettings } from '../src/inputs'
import { failure, fileClassifier, prReport, WORKFLOW_BOT, type ReportIO } from '../src/pr-report'

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

// ---- prReport() against a fake GitHub ---------------------------------------------------------
// A plain object implementing GitHubApi and PullRequestApi, counting the requests GitHub would
// count: one per call, one per page of 100 of a list. Many pull requests at once are tested here:
// against the stand-in, GitHub's write pacing (1 s between writes, 3 s between new comments)
// would make them take minutes.

const ENV = 'catcolab-next'
const REPOSITORY = 'ToposInstitute/CatColab'
const RUN_URL = `https://github.com/${REPOSITORY}/actions/runs/77`
const sha = (n: number) => n.toString(16).padStart(40, '0')
const MAIN = sha(0xabc)

class FakeGitHub implements GitHubApi, PullRequestApi {
  pulls: (PullRequest & { files: PullRequestFile[] })[] = []
  stored: (IssueComment & { issue: number })[] = []
  records: (Deployment & { statuses: DeploymentStatus[] })[] = []
  comparison: Comparison = { status: 'identical', aheadBy: 0, behindBy: 0 }
  /** Every request, in order: "name" or "name#page". */
  requests: string[] = []
  /** An error to answer a request with, instead of answering it. */
  refuse: (request: string) => unknown = () => undefined
  private nextId = 1000

  private request(name: string): void {
    this.requests.push(name)
    const error = this.refuse(name)
    if (error) throw error
  }

  /** A list GitHub pages at 100 an answer; the next page is asked for only when read on to. */
  private async *pages<T>(name: string, items: () => T[]): AsyncIterable<T> {
    for (let page = 1; page === 1 || (page - 1) * 100 < items().length; page++) {
      this.request(page === 1 ? name : `${name}#${page}`)
      yield* items().slice((page - 1) * 100, page * 100)
    }
  }

  writes(): string[] {
    return this.requests.filter((r) => /^(create|update|delete) /.test(r))
  }

  deploy(target: string, states: DeploymentStatus['state'][] = ['in_progress', 'success'], ref = 'main'): void {
    const statuses = states.map((state, i) => ({ state, description: '', logUrl: RUN_URL, environmentUrl: '', createdAt: `2026-01-01T00:0${i}:00Z` }))
    this.records.push({ id: this.nextId++, sha: target, environment: ENV, createdAt: '2026-01-01T00:00:00Z', payload: { 'catcolab-deploy': { version: 1, ref, previous: '', run_url: RUN_URL } }, statuses })
  }

  addPull(fields: Partial<PullRequest> & { files?: PullRequestFile[] } = {}): PullRequest & { files: PullRequestFile[] } {
    const number = this.pulls.length + 1
    const pr = { number, state: 'open', headSha: sha(0x100000 + number), headRef: `feature-${number}`, headRepository: REPOSITORY, baseRef: 'main', locked: false, files: [], ...fields }
    this.pulls.push(pr)
    return pr
  }

  async createDeployment(): Promise<number> {
    throw new Error('pr-report never records')
  }
  async setDeploymentStatus(): Promise<void> {
    throw new Error('pr-report never records')
  }
  async createCommitStatus(): Promise<void> {
    throw new Error('pr-report never records')
  }
  async latestDeploymentStatus(): Promise<DeploymentStatus | null> {
    throw new Error('pr-report reads the history')
  }
  deployments(environment: string): AsyncIterable<Deployment> {
    return this.pages('deployments', () => this.records.filter((d) => d.environment === environment).reverse())
  }
  deploymentStatuses(id: number): AsyncIterable<DeploymentStatus> {
    return this.pages(`statuses ${id}`, () => [...this.records.find((d) => d.id === id)!.statuses].reverse())
  }
  async tokenLogin(): Promise<string | null> {
    this.request('GET /user')
    return null
  }
  async pullRequest(number: number): Promise<PullRequest> {
    this.request(`pull ${number}`)
    const pr = this.pulls.find((p) => p.number === number)
    if (!pr) throw Object.assign(new Error('Not Found - https://docs.github.com/rest/pulls/pulls#get-a-pull-request'), { status: 404 })
    return pr
  }
  openPullRequests(): AsyncIterable<PullRequest> {
    return this.pages('pulls', () => this.pulls.filter((p) => p.state === 'open').reverse())
  }
  pullRequestFiles(number: number): AsyncIterable<PullRequestFile> {
    return this.pages(`files ${number}`, () => this.pulls.find((p) => p.number === number)!.files)
  }
  async compare(base: string): Promise<Comparison> {
    this.request(`compare ${base}`)
    return this.comparison
  }
  comments(issue: number): AsyncIterable<IssueComment> {
    return this.pages(`comments ${issue}`, () => this.stored.filter((c) => c.issue === issue))
  }
  async createComment(issue: number, body: string): Promise<IssueComment> {
    this.request(`create ${issue}`)
    const comment = { id: this.nextId++, issue, body, author: WORKFLOW_BOT, url: `https://github.com/${REPOSITORY}/pull/${issue}#issuecomment-${this.nextId}` }
    this.stored.push(comment)
    return comment
  }
  async updateComment(id: number, body: string): Promise<IssueComment> {
    this.request(`update ${id}`)
    const comment = this.stored.find((c) => c.id === id)!
    comment.body = body
    return comment
  }
  async deleteComment(id: number): Promise<void> {
    this.request(`delete ${id}`)
    this.stored.splice(this.stored.findIndex((c) => c.id === id), 1)
  }
}

function reportSettings(fields: Partial<PrReportSettings> = {}): PrReportSettings {
  return {
    command: 'pr-report',
    environment: ENV,
    backendUrl: 'https://backend-next.catcolab.org',
    backendPaths: ['packages/backend/**', 'packages/automerge-doc-server/**', 'packages/backend/migrations'],
    migrationsPaths: ['packages/backend/migrations'],
    pullRequest: 'all',
    commentAuthor: null,
    token: 'ghs_token',
    ...fields,
  }
}

async function run(api: FakeGitHub, fields: Partial<PrReportSettings> = {}) {
  const log = { info: [] as string[], warnings: [] as string[], notices: [] as string[], outputs: {} as Record<string, string>, error: '' }
  const io: ReportIO = {
    info: (line) => log.info.push(line),
    warning: (message) => log.warnings.push(message),
    notice: (message) => log.notices.push(message),
    setOutput: (name, value) => (log.outputs[name] = value),
  }
  api.requests = []
  await prReport(reportSettings(fields), api, io, { repository: REPOSITORY, serverUrl: 'https://github.com', eventPullRequest: null }).catch((error: unknown) => {
    if (!(error instanceof UserError)) throw error
    log.error = error.message
  })
  return log
}

const backendFile = (i: number): PullRequestFile => ({ path: `packages/backend/src/f${i}.rs`, status: 'modified', previousPath: null })
const bodyOf = (api: FakeGitHub, number: number) => {
  const ours = api.stored.filter((c) => c.issue === number)
  expect(ours).toHaveLength(1)
  return ours[0]!.body
}

describe('a refresh of every open pull request', () => {
  const P = 120

  function world() {
    const api = new FakeGitHub()
    api.deploy(MAIN)
    for (let i = 1; i <= P; i++) api.addPull({ files: i % 2 ? [] : [backendFile(i)] })
    api.addPull({ state: 'closed' })
    return api
  }

  it('comments on each: one list, then per pull request its comments and files, one write, and one more look after creating', async () => {
    const api = world()
    const first = await run(api)
    expect(first.error).toBe('')
    expect(first.info).toContain(`reported on ${P} of ${P} open pull requests`)
    expect(api.requests.slice(0, 4)).toEqual(['GET /user', 'deployments', `statuses ${api.records[0]!.id}`, 'pulls'])
    expect(api.requests.filter((r) => r.startsWith('pulls'))).toEqual(['pulls', 'pulls#2'])
    expect(api.requests.filter((r) => r.startsWith('compare'))).toEqual(['compare main'])
    expect(api.requests.filter((r) => r.startsWith('files'))).toHaveLength(P)
    expect(api.requests.filter((r) => r.startsWith('comments'))).toHaveLength(2 * P)
    expect(api.writes()).toEqual(api.pulls.slice(0, P).reverse().map((p) => `create ${p.number}`))
    expect(api.requests).toHaveLength(4 + 1 + P * 4 + 1)
    expect(bodyOf(api, 2)).toContain('- **Backend changes:** 1 file.')
    expect(bodyOf(api, 3)).toContain('- **Backend changes:** none.')
  })

  it('after a deploy, edits each comment from what it holds: no file list read, at most 2P + ⌈P/100⌉ + one compare per base, and 2 for what runs', async () => {
    const api = world()
    api.pulls[4]!.baseRef = 'release'
    await run(api)
    const before = api.stored.map((c) => ({ ...c }))
    api.deploy(api.pulls[0]!.headSha, undefined, 'feature-1')
    const refresh = await run(api)
    expect(refresh.error).toBe('')
    expect(api.requests.filter((r) => r.startsWith('files'))).toEqual([])
    expect(api.requests.filter((r) => /^pull \d+$/.test(r))).toEqual([])
    expect(api.writes()).toHaveLength(P)
    expect(api.writes().every((w) => w.startsWith('update '))).toBe(true)
    const pullRequests = api.requests.filter((r) => /^(pulls|comments|update|compare)/.test(r))
    expect(pullRequests).toHaveLength(2 * P + Math.ceil(P / 100) + 2) // the bound, reached: every comment changed
    expect(api.requests.length - pullRequests.length).toBe(3) // GET /user, the deployments, the statuses of the one that runs
    expect(bodyOf(api, 1)).toContain("✅ The backend runs this pull request's head.")
    // The same files as before, from the comment.
    for (const comment of api.stored) {
      const old = before.find((c) => c.id === comment.id)!.body
      expect(comment.body.match(/- \*\*Backend changes:\*\*[^\n]*\n(  - [^\n]*\n)*/)?.[0].replace(/ ✅.*|⚠️.*/g, '')).toBe(
        old.match(/- \*\*Backend changes:\*\*[^\n]*\n(  - [^\n]*\n)*/)?.[0].replace(/ ✅.*|⚠️.*/g, ''),
      )
    }

    // Nothing changed since: no writes at all, the same reads.
    const again = await run(api, { commentAuthor: WORKFLOW_BOT })
    expect(api.writes()).toEqual([])
    expect(api.requests).toHaveLength(2 + 2 + P + 2)
    expect(again.info.filter((line) => line.includes(': unchanged '))).toHaveLength(P)
  })

  it('reads the files of the pull requests pushed to since, and of those whose comment was edited', async () => {
    const api = world()
    await run(api)
    const pushed = api.pulls[6]!
    pushed.headSha = sha(0xbeef)
    pushed.files = [backendFile(1), backendFile(2)]
    const edited = api.stored.find((c) => c.issue === 9)!
    edited.body = edited.body.replace(/files=([A-Za-z0-9+/]{8})/, 'files=AAAAAAAA')
    await run(api)
    expect(api.requests.filter((r) => r.startsWith('files'))).toEqual(['files 9', `files ${pushed.number}`])
    // The list showed another head than the comment: read again before writing.
    expect(api.requests.filter((r) => /^pull \d+$/.test(r))).toEqual([`pull ${pushed.number}`])
    expect(api.writes()).toEqual([`update ${api.stored.find((c) => c.issue === 9)!.id}`, `update ${api.stored.find((c) => c.issue === pushed.number)!.id}`])
    expect(bodyOf(api, pushed.number)).toContain('- **Backend changes:** 2 files.')
  })

  it('reads the files again when backend-paths or migrations-path change', async () => {
    const api = world()
    await run(api)
    await run(api, { backendPaths: ['packages/**'] })
    expect(api.requests.filter((r) => r.startsWith('files'))).toHaveLength(P)
  })

  it('reads at most 30 pages of a pull request with 3,000 files or more, and says the list stops there', async () => {
    const api = new FakeGitHub()
    api.deploy(MAIN)
    const huge = api.addPull({ files: Array.from({ length: 3050 }, (_, i) => backendFile(i)) })
    api.addPull()
    await run(api)
    expect(api.requests.filter((r) => r.startsWith(`files ${huge.number}`))).toHaveLength(30)
    expect(bodyOf(api, huge.number)).toContain('- **Backend changes:** 3000 files (of the first 3000 files GitHub lists).')
    await run(api)
    expect(api.requests.filter((r) => r.startsWith('files'))).toEqual([])
  })

  it('skips a locked pull request with a notice, asking GitHub nothing about it, and comments on the rest', async () => {
    const api = world()
    api.pulls[1]!.locked = true
    const run1 = await run(api)
    expect(run1.error).toBe('')
    expect(run1.notices).toEqual(["#2 is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)"])
    expect(api.requests.filter((r) => / 2(#\d+)?$/.test(r))).toEqual([])
    expect(api.stored).toHaveLength(P - 1)
    expect(run1.info).toContain(`reported on ${P - 1} of ${P} open pull requests (1 locked, skipped)`)
  })

  it('takes GitHub\'s refusal for a conversation locked since the list was read as locked', async () => {
    const api = world()
    api.refuse = (request) => (request === 'create 3' ? Object.assign(new Error('Unable to create comment because issue is locked.'), { status: 403 }) : undefined)
    const result = await run(api)
    expect(result.error).toBe('')
    expect(result.warnings).toEqual([])
    expect(result.notices).toEqual(["#3 is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)"])
    expect(api.stored).toHaveLength(P - 1)
  })
})

describe('one pull request', () => {
  it('ends successfully with a notice when it is locked', async () => {
    const api = new FakeGitHub()
    api.deploy(MAIN)
    api.addPull({ locked: true })
    const result = await run(api, { pullRequest: 1 })
    expect(result.error).toBe('')
    expect(result.notices).toHaveLength(1)
    expect(result.outputs).toEqual({ 'backend-sha': MAIN, 'comment-url': '' })
    expect(api.requests).toEqual(['GET /user', 'deployments', `statuses ${api.records[0]!.id}`, 'pull 1'])
  })

  it('says which pull request was not found', async () => {
    const api = new FakeGitHub()
    const result = await run(api, { pullRequest: 12 })
    expect(result.error).toBe('could not read pull request #12 (HTTP 404: pull request #12 not found)')
  })

  it('mentions a later deploy that failed, even one made inactive since, and not one superseded before it ended', async () => {
    const api = new FakeGitHub()
    api.deploy(MAIN, ['in_progress', 'success', 'inactive'])
    api.deploy(sha(1), ['in_progress', 'failure', 'inactive'])
    api.deploy(sha(2), ['in_progress', 'inactive'])
    api.addPull()
    const result = await run(api, { pullRequest: 1 })
    expect(result.outputs['backend-sha']).toBe(MAIN)
    expect(bodyOf(api, 1)).toContain(`> A later deploy to \`${ENV}\` of \`${sha(1).slice(0, 12)}\` (2026-01-01 00:01 UTC, [run](${RUN_URL})) ended in **failure**.`)
  })
})

describe('why a call failed', () => {
  const access = { permission: 'pull-requests', level: 'write', missing: 'pull request #7' } as const
  const answer = (status: number, message: string) => Object.assign(new Error(`${message} - https://docs.github.com/rest/issues/comments`), { status })

  it('names the permission only when GitHub says the token lacks one', () => {
    expect(failure(answer(403, 'Resource not accessible by integration'), access)).toBe(
      'HTTP 403: Resource not accessible by integration: the job needs permissions: pull-requests: write',
    )
    expect(failure(answer(403, 'Unable to create comment because issue is locked.'), access)).toBe('HTTP 403: Unable to create comment because issue is locked.')
    // Rate limits say they are, and when to try again.
    const primary = Object.assign(answer(403, 'API rate limit exceeded for installation ID 42.'), {
      response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.UTC(2026, 11, 2, 5, 30) / 1000) } },
    })
    expect(failure(primary, access)).toBe(
      "HTTP 403: API rate limit exceeded for installation ID 42.: GitHub's rate limit for this token is used up and resets at 05:30:00 UTC: run again after that",
    )
    expect(failure(answer(429, 'You have exceeded a secondary rate limit.'), access)).toBe(
      "HTTP 429: You have exceeded a secondary rate limit.: GitHub's secondary rate limit (too many requests at once): run again in a few minutes",
    )
  })

  it('says what was not found, and when the token is not one', () => {
    expect(failure(answer(404, 'Not Found'), access)).toBe('HTTP 404: pull request #7 not found')
    expect(failure(answer(401, 'Bad credentials'), access)).toBe('HTTP 401: Bad credentials: github-token is not a valid token')
    expect(failure(new Error('connect ECONNREFUSED 127.0.0.1:1'), access)).toBe('connect ECONNREFUSED 127.0.0.1:1')
  })
})
