// Pull requests, their files and comments, a commit graph to compare, and GET /user, added to the
// loopback stand-in for the GitHub REST API (test/github-api.ts) with its route(). Answers as
// GitHub does:
// - GET /user is refused (403) for installation tokens, such as the workflow's GITHUB_TOKEN, whose
//   comments are authored by github-actions[bot]; a user's token gets its login;
// - lists are paginated (per_page default 30, at most 100) with a Link header; open pull requests
//   come newest first, comments oldest first; a pull request's files stop at 3000;
// - a locked pull request (locked: true in its JSON) takes no new comment and no edit of one from
//   the workflow's token: 403 "Unable to create comment because issue is locked." (GitHub's words
//   for a new comment; an edit is refused the same way);
// - compare base...head counts the commits each side lacks (identical, ahead, behind, diverged),
//   404 for an unknown ref or commit and for histories with nothing in common.
import type { ApiRequest, GitHubStandIn, Reply } from './github-api'

export interface StoredPull {
  number: number
  state: 'open' | 'closed'
  headSha: string
  headRef: string
  /** "owner/name"; null: the fork was deleted. */
  headRepository: string | null
  baseRef: string
  /** Its conversation is locked. */
  locked: boolean
  files: { filename: string; status: string; previous_filename?: string }[]
}

export interface StoredComment {
  id: number
  issue: number
  body: string
  author: string
  created_at: string
  updated_at: string
}

export interface PullRequestStandIn {
  pulls: StoredPull[]
  comments: StoredComment[]
  /** Commit sha → its parents. */
  commits: Map<string, string[]>
  /** Branch name → commit sha. */
  branches: Record<string, string>
  addPull(fields: Partial<StoredPull> & { headSha: string }): StoredPull
  addComment(issue: number, body: string, author: string): StoredComment
  /** The comments on one pull request, oldest first. */
  commentsOn(issue: number): StoredComment[]
  /** Adds a commit on top of parents (none: a root); returns its sha. */
  commit(parents: string[]): string
}

const DOCS = 'https://docs.github.com/rest'

