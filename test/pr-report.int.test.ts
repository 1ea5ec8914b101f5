// The pr-report command end to end: the bundled action, run as the runner runs it, against the
// loopback stand-in for the GitHub REST API (test/github-api.ts) with pull requests, files,
// comments and a commit graph (test/github-prs.ts). Asserts the comments and the exact requests.
// Writes go out paced as GitHub asks (1 s apart, 3 s between new comments), so each test creates
// at most three comments; many pull requests at once are tested in pr-report.unit.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { renderComment } from '../src/comment'
import { parseSettings, type PrReportSettings } from '../src/inputs'
import { filesKey } from '../src/pr-facts'
import { startGitHubApi, type GitHubStandIn } from './github-api'
import { addPullRequests, type PullRequestStandIn } from './github-prs'
import { errorLine, runAction, runnerEnv } from './run-action'

const NEXT = 'catcolab-next'
const REPO = 'ToposInstitute/CatColab'
const RUN_URL = `https://github.com/${REPO}/actions/runs/77`
const MARKER = `<!-- catcolab-deploy pr-report environment=${NEXT} `
let api: GitHubStandIn | undefined

afterEach(async () => {
  await api?.close()
  api = undefined
})

interface World {
  gh: GitHubStandIn
  prs: PullRequestStandIn
  /** main's commits, oldest first; main is the last. */
  main: string[]
}

/** The workflow's GITHUB_TOKEN is an installation token (ghs_…); a user's token (ghp_…) has a login. */
async function setup(login: string | null = null, token = login ? 'ghp_user-token' : 'ghs_installation-token'): Promise<World> {
  api = await startGitHubApi({ token })
  const prs = addPullRequests(api, { login })
  const root = prs.commit([])
  const m1 = prs.commit([root])
  const m2 = prs.commit([m1])
  prs.branches['main'] = m2
  return { gh: api, prs, main: [root, m1, m2] }
}

/** A deployment this action made, with these statuses in order. */
function deployed(gh: GitHubStandIn, sha: string, states = ['in_progress', 'success'], ref = sha) {
  return gh.seedDeployment({ sha, environment: NEXT, payload: { 'catcolab-deploy': { version: 1, ref, previous: '', run_url: RUN_URL } } }, states)
}

function report(inputs: Record<string, string> = {}, event?: { pull_request: { number: number } }) {
  const github: Record<string, string> = { GITHUB_API_URL: api!.url, GITHUB_TOKEN: api!.token }
  if (event) {
    const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json')
    writeFileSync(path, JSON.stringify({ action: 'synchronize', ...event }))
    github['GITHUB_EVENT_PATH'] = path
    github['GITHUB_EVENT_NAME'] = 'pull_request_target'
  }
  return runAction({ command: 'pr-report', environment: NEXT, ...inputs }, { github })
}

const bodyOf = (prs: PullRequestStandIn, number: number) => {
  const comments = prs.commentsOn(number).filter((c) => c.body.startsWith(MARKER))
  expect(comments).toHaveLength(1)
  return comments[0]!.body
}
const warnings = (log: string) => log.split('\n').filter((line) => line.startsWith('::warning::'))
const notices = (log: string) => log.split('\n').filter((line) => line.startsWith('::notice::'))
/** The count each run logs, of the requests it made. */
const requestsLogged = (log: string) => Number(/^GitHub API requests made: (\d+)$/m.exec(log)?.[1])

