// src/github.ts through real Octokit against the loopback stand-in for the GitHub REST API.
import { afterEach, expect, it } from 'vitest'
import { gitHubApi, apiErrorMessage, type GitHubApi } from '../src/github'
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
  expect(stand.calls()).toEqual([
    'GET ~/deployments?environment=catcolab-next&per_page=100',
    'GET ~/deployments?environment=catcolab-next&per_page=100&page=2',
  ])

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
