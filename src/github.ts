/**
 * The only module that talks to the GitHub REST API. The rest of the action asks it questions in
 * domain terms (deployments, their statuses, commit statuses; pull requests, their files and
 * comments); tests pass plain objects that implement GitHubApi. Octokit comes from
 * @actions/github, with the retry plugin (5xx and network errors) and the throttling plugin (rate
 * limits, and GitHub's advice to space writes: 1 s apart, 3 s for ones that notify, as comments do).
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { UserError } from './errors'

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
  /** A deployment's statuses, its history newest first, a page of 100 at a time as the caller reads on. */
  deploymentStatuses(id: number): AsyncIterable<DeploymentStatus>
  createCommitStatus(sha: string, status: NewCommitStatus): Promise<void>
}

export interface PullRequest {
  number: number
  state: string
  headSha: string
  /** The head branch's name, in headRepository. */
  headRef: string
  /** "owner/name" of the head branch's repository: a fork's for a fork's pull request; '' when that fork was deleted. */
  headRepository: string
  /** The branch it would merge into. */
  baseRef: string
  /** Its conversation is locked: GitHub refuses comments from the workflow's token (403). */
  locked: boolean
}

export interface PullRequestFile {
  path: string
  /** added, removed, modified, renamed, copied, changed or unchanged. */
  status: string
  /** The path before a rename or copy. */
  previousPath: string | null
}

/** How head relates to base: identical, ahead (head contains base), behind, or diverged. */
export interface Comparison {
  status: 'identical' | 'ahead' | 'behind' | 'diverged'
  /** Commits in head that base lacks. */
  aheadBy: number
  /** Commits in base that head lacks. */
  behindBy: number
}

export interface IssueComment {
  id: number
  body: string
  author: string
  url: string
}