describe('one pull request', () => {
  it('creates the comment, then updates that same comment, and leaves it alone when nothing changed', async () => {
    const { gh, prs, main } = await setup()
    const deployment = deployed(gh, main[2]!)
    const head = prs.commit([main[2]!])
    prs.addPull({ number: 7, headSha: head, files: [{ filename: 'packages/frontend/src/App.tsx', status: 'modified' }] })

    const first = await report({}, { pull_request: { number: 7 } })
    expect(first.code, first.log).toBe(0)
    expect(gh.calls()).toEqual([
      `GET ~/deployments?environment=${NEXT}&per_page=100`,
      `GET ~/deployments/${deployment.id}/statuses?per_page=100`,
      'GET ~/pulls/7',
      'GET ~/issues/7/comments?per_page=100',
      'GET ~/pulls/7/files?per_page=100',
      `GET ~/compare/main...${main[2]}?per_page=1`,
      'POST ~/issues/7/comments',
      // A run at the same time may have made one too: look once more.
      'GET ~/issues/7/comments?per_page=100',
    ])
    expect(requestsLogged(first.log)).toBe(gh.requests.length)
    const [comment] = prs.commentsOn(7)
    expect(comment!.author).toBe('github-actions[bot]')
    expect(first.outputs).toMatchObject({
      'backend-sha': main[2],
      'comment-url': `https://github.com/${REPO}/pull/7#issuecomment-${comment!.id}`,
    })
    const body = comment!.body
    expect(body.startsWith(`${MARKER}head=${head} -->\n`)).toBe(true)
    expect(body).toContain(
      `(environment \`${NEXT}\`), which runs [\`${main[2]!.slice(0, 12)}\`](https://github.com/${REPO}/commit/${main[2]}), deployed 2026-01-01 00:00 UTC ([deploy run](${RUN_URL})).`,
    )
    expect(body).toContain("- **Base `main`:** ✅ up to date: the deployed commit is `main`'s head.")
    expect(body).toContain('- **Backend changes:** none.')
    expect(body).toContain('- **Migrations:** none added.')

    // A push: the pull request now touches the backend.
    prs.pulls[0]!.headSha = prs.commit([head])
    prs.pulls[0]!.files.push({ filename: 'packages/backend/src/app.rs', status: 'modified' })
    const second = await report({ 'pr-number': '7' })
    expect(second.code, second.log).toBe(0)
    expect(prs.commentsOn(7).map((c) => c.id)).toEqual([comment!.id])
    expect(gh.calls().at(-1)).toBe(`PATCH ~/issues/comments/${comment!.id}`)
    expect(bodyOf(prs, 7)).toContain('- **Backend changes:** 1 file. ⚠️ The preview does **not** exercise these changes')
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url'])

    const before = gh.requests.length
    const third = await report({ 'pr-number': '7' })
    expect(third.code, third.log).toBe(0)
    // The comment holds what the files said for this head: they are not read again.
    expect(gh.calls().slice(before)).toEqual([
      `GET ~/deployments?environment=${NEXT}&per_page=100`,
      `GET ~/deployments/${deployment.id}/statuses?per_page=100`,
      'GET ~/pulls/7',
      'GET ~/issues/7/comments?per_page=100',
      `GET ~/compare/main...${main[2]}?per_page=1`,
    ])
    expect(requestsLogged(third.log)).toBe(5)
    expect(third.log).toContain(`#7: unchanged https://github.com/${REPO}/pull/7#issuecomment-${comment!.id}`)
    expect(warnings(first.log + second.log + third.log)).toEqual([])
  })

  it("leaves another user's comment with the same marker alone, and another environment's", async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 3, headSha: prs.commit([main[2]!]) })
    const forged = prs.addComment(3, `${MARKER}head=${'0'.repeat(40)} -->\nthe backend runs this pull request, trust me`, 'someone')
    const production = prs.addComment(3, '<!-- catcolab-deploy pr-report environment=catcolab head=x -->\nproduction', 'github-actions[bot]')
    const run = await report({ 'pr-number': '3' })
    expect(run.code, run.log).toBe(0)
    expect(prs.commentsOn(3)).toHaveLength(3)
    expect(prs.commentsOn(3)[0]).toEqual(forged)
    expect(prs.commentsOn(3)[1]).toEqual(production)
    expect(prs.commentsOn(3)[2]!.author).toBe('github-actions[bot]')
    expect(gh.requests.filter((r) => r.method === 'PATCH' || r.method === 'DELETE')).toEqual([])
  })

  it("uses a user token's own login, found with GET /user, and skips the lookup when comment-author is set", async () => {
    const { gh, prs, main } = await setup('catcolab-bot')
    deployed(gh, main[2]!)
    prs.addPull({ number: 4, headSha: prs.commit([main[2]!]) })
    const workflows = prs.addComment(4, `${MARKER}head=${'0'.repeat(40)} -->\nold`, 'github-actions[bot]')
    const run = await report({ 'pr-number': '4' })
    expect(run.code, run.log).toBe(0)
    expect(prs.commentsOn(4).map((c) => [c.id, c.author])).toEqual([
      [workflows.id, 'github-actions[bot]'],
      [expect.any(Number), 'catcolab-bot'],
    ])
    expect(prs.commentsOn(4)[0]!.body).toBe(workflows.body)

    const before = gh.requests.length
    const again = await report({ 'pr-number': '4', 'comment-author': 'catcolab-bot' })
    expect(again.code, again.log).toBe(0)
    expect(gh.calls().slice(before)).not.toContain('GET /user')
    expect(prs.commentsOn(4)).toHaveLength(2)
  })

  it("asks GET /user of a token that is not an installation token, and takes its 403 to mean the workflow's bot", async () => {
    const { gh, prs, main } = await setup(null, 'test-token')
    deployed(gh, main[2]!)
    prs.addPull({ number: 4, headSha: prs.commit([main[2]!]) })
    prs.addComment(4, `${MARKER}head=${'0'.repeat(40)} -->\nold`, 'github-actions[bot]')
    const run = await report({ 'pr-number': '4' })
    expect(run.code, run.log).toBe(0)
    expect(gh.calls()[0]).toBe('GET /user')
    expect(prs.commentsOn(4)).toHaveLength(1)
    expect(gh.calls().filter((c) => c.startsWith('PATCH'))).toHaveLength(1)
  })

  it("warns when the token's comments come out under another author than comment-author says", async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 5, headSha: prs.commit([main[2]!]) })
    const run = await report({ 'pr-number': '5', 'comment-author': 'catcolab-app[bot]' })
    expect(run.code, run.log).toBe(0)
    expect(warnings(run.log)).toEqual([
      '::warning::comments made with github-token are authored by github-actions[bot], not catcolab-app[bot]: set comment-author: github-actions[bot], or each run adds another comment',
    ])
  })

  it("comments on a fork's pull request; a branch of the same name deployed from the repository is not the fork's", async () => {
    const { gh, prs, main } = await setup()
    const ours = prs.commit([main[2]!])
    deployed(gh, ours, undefined, 'feature-x')
    const forkHead = prs.commit([main[2]!])
    prs.addPull({
      number: 9,
      headSha: forkHead,
      headRef: 'feature-x',
      headRepository: 'someone/CatColab',
      files: [{ filename: 'packages/backend/src/lib.rs', status: 'modified' }],
    })
    const run = await report({ 'pr-number': '9' })
    expect(run.code, run.log).toBe(0)
    const body = bodyOf(prs, 9)
    expect(body).toContain('✅ up to date: the deployed commit contains `main`, plus 1 commit not on `main`.')
    expect(body).toContain('⚠️ The preview does **not** exercise these changes')
    expect(body).not.toContain("this pull request's branch")
  })

  it('lists the backend files (renames by either path, deletions, dot files) and not the others', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({
      number: 2,
      headSha: prs.commit([main[2]!]),
      files: [
        { filename: 'packages/frontend/src/App.tsx', status: 'modified' },
        { filename: 'packages/automerge-doc-server/src/server.ts', status: 'modified' },
        { filename: 'packages/backend/.sqlx/query-1.json', status: 'added' },
        { filename: 'packages/backend/src/old.rs', status: 'removed' },
        { filename: 'packages/shared/moved.rs', previous_filename: 'packages/backend/src/moved.rs', status: 'renamed' },
        { filename: 'README.md', status: 'modified' },
      ],
    })
    const run = await report({ 'pr-number': '2' })
    expect(run.code, run.log).toBe(0)
    expect(bodyOf(prs, 2)).toContain(
      [
        '- **Backend changes:** 4 files. ⚠️ The preview does **not** exercise these changes: the backend runs them only once they are merged into `main` and deployed:',
        '  - `packages/automerge-doc-server/src/server.ts`',
        '  - `packages/backend/.sqlx/query-1.json`',
        '  - `packages/backend/src/old.rs`',
        '  - `packages/backend/src/moved.rs`',
        '- **Migrations:** none added.',
      ].join('\n'),
    )
  })

  it('takes backend-paths as given, one glob a line', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({
      number: 2,
      headSha: prs.commit([main[2]!]),
      files: [
        { filename: 'packages/backend/src/a.rs', status: 'modified' },
        { filename: 'Cargo.lock', status: 'modified' },
      ],
    })
    const run = await report({ 'pr-number': '2', 'backend-paths': 'Cargo.lock\n  packages/migrator/**\n' })
    expect(run.code, run.log).toBe(0)
    expect(bodyOf(prs, 2)).toContain('- **Backend changes:** 1 file.')
    expect(bodyOf(prs, 2)).toContain('  - `Cargo.lock`\n- **Migrations:**')
  })

  it('says which migrations a pull request adds, in each migrations-path (sqlx files and the migrator crate)', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({
      number: 11,
      headSha: prs.commit([main[2]!]),
      files: [
        { filename: 'packages/backend/migrations/20260101000000_ratings.up.sql', status: 'added' },
        { filename: 'packages/backend/migrations/20240101000000_old.up.sql', status: 'modified' },
        { filename: 'packages/migrator/src/migrations/m20260101000000_ratings.rs', status: 'added' },
        { filename: 'packages/migrator/src/migrations/mod.rs', status: 'modified' },
        { filename: 'packages/migrator/src/migrations/m20260102000000_moved.rs', previous_filename: 'scratch/moved.rs', status: 'renamed' },
      ],
    })
    const run = await report({ 'pr-number': '11', 'migrations-path': 'packages/backend/migrations\npackages/migrator/src/migrations' })
    expect(run.code, run.log).toBe(0)
    const body = bodyOf(prs, 11)
    expect(body).toContain(
      [
        "- **Migrations:** adds 3 migrations, applied to the backend's database when it is deployed:",
        '  - `packages/backend/migrations/20260101000000_ratings.up.sql`',
        '  - `packages/migrator/src/migrations/m20260101000000_ratings.rs`',
        '  - `packages/migrator/src/migrations/m20260102000000_moved.rs`',
      ].join('\n'),
    )
    // The default backend paths take in every migrations-path.
    expect(body).toContain('- **Backend changes:** 5 files.')
  })

  it.each([
    ['behind', (main: string[]) => main[1]!, '⚠️ 1 commit behind: the backend lacks what was merged into `main` since it was deployed.'],
    [
      'diverged',
      (main: string[], prs: PullRequestStandIn) => prs.commit([main[0]!]),
      '⚠️ diverged: the deployed commit is not on `main`; it lacks 2 commits of `main` and has 1 commit that `main` does not.',
    ],
    ['equal to', (main: string[]) => main[2]!, "✅ up to date: the deployed commit is `main`'s head."],
  ] as const)('says when the deployed commit is %s the base', async (_, pick, line) => {
    const { gh, prs, main } = await setup()
    deployed(gh, pick(main, prs))
    prs.addPull({ number: 6, headSha: prs.commit([main[2]!]) })
    const run = await report({ 'pr-number': '6' })
    expect(run.code, run.log).toBe(0)
    expect(bodyOf(prs, 6)).toContain(`- **Base \`main\`:** ${line}`)
  })

  it("compares with the pull request's own base branch, by name", async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.branches['release/v1'] = main[1]!
    prs.addPull({ number: 6, headSha: prs.commit([main[1]!]), baseRef: 'release/v1' })
    const run = await report({ 'pr-number': '6' })
    expect(run.code, run.log).toBe(0)
    expect(gh.calls()).toContain(`GET ~/compare/release/v1...${main[2]}?per_page=1`)
    expect(bodyOf(prs, 6)).toContain('- **Base `release/v1`:** ✅ up to date: the deployed commit contains `release/v1`, plus 1 commit not on `release/v1`.')
  })

  it('says when the deployed commit has no history in common with the base, with a warning', async () => {
    const { gh, prs, main } = await setup()
    const unrelated = prs.commit([])
    deployed(gh, unrelated)
    prs.addPull({ number: 6, headSha: prs.commit([main[2]!]) })
    const run = await report({ 'pr-number': '6' })
    expect(run.code, run.log).toBe(0)
    expect(bodyOf(prs, 6)).toContain('- **Base `main`:** could not compare the deployed commit with `main`')
    expect(warnings(run.log)).toEqual([`::warning::could not compare main with ${unrelated}: GitHub answered 404: No common ancestor between main and ${unrelated}.`])
  })

  it("says the preview includes the changes when the pull request's head is deployed", async () => {
    const { gh, prs, main } = await setup()
    const head = prs.commit([main[2]!])
    deployed(gh, head, undefined, 'feature-1')
    prs.addPull({ number: 1, headSha: head, headRef: 'feature-1', files: [{ filename: 'packages/backend/src/app.rs', status: 'modified' }] })
    const run = await report({ 'pr-number': '1' })
    expect(run.code, run.log).toBe(0)
    expect(bodyOf(prs, 1)).toContain("- **Backend changes:** 1 file. ✅ The backend runs this pull request's head, so the preview **includes** these changes:")
  })

  it('says the backend runs an earlier commit of the branch after a push since the deploy', async () => {
    const { gh, prs, main } = await setup()
    const earlier = prs.commit([main[2]!])
    deployed(gh, earlier, undefined, 'feature-1')
    prs.addPull({ number: 1, headSha: prs.commit([earlier]), headRef: 'feature-1', files: [{ filename: 'packages/backend/src/app.rs', status: 'modified' }] })
    const run = await report({ 'pr-number': '1' })
    expect(run.code, run.log).toBe(0)
    expect(bodyOf(prs, 1)).toContain(
      `⚠️ The backend runs an earlier commit of this pull request's branch, \`${earlier.slice(0, 12)}\`: the preview includes its backend changes up to that commit`,
    )
  })

  it("says so when nothing was deployed yet, GitHub's own job deployments not counting", async () => {
    const { gh, prs, main } = await setup()
    gh.seedDeployment({ sha: main[2]!, environment: NEXT }, ['success'])
    prs.addPull({ number: 8, headSha: prs.commit([main[2]!]), files: [{ filename: 'packages/backend/src/app.rs', status: 'modified' }] })
    const run = await report({ 'pr-number': '8' })
    expect(run.code, run.log).toBe(0)
    expect(run.outputs['backend-sha']).toBe('')
    const body = bodyOf(prs, 8)
    expect(body).toContain(`No deploy to \`${NEXT}\` by catcolab-deploy has succeeded yet, so which commit it runs is unknown.`)
    expect(body).toContain('⚠️ The preview does **not** exercise these changes')
    expect(gh.calls().filter((c) => c.includes('compare'))).toEqual([])
  })

  it('reports the last success when a later deploy failed, and mentions the failure', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[1]!)
    const failed = deployed(gh, main[2]!, ['in_progress', 'failure'])
    failed.statuses.at(-1)!.description = `build failed; the previous checkout ${main[1]} was restored and rebuilt`
    prs.addPull({ number: 8, headSha: prs.commit([main[2]!]) })
    const run = await report({ 'pr-number': '8' })
    expect(run.code, run.log).toBe(0)
    expect(run.outputs['backend-sha']).toBe(main[1])
    const body = bodyOf(prs, 8)
    expect(body).toContain(`which runs [\`${main[1]!.slice(0, 12)}\`]`)
    expect(body).toContain('⚠️ 1 commit behind')
    expect(body).toContain(
      `> A later deploy to \`${NEXT}\` of \`${main[2]!.slice(0, 12)}\` (2026-01-01 00:00 UTC, [run](${RUN_URL})) ended in **failure**: \`build failed; the previous checkout ${main[1]} was restored and rebuilt\`.`,
    )
  })

  it("reads what runs from each record's history: GitHub's own job deployment ending after ours and making it inactive hides nothing", async () => {
    const { gh, prs, main } = await setup()
    const ours = deployed(gh, main[2]!)
    // The job's own deployment (environment: catcolab-next) ends success after the step recorded ours.
    const job = gh.seedDeployment({ sha: main[2]!, environment: NEXT }, ['in_progress'])
    const ended = await fetch(`${gh.url}/repos/${REPO}/deployments/${job.id}/statuses`, {
      method: 'POST',
      headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'success' }),
    })
    expect(ended.status).toBe(201)
    expect(gh.latestState(ours.id)).toBe('inactive')
    // Then a deploy that failed, and one superseded before it ended.
    deployed(gh, main[1]!, ['in_progress', 'failure'])
    deployed(gh, main[0]!, ['in_progress', 'inactive'])
    gh.requests.length = 0
    prs.addPull({ number: 8, headSha: prs.commit([main[2]!]) })
    const run = await report({ 'pr-number': '8' })
    expect(run.code, run.log).toBe(0)
    expect(run.outputs['backend-sha']).toBe(main[2])
    const body = bodyOf(prs, 8)
    expect(body).toContain(`which runs [\`${main[2]!.slice(0, 12)}\`]`)
    expect(body).toContain(`> A later deploy to \`${NEXT}\` of \`${main[1]!.slice(0, 12)}\``)
    expect(body).toContain('ended in **failure**')
    // Each of ours, newest first, down to the one that succeeded: one history read each.
    expect(gh.calls().filter((c) => c.includes('/statuses'))).toHaveLength(3)
  })

  it('makes no comment on a closed pull request', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 5, headSha: main[2]!, state: 'closed' })
    const run = await report({ 'pr-number': '5' })
    expect(run.code, run.log).toBe(0)
    expect(run.log).toContain('#5 is closed: no comment')
    expect(prs.comments).toEqual([])
  })

  it('two runs at once leave one comment', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 12, headSha: prs.commit([main[2]!]) })
    const runs = await Promise.all([report({ 'pr-number': '12' }), report({ 'pr-number': '12' }), report({ 'pr-number': '12' })])
    for (const run of runs) expect(run.code, run.log).toBe(0)
    expect(prs.commentsOn(12)).toHaveLength(1)
  })

  it('removes duplicates of its own left by an interrupted run, keeping the oldest', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 12, headSha: prs.commit([main[2]!]) })
    const [oldest, newer] = [1, 2].map(() => prs.addComment(12, `${MARKER}head=${'0'.repeat(40)} -->\nold`, 'github-actions[bot]'))
    const run = await report({ 'pr-number': '12' })
    expect(run.code, run.log).toBe(0)
    expect(prs.commentsOn(12).map((c) => c.id)).toEqual([oldest!.id])
    expect(gh.calls().filter((c) => !c.startsWith('GET'))).toEqual([`DELETE ~/issues/comments/${newer!.id}`, `PATCH ~/issues/comments/${oldest!.id}`])
  })
})