export function addPullRequests(stand: GitHubStandIn, options: { login?: string | null } = {}): PullRequestStandIn {
  const login = options.login ?? null
  const author = login ?? 'github-actions[bot]'
  const prefix = `/repos/${stand.repository}`
  const pulls: StoredPull[] = []
  const comments: StoredComment[] = []
  const commits = new Map<string, string[]>()
  const branches: Record<string, string> = {}
  let nextComment = 9000
  let nextCommit = 1
  let clock = Date.UTC(2026, 1, 1)
  const now = () => new Date((clock += 1000)).toISOString()
  const error = (status: number, message: string): Reply => ({ status, body: { message, documentation_url: DOCS, status: String(status) } })
  const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  const at = (pattern: string) => new RegExp(`^${esc(prefix)}${pattern}$`)

  function page<T>(request: ApiRequest, items: T[]): Reply {
    const perPage = Math.min(Number(request.query.per_page ?? 30) || 30, 100)
    const number = Math.max(Number(request.query.page ?? 1) || 1, 1)
    const last = Math.max(Math.ceil(items.length / perPage), 1)
    const link = (n: number) => `<${stand.url}${request.path}?${new URLSearchParams({ ...request.query, per_page: String(perPage), page: String(n) })}>`
    const links = number < last ? [`${link(number + 1)}; rel="next"`, `${link(last)}; rel="last"`] : []
    return { status: 200, body: items.slice((number - 1) * perPage, number * perPage), headers: links.length ? { link: links.join(', ') } : {} }
  }

  const pullJson = (p: StoredPull) => ({
    url: `${stand.url}${prefix}/pulls/${p.number}`,
    html_url: `https://github.com/${stand.repository}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    title: `pull request ${p.number}`,
    user: { login: 'contributor', type: 'User' },
    draft: false,
    locked: p.locked,
    head: {
      label: `${(p.headRepository ?? 'unknown').split('/')[0]}:${p.headRef}`,
      ref: p.headRef,
      sha: p.headSha,
      repo: p.headRepository === null ? null : { full_name: p.headRepository, fork: p.headRepository !== stand.repository },
    },
    base: { label: `ToposInstitute:${p.baseRef}`, ref: p.baseRef, sha: branches[p.baseRef] ?? '', repo: { full_name: stand.repository } },
  })

  const commentJson = (c: StoredComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${stand.url}${prefix}/issues/comments/${c.id}`,
    html_url: `https://github.com/${stand.repository}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${stand.url}${prefix}/issues/${c.issue}`,
    body: c.body,
    user: { login: c.author, type: c.author.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'NONE',
  })

  const ancestors = (sha: string): Set<string> => {
    const seen = new Set<string>()
    const todo = [sha]
    while (todo.length) {
      const next = todo.pop()!
      if (seen.has(next)) continue
      seen.add(next)
      todo.push(...(commits.get(next) ?? []))
    }
    return seen
  }
  const resolve = (ref: string) => branches[ref] ?? (commits.has(ref) ? ref : undefined)
  const findPull = (number: string) => pulls.find((p) => p.number === Number(number))
  const findComment = (id: string) => comments.find((c) => c.id === Number(id))

  stand.route('GET', /^\/user$/, () => (login ? { status: 200, body: { login, id: 1, type: 'User' } } : error(403, 'Resource not accessible by integration')))
  stand.route('GET', at('/pulls'), (request) => {
    const state = request.query.state ?? 'open'
    const listed = pulls.filter((p) => state === 'all' || p.state === state).reverse()
    return page(request, listed.map(pullJson))
  })
  stand.route('GET', at('/pulls/(\\d+)'), (_request, [n]) => {
    const p = findPull(n!)
    return p ? { status: 200, body: pullJson(p) } : error(404, 'Not Found')
  })
  stand.route('GET', at('/pulls/(\\d+)/files'), (request, [n]) => {
    const p = findPull(n!)
    if (!p) return error(404, 'Not Found')
    return page(request, p.files.slice(0, 3000).map((f, i) => ({ sha: `${i}`.padStart(40, '0'), additions: 1, deletions: 0, changes: 1, ...f })))
  })
  stand.route('GET', at('/compare/(.+)\\.\\.\\.(.+)'), (_request, [base, head]) => {
    const baseSha = resolve(base!)
    const headSha = resolve(head!)
    if (!baseSha || !headSha) return error(404, 'Not Found')
    const [ofBase, ofHead] = [ancestors(baseSha), ancestors(headSha)]
    if (![...ofBase].some((sha) => ofHead.has(sha))) return error(404, `No common ancestor between ${base} and ${head}.`)
    const aheadBy = [...ofHead].filter((sha) => !ofBase.has(sha)).length
    const behindBy = [...ofBase].filter((sha) => !ofHead.has(sha)).length
    const status = aheadBy && behindBy ? 'diverged' : aheadBy ? 'ahead' : behindBy ? 'behind' : 'identical'
    return { status: 200, body: { status, ahead_by: aheadBy, behind_by: behindBy, total_commits: aheadBy, commits: [], files: [] } }
  })
  stand.route('GET', at('/issues/(\\d+)/comments'), (request, [n]) => page(request, comments.filter((c) => c.issue === Number(n)).map(commentJson)))
  const locked = (what: string) => error(403, `Unable to ${what} comment because issue is locked.`)
  stand.route('POST', at('/issues/(\\d+)/comments'), (request, [n]) => {
    const p = findPull(n!)
    if (!p) return error(404, 'Not Found')
    if (p.locked) return locked('create')
    if (typeof request.body?.body !== 'string') return error(422, 'Validation Failed')
    return { status: 201, body: commentJson(addComment(Number(n), request.body.body, author)) }
  })
  stand.route('PATCH', at('/issues/comments/(\\d+)'), (request, [id]) => {
    const c = findComment(id!)
    if (!c) return error(404, 'Not Found')
    if (findPull(String(c.issue))?.locked) return locked('update')
    c.body = request.body?.body ?? c.body
    c.updated_at = now()
    return { status: 200, body: commentJson(c) }
  })
  stand.route('DELETE', at('/issues/comments/(\\d+)'), (_request, [id]) => {
    const c = findComment(id!)
    if (!c) return error(404, 'Not Found')
    comments.splice(comments.indexOf(c), 1)
    return { status: 204 }
  })

  function addComment(issue: number, body: string, by: string): StoredComment {
    const time = now()
    const c = { id: nextComment++, issue, body, author: by, created_at: time, updated_at: time }
    comments.push(c)
    return c
  }

  return {
    pulls,
    comments,
    commits,
    branches,
    addPull(fields) {
      const p: StoredPull = {
        number: pulls.length + 1,
        state: 'open',
        headRef: `feature-${pulls.length + 1}`,
        headRepository: stand.repository,
        baseRef: 'main',
        locked: false,
        files: [],
        ...fields,
      }
      pulls.push(p)
      return p
    },
    addComment,
    commentsOn: (issue) => comments.filter((c) => c.issue === issue),
    commit(parents) {
      const sha = (nextCommit++).toString(16).padStart(40, 'c')
      commits.set(sha, parents)
      return sha
    },
  }
}
