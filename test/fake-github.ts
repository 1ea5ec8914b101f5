// A fake GitHub for the pr-report modules: a plain object implementing GitHubApi and
// PullRequestApi, counting the requests GitHub would count: one per call, one per page of 100 of
// a list. Many pull requests at once are tested against it: against the stand-in
// (test/github-api.ts), GitHub's write pacing (1 s between writes, 3 s between new comments)
// would make them take minutes.
import { WORKFLOW_BOT } from '../src/comment-store'
import type { Comparison, Deployment, DeploymentStatus, GitHubApi, IssueComment, PullRequest, PullRequestApi, PullRequestFile } from '../src/github'
import type { PrReportSettings } from '../src/inputs'

export const ENV = 'catcolab-next'
export const REPOSITORY = 'ToposInstitute/CatColab'
export const RUN_URL = `https://github.com/${REPOSITORY}/actions/runs/77`
export const sha = (n: number) => n.toString(16).padStart(40, '0')
export const MAIN = sha(0xabc)

export class FakeGitHub implements GitHubApi, PullRequestApi {
  pulls: (PullRequest & { files: PullRequestFile[] })[] = []
  stored: (IssueComment & { issue: number })[] = []
  records: (Deployment & { statuses: DeploymentStatus[] })[] = []
  comparison: Comparison = { status: 'identical', aheadBy: 0, behindBy: 0 }
  /** What GET /user answers: null, as for an installation token. */
  login: string | null = null
  /** Who the comments the token makes are authored by. */
  author = WORKFLOW_BOT
  /** Every request, in order: "name" or "name#page". */
  requests: string[] = []
  /** An error to answer a request with, instead of answering it. */
  refuse: (request: string) => Error | undefined = () => undefined
  private nextId = 1000

  private request(name: string): void {
    this.requests.push(name)
    const error = this.refuse(name)
    if (error) throw error
  }

  /** A list GitHub pages at 100 an answer; the next page is asked for only when read on to. */
  private async *pages<T>(name: string, items: () => T[]): AsyncIterable<T> {
    for (let page = 1; page === 1 || (page - 1) * 100 < items().length; page++) {
      this.request(page === 1 ? name : `${name}#${page}`)
      yield* items().slice((page - 1) * 100, page * 100)
    }
  }

  writes(): string[] {
    return this.requests.filter((r) => /^(create|update|delete) /.test(r))
  }

  deploy(target: string, states: DeploymentStatus['state'][] = ['in_progress', 'success'], ref = 'main'): void {
    const statuses = states.map((state, i) => ({ state, description: '', logUrl: RUN_URL, environmentUrl: '', createdAt: `2026-01-01T00:0${i}:00Z` }))
    this.records.push({
      id: this.nextId++,
      sha: target,
      environment: ENV,
      createdAt: '2026-01-01T00:00:00Z',
      payload: { 'catcolab-deploy': { version: 1, ref, previous: '', run_url: RUN_URL } },
      statuses,
    })
  }

  addPull(fields: Partial<PullRequest> & { files?: PullRequestFile[] } = {}): PullRequest & { files: PullRequestFile[] } {
    const number = this.pulls.length + 1
    const pr = {
      number,
      state: 'open',
      headSha: sha(0x100000 + number),
      headRef: `feature-${number}`,
      headRepository: REPOSITORY,
      baseRef: 'main',
      locked: false,
      files: [],
      ...fields,
    }
    this.pulls.push(pr)
    return pr
  }

  async createDeployment(): Promise<number> {
    throw new Error('pr-report never records')
  }
  async setDeploymentStatus(): Promise<void> {
    throw new Error('pr-report never records')
  }
  async createCommitStatus(): Promise<void> {
    throw new Error('pr-report never records')
  }
  async latestDeploymentStatus(): Promise<DeploymentStatus | null> {
    throw new Error('pr-report reads the history')
  }
  deployments(environment: string): AsyncIterable<Deployment> {
    return this.pages('deployments', () => this.records.filter((d) => d.environment === environment).reverse())
  }
  deploymentStatuses(id: number): AsyncIterable<DeploymentStatus> {
    return this.pages(`statuses ${id}`, () => [...this.records.find((d) => d.id === id)!.statuses].reverse())
  }
  async tokenLogin(): Promise<string | null> {
    this.request('GET /user')
    return this.login
  }
  async pullRequest(number: number): Promise<PullRequest> {
    this.request(`pull ${number}`)
    const pr = this.pulls.find((p) => p.number === number)
    if (!pr) throw Object.assign(new Error('Not Found - https://docs.github.com/rest/pulls/pulls#get-a-pull-request'), { status: 404 })
    return pr
  }
  openPullRequests(): AsyncIterable<PullRequest> {
    return this.pages('pulls', () => this.pulls.filter((p) => p.state === 'open').reverse())
  }
  pullRequestFiles(number: number): AsyncIterable<PullRequestFile> {
    return this.pages(`files ${number}`, () => this.pulls.find((p) => p.number === number)!.files)
  }
  async compare(base: string): Promise<Comparison> {
    this.request(`compare ${base}`)
    return this.comparison
  }
  comments(issue: number): AsyncIterable<IssueComment> {
    return this.pages(`comments ${issue}`, () => this.stored.filter((c) => c.issue === issue))
  }
  async createComment(issue: number, body: string): Promise<IssueComment> {
    this.request(`create ${issue}`)
    return this.addComment(issue, body, this.author)
  }
  /** A comment as if someone made it, asking nothing. */
  addComment(issue: number, body: string, author: string): IssueComment & { issue: number } {
    const id = this.nextId++
    const comment = { id, issue, body, author, url: `https://github.com/${REPOSITORY}/pull/${issue}#issuecomment-${id}` }
    this.stored.push(comment)
    return comment
  }
  async updateComment(id: number, body: string): Promise<IssueComment> {
    this.request(`update ${id}`)
    const comment = this.stored.find((c) => c.id === id)!
    comment.body = body
    return comment
  }
  async deleteComment(id: number): Promise<void> {
    this.request(`delete ${id}`)
    const at = this.stored.findIndex((c) => c.id === id)
    if (at === -1) throw Object.assign(new Error('Not Found - https://docs.github.com/rest/issues/comments#delete-an-issue-comment'), { status: 404 })
    this.stored.splice(at, 1)
  }
}

export function reportSettings(fields: Partial<PrReportSettings> = {}): PrReportSettings {
  return {
    command: 'pr-report',
    environment: ENV,
    backendUrl: 'https://backend-next.catcolab.org',
    backendPaths: ['packages/backend/**', 'packages/automerge-doc-server/**', 'packages/migrator/**', 'packages/backend/migrations'],
    migrationsPaths: ['packages/backend/migrations'],
    pullRequest: 'all',
    commentAuthor: null,
    token: 'ghs_token',
    ...fields,
  }
}