describe('every open pull request (pr-number: all)', () => {
  it('comments on each open pull request but a locked one, edits them after a deploy from what they hold, then writes nothing', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    for (let i = 0; i < 3; i++) prs.addPull({ headSha: prs.commit([main[2]!]), files: i === 1 ? [{ filename: 'packages/backend/src/a.rs', status: 'modified' }] : [] })
    prs.addPull({ number: 4, headSha: prs.commit([main[2]!]), locked: true })
    prs.addPull({ headSha: main[2]!, state: 'closed' })
    const first = await report({ 'pr-number': 'all' })
    expect(first.code, first.log).toBe(0)
    expect(first.log).toContain('reported on 3 of 4 open pull requests (1 locked, skipped)')
    expect(notices(first.log)).toEqual(["::notice::#4 is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)"])
    expect(gh.calls().filter((c) => /\/(issues|pulls)\/4\b/.test(c))).toEqual([])
    expect(gh.calls().filter((c) => c.startsWith('POST'))).toEqual(['POST ~/issues/3/comments', 'POST ~/issues/2/comments', 'POST ~/issues/1/comments'])
    expect(first.outputs['comment-url']).toBeUndefined()
    expect(requestsLogged(first.log)).toBe(gh.requests.length)

    // The next deploy runs #1's head: every comment is edited (writes 1 s apart), and the files
    // come from the comments, for the heads have not moved.
    deployed(gh, prs.pulls[0]!.headSha, undefined, 'feature-1')
    let before = gh.requests.length
    const second = await report({ 'pr-number': 'all' })
    expect(second.code, second.log).toBe(0)
    const calls = gh.calls().slice(before)
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual(prs.comments.map((c) => `PATCH ~/issues/comments/${c.id}`))
    expect(calls.filter((c) => c.includes('/files'))).toEqual([])
    expect(bodyOf(prs, 1)).toContain("✅ The backend runs this pull request's head.")
    expect(bodyOf(prs, 2)).toContain('- **Backend changes:** 1 file.')
    expect(requestsLogged(second.log)).toBe(gh.requests.length - before)

    before = gh.requests.length
    const third = await report({ 'pr-number': 'all' })
    expect(third.code, third.log).toBe(0)
    expect(
      gh
        .calls()
        .slice(before)
        .filter((c) => !c.startsWith('GET') || c.includes('/files')),
    ).toEqual([])
    expect(warnings(first.log + second.log + third.log)).toEqual([])
  }, 60_000)

  it('refreshes 101 pull requests (two pages of the list) reading no file list for the heads that did not move, and at most 30 pages for one that did', async () => {
    const { gh, prs, main } = await setup()
    const deployment = deployed(gh, main[2]!)
    // Comments as an earlier refresh wrote them, with the default inputs.
    const inputs = runnerEnv({ command: 'pr-report', environment: NEXT }, { GITHUB_TOKEN: gh.token })
    const settings = parseSettings((name) => inputs[`INPUT_${name.toUpperCase()}`] ?? '', { actor: '', runUrl: '' }) as PrReportSettings
    const none = { backendFiles: [], backendFileCount: 0, addedMigrations: [], addedMigrationCount: 0, incomplete: false }
    const written = (headSha: string) =>
      renderComment({
        environment: NEXT,
        backendUrl: settings.backendUrl,
        repositoryUrl: `https://github.com/${REPO}`,
        pullRequest: { headSha, baseRef: 'main' },
        deployed: { sha: main[2]!, at: deployment.statuses.at(-1)!.created_at, runUrl: RUN_URL, base: { status: 'identical' }, thisPullRequest: null },
        later: null,
        files: none,
        filesKey: filesKey(settings),
      })
    const P = 101
    for (let i = 0; i < P; i++) {
      const pr = prs.addPull({ headSha: prs.commit([main[2]!]) })
      prs.addComment(pr.number, written(pr.headSha), 'github-actions[bot]')
    }
    // Two pushed to since: one small, one with 3,050 files (GitHub lists the first 3,000).
    const [pushed, huge] = [prs.pulls[10]!, prs.pulls[60]!]
    pushed.headSha = prs.commit([pushed.headSha])
    pushed.files = [{ filename: 'packages/backend/src/a.rs', status: 'modified' }]
    huge.headSha = prs.commit([huge.headSha])
    huge.files = Array.from({ length: 3050 }, (_, i) => ({ filename: `packages/backend/src/f${i}.rs`, status: 'added' }))

    const run = await report({ 'pr-number': 'all' })
    expect(run.code, run.log).toBe(0)
    const calls = gh.calls()
    expect(calls.filter((c) => c.startsWith('GET ~/pulls?'))).toEqual(['GET ~/pulls?state=open&per_page=100', 'GET ~/pulls?state=open&per_page=100&page=2'])
    expect(calls.filter((c) => c.includes('/files')).map((c) => c.replace(/\?.*/, ''))).toEqual([
      ...Array(30).fill(`GET ~/pulls/${huge.number}/files`),
      `GET ~/pulls/${pushed.number}/files`,
    ])
    expect(calls.filter((c) => /^GET ~\/pulls\/\d+$/.test(c))).toEqual([`GET ~/pulls/${huge.number}`, `GET ~/pulls/${pushed.number}`])
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual([huge, pushed].map((pr) => `PATCH ~/issues/comments/${prs.commentsOn(pr.number)[0]!.id}`))
    expect(calls.filter((c) => c.includes('/comments?'))).toHaveLength(P)
    expect(calls.filter((c) => c.includes('/compare/'))).toHaveLength(1)
    // What runs (the deployments, the history of the one that runs), the list, each pull request's
    // comments, one compare; and for each pushed one, a read of it, its files and one write.
    expect(calls).toHaveLength(2 + Math.ceil(P / 100) + P + 1 + (1 + 1 + 1) + (1 + 30 + 1))
    expect(requestsLogged(run.log)).toBe(calls.length)
    expect(bodyOf(prs, huge.number)).toContain('- **Backend changes:** 3000 files (of the first 3000 files GitHub lists).')
    expect(bodyOf(prs, pushed.number)).toContain('- **Backend changes:** 1 file.')
  }, 60_000)

  it('reads a pull request again when its comment was written for another head than the list shows', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    const pr = prs.addPull({ headSha: prs.commit([main[2]!]) })
    prs.addComment(pr.number, `${MARKER}head=${'0'.repeat(40)} -->\nold`, 'github-actions[bot]')
    const run = await report({ 'pr-number': 'all' })
    expect(run.code, run.log).toBe(0)
    expect(gh.calls()).toContain(`GET ~/pulls/${pr.number}`)
    expect(bodyOf(prs, pr.number)).toContain(`head=${pr.headSha}`)
  })

  it('goes on past a pull request it cannot comment on, warns, and fails at the end', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    for (let i = 0; i < 3; i++) prs.addPull({ headSha: prs.commit([main[2]!]) })
    gh.refuse(403, 'Resource not accessible by integration', (r) => r.method === 'POST' && r.path.endsWith('/issues/2/comments'))
    const run = await report({ 'pr-number': 'all' })
    expect(run.code).toBe(1)
    expect(warnings(run.log)).toEqual([
      '::warning::#2: could not comment on #2 (HTTP 403: Resource not accessible by integration: the job needs permissions: pull-requests: write)',
    ])
    expect(errorLine(run.log)).toBe('could not report on 1 of 3 open pull requests (#2): see the warnings above')
    expect([1, 2, 3].map((n) => prs.commentsOn(n).length)).toEqual([1, 0, 1])
  })
})

