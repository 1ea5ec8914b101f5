// prReport() against a fake GitHub (test/fake-github.ts): many pull requests, the requests it
// makes, locked pull requests, and the one line a failed call becomes. What a comment says is
// tested in pr-facts.unit.test.ts, the comment itself in comment-store.unit.test.ts.
import { describe, expect, it } from 'vitest'
import { WORKFLOW_BOT } from '../src/comment-store'
import { UserError } from '../src/errors'
import { apiStep, type PullRequestFile } from '../src/github'
import type { PrReportSettings } from '../src/inputs'
import { prReport, type ReportIO } from '../src/pr-report'
import { ENV, FakeGitHub, MAIN, REPOSITORY, reportSettings, RUN_URL, sha } from './fake-github'

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
    expect(api.writes()).toEqual(
      api.pulls
        .slice(0, P)
        .reverse()
        .map((p) => `create ${p.number}`),
    )
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
      expect(comment.body.match(/- \*\*Backend changes:\*\*[^\n]*\n( {2}- [^\n]*\n)*/)?.[0].replace(/ ✅.*|⚠️.*/g, '')).toBe(
        old.match(/- \*\*Backend changes:\*\*[^\n]*\n( {2}- [^\n]*\n)*/)?.[0].replace(/ ✅.*|⚠️.*/g, ''),
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

  it("takes GitHub's refusal for a conversation locked since the list was read as locked", async () => {
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

describe('why a call failed (apiStep)', () => {
  const access = { permission: 'pull-requests', level: 'write', missing: 'pull request #7' } as const
  const answer = (status: number, message: string) => Object.assign(new Error(`${message} - https://docs.github.com/rest/issues/comments`), { status })
  /** The one line a step that fails with error becomes. */
  const line = (error: Error) =>
    apiStep('comment on #7', access, () => Promise.reject(error)).then(
      () => 'no error',
      (e: unknown) => (e instanceof UserError ? e.message : `not a UserError: ${String(e)}`),
    )

  it('names the permission only when GitHub says the token lacks one', async () => {
    expect(await line(answer(403, 'Resource not accessible by integration'))).toBe(
      'could not comment on #7 (HTTP 403: Resource not accessible by integration: the job needs permissions: pull-requests: write)',
    )
    expect(await line(answer(403, 'Unable to create comment because issue is locked.'))).toBe(
      'could not comment on #7 (HTTP 403: Unable to create comment because issue is locked.)',
    )
    // Rate limits say they are, and when to try again.
    const primary = Object.assign(answer(403, 'API rate limit exceeded for installation ID 42.'), {
      response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.UTC(2026, 11, 2, 5, 30) / 1000) } },
    })
    expect(await line(primary)).toBe(
      "could not comment on #7 (HTTP 403: API rate limit exceeded for installation ID 42.: GitHub's rate limit for this token is used up and resets at 05:30:00 UTC: run again after that)",
    )
    expect(await line(answer(429, 'You have exceeded a secondary rate limit.'))).toBe(
      "could not comment on #7 (HTTP 429: You have exceeded a secondary rate limit.: GitHub's secondary rate limit (too many requests at once): run again in a few minutes)",
    )
  })

  it('says what was not found, and when the token is not one', async () => {
    expect(await line(answer(404, 'Not Found'))).toBe('could not comment on #7 (HTTP 404: pull request #7 not found)')
    expect(await line(answer(401, 'Bad credentials'))).toBe('could not comment on #7 (HTTP 401: Bad credentials: github-token is not a valid token)')
    expect(await line(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe('could not comment on #7 (connect ECONNREFUSED 127.0.0.1:1)')
  })

  it('passes a line already said on as it is', async () => {
    expect(await line(new UserError('could not compare main with abc (HTTP 500: x)'))).toBe('could not compare main with abc (HTTP 500: x)')
  })
})
