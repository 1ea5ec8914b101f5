// The loopback GitHub stand-in (test/github-api.ts, test/github-prs.ts) checked against GitHub's
// own OpenAPI description (test/openapi.ts): every method of src/github.ts, and the releases and
// git refs scripts/release.mjs uses (test/release.test.ts checks the script's own requests too),
// go through real Octokit to the stand-in, with the error replies met, and each request sent and each
// reply given must be what the description allows, but for the differences listed here, each one
// GitHub's own: the description says less than GitHub does. Each listed difference must still
// happen, so the list cannot outlive its reasons.
import { getOctokit } from '@actions/github'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { apiErrorMessage, gitHubApi } from '../src/github'
import { addReleases, startGitHubApi, type Exchange, type GitHubStandIn } from './github-api'
import { addPullRequests, type StoredPull } from './github-prs'
import { checkExchange, isKnown, operationOf, problemText, type KnownDifference, type Problem } from './openapi'

const DEPLOYMENT_STATUSES = 'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses'
const NEW_DEPLOYMENT_STATUS = 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses'
const NEW_DEPLOYMENT = 'POST /repos/{owner}/{repo}/deployments'
const NEW_COMMIT_STATUS = 'POST /repos/{owner}/{repo}/statuses/{sha}'

const EMPTY_URL =
  "A deployment status given no log_url (which sets target_url) or environment_url has '' there, the description's own default for them, yet it declares them format uri, which '' is not."
const BAD_CREDENTIALS = 'GitHub answers 401 Bad credentials to every operation when the token is wrong or expired; the description lists 401 for few.'
const NOT_ACCESSIBLE =
  'GitHub answers 403 Resource not accessible by integration when the workflow token lacks the permission (deployments: write, statuses: write); the description lists no 403 here.'
const RATE_LIMITED =
  'GitHub answers 403 or 429 to any operation when a rate limit is hit (the primary with x-ratelimit-remaining: 0, a secondary often with retry-after); the description lists them for few.'
const DELETED_FORK = "GitHub gives head.repo null when the pull request's fork was deleted; the description's repository schema is not nullable."

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  ...(['/environment_url', '/log_url', '/target_url'] as const).flatMap((pointer) => [
    { operation: NEW_DEPLOYMENT_STATUS, at: 201, pointer, message: 'must match format "uri"', why: EMPTY_URL },
    { operation: DEPLOYMENT_STATUSES, at: 200, pointer: `/*${pointer}`, message: 'must match format "uri"', why: EMPTY_URL },
  ]),
  {
    operation: NEW_DEPLOYMENT_STATUS,
    at: 422,
    pointer: '/status',
    message: 'is not in the description',
    why: 'GitHub\'s error bodies carry status ("422"); basic-error declares it, validation-error does not.',
  },
  { operation: NEW_DEPLOYMENT, at: 401, pointer: '', message: 'is not a listed status (the description lists 201, 202, 409, 422)', why: BAD_CREDENTIALS },
  { operation: NEW_COMMIT_STATUS, at: 401, pointer: '', message: 'is not a listed status (the description lists 201)', why: BAD_CREDENTIALS },
  { operation: DEPLOYMENT_STATUSES, at: 401, pointer: '', message: 'is not a listed status (the description lists 200, 404)', why: BAD_CREDENTIALS },
  { operation: NEW_DEPLOYMENT, at: 403, pointer: '', message: 'is not a listed status (the description lists 201, 202, 409, 422)', why: NOT_ACCESSIBLE },
  { operation: NEW_COMMIT_STATUS, at: 403, pointer: '', message: 'is not a listed status (the description lists 201)', why: NOT_ACCESSIBLE },
  {
    operation: NEW_DEPLOYMENT_STATUS,
    at: 404,
    pointer: '',
    message: 'is not a listed status (the description lists 201, 422)',
    why: 'GitHub answers 404 Not Found for a deployment that does not exist (deleted since it was listed); the description lists no 404.',
  },
  {
    operation: NEW_COMMIT_STATUS,
    at: 422,
    pointer: '',
    message: 'is not a listed status (the description lists 201)',
    why: 'GitHub answers 422 Validation Failed for a description over 140 characters; the description lists only 201.',
  },
  {
    operation: 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
    at: 404,
    pointer: '',
    message: 'is not a listed status (the description lists 204)',
    why: 'GitHub answers 404 Not Found for a comment already deleted (by another run of pr-report); the description lists only 204.',
  },
  { operation: 'GET /repos/{owner}/{repo}/deployments', at: 429, pointer: '', message: 'is not a listed status (the description lists 200)', why: RATE_LIMITED },
  { operation: NEW_COMMIT_STATUS, at: 429, pointer: '', message: 'is not a listed status (the description lists 201)', why: RATE_LIMITED },
  { operation: 'GET /repos/{owner}/{repo}/pulls/{pull_number}', at: 200, pointer: '/head/repo', message: 'must be object', why: DELETED_FORK },
  { operation: 'GET /repos/{owner}/{repo}/pulls', at: 200, pointer: '/*/head/repo', message: 'must be object', why: DELETED_FORK },
  {
    operation: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
    at: 403,
    pointer: '',
    message: 'is not a listed status (the description lists 200, 409, 422)',
    why: "GitHub answers 403 Resource not accessible by integration when a GitHub App's token without the workflows permission (a workflow's) would change .github/workflows by the update; the description lists no 403.",
  },
  {
    operation: 'POST /repos/{owner}/{repo}/releases',
    at: 422,
    pointer: '/status',
    message: 'is not in the description',
    why: 'GitHub\'s error bodies carry status ("422"); basic-error declares it, validation-error does not.',
  },
]

