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
// Replies have the fields GitHub's OpenAPI description requires (test/github-openapi.test.ts checks).
import { pageLinks, REPOSITORY_ID, userJson, type ApiRequest, type GitHubStandIn, type Reply } from './github-api'

export interface StoredPull {
  number: number
  state: 'open' | 'closed'
  headSha: string
  headRef: string
  /** "owner/name"; null: the fork was deleted. */
  headRepository: string | null
  baseRef: string
  /** Locked conversation: only collaborators may comment. */
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
    const perPage = Math.min(Number(request.query['per_page'] ?? 30) || 30, 100)
    const number = Math.max(Number(request.query['page'] ?? 1) || 1, 1)
    const last = Math.max(Math.ceil(items.length / perPage), 1)
    return { status: 200, body: items.slice((number - 1) * perPage, number * perPage), headers: pageLinks(stand.url, request, number, last, perPage) }
  }

  const api = `${stand.url}${prefix}`
  const html = `https://github.com/${stand.repository}`
  const [owner = ''] = stand.repository.split('/')
  const user = (login: string) => userJson(stand.url, login, login === owner ? 'Organization' : undefined)
  /** Times for what has none stored: the pull request's number (or a commit's place) in minutes after a fixed start. */
  const timeOf = (minutes: number) => new Date(Date.UTC(2026, 0, 15) + minutes * 60_000).toISOString()
  const idOf = (text: string) => [...text].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 900_000_000, 0) + 100_000_000

  /** A repository as a pull request's head and base show it (the description's repository). */
  const repositoryJson = (fullName: string) => {
    const repoApi = `${stand.url}/repos/${fullName}`
    const repoHtml = `https://github.com/${fullName}`
    const [repoOwner = '', name = ''] = fullName.split('/')
    return {
      id: fullName === stand.repository ? REPOSITORY_ID : idOf(fullName),
      node_id: `R_${idOf(fullName).toString(36)}`,
      name,
      full_name: fullName,
      private: false,
      owner: user(repoOwner),
      html_url: repoHtml,
      description: null,
      fork: fullName !== stand.repository,
      url: repoApi,
      forks_url: `${repoApi}/forks`,
      keys_url: `${repoApi}/keys{/key_id}`,
      collaborators_url: `${repoApi}/collaborators{/collaborator}`,
      teams_url: `${repoApi}/teams`,
      hooks_url: `${repoApi}/hooks`,
      issue_events_url: `${repoApi}/issues/events{/number}`,
      events_url: `${repoApi}/events`,
      assignees_url: `${repoApi}/assignees{/user}`,
      branches_url: `${repoApi}/branches{/branch}`,
      tags_url: `${repoApi}/tags`,
      blobs_url: `${repoApi}/git/blobs{/sha}`,
      git_tags_url: `${repoApi}/git/tags{/sha}`,
      git_refs_url: `${repoApi}/git/refs{/sha}`,
      trees_url: `${repoApi}/git/trees{/sha}`,
      statuses_url: `${repoApi}/statuses/{sha}`,
      languages_url: `${repoApi}/languages`,
      stargazers_url: `${repoApi}/stargazers`,
      contributors_url: `${repoApi}/contributors`,
      subscribers_url: `${repoApi}/subscribers`,
      subscription_url: `${repoApi}/subscription`,
      commits_url: `${repoApi}/commits{/sha}`,
      git_commits_url: `${repoApi}/git/commits{/sha}`,
      comments_url: `${repoApi}/comments{/number}`,
      issue_comment_url: `${repoApi}/issues/comments{/number}`,
      contents_url: `${repoApi}/contents/{+path}`,
      compare_url: `${repoApi}/compare/{base}...{head}`,
      merges_url: `${repoApi}/merges`,
      archive_url: `${repoApi}/{archive_format}{/ref}`,
      downloads_url: `${repoApi}/downloads`,
      issues_url: `${repoApi}/issues{/number}`,
      pulls_url: `${repoApi}/pulls{/number}`,
      milestones_url: `${repoApi}/milestones{/number}`,
      notifications_url: `${repoApi}/notifications{?since,all,participating}`,
      labels_url: `${repoApi}/labels{/name}`,
      releases_url: `${repoApi}/releases{/id}`,
      deployments_url: `${repoApi}/deployments`,
      created_at: timeOf(-500_000),
      updated_at: timeOf(-1),
      pushed_at: timeOf(-1),
      git_url: `git://github.com/${fullName}.git`,
      ssh_url: `git@github.com:${fullName}.git`,
      clone_url: `${repoHtml}.git`,
      svn_url: repoHtml,
      homepage: null,
      size: 40_000,
      stargazers_count: 0,
      watchers_count: 0,
      language: 'TypeScript',
      has_issues: true,
      has_projects: true,
      has_downloads: true,
      has_wiki: true,
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      mirror_url: null,
      archived: false,
      disabled: false,
      open_issues_count: 0,
      license: null,
      allow_forking: true,
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      visibility: 'public',
      forks: 0,
      open_issues: 0,
      watchers: 0,
      default_branch: 'main',
    }
  }

  /** A pull request as the list shows it (the description's pull-request-simple). */
  const pullJson = (p: StoredPull) => {
    const url = `${api}/pulls/${p.number}`
    const htmlUrl = `${html}/pull/${p.number}`
    const headOwner = (p.headRepository ?? stand.repository).split('/')[0]!
    const links = {
      self: url,
      html: htmlUrl,
      issue: `${api}/issues/${p.number}`,
      comments: `${api}/issues/${p.number}/comments`,
      review_comments: `${url}/comments`,
      review_comment: `${api}/pulls/comments{/number}`,
      commits: `${url}/commits`,
      statuses: `${api}/statuses/${p.headSha}`,
    }
    return {
      url,
      id: 2_000_000_000 + p.number,
      node_id: `PR_${p.number}`,
      html_url: htmlUrl,
      diff_url: `${htmlUrl}.diff`,
      patch_url: `${htmlUrl}.patch`,
      issue_url: links.issue,
      number: p.number,
      state: p.state,
      locked: p.locked,
      title: `pull request ${p.number}`,
      user: user('contributor'),
      body: null,
      created_at: timeOf(p.number),
      updated_at: timeOf(p.number),
      closed_at: p.state === 'closed' ? timeOf(p.number) : null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      labels: [],
      milestone: null,
      draft: false,
      commits_url: links.commits,
      review_comments_url: links.review_comments,
      review_comment_url: links.review_comment,
      comments_url: links.comments,
      statuses_url: links.statuses,
      head: {
        label: `${p.headRepository === null ? 'unknown' : headOwner}:${p.headRef}`,
        ref: p.headRef,
        sha: p.headSha,
        user: user(p.headRepository === null ? 'contributor' : headOwner),
        repo: p.headRepository === null ? null : repositoryJson(p.headRepository),
      },
      base: { label: `${owner}:${p.baseRef}`, ref: p.baseRef, sha: branches[p.baseRef] ?? '', user: user(owner), repo: repositoryJson(stand.repository) },
      _links: Object.fromEntries(Object.entries(links).map(([name, href]) => [name, { href }])),
      author_association: 'CONTRIBUTOR',
      auto_merge: null,
      active_lock_reason: null,
    }
  }

  /** A pull request by itself (the description's pull-request): the list's fields and its counts. */
  const pullDetailJson = (p: StoredPull) => ({
    ...pullJson(p),
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: comments.filter((c) => c.issue === p.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: p.files.length,
    deletions: 0,
    changed_files: p.files.length,
  })

  /** One changed file (the description's diff-entry). */
  const fileJson = (p: StoredPull, f: StoredPull['files'][number], i: number) => {
    const path = f.filename.split('/').map(encodeURIComponent).join('/')
    return {
      sha: `${i}`.padStart(40, '0'),
      filename: f.filename,
      status: f.status,
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `${html}/blob/${p.headSha}/${path}`,
      raw_url: `${html}/raw/${p.headSha}/${path}`,
      contents_url: `${api}/contents/${path}?ref=${p.headSha}`,
      ...(f.previous_filename === undefined ? {} : { previous_filename: f.previous_filename }),
    }
  }

  /** One commit of the graph (the description's commit), its time from its place in the graph. */
  const commitJson = (sha: string) => {
    const place = [...commits.keys()].indexOf(sha)
    const person = { name: 'Contributor', email: 'contributor@example.com', date: timeOf(place) }
    const tree = [...sha].reverse().join('')
    return {
      url: `${api}/commits/${sha}`,
      sha,
      node_id: `C_${sha.slice(0, 12)}`,
      html_url: `${html}/commit/${sha}`,
      comments_url: `${api}/commits/${sha}/comments`,
      commit: {
        url: `${api}/git/commits/${sha}`,
        author: person,
        committer: person,
        message: `commit ${place}`,
        comment_count: 0,
        tree: { sha: tree, url: `${api}/git/trees/${tree}` },
        verification: { verified: false, reason: 'unsigned', payload: null, signature: null, verified_at: null },
      },
      author: user('contributor'),
      committer: user('contributor'),
      parents: (commits.get(sha) ?? []).map((parent) => ({ sha: parent, url: `${api}/commits/${parent}`, html_url: `${html}/commit/${parent}` })),
    }
  }

  const commentJson = (c: StoredComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${stand.url}${prefix}/issues/comments/${c.id}`,
    html_url: `https://github.com/${stand.repository}/pull/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${stand.url}${prefix}/issues/${c.issue}`,
    body: c.body,
    user: user(c.author),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'NONE',
    reactions: {
      url: `${api}/issues/comments/${c.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
  })

  /** The token's own account (the description's private-user), as GET /user shows it. */
  const accountJson = (name: string) => ({
    ...user(name),
    user_view_type: 'private',
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    notification_email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 3,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: timeOf(-900_000),
    updated_at: timeOf(-10),
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 1000,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
  })

  /** base...head (the description's commit-comparison): the commits head has and base lacks, oldest first, a page of them. */
  function comparisonJson(request: ApiRequest, c: { base: string; head: string; baseSha: string; headSha: string; status: string; aheadBy: number; behindBy: number }) {
    const [ofBase, ofHead] = [ancestors(c.baseSha), ancestors(c.headSha)]
    const graph = [...commits.keys()]
    const mergeBase = graph.filter((sha) => ofBase.has(sha) && ofHead.has(sha)).at(-1)!
    const perPage = Math.min(Number(request.query['per_page'] ?? 250) || 250, 250)
    const number = Math.max(Number(request.query['page'] ?? 1) || 1, 1)
    const ahead = graph.filter((sha) => ofHead.has(sha) && !ofBase.has(sha))
    const htmlUrl = `${html}/compare/${c.base}...${c.head}`
    return {
      url: `${api}/compare/${encodeURIComponent(c.base)}...${encodeURIComponent(c.head)}`,
      html_url: htmlUrl,
      permalink_url: `${html}/compare/${owner}:${c.baseSha.slice(0, 7)}...${owner}:${c.headSha.slice(0, 7)}`,
      diff_url: `${htmlUrl}.diff`,
      patch_url: `${htmlUrl}.patch`,
      base_commit: commitJson(c.baseSha),
      merge_base_commit: commitJson(mergeBase),
      status: c.status,
      ahead_by: c.aheadBy,
      behind_by: c.behindBy,
      total_commits: c.aheadBy,
      commits: ahead.slice((number - 1) * perPage, number * perPage).map(commitJson),
      files: [],
    }
  }

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

  stand.route('GET', /^\/user$/, () => (login ? { status: 200, body: accountJson(login) } : error(403, 'Resource not accessible by integration')))
  stand.route('GET', at('/pulls'), (request) => {
    const state = request.query['state'] ?? 'open'
    const listed = pulls.filter((p) => state === 'all' || p.state === state).reverse()
    return page(request, listed.map(pullJson))
  })
  stand.route('GET', at('/pulls/(\\d+)'), (_request, [n]) => {
    const p = findPull(n!)
    return p ? { status: 200, body: pullDetailJson(p) } : error(404, 'Not Found')
  })
  stand.route('GET', at('/pulls/(\\d+)/files'), (request, [n]) => {
    const p = findPull(n!)
    if (!p) return error(404, 'Not Found')
    return page(
      request,
      p.files.slice(0, 3000).map((f, i) => fileJson(p, f, i)),
    )
  })
  stand.route('GET', at('/compare/(.+)\\.\\.\\.(.+)'), (request, [base, head]) => {
    const baseSha = resolve(base!)
    const headSha = resolve(head!)
    if (!baseSha || !headSha) return error(404, 'Not Found')
    const [ofBase, ofHead] = [ancestors(baseSha), ancestors(headSha)]
    if (![...ofBase].some((sha) => ofHead.has(sha))) return error(404, `No common ancestor between ${base} and ${head}.`)
    const aheadBy = [...ofHead].filter((sha) => !ofBase.has(sha)).length
    const behindBy = [...ofBase].filter((sha) => !ofHead.has(sha)).length
    const status = aheadBy && behindBy ? 'diverged' : aheadBy ? 'ahead' : behindBy ? 'behind' : 'identical'
    return { status: 200, body: comparisonJson(request, { base: base!, head: head!, baseSha, headSha, status, aheadBy, behindBy }) }
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