describe('locked pull requests', () => {
  it('makes no comment on a locked pull request, and ends successfully with a notice', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 7, headSha: prs.commit([main[2]!]), locked: true })
    const run = await report({ 'pr-number': '7' })
    expect(run.code, run.log).toBe(0)
    expect(notices(run.log)).toEqual(["::notice::#7 is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)"])
    expect(gh.calls().filter((c) => !c.startsWith('GET'))).toEqual([])
    expect(run.outputs['comment-url']).toBe('')
  })

  it("takes GitHub's 403 for a conversation locked after it was read as locked, for a new comment and for an edit", async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    const pr = prs.addPull({ number: 7, headSha: prs.commit([main[2]!]) })
    const old = prs.addComment(7, `${MARKER}head=${pr.headSha} -->\nold`, 'github-actions[bot]')
    prs.addPull({ number: 8, headSha: prs.commit([main[2]!]) })
    // Each is locked as its comments are read, after the list showed it unlocked: GitHub refuses
    // the new comment on #8 and the edit on #7 (the stand-in answers 403 as GitHub does).
    gh.refuse(0, '', (r) => {
      const number = /\/issues\/(\d+)\/comments$/.exec(r.path)?.[1]
      if (r.method === 'GET' && number) prs.pulls.find((p) => p.number === Number(number))!.locked = true
      return false
    })
    const run = await report({ 'pr-number': 'all' })
    expect(run.code, run.log).toBe(0)
    expect(notices(run.log)).toEqual([
      "::notice::#8 is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)",
      "::notice::#7 is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)",
    ])
    expect(gh.calls().filter((c) => !c.startsWith('GET'))).toEqual(['POST ~/issues/8/comments', `PATCH ~/issues/comments/${old.id}`])
    expect(prs.commentsOn(7)[0]!.body).toBe(old.body)
    expect(prs.commentsOn(8)).toEqual([])
  })
})

