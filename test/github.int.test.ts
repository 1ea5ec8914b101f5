// src/github.ts through real Octokit against the loopback stand-in for the GitHub REST API.
import { afterEach, describe, expect, it } from 'vitest'
import { apiErrorMessage, gitHubApi, MAX_RATE_LIMIT_WAIT_S, REQUEST_TIMEOUT_MS, type GitHubApi } from '../src/github'
import { startGitHubApi, type GitHubStandIn } from './github-api'

const SHA = 'a'.repeat(40)
let api: GitHubStandIn | undefined

afterEach(async () => {
  await api?.close()
  api = undefined
})

async function connect(): Promise<{ github: GitHubApi; stand: GitHubStandIn; warnings: string[] }> {
  api = await startGitHubApi()
  const warnings: string[] = []
  const github = gitHubApi({ token: api.token, repository: api.repository, baseUrl: api.url, warn: (m) => warnings.push(m) })
  return { github, stand: api, warnings }
}

it('creates a deployment of exactly the commit, never auto-merged, whatever the checks', async () => {
  const { github, stand } = await connect()
  // A pending check on the commit: GitHub would refuse the deployment without required_contexts.
  stand.commitStatuses.push({ id: 99, sha: SHA, state: 'pending', context: 'ci', description: '', target_url: '', created_at: '' })
  const id = await github.createDeployment({ sha: SHA, environment: 'catcolab', production: true, description: 'v1.2.3 to catcolab', payload: { x: 1 } })
  expect(stand.calls()).toEqual(['POST ~/deployments'])
  expect(stand.requests[0]!.body).toEqual({
    ref: SHA,
    task: 'deploy',
    auto_merge: false,
    required_contexts: [],
    environment: 'catcolab',
    production_environment: true,
    transient_environment: false,
    description: 'v1.2.3 to catcolab',
    payload: { x: 1 },
  })
  expect(stand.deployments[0]).toMatchObject({ id, sha: SHA, environment: 'catcolab', production_environment: true })
})

it('lets only a success status make earlier deployments inactive', async () => {
  const { github, stand } = await connect()
  const earlier = stand.seedDeployment({ sha: SHA, environment: 'catcolab-next' }, ['success'])
  const id = await github.createDeployment({ sha: SHA, environment: 'catcolab-next', production: false, description: '', payload: {} })
  await github.setDeploymentStatus(id, { state: 'in_progress', description: 'deploying', logUrl: 'https://run', environmentUrl: 'https://env' })
  expect(stand.requests.at(-1)!.body).toEqual({
    state: 'in_progress',
    description: 'deploying',
    log_url: 'https://run',
    environment_url: 'https://env',
    auto_inactive: false,
  })
  expect(stand.latestState(earlier.id)).toBe('success')
  await github.setDeploymentStatus(id, { state: 'success', description: 'deployed' })
  expect(stand.requests.at(-1)!.body).toMatchObject({ state: 'success', auto_inactive: true })
  expect(stand.latestState(earlier.id)).toBe('inactive')
  expect(await github.latestDeploymentStatus(id)).toMatchObject({ state: 'success', description: 'deployed' })
  expect(await github.latestDeploymentStatus(earlier.id)).toMatchObject({ state: 'inactive' })
})

it('reads deployments newest first, one page of 100 at a time, only as far as the caller reads', async () => {
  const { github, stand } = await connect()
  for (let i = 0; i < 250; i++) stand.seedDeployment({ sha: SHA, environment: i % 2 ? 'catcolab-next' : 'catcolab' })
  const ids: number[] = []
  for await (const d of github.deployments('catcolab-next')) ids.push(d.id)
  expect(ids).toHaveLength(125)
  expect(ids).toEqual([...ids].sort((a, b) => b - a))
  expect(stand.calls()).toEqual(['GET ~/deployments?environment=catcolab-next&per_page=100', 'GET ~/deployments?environment=catcolab-next&per_page=100&page=2'])

  const before = stand.requests.length
  for await (const d of github.deployments('catcolab')) if (d.id < 400) break
  expect(stand.requests.length - before).toBe(1)
})