const SHA = 'a'.repeat(40)
const RUN_URL = 'https://github.com/ToposInstitute/CatColab/actions/runs/77'
const hit = new Set<KnownDifference>()
/** "operation status" of every exchange checked, with how many. */
const checked = new Map<string, number>()

/** Checks every exchange the stand-in had; returns the problems no listed difference explains, once each, with a count. */
function unexplained(stand: GitHubStandIn): string[] {
  const problems: Problem[] = stand.exchanges.flatMap(checkExchange)
  for (const exchange of stand.exchanges) {
    const key = `${operationOf(exchange) ?? '?'} ${exchange.status}`
    checked.set(key, (checked.get(key) ?? 0) + 1)
  }
  const counts = new Map<string, number>()
  for (const problem of problems) {
    const known = KNOWN_DIFFERENCES.find((k) => isKnown(problem, k))
    if (known) hit.add(known)
    else {
      const text = problemText({ ...problem, pointer: problem.pointer.replace(/\/\d+(?=\/|$)/g, '/*') })
      counts.set(text, (counts.get(text) ?? 0) + 1)
    }
  }
  return [...counts].map(([text, count]) => (count > 1 ? `${text} (${count} times)` : text))
}

async function standIn(login: string | null = null) {
  const stand = await startGitHubApi()
  const prs = addPullRequests(stand, { login })
  const client = (token = stand.token) => gitHubApi({ token, repository: stand.repository, baseUrl: stand.url, warn: () => {} })
  return { stand, prs, github: client(), client }
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('succeeded'),
    (error: { status?: number; message?: string }) => ({ status: error.status, message: error.message }),
  )

