// A stand-in for the GitHub REST API on loopback, for GITHUB_API_URL: it answers like GitHub for
// the endpoints the action uses (deployments, deployment statuses, commit statuses), keeps what
// was created, records every request, and can be told to refuse. Other features add endpoints
// with route(). What GitHub does and the stand-in mimics:
// - auth: "Authorization: token <t>" (or Bearer) must carry the token, else 401 Bad credentials;
// - errors: JSON { message, documentation_url, status }, as Octokit's RequestError expects, and
//   for a field GitHub refuses (422) errors: [{ resource, code, field, message }];
// - lists: newest first, per_page (default 30, at most 100) and page, with a Link header whose
//   URLs name the repository by id (/repositories/<id>/…), as GitHub's do; those paths answer too;
// - rate limits, on demand (rateLimit()): the primary limit (403 or 429, x-ratelimit-remaining: 0
//   and x-ratelimit-reset) and secondary limits (403 or 429, GitHub's message, often retry-after);
// - a job that names an `environment:` gets a deployment of GitHub's own (startJob()), set to
//   success when the job ends (endJob()), with the auto-inactivation below;
// - creating a deployment without required_contexts is refused (409) while any commit status
//   context of the commit is not success; ref must name a commit (a full sha, or a ref in refs);
// - a success deployment status with auto_inactive (the default) adds an inactive status to the
//   environment's other deployments whose latest status is success, unless production or
//   transient: whichever success comes last wins, so the job's deployment, made when the job
//   started but ended after the action's record, makes that record inactive;
// - status descriptions longer than 140 characters are refused (422).
// Releases and git refs, backed by a real git repository, are added by addReleases() below, with
// GitHub's rule for workflow files: a GitHub App's token without the `workflows` permission (the
// workflow's own token, which no `permissions:` can grant it) may not update a ref so that its
// .github/workflows changes (git push: "refusing to allow a GitHub App to create or update
// workflow ... without `workflows` permission"; the REST API: 403 Resource not accessible by
// integration). The stand-in's token is such a token; userTokens are a user's, who may.
// Replies have the fields GitHub's OpenAPI description requires (test/github-openapi.test.ts checks).
import { spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ApiRequest {
  method: string
  /** Without the query string. */
  path: string
  query: Record<string, string>
  body: any
  /** From the Authorization header; null when there was none. */
  token: string | null
  /** Every header as sent, names in lower case (several of one name joined by ", "). */
  headers?: Record<string, string>
  /** When it arrived (Date.now()). */
  at: number
}

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** One request and the reply it got, as they went over the wire. */
export interface Exchange {
  request: ApiRequest
  /** The request target as sent: the path, still percent-encoded, and the query. */
  target: string
  status: number
  headers: Record<string, string>
  /** The reply's JSON, parsed back; undefined when it had no body. */
  body: unknown
}

/** Answers one request; params are the pattern's capture groups. */
export type Handler = (request: ApiRequest, params: string[]) => Reply

export interface StoredStatus {
  id: number
  state: string
  description: string
  log_url: string
  environment_url: string
  created_at: string
}

export interface StoredDeployment {
  id: number
  sha: string
  ref: string
  task: string
  environment: string
  description: string
  payload: unknown
  production_environment: boolean
  transient_environment: boolean
  created_at: string
  creator: string
  /** Oldest first (the API lists them newest first). */
  statuses: StoredStatus[]
}

export interface StoredCommitStatus {
  id: number
  sha: string
  state: string
  context: string
  description: string
  target_url: string
  created_at: string
}

export interface GitHubStandIn {
  /** The base URL: GITHUB_API_URL. */
  url: string
  token: string
  repository: string
  requests: ApiRequest[]
  /** Every request with its reply, in order: what test/openapi.ts checks against GitHub's description. */
  exchanges: Exchange[]
  deployments: StoredDeployment[]
  commitStatuses: StoredCommitStatus[]
  /** "METHOD /path?query" of every request so far, in order, the repository prefix cut to "~". */
  calls(): string[]
  /** Answers requests that match (all, by default) with this status and message instead. */
  refuse(status: number, message: string, matches?: (request: ApiRequest) => boolean): void
  route(method: string, pattern: RegExp, handler: Handler): void
  /**
   * Answers the next `times` (default 1) matching requests as GitHub does when a rate limit is
   * hit: primary (the token's hourly budget is used up; resets resetIn s from now) or secondary
   * (with retry-after when given).
   */
  rateLimit(limit: RateLimit): void
  /** GitHub's own deployment for a job with `environment:`, made as the job starts: queued, then in_progress. */
  startJob(fields: { sha: string; environment: string; ref?: string }): StoredDeployment
  /** The job ended: GitHub sets its deployment's final state, success inactivating earlier successes. */
  endJob(job: StoredDeployment, state?: 'success' | 'failure' | 'error'): void
  /** A deployment made earlier (by the action, or by GitHub for a job), with these statuses in order. */
  seedDeployment(fields: Partial<Omit<StoredDeployment, 'id' | 'statuses'>> & { sha: string; environment: string }, states?: string[]): StoredDeployment
  /** The latest status's state of a deployment; undefined when it has none. */
  latestState(id: number): string | undefined
  close(): Promise<void>
}

export interface RateLimit {
  kind: 'primary' | 'secondary'
  /** GitHub answers either. */
  status?: 403 | 429
  /** Secondary: the retry-after header, in seconds; none when undefined. */
  retryAfter?: number
  /** Primary: seconds until x-ratelimit-reset. */
  resetIn?: number
  times?: number
  matches?: (request: ApiRequest) => boolean
}

/** The repository's id, as Link headers name it. */
export const REPOSITORY_ID = 612345678

export interface StandInOptions {
  token?: string
  repository?: string
  /** Branch and tag names GitHub would resolve, to their commit. */
  refs?: Record<string, string>
  /** Login shown as the creator of what is created. */
  actor?: string
  /**
   * Further tokens accepted, of a user with the `workflows` permission (a personal access token,
   * as MAJOR_TAG_TOKEN): not refused as the workflow's token is (addReleases()).
   */
  userTokens?: string[]
}

/** One entry of a 422's errors, as GitHub's validation-error schema describes it. */
export interface FieldError {
  resource: string
  code: string
  field: string
  message: string
}

const tooLong = (resource: string): FieldError => ({ resource, code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' })

/** Accounts with the ids GitHub gives them; others get one made from the login. */
const KNOWN_IDS: Record<string, number> = { 'github-actions[bot]': 41898282, octocat: 583231 }

/** An account as GitHub shows it inside other objects (the description's simple-user), from its login. */
export function userJson(apiUrl: string, login: string, type = login.endsWith('[bot]') ? 'Bot' : 'User') {
  const id = KNOWN_IDS[login] ?? [...login].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 90_000_000, 0) + 10_000_000
  const api = `${apiUrl}/users/${encodeURIComponent(login)}`
  return {
    login,
    id,
    node_id: Buffer.from(`04:${type}${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: type === 'Bot' ? `https://github.com/apps/${login.replace(/\[bot\]$/, '')}` : `https://github.com/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  }
}

const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']
const COMMIT_STATES = ['error', 'failure', 'pending', 'success']
const DOCS = 'https://docs.github.com/rest'

export async function startGitHubApi(options: StandInOptions = {}): Promise<GitHubStandIn> {
  const token = options.token ?? 'test-token'
  const repository = options.repository ?? 'ToposInstitute/CatColab'
  const actor = options.actor ?? 'github-actions[bot]'
  const prefix = `/repos/${repository}`
  const routes: { method: string; pattern: RegExp; handler: Handler }[] = []
  const refusals: { matches: (request: ApiRequest) => boolean; reply: () => Reply; times: number }[] = []
  const requests: ApiRequest[] = []
  const exchanges: Exchange[] = []
  const deployments: StoredDeployment[] = []
  const commitStatuses: StoredCommitStatus[] = []
  let nextId = 1
  let clock = Date.UTC(2026, 0, 1)
  const now = () => new Date((clock += 1000)).toISOString()
  let url = ''

  const error = (status: number, message: string, errors?: FieldError[]): Reply => ({
    status,
    body: { message, ...(errors ? { errors } : {}), documentation_url: DOCS, status: String(status) },
  })
  const latest = (d: StoredDeployment) => d.statuses.at(-1)
  const findDeployment = (id: string) => deployments.find((d) => d.id === Number(id))

  /** One page of a newest-first list, with GitHub's Link header. */
  function page<T>(request: ApiRequest, items: T[]): Reply {
    const perPage = Math.min(Number(request.query['per_page'] ?? 30) || 30, 100)
    const number = Math.max(Number(request.query['page'] ?? 1) || 1, 1)
    const last = Math.max(Math.ceil(items.length / perPage), 1)
    return { status: 200, body: items.slice((number - 1) * perPage, number * perPage), headers: pageLinks(url, request, number, last, perPage) }
  }

  const deploymentJson = (d: StoredDeployment) => ({
    url: `${url}${prefix}/deployments/${d.id}`,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(url, d.creator),
    created_at: d.created_at,
    updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
    statuses_url: `${url}${prefix}/deployments/${d.id}/statuses`,
    repository_url: `${url}${prefix}`,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  })

  const statusJson = (d: StoredDeployment, s: StoredStatus) => ({
    url: `${url}${prefix}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_${s.id}`,
    state: s.state,
    creator: userJson(url, actor),
    description: s.description,
    environment: d.environment,
    target_url: s.log_url,
    log_url: s.log_url,
    environment_url: s.environment_url,
    created_at: s.created_at,
    updated_at: s.created_at,
    deployment_url: `${url}${prefix}/deployments/${d.id}`,
    repository_url: `${url}${prefix}`,
  })

  const commitStatusJson = (s: StoredCommitStatus) => ({
    url: `${url}${prefix}/statuses/${s.sha}`,
    avatar_url: userJson(url, actor).avatar_url,
    id: s.id,
    node_id: `SC_${s.id}`,
    state: s.state,
    description: s.description,
    // Left out, it comes back null (github/rest-api-description#1307).
    target_url: s.target_url || null,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.created_at,
    creator: userJson(url, actor),
  })

  function addStatus(d: StoredDeployment, state: string, fields: Partial<StoredStatus> = {}): StoredStatus {
    const status = { id: nextId++, state, description: '', log_url: '', environment_url: '', created_at: now(), ...fields }
    d.statuses.push(status)
    return status
  }

  function addDeployment(fields: Partial<Omit<StoredDeployment, 'id' | 'statuses'>> & { sha: string; environment: string }): StoredDeployment {
    const d: StoredDeployment = {
      id: nextId++,
      ref: fields.sha,
      task: 'deploy',
      description: '',
      payload: {},
      production_environment: fields.environment === 'production',
      transient_environment: false,
      created_at: now(),
      creator: actor,
      ...fields,
      statuses: [],
    }
    deployments.push(d)
    return d
  }

  /** GitHub's auto-inactivation after a success: the environment's other successes, unless production or transient. */
  function inactivateOthers(d: StoredDeployment): void {
    for (const earlier of deployments) {
      const inactivate = earlier.id !== d.id && earlier.environment === d.environment && !earlier.production_environment && !earlier.transient_environment
      if (inactivate && latest(earlier)?.state === 'success') addStatus(earlier, 'inactive')
    }
  }

  function contextsNotSuccess(sha: string): string[] {
    const latestByContext = new Map<string, string>()
    for (const s of commitStatuses) if (s.sha === sha) latestByContext.set(s.context, s.state)
    return [...latestByContext].filter(([, state]) => state !== 'success').map(([context]) => context)
  }

  const standard: { method: string; pattern: RegExp; handler: Handler }[] = [
    {
      method: 'POST',
      pattern: /^\/deployments$/,
      handler: ({ body }) => {
        if (typeof body?.ref !== 'string') return error(422, 'Invalid request.\n\n"ref" wasn\'t supplied.')
        const sha = /^[0-9a-f]{40}$/.test(body.ref) ? body.ref : options.refs?.[body.ref]
        if (!sha) return error(422, `No ref found for: ${body.ref}`)
        if (body.required_contexts === undefined && contextsNotSuccess(sha).length > 0) {
          return error(409, `Conflict: Commit status checks failed for ${body.ref}.`)
        }
        const environment = body.environment ?? 'production'
        const d = addDeployment({
          sha,
          ref: body.ref,
          task: body.task ?? 'deploy',
          environment,
          description: body.description ?? '',
          payload: body.payload ?? {},
          production_environment: body.production_environment ?? environment === 'production',
          transient_environment: body.transient_environment ?? false,
        })
        return { status: 201, body: deploymentJson(d) }
      },
    },
    {
      method: 'GET',
      pattern: /^\/deployments$/,
      handler: (request) => {
        const { sha, ref, task, environment } = request.query
        const matching = deployments
          .filter((d) => (!sha || d.sha === sha) && (!ref || d.ref === ref) && (!task || d.task === task) && (!environment || d.environment === environment))
          .reverse()
        return page(request, matching.map(deploymentJson))
      },
    },
    {
      method: 'GET',
      pattern: /^\/deployments\/(\d+)$/,
      handler: (_request, [id]) => {
        const d = findDeployment(id!)
        return d ? { status: 200, body: deploymentJson(d) } : error(404, 'Not Found')
      },
    },
    {
      method: 'POST',
      pattern: /^\/deployments\/(\d+)\/statuses$/,
      handler: ({ body }, [id]) => {
        const d = findDeployment(id!)
        if (!d) return error(404, 'Not Found')
        if (!DEPLOYMENT_STATES.includes(body?.state)) return error(422, `Invalid request.\n\nstate is not included in the list`)
        if ((body.description ?? '').length > 140) return error(422, 'Validation Failed', [tooLong('DeploymentStatus')])
        const status = addStatus(d, body.state, {
          description: body.description ?? '',
          log_url: body.log_url ?? body.target_url ?? '',
          environment_url: body.environment_url ?? '',
        })
        if (body.state === 'success' && body.auto_inactive !== false) inactivateOthers(d)
        return { status: 201, body: statusJson(d, status) }
      },
    },
    {
      method: 'GET',
      pattern: /^\/deployments\/(\d+)\/statuses$/,
      handler: (request, [id]) => {
        const d = findDeployment(id!)
        if (!d) return error(404, 'Not Found')
        return page(
          request,
          [...d.statuses].reverse().map((s) => statusJson(d, s)),
        )
      },
    },
    {
      method: 'POST',
      pattern: /^\/statuses\/([0-9a-f]{40})$/,
      handler: ({ body }, [sha]) => {
        if (!COMMIT_STATES.includes(body?.state)) return error(422, 'Validation Failed: state is not included in the list')
        if ((body.description ?? '').length > 140) return error(422, 'Validation Failed', [tooLong('Status')])
        const status = {
          id: nextId++,
          sha: sha!,
          state: body.state,
          context: body.context ?? 'default',
          description: body.description ?? '',
          target_url: body.target_url ?? '',
          created_at: now(),
        }
        commitStatuses.push(status)
        return { status: 201, body: commitStatusJson(status) }
      },
    },
    {
      method: 'GET',
      pattern: /^\/commits\/([^/]+)\/statuses$/,
      handler: (request, [ref]) => {
        const sha = options.refs?.[ref!] ?? ref
        return page(
          request,
          commitStatuses
            .filter((s) => s.sha === sha)
            .reverse()
            .map(commitStatusJson),
        )
      },
    },
  ]

  function answer(request: ApiRequest): Reply {
    for (const refusal of refusals) {
      if (refusal.times > 0 && refusal.matches(request)) {
        refusal.times--
        return refusal.reply()
      }
    }
    if (request.token !== token && !(options.userTokens ?? []).includes(request.token ?? '')) return error(401, 'Bad credentials')
    // Later routes override earlier ones; standard ones live under the repository.
    for (const route of [...routes].reverse()) {
      const match = route.method === request.method && route.pattern.exec(request.path)
      if (match) return route.handler(request, match.slice(1))
    }
    if (request.path.startsWith(`${prefix}/`)) {
      const rest = request.path.slice(prefix.length)
      for (const route of standard) {
        const match = route.method === request.method && route.pattern.exec(rest)
        if (match) return route.handler(request, match.slice(1))
      }
    }
    return error(404, 'Not Found')
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of incoming) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const parsed = new URL(incoming.url ?? '/', 'http://stand-in')
    // Link headers name the repository by id: the same resources.
    const byId = `/repositories/${REPOSITORY_ID}/`
    const pathname = parsed.pathname.startsWith(byId) ? `${prefix}/${parsed.pathname.slice(byId.length)}` : parsed.pathname
    const authorization = incoming.headers.authorization ?? ''
    const request: ApiRequest = {
      method: incoming.method ?? 'GET',
      path: decodeURIComponent(pathname),
      query: Object.fromEntries(parsed.searchParams),
      body: text ? JSON.parse(text) : undefined,
      token: /^(token|bearer) /i.test(authorization) ? authorization.replace(/^\S+ /, '') : null,
      headers: Object.fromEntries(Object.entries(incoming.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')])),
      at: Date.now(),
    }
    requests.push(request)
    const reply = answer(request)
    const headers = { 'content-type': 'application/json; charset=utf-8', ...reply.headers }
    const json = reply.body === undefined ? '' : JSON.stringify(reply.body)
    exchanges.push({ request, target: incoming.url ?? '/', status: reply.status, headers, body: json ? JSON.parse(json) : undefined })
    outgoing.writeHead(reply.status, headers)
    outgoing.end(json)
  }

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((err: unknown) => {
      outgoing.writeHead(500, { 'content-type': 'application/json' })
      outgoing.end(JSON.stringify({ message: `stand-in failed: ${String(err)}` }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    token,
    repository,
    requests,
    exchanges,
    deployments,
    commitStatuses,
    calls: () =>
      requests.map((r) => {
        const query = new URLSearchParams(r.query).toString()
        return `${r.method} ${r.path.replace(prefix, '~')}${query ? `?${query}` : ''}`
      }),
    refuse(status, message, matches = () => true) {
      refusals.push({ matches, reply: () => error(status, message), times: Infinity })
    },
    rateLimit({ kind, status = 403, retryAfter, resetIn = 600, times = 1, matches = () => true }) {
      refusals.push({ matches, times, reply: () => rateLimited(kind, status, retryAfter, resetIn) })
    },
    startJob({ sha, environment, ref = 'main' }) {
      // GitHub's job deployments carry no payload of ours; the job's token makes them.
      const job = addDeployment({ sha, ref, environment, payload: {}, production_environment: false, creator: 'github-actions[bot]' })
      addStatus(job, 'queued')
      addStatus(job, 'in_progress')
      return job
    },
    endJob(job, state = 'success') {
      addStatus(job, state)
      if (state === 'success') inactivateOthers(job)
    },
    route(method, pattern, handler) {
      routes.push({ method, pattern, handler })
    },
    seedDeployment(fields, states = []) {
      const d = addDeployment(fields)
      for (const state of states) addStatus(d, state)
      return d
    },
    latestState: (id) => deployments.find((d) => d.id === id)?.statuses.at(-1)?.state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** GitHub's answer when a rate limit is hit (its documented headers and messages). */
function rateLimited(kind: 'primary' | 'secondary', status: number, retryAfter: number | undefined, resetIn: number): Reply {
  const reset = String(Math.floor(Date.now() / 1000) + resetIn)
  if (kind === 'primary') {
    return {
      status,
      body: {
        message: 'API rate limit exceeded for installation ID 4242.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: String(status),
      },
      headers: { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '1000', 'x-ratelimit-reset': reset, 'x-ratelimit-resource': 'core' },
    }
  }
  return {
    status,
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: String(status),
    },
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
  }
}

/**
 * GitHub's Link header for page `number` of `last`: next and last after it, first and prev before
 * it, each URL naming the repository by id (/repositories/<id>/…) as GitHub's do.
 */
export function pageLinks(base: string, request: ApiRequest, number: number, last: number, perPage: number): Record<string, string> {
  const path = request.path.replace(/^\/repos\/[^/]+\/[^/]+\//, `/repositories/${REPOSITORY_ID}/`)
  const link = (n: number, rel: string) =>
    `<${base}${path}?${new URLSearchParams({ ...request.query, per_page: String(perPage), page: String(n) }).toString()}>; rel="${rel}"`
  const links = [
    ...(number > 1 ? [link(number - 1, 'prev')] : []),
    ...(number < last ? [link(number + 1, 'next'), link(last, 'last')] : []),
    ...(number > 1 ? [link(1, 'first')] : []),
  ]
  return links.length > 0 ? { link: links.join(', ') } : {}
}

// ---- releases and git refs -------------------------------------------------------------------

export interface StoredRelease {
  id: number
  tag_name: string
  target_commitish: string
  name: string | null
  body: string | null
  draft: boolean
  prerelease: boolean
  /** As sent: 'true', 'false' or 'legacy'; GitHub's default, 'true', when left out. */
  make_latest: string
  created_at: string
  author: string
}

export interface ReleaseStandIn {
  /** Oldest first. */
  releases: StoredRelease[]
}

/**
 * Releases and git refs, added to a stand-in with its route(). GitHub keeps refs in the
 * repository, so these are a real git repository's (`git`, the test's origin): what the API
 * creates or moves, git shows, and what is pushed there, the API sees. As GitHub answers:
 * - POST /releases makes a release of tag_name; a tag that does not exist yet is made at
 *   target_commitish (default: the default branch, `main` here); a second release for a tag is
 *   refused, 422 Validation Failed with errors [{ resource: Release, code: already_exists,
 *   field: tag_name }] (no message in the error, as GitHub sends it);
 * - GET /releases: the releases, newest first, drafts too (the token may push), paged with a Link
 *   header as every list;
 * - GET /releases/tags/{tag}: that tag's release, 404 when it has none;
 * - GET /git/ref/{ref} (`tags/v1`): the ref, its object a commit or, for an annotated tag, the
 *   tag object; 404 when there is no such ref;
 * - POST /git/refs { ref, sha }: 422 Reference already exists, 422 Object does not exist;
 * - PATCH /git/refs/{ref} { sha, force }: 422 Reference does not exist; without force, a move
 *   that is not a fast-forward is refused, 422 Update is not a fast forward; made with the
 *   stand-in's own token (the workflow's), a move whose new commit's .github/workflows tree differs
 *   from the old one's (none counts as empty) is refused, 403 Resource not accessible by
 *   integration: GitHub lets no GitHub App without the `workflows` permission change workflow files.
 * Replies have the fields GitHub's OpenAPI description requires (test/github-openapi.test.ts checks).
 */
export function addReleases(stand: GitHubStandIn, options: { git: string; defaultBranch?: string }): ReleaseStandIn {
  const prefix = `/repos/${stand.repository}`
  const api = `${stand.url}${prefix}`
  const html = `https://github.com/${stand.repository}`
  const defaultBranch = options.defaultBranch ?? 'main'
  const releases: StoredRelease[] = []
  let nextId = 70_000
  let clock = Date.UTC(2026, 2, 1)
  const now = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  const at = (pattern: string) => new RegExp(`^${esc(prefix)}${pattern}$`)
  const error = (status: number, message: string, errors?: unknown[]): Reply => ({
    status,
    body: { message, ...(errors ? { errors } : {}), documentation_url: DOCS, status: String(status) },
  })

  /** git in the repository; its output trimmed, or null when it fails. */
  function git(...args: string[]): string | null {
    const result = spawnSync('git', ['-C', options.git, ...args], { encoding: 'utf8' })
    return result.status === 0 ? result.stdout.trim() : null
  }
  const objectOf = (ref: string) => git('rev-parse', '--verify', '--quiet', `${ref}^{object}`)
  /** The .github/workflows tree of a commit (or of the commit a tag object tags); '' when it has none. */
  const workflowsOf = (sha: string) => git('rev-parse', '--verify', '--quiet', `${sha}^{commit}:.github/workflows`) ?? ''

  const releaseJson = (r: StoredRelease) => ({
    url: `${api}/releases/${r.id}`,
    html_url: `${html}/releases/tag/${r.tag_name}`,
    assets_url: `${api}/releases/${r.id}/assets`,
    upload_url: `https://uploads.github.com${prefix}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${r.tag_name}`,
    zipball_url: `${api}/zipball/${r.tag_name}`,
    id: r.id,
    node_id: `RE_${r.id}`,
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: false,
    created_at: r.created_at,
    published_at: r.draft ? null : r.created_at,
    updated_at: r.created_at,
    author: userJson(stand.url, r.author),
    assets: [],
  })

  /** A ref as GET /git/ref answers it: `ref` in full (refs/tags/v1); null when git has no such ref. */
  function refJson(ref: string) {
    const sha = objectOf(ref)
    if (!sha) return null
    const type = git('cat-file', '-t', sha) ?? 'commit'
    return {
      ref,
      node_id: `REF_${Buffer.from(ref).toString('base64')}`,
      url: `${api}/git/${ref}`,
      object: { type, sha, url: `${api}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
    }
  }
  /** A ref GitHub names without refs/ (tags/v1); only refs/heads/ and refs/tags/ are served here. */
  const fullRef = (name: string) => (/^(heads|tags)\/./.test(name) ? `refs/${name}` : null)

  stand.route('POST', at('/releases'), ({ body }) => {
    if (typeof body?.tag_name !== 'string' || body.tag_name === '')
      return error(422, 'Validation Failed', [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }])
    if (releases.some((r) => r.tag_name === body.tag_name)) return error(422, 'Validation Failed', [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }])
    const target = typeof body.target_commitish === 'string' && body.target_commitish !== '' ? body.target_commitish : defaultBranch
    if (!objectOf(`refs/tags/${body.tag_name}`)) {
      const sha = git('rev-parse', '--verify', '--quiet', `${target}^{commit}`)
      if (!sha || git('update-ref', `refs/tags/${body.tag_name}`, sha) === null)
        return error(422, 'Validation Failed', [{ resource: 'Release', code: 'invalid', field: 'target_commitish' }])
    }
    const release: StoredRelease = {
      id: nextId++,
      tag_name: body.tag_name,
      target_commitish: target,
      name: typeof body.name === 'string' ? body.name : body.tag_name,
      body: typeof body.body === 'string' ? body.body : null,
      draft: body.draft === true,
      prerelease: body.prerelease === true,
      make_latest: typeof body.make_latest === 'string' ? body.make_latest : 'true',
      created_at: now(),
      author: 'github-actions[bot]',
    }
    releases.push(release)
    return { status: 201, body: releaseJson(release), headers: { location: `${api}/releases/${release.id}` } }
  })

  stand.route('GET', at('/releases'), (request) => {
    const perPage = Math.min(Number(request.query['per_page'] ?? 30) || 30, 100)
    const number = Math.max(Number(request.query['page'] ?? 1) || 1, 1)
    const last = Math.max(Math.ceil(releases.length / perPage), 1)
    const newestFirst = [...releases].reverse()
    return {
      status: 200,
      body: newestFirst.slice((number - 1) * perPage, number * perPage).map(releaseJson),
      headers: pageLinks(stand.url, request, number, last, perPage),
    }
  })

  stand.route('GET', at('/releases/tags/(.+)'), (_request, [tag]) => {
    const release = releases.find((r) => r.tag_name === tag && !r.draft)
    return release ? { status: 200, body: releaseJson(release) } : error(404, 'Not Found')
  })

  stand.route('GET', at('/git/ref/(.+)'), (_request, [name]) => {
    const ref = fullRef(name!)
    const json = ref && refJson(ref)
    return json ? { status: 200, body: json } : error(404, 'Not Found')
  })

  stand.route('POST', at('/git/refs'), ({ body }) => {
    const ref = typeof body?.ref === 'string' && body.ref.startsWith('refs/') ? fullRef(body.ref.slice(5)) : null
    if (!ref || typeof body.sha !== 'string') return error(422, 'Invalid request.\n\n"ref" and "sha" are required.')
    if (objectOf(ref)) return error(422, 'Reference already exists')
    if (!/^[0-9a-f]{40}$/.test(body.sha) || git('cat-file', '-e', body.sha) === null) return error(422, 'Object does not exist')
    if (git('update-ref', ref, body.sha, '') === null) return error(422, 'Reference cannot be created')
    return { status: 201, body: refJson(ref), headers: { location: `${api}/git/${ref}` } }
  })

  stand.route('PATCH', at('/git/refs/(.+)'), ({ body, token }, [name]) => {
    const ref = fullRef(name!)
    const old = ref && objectOf(ref)
    if (!ref || !old) return error(422, 'Reference does not exist')
    if (typeof body?.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha) || git('cat-file', '-e', body.sha) === null) return error(422, 'Object does not exist')
    if (body.force !== true && git('merge-base', '--is-ancestor', old, body.sha) === null) return error(422, 'Update is not a fast forward')
    if (token === stand.token && workflowsOf(old) !== workflowsOf(body.sha)) return error(403, 'Resource not accessible by integration')
    if (git('update-ref', ref, body.sha, old) === null) return error(422, 'Reference cannot be updated')
    return { status: 200, body: refJson(ref) }
  })

  return { releases }
}