it("reads a deployment's status history newest first, 100 a page", async () => {
  const { github, stand } = await connect()
  const d = stand.seedDeployment({ sha: SHA, environment: 'catcolab-next' }, ['in_progress', 'success', 'inactive'])
  const states: string[] = []
  for await (const status of github.deploymentStatuses(d.id)) states.push(status.state)
  expect(states).toEqual(['inactive', 'success', 'in_progress'])
  expect(stand.calls()).toEqual([`GET ~/deployments/${d.id}/statuses?per_page=100`])
})

it('retries a server error, and gives up on a refusal at once', async () => {
  const { github, stand } = await connect()
  let failures = 1
  stand.refuse(502, 'Server Error', () => failures-- > 0)
  await github.createCommitStatus(SHA, { state: 'pending', context: 'deploy / catcolab-next', description: 'deploying' })
  expect(stand.calls()).toEqual([`POST ~/statuses/${SHA}`, `POST ~/statuses/${SHA}`])
  expect(stand.commitStatuses).toMatchObject([{ sha: SHA, state: 'pending', context: 'deploy / catcolab-next' }])

  stand.refuse(403, 'Resource not accessible by integration')
  const refused = await github.createDeployment({ sha: SHA, environment: 'e', production: false, description: '', payload: {} }).catch((e: unknown) => e)
  expect(stand.calls().filter((c) => c === 'POST ~/deployments')).toHaveLength(1)
  expect(apiErrorMessage(refused, 'deployments')).toBe('HTTP 403: Resource not accessible by integration: the job needs permissions: deployments: write')
})

it('says which token problem it is', async () => {
  const { stand } = await connect()
  const wrong = gitHubApi({ token: 'not-the-token', repository: stand.repository, baseUrl: stand.url, warn: () => {} })
  const error = await wrong.latestDeploymentStatus(1).catch((e: unknown) => e)
  expect(apiErrorMessage(error, 'deployments')).toBe('HTTP 401: Bad credentials: github-token is not a valid token')
})