/** Pull requests and their comments, for the pr-report command. */
export interface PullRequestApi {
  /**
   * The token's user; null for installation tokens (the workflow's GITHUB_TOKEN, a GitHub App's),
   * for which GitHub refuses to say: asked only when the token is not one (see INSTALLATION_TOKEN).
   */
  tokenLogin(): Promise<string | null>
  pullRequest(number: number): Promise<PullRequest>
  /** Open pull requests, a page of 100 at a time. */
  openPullRequests(): AsyncIterable<PullRequest>
  /** The files a pull request changes, a page of 100 at a time (GitHub lists at most 3000). */
  pullRequestFiles(number: number): AsyncIterable<PullRequestFile>
  /** base...head, where base is a branch name and head a commit. */
  compare(base: string, head: string): Promise<Comparison>
  /** An issue's or pull request's comments, oldest first, a page of 100 at a time. */
  comments(issue: number): AsyncIterable<IssueComment>
  createComment(issue: number, body: string): Promise<IssueComment>
  updateComment(id: number, body: string): Promise<IssueComment>
  deleteComment(id: number): Promise<void>
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

/** How many HTTP requests the client made so far, retries included: what GitHub's rate limit counts. */
export interface RequestCount {
  requestCount(): number
}

/**
 * GitHub's documented prefix of installation access tokens (the workflow's GITHUB_TOKEN, a GitHub
 * App's). GET /user always answers 403 for them, so it is not asked.
 */
const INSTALLATION_TOKEN = /^ghs_/

/** Rate-limit waits the client accepts: longer is not worth it for a record or a comment. */
export const MAX_RATE_LIMIT_WAIT_S = 60
/**
 * One call, retries and an accepted rate-limit wait included, may take this long: a hung API must
 * never hold a deploy, and a wait the client accepts must fit (the retry follows the wait).
 */
export const REQUEST_TIMEOUT_MS = (MAX_RATE_LIMIT_WAIT_S + 30) * 1000
/** Not retried on failure: plugin-retry's list, plus 429, which throttling waits out as GitHub says. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]

export function gitHubApi(options: GitHubOptions): GitHubApi & PullRequestApi & RequestCount {
  const [owner = '', repo = ''] = options.repository.split('/')
  const onLimit = (kind: 'primary' | 'secondary') => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const retrying = retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S
    const at = new Date(Date.now() + retryAfter * 1000).toISOString().slice(11, 19)
    const what =
      kind === 'primary'
        ? `GitHub's rate limit for this token is used up until ${at} UTC (${retryAfter} s)`
        : `GitHub's secondary rate limit asks to wait ${retryAfter} s (until ${at} UTC)`
    const then = retrying
      ? 'waits, then retries'
      : retryCount > 0
        ? 'gives up: the limit was hit again after its wait'
        : `gives up: that is longer than ${MAX_RATE_LIMIT_WAIT_S} s`
    // The URL is Octokit's route template (/repos/{owner}/{repo}/…): which call, not which values.
    options.warn(`${what}: ${request.method} ${pathOf(request.url)} ${then}`)
    return retrying
  }
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      retry: { doNotRetry: DO_NOT_RETRY },
      throttle: {
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
    },
    retry,
    throttling,
  )
  // Registered after the plugins, this wrap runs outside them: the deadline covers retries and
  // rate-limit waits, and the count every request a call makes. Every hook of a call is handed
  // the same options object (before-after-hook binds it; what a hook passes to request() reaches
  // none of the hooks inside it), so both go into that object, as a new request object: the one
  // there may be Octokit's defaults.
  let requests = 0
  octokit.hook.wrap('request', (request, endpoint) => {
    const fetch = (endpoint.request?.fetch as typeof globalThis.fetch | undefined) ?? globalThis.fetch
    const counted: typeof globalThis.fetch = (...args) => {
      requests++
      return fetch(...args)
    }
    const deadline = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    endpoint.request = { ...endpoint.request, fetch: counted, signal: deadline }
    // At the deadline the call fails at once: plugin-retry would otherwise retry the aborted
    // request with its backoff (14 s more), each try aborted as it starts.
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`GitHub did not answer ${endpoint.method} ${pathOf(endpoint.url)} within ${REQUEST_TIMEOUT_MS / 1000} s`)),
        REQUEST_TIMEOUT_MS,
      )
    })
    return Promise.race([request(endpoint), late]).finally(() => clearTimeout(timer))
  })
  const repository = { owner, repo }

  return {
    requestCount: () => requests,

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
      return data[0] ? deploymentStatusOf(data[0]) : null
    },

    async *deploymentStatuses(id) {
      const pages = octokit.paginate.iterator(octokit.rest.repos.listDeploymentStatuses, { ...repository, deployment_id: id, per_page: 100 })
      for await (const page of pages) yield* page.data.map(deploymentStatusOf)
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

    async tokenLogin() {
      if (INSTALLATION_TOKEN.test(options.token)) return null
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login
      } catch (error) {
        if ((error as { status?: unknown }).status === 403) return null
        throw error
      }
    },

    async pullRequest(number) {
      return pullRequestOf((await octokit.rest.pulls.get({ ...repository, pull_number: number })).data)
    },

    async *openPullRequests() {
      const pages = octokit.paginate.iterator(octokit.rest.pulls.list, { ...repository, state: 'open', per_page: 100 })
      for await (const page of pages) yield* page.data.map(pullRequestOf)
    },

    async *pullRequestFiles(number) {
      const pages = octokit.paginate.iterator(octokit.rest.pulls.listFiles, { ...repository, pull_number: number, per_page: 100 })
      for await (const page of pages) {
        for (const f of page.data) yield { path: f.filename, status: f.status, previousPath: f.previous_filename ?? null }
      }
    },

    async compare(base, head) {
      // One commit per page: only the counts are wanted, not the commit list.
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repository, basehead: `${base}...${head}`, per_page: 1 })
      return { status: data.status, aheadBy: data.ahead_by, behindBy: data.behind_by }
    },

    async *comments(issue) {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repository, issue_number: issue, per_page: 100 })
      for await (const page of pages) yield* page.data.map(commentOf)
    },

    async createComment(issue, body) {
      return commentOf((await octokit.rest.issues.createComment({ ...repository, issue_number: issue, body })).data)
    },

    async updateComment(id, body) {
      return commentOf((await octokit.rest.issues.updateComment({ ...repository, comment_id: id, body })).data)
    },

    async deleteComment(id) {
      await octokit.rest.issues.deleteComment({ ...repository, comment_id: id })
    },
  }
}

function deploymentStatusOf(status: {
  state: DeploymentState
  description?: string | null
  log_url?: string
  environment_url?: string
  created_at: string
}): DeploymentStatus {
  return {
    state: status.state,
    description: status.description ?? '',
    logUrl: status.log_url ?? '',
    environmentUrl: status.environment_url ?? '',
    createdAt: status.created_at,
  }
}

interface PullRequestData {
  number: number
  state: string
  locked: boolean
  head: { sha: string; ref: string; repo: { full_name: string } | null }
  base: { ref: string }
}

function pullRequestOf(pr: PullRequestData): PullRequest {
  return {
    number: pr.number,
    state: pr.state,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    headRepository: pr.head.repo?.full_name ?? '',
    baseRef: pr.base.ref,
    locked: pr.locked,
  }
}

function commentOf(comment: { id: number; body?: string; user: { login: string } | null; html_url: string }): IssueComment {
  return { id: comment.id, body: comment.body ?? '', author: comment.user?.login ?? '', url: comment.html_url }
}

/** The API path of a request URL, without the host and query: what a message names. */
function pathOf(url: string): string {
  return URL.canParse(url) ? new URL(url).pathname : url.split('?')[0]!
}

export interface ErrorParts {
  status: number | null
  message: string
  headers: Record<string, string | undefined>
  request: { method?: string; url?: string }
}

export function partsOf(error: unknown): ErrorParts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown
    response?: { headers?: unknown; data?: unknown }
    request?: { method?: string; url?: string }
  }
  const data = (e.response?.data ?? {}) as { message?: unknown; errors?: unknown }
  // A validation error's reasons are in GitHub's errors array; Octokit would show them as JSON.
  const reasons = Array.isArray(data.errors) ? data.errors.map((r: { message?: unknown }) => r?.message).filter((m): m is string => typeof m === 'string') : []
  const message =
    typeof data.message === 'string' && reasons.length > 0
      ? `${data.message}: ${reasons.join('; ')}`
      : // Octokit appends the docs URL: the first line, without it.
        (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/ - https:\/\/docs\.github\.com\S*$/, '')
  return {
    status: typeof e.status === 'number' ? e.status : null,
    message: message.replace(/\p{Cc}+/gu, ' '),
    headers: (e.response?.headers ?? {}) as Record<string, string | undefined>,
    request: e.request ?? {},
  }
}