it('deployments, their statuses and commit statuses, and the refusals the records meet', async () => {
  const { stand, github, client } = await standIn()
  try {
    const earlier = stand.seedDeployment({ sha: SHA, environment: 'catcolab-next', payload: '' }, ['in_progress', 'success'])
    for (let i = 0; i < 120; i++) stand.seedDeployment({ sha: SHA, environment: 'catcolab-next' })
    const id = await github.createDeployment({
      sha: SHA,
      environment: 'catcolab-next',
      production: false,
      description: 'main to catcolab-next',
      payload: { 'catcolab-deploy': { version: 1, ref: 'main', previous: '', run_url: RUN_URL } },
    })
    await github.setDeploymentStatus(id, { state: 'in_progress', description: 'deploying main', logUrl: RUN_URL })
    await github.setDeploymentStatus(id, { state: 'success', description: 'deployed main', logUrl: RUN_URL, environmentUrl: 'https://next.catcolab.org' })
    await github.setDeploymentStatus(earlier.id, { state: 'inactive', description: `superseded by deployment ${id}` })
    // The job's own deployment, GitHub's, ends after ours: listed first, queued to success.
    const job = stand.startJob({ sha: SHA, environment: 'catcolab-next' })
    stand.endJob(job)
    expect(await github.latestDeploymentStatus(job.id)).toMatchObject({ state: 'success' })
    // Rate limits on a list and a write, waited out (the reset and retry-after are a second away).
    stand.rateLimit({ kind: 'primary', status: 429, resetIn: 1, matches: (r) => r.method === 'GET' && r.path.endsWith('/deployments') })
    stand.rateLimit({ kind: 'secondary', status: 429, retryAfter: 1, matches: (r) => r.method === 'POST' && r.path.includes('/statuses/') })
    const listed = []
    for await (const d of github.deployments('catcolab-next')) listed.push(d)
    expect(listed).toHaveLength(123)
    expect(listed[0]).toMatchObject({ id: job.id, sha: SHA, environment: 'catcolab-next', payload: {} })
    expect(listed[1]).toMatchObject({ id, sha: SHA, environment: 'catcolab-next', payload: { 'catcolab-deploy': { ref: 'main' } } })
    // GitHub's auto-inactivation after the job's success.
    expect(await github.latestDeploymentStatus(id)).toMatchObject({ state: 'inactive', logUrl: '', environmentUrl: '' })
    expect(await github.latestDeploymentStatus(earlier.id)).toMatchObject({ state: 'inactive', logUrl: '', environmentUrl: '' })
    expect(await github.latestDeploymentStatus(listed[2]!.id)).toBeNull()
    await github.createCommitStatus(SHA, { state: 'pending', context: 'deploy / catcolab-next', description: 'deploying to catcolab-next', targetUrl: RUN_URL })
    await github.createCommitStatus(SHA, { state: 'success', context: 'deploy / catcolab-next', description: 'deployed main' })

    const tooLong = 'x'.repeat(141)
    const refused = await github.setDeploymentStatus(id, { state: 'failure', description: tooLong }).catch((error: unknown) => error)
    // The reasons in GitHub's errors array, as text.
    expect(apiErrorMessage(refused, 'deployments')).toBe('HTTP 422: Validation Failed: description is too long (maximum is 140 characters)')
    expect(await failure(github.createCommitStatus(SHA, { state: 'failure', context: 'deploy / catcolab-next', description: tooLong }))).toMatchObject({ status: 422 })
    expect(await failure(github.setDeploymentStatus(999_999, { state: 'inactive', description: 'superseded' }))).toMatchObject({ status: 404 })

    const wrong = client('not-the-token')
    const newDeployment = { sha: SHA, environment: 'catcolab-next', production: false, description: 'main to catcolab-next', payload: {} }
    expect(await failure(wrong.createDeployment(newDeployment))).toMatchObject({ status: 401, message: expect.stringMatching(/^Bad credentials/) })
    expect(await failure(wrong.createCommitStatus(SHA, { state: 'pending', context: 'deploy / catcolab-next', description: '' }))).toMatchObject({ status: 401 })
    expect(await failure(wrong.latestDeploymentStatus(id))).toMatchObject({ status: 401 })

    // Required contexts: the action always passes [] and never meets this; a plain client shows the reply.
    stand.commitStatuses.push({ id: 99, sha: 'b'.repeat(40), state: 'pending', context: 'ci', description: '', target_url: '', created_at: '2026-01-01T00:00:00Z' })
    const [owner, repo] = stand.repository.split('/') as [string, string]
    const plain = getOctokit(stand.token, { baseUrl: stand.url })
    expect(await failure(plain.rest.repos.createDeployment({ owner, repo, ref: 'b'.repeat(40), environment: 'catcolab-next' }))).toMatchObject({ status: 409 })

    expect((await plain.rest.repos.listCommitStatusesForRef({ owner, repo, ref: SHA })).data.map((s) => s.target_url)).toEqual([null, RUN_URL])

    stand.refuse(403, 'Resource not accessible by integration')
    expect(await failure(github.createDeployment(newDeployment))).toMatchObject({ status: 403 })
    expect(await failure(github.createCommitStatus(SHA, { state: 'pending', context: 'deploy / catcolab-next', description: '' }))).toMatchObject({ status: 403 })

    expect(unexplained(stand)).toEqual([])
  } finally {
    await stand.close()
  }
})