describe('when GitHub refuses or fails', () => {
  it('says which pull request it did not find (404)', async () => {
    await setup()
    const run = await report({ 'pr-number': '12' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe('could not read pull request #12 (HTTP 404: pull request #12 not found)')
  })

  it('says which permission is missing when it refuses the comment (403)', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 7, headSha: prs.commit([main[2]!]) })
    gh.refuse(403, 'Resource not accessible by integration', (r) => r.method === 'POST')
    const run = await report({ 'pr-number': '7' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe('could not comment on #7 (HTTP 403: Resource not accessible by integration: the job needs permissions: pull-requests: write)')
    expect(run.log).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('says which permission is missing when it refuses the deployments (403)', async () => {
    const { gh, prs, main } = await setup()
    prs.addPull({ number: 7, headSha: main[2]! })
    gh.refuse(403, 'Resource not accessible by integration', (r) => r.path.includes('/deployments'))
    const run = await report({ 'pr-number': '7' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe(
      `could not read the deployments of ${NEXT} (HTTP 403: Resource not accessible by integration: the job needs permissions: deployments: read)`,
    )
    expect(prs.comments).toEqual([])
  })

  it('retries a server error (500), then fails with one line, writing nothing', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 7, headSha: main[2]! })
    gh.refuse(500, 'Internal Server Error', (r) => r.path.endsWith('/files'))
    const run = await report({ 'pr-number': '7' })
    expect(run.code).toBe(1)
    expect(gh.calls().filter((c) => c.includes('/files'))).toHaveLength(4)
    expect(errorLine(run.log)).toBe('could not read the files of #7 (HTTP 500: Internal Server Error)')
    expect(run.log).not.toMatch(/\n\s+at /)
    expect(prs.comments).toEqual([])
  }, 60_000)

  it('recovers from a passing server error', async () => {
    const { gh, prs, main } = await setup()
    deployed(gh, main[2]!)
    prs.addPull({ number: 7, headSha: main[2]! })
    let failures = 1
    gh.refuse(502, 'Bad Gateway', (r) => r.method === 'POST' && failures-- > 0)
    const run = await report({ 'pr-number': '7' })
    expect(run.code, run.log).toBe(0)
    expect(prs.commentsOn(7)).toHaveLength(1)
  })
})

describe('inputs', () => {
  it('needs environment, and a pull request from the event or pr-number, but no host or key', async () => {
    await setup()
    const noEnvironment = await report({ environment: '', 'pr-number': '1' })
    expect(errorLine(noEnvironment.log)).toMatch(/^environment is required for command pr-report/)
    const noPullRequest = await report()
    expect(errorLine(noPullRequest.log)).toBe('pr-number is empty and the event has no pull request: pass a pull request number, or all')
    const badNumber = await report({ 'pr-number': '7; rm -rf /' })
    expect(errorLine(badNumber.log)).toBe('pr-number must be a pull request\'s number or "all", not "7; rm -rf /"')
    expect(api!.requests).toEqual([]) // each stopped before asking GitHub anything
  })

  it('refuses to run outside GitHub Actions, where GITHUB_REPOSITORY is not set, asking GitHub nothing', async () => {
    await setup()
    const run = await runAction(
      { command: 'pr-report', environment: NEXT, 'pr-number': '7' },
      { github: { GITHUB_API_URL: api!.url, GITHUB_TOKEN: api!.token, GITHUB_REPOSITORY: '' } },
    )
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe('GITHUB_REPOSITORY is not set, and command pr-report needs it: run in GitHub Actions, or set GITHUB_REPOSITORY to owner/name')
    expect(api!.requests).toEqual([])
  })
})