/** What a rate-limit answer says about waiting; null when the answer is no rate limit. */
export function rateLimitOf(error: unknown): string | null {
  const { status, message, headers } = partsOf(error)
  if (status !== 403 && status !== 429) return null
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset'])
    const at = Number.isFinite(reset) && reset > 0 ? ` at ${new Date(reset * 1000).toISOString().slice(11, 19)} UTC` : ''
    return `GitHub's rate limit for this token is used up and resets${at || ' within the hour'}: run again after that`
  }
  if (/\bsecondary rate limit\b/i.test(message) || headers['retry-after'] !== undefined) {
    const after = headers['retry-after'] ? ` GitHub asked to wait ${headers['retry-after']} s;` : ''
    return `GitHub's secondary rate limit (too many requests at once):${after} run again in a few minutes`
  }
  return null
}

/**
 * One line for a failed call: the HTTP status and GitHub's message, and what to do about the usual
 * ones. Only GitHub's "not accessible" 403 means a missing permission; a 404 names what GitHub
 * did not find (`missing`, else the call), which for a private repository may also be what the
 * token may not see.
 */
export function apiErrorMessage(error: unknown, permission: string, level: 'read' | 'write' = 'write', missing?: string): string {
  const { status, message, request } = partsOf(error)
  if (status === null) return message
  const limit = rateLimitOf(error)
  if (limit) return `HTTP ${status}: ${message}: ${limit}`
  if (status === 401) return `HTTP 401: ${message}: github-token is not a valid token`
  if (status === 403 && /resource not accessible by integration/i.test(message)) return `HTTP 403: ${message}: the job needs permissions: ${permission}: ${level}`
  if (status === 403 && /resource not accessible by personal access token/i.test(message))
    return `HTTP 403: ${message}: github-token needs the ${permission} permission (${level})`
  if (status === 404 && missing) return `HTTP 404: ${missing} not found`
  if (status === 404) {
    const what = request.url ? `${request.method ?? 'GET'} ${pathOf(request.url)}` : 'what was asked for'
    return `HTTP 404: ${message}: GitHub found nothing at ${what} (or github-token may not see it)`
  }
  return `HTTP ${status}: ${message}`
}

/** What a call needs, for the line that says why it failed. */
export interface Access {
  permission: 'pull-requests' | 'deployments' | 'contents'
  level: 'read' | 'write'
  /** What an HTTP 404 means was not found, e.g. "pull request #12". */
  missing: string
}

/** What a call about one pull request (or its comments) needs. */
export function pullRequestAccess(number: number, level: 'read' | 'write'): Access {
  return { permission: 'pull-requests', level, missing: `pull request #${number}` }
}

/**
 * Runs the calls of one step; a failure becomes one UserError line saying what could not be done
 * and why (apiErrorMessage): "could not <what> (HTTP 403: …)". A UserError passes through as it is.
 */
export async function apiStep<T>(what: string, access: Access, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`could not ${what} (${apiErrorMessage(error, access.permission, access.level, access.missing)})`)
  }
}