it('pull requests, their files, comparisons and comments, with a workflow token', async () => {
  const { stand, prs, github } = await standIn()
  try {
    const root = prs.commit([])
    const m1 = prs.commit([root])
    const m2 = prs.commit([m1])
    prs.branches['main'] = m2
    prs.branches['release/v1'] = m1
    const feature = prs.commit([m2])
    const side = prs.commit([m1])
    const unrelated = prs.commit([])

    expect(await github.tokenLogin()).toBeNull()
    const files: StoredPull['files'] = Array.from({ length: 120 }, (_, i) => ({ filename: `packages/frontend/src/f${i}.ts`, status: 'modified' }))
    files.push({ filename: 'packages/backend/migrations/20260101_b.sql', status: 'renamed', previous_filename: 'packages/backend/migrations/20260101_a.sql' })
    prs.addPull({ number: 7, headSha: feature, files })
    prs.addPull({ number: 8, headSha: side, headRef: 'fix', headRepository: 'someone/CatColab', baseRef: 'release/v1' })
    prs.addPull({ number: 9, headSha: feature, headRef: 'gone', headRepository: null })
    prs.addPull({ number: 10, headSha: m2, state: 'closed' })

    expect(await github.pullRequest(7)).toEqual({
      number: 7,
      state: 'open',
      headSha: feature,
      headRef: 'feature-1',
      headRepository: stand.repository,
      baseRef: 'main',
      locked: false,
    })
    expect(await github.pullRequest(8)).toMatchObject({ headRepository: 'someone/CatColab', baseRef: 'release/v1' })
    expect(await github.pullRequest(9)).toMatchObject({ headRepository: '' })
    expect(await failure(github.pullRequest(404))).toMatchObject({ status: 404 })
    const open = []
    for await (const pr of github.openPullRequests()) open.push(pr.number)
    expect(open).toEqual([9, 8, 7])

    const listed = []
    for await (const file of github.pullRequestFiles(7)) listed.push(file)
    expect(listed).toHaveLength(121)
    expect(listed.at(-1)).toEqual({ path: 'packages/backend/migrations/20260101_b.sql', status: 'renamed', previousPath: 'packages/backend/migrations/20260101_a.sql' })
    expect(listed[0]).toEqual({ path: 'packages/frontend/src/f0.ts', status: 'modified', previousPath: null })

    expect(await github.compare('main', m2)).toEqual({ status: 'identical', aheadBy: 0, behindBy: 0 })
    expect(await github.compare('main', feature)).toEqual({ status: 'ahead', aheadBy: 1, behindBy: 0 })
    expect(await github.compare('main', m1)).toEqual({ status: 'behind', aheadBy: 0, behindBy: 1 })
    expect(await github.compare('release/v1', side)).toEqual({ status: 'ahead', aheadBy: 1, behindBy: 0 })
    expect(await github.compare('main', side)).toEqual({ status: 'diverged', aheadBy: 1, behindBy: 1 })
    expect(await failure(github.compare('main', unrelated))).toMatchObject({ status: 404 })

    prs.addComment(7, 'Looks good', 'octocat')
    const created = await github.createComment(7, '<!-- marker -->\nreport')
    expect(created).toMatchObject({ body: '<!-- marker -->\nreport', author: 'github-actions[bot]' })
    expect(created.url).toMatch(/^https:\/\/github\.com\/ToposInstitute\/CatColab\/pull\/7#issuecomment-\d+$/)
    const again = await github.createComment(7, '<!-- marker -->\nduplicate')
    expect(await github.updateComment(created.id, '<!-- marker -->\nreport, updated')).toMatchObject({ id: created.id, body: '<!-- marker -->\nreport, updated' })
    const comments = []
    for await (const comment of github.comments(7)) comments.push(comment)
    expect(comments.map((c) => c.author)).toEqual(['octocat', 'github-actions[bot]', 'github-actions[bot]'])
    await github.deleteComment(again.id)
    expect(await failure(github.deleteComment(again.id))).toMatchObject({ status: 404 })
    // A locked conversation takes no comment from the workflow's token.
    prs.addPull({ number: 11, headSha: feature, locked: true })
    expect(await failure(github.createComment(11, '<!-- marker -->\nreport'))).toMatchObject({ status: 403, message: expect.stringMatching(/is locked/) })

    expect(unexplained(stand)).toEqual([])
  } finally {
    await stand.close()
  }
})

it("a user's token: its login, and a wrong token", async () => {
  const { stand, github, client } = await standIn('octocat')
  try {
    expect(await github.tokenLogin()).toBe('octocat')
    expect(await failure(client('not-the-token').tokenLogin())).toMatchObject({ status: 401 })
    expect(unexplained(stand)).toEqual([])
  } finally {
    await stand.close()
  }
})

it('finds a missing field, an invented one, a wrong type, an unlisted status and an undeclared parameter', async () => {
  const stand = await startGitHubApi()
  try {
    const github = gitHubApi({ token: stand.token, repository: stand.repository, baseUrl: stand.url, warn: () => {} })
    const id = await github.createDeployment({ sha: SHA, environment: 'catcolab', production: true, description: '', payload: {} })
    for await (const _ of github.deployments('catcolab')) break
    const [created, listed] = stand.exchanges as [Exchange, Exchange]
    const { node_id: _, ...noNodeId } = created.body as Record<string, unknown>
    const problems = [
      { ...created, body: { ...noNodeId, payload: 7, statuses_uri: 'x' } },
      { ...created, status: 200 },
      { ...created, request: { ...created.request, body: { ...created.request.body, auto_merge: 'no', environmnet: 'x' } } },
      { ...listed, target: `${listed.target}&per_page=many&sort=asc` },
      { ...listed, target: `/repos/${stand.repository}/deployment`, request: { ...listed.request, path: `/repos/${stand.repository}/deployment` } },
    ].flatMap(checkExchange)
    expect(problems.map(problemText)).toEqual([
      'POST /repos/{owner}/{repo}/deployments 201: /node_id is missing',
      'POST /repos/{owner}/{repo}/deployments 201: /payload matches none of its oneOf schemas (got 7)',
      'POST /repos/{owner}/{repo}/deployments 201: /statuses_uri is not in the description',
      'POST /repos/{owner}/{repo}/deployments 200: is not a listed status (the description lists 201, 202, 409, 422)',
      'POST /repos/{owner}/{repo}/deployments request: /auto_merge must be boolean (got "no")',
      'POST /repos/{owner}/{repo}/deployments request: /environmnet is not in the description',
      'GET /repos/{owner}/{repo}/deployments request: ?per_page must be integer (got "many")',
      'GET /repos/{owner}/{repo}/deployments request: ?sort is not a parameter of the operation (got "asc")',
      'GET /repos/ToposInstitute/CatColab/deployment request: is no operation of the description',
    ])
    expect(id).toBeGreaterThan(0)
  } finally {
    await stand.close()
  }
})

it('releases and git refs, as scripts/release.mjs uses them, with a repository behind them', async () => {
  const stand = await startGitHubApi({ repository: 'ToposInstitute/catcolab-deploy', userTokens: ['maintainer-token'] })
  const repo = mkdtempSync(join(tmpdir(), 'catcolab-release-refs-'))
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        encoding: 'utf8',
        env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
      }).trim()
    git('init', '-q', '-b', 'main')
    git('commit', '-q', '--allow-empty', '-m', 'one')
    const one = git('rev-parse', 'HEAD')
    git('tag', '-a', '-m', 'v1.0.0', 'v1.0.0')
    git('commit', '-q', '--allow-empty', '-m', 'two')
    const two = git('rev-parse', 'HEAD')
    const { releases } = addReleases(stand, { git: repo })
    const [owner, name] = stand.repository.split('/') as [string, string]
    const plain = getOctokit(stand.token, { baseUrl: stand.url })

    expect(await failure(plain.rest.repos.getReleaseByTag({ owner, repo: name, tag: 'v1.0.0' }))).toMatchObject({ status: 404 })
    const created = await plain.rest.repos.createRelease({ owner, repo: name, tag_name: 'v1.0.0', name: 'v1.0.0', body: '### Added\n\n- all', make_latest: 'true' })
    expect(created.data).toMatchObject({ tag_name: 'v1.0.0', name: 'v1.0.0', body: '### Added\n\n- all', draft: false })
    expect((await plain.rest.repos.getReleaseByTag({ owner, repo: name, tag: 'v1.0.0' })).data.id).toBe(created.data.id)
    const again = await failure(plain.rest.repos.createRelease({ owner, repo: name, tag_name: 'v1.0.0' }))
    expect(again).toMatchObject({ status: 422, message: expect.stringContaining('"code":"already_exists"') })
    expect(releases).toHaveLength(1)
    // Listed newest first, drafts too, a page at a time through the Link header (by repository id).
    await plain.rest.repos.createRelease({ owner, repo: name, tag_name: 'v2.0.0', draft: true })
    const listed = await plain.paginate(plain.rest.repos.listReleases, { owner, repo: name, per_page: 1 })
    expect(listed.map((r) => [r.tag_name, r.draft])).toEqual([
      ['v2.0.0', true],
      ['v1.0.0', false],
    ])

    expect(await failure(plain.rest.git.getRef({ owner, repo: name, ref: 'tags/v1' }))).toMatchObject({ status: 404 })
    expect((await plain.rest.git.createRef({ owner, repo: name, ref: 'refs/tags/v1', sha: one })).data).toMatchObject({
      ref: 'refs/tags/v1',
      object: { type: 'commit', sha: one },
    })
    expect((await plain.rest.git.getRef({ owner, repo: name, ref: 'tags/v1' })).data.object.sha).toBe(one)
    expect((await plain.rest.git.updateRef({ owner, repo: name, ref: 'tags/v1', sha: two, force: true })).data.object.sha).toBe(two)
    expect(git('rev-parse', 'refs/tags/v1')).toBe(two)
    // A move that changes .github/workflows: refused to the workflow's token, not to a user's.
    mkdirSync(join(repo, '.github/workflows'), { recursive: true })
    writeFileSync(join(repo, '.github/workflows/ci.yml'), 'on: push\n')
    git('add', '-A')
    git('commit', '-q', '-m', 'three')
    const three = git('rev-parse', 'HEAD')
    expect(await failure(plain.rest.git.updateRef({ owner, repo: name, ref: 'tags/v1', sha: three, force: true }))).toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration'),
    })
    const user = getOctokit('maintainer-token', { baseUrl: stand.url })
    expect((await user.rest.git.updateRef({ owner, repo: name, ref: 'tags/v1', sha: three, force: true })).data.object.sha).toBe(three)
    // An annotated tag's ref names the tag object.
    expect((await plain.rest.git.getRef({ owner, repo: name, ref: 'tags/v1.0.0' })).data.object).toMatchObject({ type: 'tag', sha: git('rev-parse', 'refs/tags/v1.0.0') })

    expect(unexplained(stand)).toEqual([])
  } finally {
    await stand.close()
    rmSync(repo, { recursive: true, force: true })
  }
})