describe('rate limits', () => {
  const status = { state: 'pending', context: 'deploy / catcolab-next', description: 'deploying' } as const
  const clock = /\d\d:\d\d:\d\d UTC/

  it.each([403, 429] as const)('waits out a primary limit that resets soon, saying until when, then goes on (%i)', async (code) => {
    const { github, stand, warnings } = await connect()
    stand.rateLimit({ kind: 'primary', status: code, resetIn: 1 })
    await github.createCommitStatus(SHA, status)
    expect(stand.calls()).toEqual([`POST ~/statuses/${SHA}`, `POST ~/statuses/${SHA}`])
    expect(stand.requests[1]!.at - stand.requests[0]!.at).toBeGreaterThanOrEqual(1000)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      new RegExp(
        `^GitHub's rate limit for this token is used up until ${clock.source} \\(\\d s\\): POST /repos/\\{owner\\}/\\{repo\\}/statuses/\\{sha\\} waits, then retries$`,
      ),
    )
    expect(stand.commitStatuses).toHaveLength(1)
  })

  it.each([403, 429] as const)('waits out a secondary limit for its retry-after, sending nothing meanwhile (%i)', async (code) => {
    const { github, stand, warnings } = await connect()
    stand.rateLimit({ kind: 'secondary', status: code, retryAfter: 2 })
    await github.createCommitStatus(SHA, status)
    // One wait of retry-after, no quick retries in between (plugin-retry leaves 429 to throttling).
    expect(stand.calls()).toEqual([`POST ~/statuses/${SHA}`, `POST ~/statuses/${SHA}`])
    expect(stand.requests[1]!.at - stand.requests[0]!.at).toBeGreaterThanOrEqual(2000)
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^GitHub's secondary rate limit asks to wait 2 s \\(until ${clock.source}\\): POST /repos/\\S+ waits, then retries$`)),
    ])
  })

  it('gives up at once on a limit that resets later than it waits, saying when it resets', async () => {
    const { github, stand, warnings } = await connect()
    stand.rateLimit({ kind: 'primary', resetIn: 1800 })
    const error = await github.createCommitStatus(SHA, status).catch((e: unknown) => e)
    expect(stand.calls()).toHaveLength(1)
    expect(warnings).toEqual([expect.stringMatching(/: POST \S+ gives up: that is longer than 60 s$/)])
    const reset = new Date(Number(stand.requests.length && Math.floor(stand.requests[0]!.at / 1000) + 1800) * 1000).toISOString().slice(11, 19)
    expect(apiErrorMessage(error, 'statuses')).toBe(
      `HTTP 403: API rate limit exceeded for installation ID 4242.: GitHub's rate limit for this token is used up and resets at ${reset} UTC: run again after that`,
    )
  })

  it('gives up when the limit is hit again after its wait', async () => {
    const { github, stand, warnings } = await connect()
    stand.rateLimit({ kind: 'secondary', retryAfter: 1, times: 2 })
    const error = await github.createCommitStatus(SHA, status).catch((e: unknown) => e)
    expect(stand.calls()).toHaveLength(2)
    expect(warnings[1]).toMatch(/gives up: the limit was hit again after its wait$/)
    expect(apiErrorMessage(error, 'statuses')).toMatch(
      /^HTTP 403: You have exceeded a secondary rate limit\. .*: GitHub's secondary rate limit \(too many requests at once\): GitHub asked to wait 1 s; run again in a few minutes$/,
    )
  })

  it('accepts only waits that fit inside the per-call deadline, with room for the call after the wait', () => {
    expect(MAX_RATE_LIMIT_WAIT_S * 1000 + 20_000).toBeLessThanOrEqual(REQUEST_TIMEOUT_MS)
  })
})

it('says "needs permissions" only for the refusal that means it; other 403s and 404s say what they are', async () => {
  const { github, stand } = await connect()
  stand.refuse(403, 'Unable to create comment because issue is locked.', (r) => r.path.endsWith('/statuses/' + SHA))
  const locked = await github.createCommitStatus(SHA, { state: 'pending', context: 'c', description: '' }).catch((e: unknown) => e)
  expect(apiErrorMessage(locked, 'statuses')).toBe('HTTP 403: Unable to create comment because issue is locked.')
  const missing = await github.latestDeploymentStatus(999).catch((e: unknown) => e)
  expect(apiErrorMessage(missing, 'deployments', 'read')).toBe(
    'HTTP 404: Not Found: GitHub found nothing at GET /repos/ToposInstitute/CatColab/deployments/999/statuses (or github-token may not see it)',
  )
  stand.refuse(403, 'Resource not accessible by personal access token')
  const pat = await github.latestDeploymentStatus(1).catch((e: unknown) => e)
  expect(apiErrorMessage(pat, 'deployments', 'read')).toBe(
    'HTTP 403: Resource not accessible by personal access token: github-token needs the deployments permission (read)',
  )
})

it('counts every request it makes, retries included', async () => {
  const { github, stand } = await connect()
  const counting = github as typeof github & { requestCount(): number }
  for (let i = 0; i < 150; i++) stand.seedDeployment({ sha: SHA, environment: 'catcolab-next' })
  for await (const _ of github.deployments('catcolab-next')) void _
  expect(counting.requestCount()).toBe(2)
  let failures = 1
  stand.refuse(502, 'Server Error', () => failures-- > 0)
  await github.createCommitStatus(SHA, { state: 'pending', context: 'deploy / catcolab-next', description: 'deploying' })
  expect(counting.requestCount()).toBe(stand.requests.length)
  expect(stand.requests.length).toBe(4)
})
