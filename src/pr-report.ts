/**
 * The pr-report command: one comment per pull request saying which backend its preview talks to
 * (what the environment runs, by this action's deployment records), how that relates to the pull
 * request's base, and whether the pull request changes the backend or adds migrations.
 *
 * It reads and writes through the GitHub API only: no SSH, no secrets, no checkout of the pull
 * request, so it can run on pull_request_target for forks. This module decides what runs: one
 * pull request or every open one, what to read again, what to skip, what to count and when to
 * fail. What a comment says is pr-facts.ts; finding and writing the comment is comment-store.ts.
 */
import { renderComment, reportedHead } from './comment'
import { commentAuthor, commentStore, type CommentStore } from './comment-store'
import { UserError } from './errors'
import { apiStep, gitHubApi, pullRequestAccess, type GitHubApi, type IssueComment, type PullRequest, type PullRequestApi } from './github'
import type { PrReportSettings } from './inputs'
import { jobLog } from './log'
import { factCollector, readBackend, type FactCollector } from './pr-facts'
import { requireRepository, type Runner } from './runner'
import { runnerIO } from './runner-io'

export interface ReportIO {
  info(line: string): void
  warning(message: string): void
  /** Something the run decided that is no failure (a locked pull request skipped). */
  notice(message: string): void
  setOutput(name: string, value: string): void
}

export interface ReportContext {
  /** "owner/name" */
  repository: string
  /** GITHUB_SERVER_URL, e.g. https://github.com */
  serverUrl: string
  /** The pull request of the event that started the run, if any. */
  eventPullRequest: number | null
}

/** What became of one pull request. */
type Outcome = { comment: IssueComment } | { skipped: 'closed' | 'locked' }

export async function prReport(settings: PrReportSettings, api: GitHubApi & PullRequestApi, io: ReportIO, context: ReportContext): Promise<void> {
  const target = settings.pullRequest ?? context.eventPullRequest
  if (target === null) throw new UserError('pr-number is empty and the event has no pull request: pass a pull request number, or all')

  const author = await commentAuthor(api, settings.commentAuthor)
  const backend = await readBackend(api, settings.environment, context.repository)
  io.setOutput('backend-sha', backend.deployed?.sha ?? '')
  io.info(
    backend.deployed
      ? `${settings.environment} runs ${backend.deployed.sha} (${backend.deployed.ref}), deployed ${backend.deployed.at}`
      : `nothing was ever deployed to ${settings.environment} by catcolab-deploy`,
  )
  if (backend.later) io.info(`a later deploy of ${backend.later.sha} is ${backend.later.state || 'without status'}`)

  const report = pullRequestReporter(api, io, factCollector(api, settings, context, backend, io), commentStore(api, { author, environment: settings.environment }, io))

  if (target !== 'all') {
    const pr = await apiStep(`read pull request #${target}`, pullRequestAccess(target, 'read'), () => api.pullRequest(target))
    if (pr.state !== 'open') {
      io.info(`#${target} is ${pr.state}: no comment`)
      return
    }
    const outcome = await report(pr, true)
    io.setOutput('comment-url', 'comment' in outcome ? outcome.comment.url : '')
    return
  }

  // Every open pull request: one list (its pages), then each one's comments, and its files when
  // its comment does not already hold them for its head.
  let total = 0
  let locked = 0
  const failed: number[] = []
  await apiStep('list the open pull requests', { permission: 'pull-requests', level: 'read', missing: `the repository ${context.repository}` }, async () => {
    for await (const pr of api.openPullRequests()) {
      total++
      try {
        const outcome = await report(pr, false)
        if ('skipped' in outcome && outcome.skipped === 'locked') locked++
      } catch (error) {
        failed.push(pr.number)
        io.warning(`#${pr.number}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  })
  io.info(`reported on ${total - failed.length - locked} of ${total} open pull requests${locked > 0 ? ` (${locked} locked, skipped)` : ''}`)
  if (failed.length > 0) {
    throw new UserError(`could not report on ${failed.length} of ${total} open pull requests (${failed.map((n) => `#${n}`).join(', ')}): see the warnings above`)
  }
}

/** Reports on one open pull request at a time: (pr, fresh), fresh when pr was just read on its own, not from the list. */
function pullRequestReporter(api: PullRequestApi, io: ReportIO, facts: FactCollector, comments: CommentStore): (listed: PullRequest, fresh: boolean) => Promise<Outcome> {
  const locked = (number: number): Outcome => {
    io.notice(`#${number} is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)`)
    return { skipped: 'locked' }
  }

  return async (listed, fresh) => {
    const number = listed.number
    // GitHub would refuse the comment: not even asked.
    if (listed.locked) return locked(number)
    const ours = await comments.ours(number)
    let pr = listed
    // Our comment was written for another head than the list shows: the list may be older than
    // the run that wrote it (a push while this run went through the list), so read it again.
    const head = ours[0] ? reportedHead(ours[0].body) : null
    if (!fresh && head !== null && head !== pr.headSha) {
      pr = await apiStep(`read #${number}`, pullRequestAccess(number, 'read'), () => api.pullRequest(number))
      if (pr.state !== 'open') {
        io.info(`#${number} is ${pr.state} now: no comment`)
        return { skipped: 'closed' }
      }
      if (pr.locked) return locked(number)
    }
    const body = renderComment(await facts(pr, ours[0]?.body ?? null))
    const written = await comments.write(number, ours, body)
    return written ? { comment: written } : locked(number)
  }
}

/** The runner's side: the API client, the job log and outputs; the repository and event from runner. */
export async function runPrReport(settings: PrReportSettings, runner: Runner): Promise<void> {
  const repository = requireRepository(runner, 'command pr-report needs it')
  const api = gitHubApi({ token: settings.token, repository, baseUrl: runner.apiUrl, warn: jobLog.warning })
  const io: ReportIO = {
    info: jobLog.info,
    warning: jobLog.warning,
    notice: jobLog.notice,
    setOutput: runnerIO.setOutput,
  }
  try {
    await prReport(settings, api, io, { repository, serverUrl: runner.serverUrl, eventPullRequest: runner.eventPullRequest })
  } finally {
    // The workflow's token may make 1,000 requests an hour in the whole repository.
    jobLog.info(`GitHub API requests made: ${api.requestCount()}`)
  }
}
