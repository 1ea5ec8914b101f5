/**
 * The only module that talks to the GitHub REST API. The rest of the action asks it questions in
 * domain terms (deployments, their statuses, commit statuses); tests pass plain objects that
 * implement GitHubApi. Octokit comes from @actions/github, with the retry plugin (5xx and
 * network errors) and the throttling plugin (rate limits, and GitHub's advice to space writes).
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success'
export type CommitState = 'error' | 'failure' | 'pending' | 'success'

export interface NewDeployment {
  /** A full commit sha: given a name, GitHub would resolve it itself, maybe to another commit. */
  sha: string
  environment: string
  production: boolean
  description: string
  payload: Record<string, unknown>
}

export interface Deployment {
  id: number
  sha: string
  environment: string
  createdAt: string
  /** As stored: an object for the deployments this action makes, often '' or {} for others. */
  payload: unknown
}

export interface DeploymentStatus {
  state: DeploymentState
  description: string
  logUrl: string
  environmentUrl: string
  createdAt: string
}

export interface NewDeploymentStatus {
  state: DeploymentState
  description: string
  logUrl?: string
  environmentUrl?: string
}

export interface NewCommitStatus {
  state: CommitState
  context: string
  description: string
  targetUrl?: string
}

export interface GitHubApi {
  /** Creates a deployment for task "deploy"; returns its id. */
  createDeployment(deployment: NewDeployment): Promise<number>
  setDeploymentStatus(id: number, status: NewDeploymentStatus): Promise<void>
  /** The environment's deployments, newest first, fetched a page at a time as the caller reads on. */
  deployments(environment: string): AsyncIterable<Deployment>
  latestDeploymentStatus(id: number): Promise<DeploymentStatus | null>
  createCommitStatus(sha: string, status: NewCommitStatus): Promise<void>
}

export interface GitHubOptions {
  token: string
  /** "owner/name" */
  repository: string
  /** GITHUB_API_URL: https://api.github.com, or a GitHub Enterprise Server's API. */
  baseUrl: string
  /** Where rate-limit notices go. */
  warn(message: string): void
}

/** One call, retries included, may take this long: a hung API must never hold a deploy. */
const REQUEST_TIMEOUT_MS = 30_000
/** Waiting longer than this for a rate limit to reset is not worth it for a record. */
const MAX_RATE_LIMIT_WAIT_S = 60

export function gitHubApi(options: GitHubOptions): GitHubApi {
  const [owner = '', repo = ''] = options.repository.split('/')
  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retrying = retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S
    options.warn(`GitHub ${kind} hit by ${request.method} ${request.url}; ${retrying ? `retrying in ${retryAfter} s` : 'giving up'}`)
    return retrying
  }
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      throttle: { onRateLimit: onLimit('rate limit'), onSecondaryRateLimit: onLimit('secondary rate limit') },
    },
    retry,
    throttling,
  )
  // Wraps the plugins (hooks registered later run outside earlier ones), so the bound covers retries.
  octokit.hook.wrap('request', (request, endpoint) =>
    request({ ...endpoint, request: { ...endpoint.request, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } }),
  )
  const repository = { owner, repo }

  return {
    async createDeployment(deployment) {
      const response = await octokit.rest.repos.createDeployment({
        ...repository,
        ref: deployment.sha,
        task: 'deploy',
        // Never merge the default branch into the ref: deploy exactly this commit.
        auto_merge: false,
        // Omitted, GitHub refuses while any of the commit's checks is pending or failed.
        required_contexts: [],
        environment: deployment.environment,
        production_environment: deployment.production,
        transient_environment: false,
        description: deployment.description,
        payload: deployment.payload,
      })
      // 202 carries a message instead of a deployment (an auto-merge happened): not with auto_merge false.
      if (!('id' in response.data)) throw new Error(`GitHub created no deployment: ${response.data.message ?? response.status}`)
      return response.data.id
    },

    async setDeploymentStatus(id, status) {
      await octokit.rest.repos.createDeploymentStatus({
        ...repository,
        deployment_id: id,
        state: status.state,
        description: status.description,
        log_url: status.logUrl,
        environment_url: status.environmentUrl,
        // GitHub's default (true) would make the previous success inactive as soon as a new deploy
        // is merely in progress, leaving no record of what runs if it then fails.
        auto_inactive: status.state === 'success',
      })
    },

    async *deployments(environment) {
      const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, { ...repository, environment, per_page: 100 })
      for await (const page of pages) {
        for (const d of page.data) {
          yield { id: d.id, sha: d.sha, environment: d.environment ?? '', createdAt: d.created_at, payload: d.payload }
        }
      }
    },

    async latestDeploymentStatus(id) {
      // Statuses come newest first.
      const { data } = await octokit.rest.repos.listDeploymentStatuses({ ...repository, deployment_id: id, per_page: 1 })
      const status = data[0]
      if (!status) return null
      return {
        state: status.state,
        description: status.description ?? '',
        logUrl: status.log_url ?? '',
        environmentUrl: status.environment_url ?? '',
        createdAt: status.created_at,
      }
    },

    async createCommitStatus(sha, status) {
      await octokit.rest.repos.createCommitStatus({
        ...repository,
        sha,
        state: status.state,
        context: status.context,
        description: status.description,
        target_url: status.targetUrl,
      })
    },
  }
}

/** One line for a failed call: the HTTP status and GitHub's message, and what to do about the usual ones. */
export function apiErrorMessage(error: unknown, permission: string): string {
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : null
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/ - https:\/\/docs\.github\.com\S*$/, '')
  if (status === 401) return `HTTP 401: ${message}: github-token is not a valid token`
  if (status === 403 || status === 404) return `HTTP ${status}: ${message}: the job needs permissions: ${permission}: write`
  return status ? `HTTP ${status}: ${message}` : message
}