it('checked every operation the action uses, and met every listed difference', () => {
  // 61 exchanges: each operation of src/github.ts with its success and the refusals the action meets,
  // then those of scripts/release.mjs (releases and git refs).
  expect(Object.fromEntries([...checked].sort(([a], [b]) => a.localeCompare(b)))).toEqual({
    'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id} 204': 1,
    'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id} 404': 1,
    'GET /repos/{owner}/{repo}/commits/{ref}/statuses 200': 1,
    'GET /repos/{owner}/{repo}/compare/{basehead} 200': 5,
    'GET /repos/{owner}/{repo}/compare/{basehead} 404': 1,
    'GET /repos/{owner}/{repo}/deployments 200': 2,
    'GET /repos/{owner}/{repo}/deployments 429': 1,
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses 200': 4,
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses 401': 1,
    'GET /repos/{owner}/{repo}/git/ref/{ref} 200': 2,
    'GET /repos/{owner}/{repo}/git/ref/{ref} 404': 1,
    'GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200': 1,
    'GET /repos/{owner}/{repo}/pulls 200': 1,
    'GET /repos/{owner}/{repo}/pulls/{pull_number} 200': 3,
    'GET /repos/{owner}/{repo}/pulls/{pull_number} 404': 1,
    'GET /repos/{owner}/{repo}/pulls/{pull_number}/files 200': 2,
    'GET /repos/{owner}/{repo}/releases 200': 2,
    'GET /repos/{owner}/{repo}/releases/tags/{tag} 200': 1,
    'GET /repos/{owner}/{repo}/releases/tags/{tag} 404': 1,
    'GET /user 200': 1,
    'GET /user 401': 1,
    'GET /user 403': 1,
    'PATCH /repos/{owner}/{repo}/git/refs/{ref} 200': 2,
    'PATCH /repos/{owner}/{repo}/git/refs/{ref} 403': 1,
    'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} 200': 1,
    'POST /repos/{owner}/{repo}/deployments 201': 1,
    'POST /repos/{owner}/{repo}/deployments 401': 1,
    'POST /repos/{owner}/{repo}/deployments 403': 1,
    'POST /repos/{owner}/{repo}/deployments 409': 1,
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses 201': 3,
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses 404': 1,
    'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses 422': 1,
    'POST /repos/{owner}/{repo}/git/refs 201': 1,
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments 201': 2,
    'POST /repos/{owner}/{repo}/issues/{issue_number}/comments 403': 1,
    'POST /repos/{owner}/{repo}/releases 201': 2,
    'POST /repos/{owner}/{repo}/releases 422': 1,
    'POST /repos/{owner}/{repo}/statuses/{sha} 201': 2,
    'POST /repos/{owner}/{repo}/statuses/{sha} 401': 1,
    'POST /repos/{owner}/{repo}/statuses/{sha} 403': 1,
    'POST /repos/{owner}/{repo}/statuses/{sha} 422': 1,
    'POST /repos/{owner}/{repo}/statuses/{sha} 429': 1,
  })
  expect(KNOWN_DIFFERENCES.filter((k) => !hit.has(k)).map((k) => `${k.operation} ${k.at}: ${k.pointer} ${k.message}`)).toEqual([])
})
