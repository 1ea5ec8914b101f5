/**
 * The pr-report command: one comment per pull request saying which backend its preview talks to
 * (what the environment runs, by this action's deployment records), how that relates to the pull
 * request's base, and whether the pull request changes the backend or adds migrations.
 *
 * It reads and writes through the GitHub API only: no SSH, no secrets, no checkout of the pull
 * request, so it can run on pull_request_target for forks. The comment is found again by its
 * hidden marker and its author (the token's own identity), and updated in place; a duplicate left
 * by two runs at once is removed by whichever run sees it, keeping the oldest.
 */
import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  addFile,
  FILES_LIMIT,
  keptFiles,
  marker,
  renderComment,
  reportedHead,
  type BaseComparison,
  type DeployedFacts,
  type FileFacts,
  type LaterDeploy,
} from './comment'
import { UserError } from './errors'
import { apiErrorMessage, gitHubApi, partsOf, type GitHubApi, type IssueComment, type PullRequest, type PullRequestApi, type PullRequestFile } from './github'
import type { PrReportSettings } from './inputs'
import { jobLog } from './log'
import { pathMatcher } from './path-patterns'
import { deployedRecord } from './records'

/** Who authors comments made with the workflow's GITHUB_TOKEN (GitHub refuses GET /user for it). */
export const WORKFLOW_BOT = 'github-actions[bot]'

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

/**
 * What one file of a pull request means for the comment, by backend-paths and migrations-path
 * (both read as path-patterns.ts reads them): the backend file it changes (a renamed file counts
 * under its old path too), and whether it adds a migration. Pure.
 */
export function fileClassifier(backendPaths: readonly string[], migrationsPaths: readonly string[]) {
  const isBackend = pathMatcher(backendPaths)
  const isMigration = pathMatcher(migrationsPaths)
  return (file: PullRequestFile): { backendFile: string | null; addedMigration: boolean } => ({
    backendFile: isBackend(file.path) ? file.path : file.previousPath !== null && isBackend(file.previousPath) ? file.previousPath : null,
    // Renames and copies add the file at its new path, as the deploy's git diff --no-renames sees it.
    addedMigration: ['added', 'renamed', 'copied'].includes(file.status) && isMigration(file.path),
  })
}

/**
 * What the file facts a comment keeps depend on besides the head and base: the path settings that
 * sorted the files. Changing backend-paths or migrations-path makes every comment's facts stale.
 */
export function filesKey(settings: Pick<PrReportSettings, 'backendPaths' | 'migrationsPaths'>): string {
  return createHash('sha256').update(JSON.stringify([settings.backendPaths, settings.migrationsPaths])).digest('hex').slice(0, 16)
}

/** What the environment runs, by our records. */
interface Backend {
  deployed: (Omit<DeployedFacts, 'base' | 'thisPullRequest'> & { ref: string }) | null
  later: LaterDeploy | null
}

/** What a call needs, for the line that says why it failed. */
interface Access {
  permission: 'pull-requests' | 'deployments' | 'contents'
  level: 'read' | 'write'
  /** What an HTTP 404 means was not found, e.g. "pull request #12". */
  missing: string
}

/** What became of one pull request. */
type Outcome = { comment: IssueComment } | { skipped: 'closed' | 'locked' }

export async function prReport(settings: PrReportSettings, api: GitHubApi & PullRequestApi, io: ReportIO, context: ReportContext): Promise<void> {
  const target = settings.pullRequest ?? context.eventPullRequest
  if (target === null) throw new UserError('pr-number is empty and the event has no pull request: pass a pull request number, or all')

  const author =
    settings.commentAuthor ??
    (await call('find out who the token is', { permission: 'pull-requests', level: 'read', missing: "the token's user" }, () => api.tokenLogin())) ??
    WORKFLOW_BOT
  const deploymentsAccess: Access = { permission: 'deployments', level: 'read', missing: `the repository ${context.repository}, or one of its deployments` }
  const backend = await call(`read the deployments of ${settings.environment}`, deploymentsAccess, () => readBackend(api, settings.environment))
  io.setOutput('backend-sha', backend.deployed?.sha ?? '')
  io.info(
    backend.deployed
      ? `${settings.environment} runs ${backend.deployed.sha} (${backend.deployed.ref}), deployed ${backend.deployed.at}`
      : `nothing was ever deployed to ${settings.environment} by catcolab-deploy`,
  )
  if (backend.later) io.info(`a later deploy of ${backend.later.sha} is ${backend.later.state || 'without status'}`)

  const report = pullRequestReporter(settings, api, io, context, author, backend)

  if (target !== 'all') {
    const pr = await call(`read pull request #${target}`, pullRequestAccess(target, 'read'), () => api.pullRequest(target))
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
  await call('list the open pull requests', { permission: 'pull-requests', level: 'read', missing: `the repository ${context.repository}` }, async () => {
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
function pullRequestReporter(
  settings: PrReportSettings,
  api: GitHubApi & PullRequestApi,
  io: ReportIO,
  context: ReportContext,
  author: string,
  backend: Backend,
): (listed: PullRequest, fresh: boolean) => Promise<Outcome> {
  const classify = fileClassifier(settings.backendPaths, settings.migrationsPaths)
  const key = filesKey(settings)
  // One comparison per base branch, shared by the pull requests into it.
  const comparisons = new Map<string, Promise<BaseComparison | null>>()

  const compareWithBase = (baseRef: string, sha: string): Promise<BaseComparison | null> => {
    if (!comparisons.has(baseRef)) {
      comparisons.set(
        baseRef,
        api.compare(baseRef, sha).then(
          (c) => c,
          (error: unknown) => {
            // 404: GitHub knows no such commit or branch, or the two have no common history.
            const { status, message } = partsOf(error)
            if (status !== 404 && status !== 422) {
              throw new UserError(`could not compare ${baseRef} with ${sha} (${failure(error, { permission: 'contents', level: 'read', missing: `${baseRef} or ${sha}` })})`)
            }
            io.warning(`could not compare ${baseRef} with ${sha}: GitHub answered ${status}: ${message}`)
            return null
          },
        ),
      )
    }
    return comparisons.get(baseRef)!
  }

  /** Our comments on a pull request, oldest first: the marker, and the token's author. */
  const ourComments = async (number: number): Promise<IssueComment[]> => {
    const ours: IssueComment[] = []
    for await (const comment of api.comments(number)) {
      if (comment.author === author && comment.body.startsWith(marker(settings.environment))) ours.push(comment)
    }
    return ours
  }

  /** What the files say, from GitHub's list of them (at most FILES_LIMIT, 100 a page). */
  const readFiles = async (number: number): Promise<FileFacts> => {
    const facts: FileFacts = { backendFiles: [], backendFileCount: 0, addedMigrations: [], addedMigrationCount: 0, incomplete: false }
    let listed = 0
    for await (const file of api.pullRequestFiles(number)) {
      const { backendFile, addedMigration } = classify(file)
      if (backendFile !== null) {
        facts.backendFileCount++
        addFile(facts.backendFiles, backendFile)
      }
      if (addedMigration) {
        facts.addedMigrationCount++
        addFile(facts.addedMigrations, file.path)
      }
      // GitHub stops there; so does this, whatever it answers.
      if (++listed >= FILES_LIMIT) break
    }
    facts.incomplete = listed >= FILES_LIMIT
    return facts
  }

  const locked = (number: number): Outcome => {
    io.notice(`#${number} is locked: no comment (GitHub takes no comments on a locked conversation from the workflow's token)`)
    return { skipped: 'locked' }
  }

  /** Updates our oldest comment, or creates one; removes duplicates of ours. */
  const upsert = async (number: number, found: IssueComment[], body: string): Promise<IssueComment> => {
    let ours = found
    if (ours.length === 0) {
      const created = await api.createComment(number, body)
      io.info(`#${number}: created ${created.url}`)
      if (created.author !== author) {
        io.warning(
          `comments made with github-token are authored by ${created.author}, not ${author}: set comment-author: ${created.author}, ` +
            'or each run adds another comment',
        )
        return created
      }
      // Another run may have created one at the same time: the oldest stays, whichever run sees both.
      ours = await ourComments(number)
      if (!ours.some((comment) => comment.id < created.id)) return created
    }
    const [keep, ...duplicates] = ours as [IssueComment, ...IssueComment[]]
    for (const duplicate of duplicates) {
      await api.deleteComment(duplicate.id).catch((error: unknown) => {
        if (partsOf(error).status !== 404) throw error // 404: the other run removed it
      })
      io.info(`#${number}: removed the duplicate ${duplicate.url}`)
    }
    if (keep.body === body) {
      io.info(`#${number}: unchanged ${keep.url}`)
      return keep
    }
    const updated = await api.updateComment(keep.id, body)
    io.info(`#${number}: updated ${updated.url}`)
    return updated
  }

  return async (listed, fresh) => {
    const number = listed.number
    // GitHub would refuse the comment: not even asked.
    if (listed.locked) return locked(number)
    const ours = await call(`read the comments of #${number}`, pullRequestAccess(number, 'read'), () => ourComments(number))
    let pr = listed
    // Our comment was written for another head than the list shows: the list may be older than
    // the run that wrote it (a push while this run went through the list), so read it again.
    const head = ours[0] ? reportedHead(ours[0].body) : null
    if (!fresh && head !== null && head !== pr.headSha) {
      pr = await call(`read #${number}`, pullRequestAccess(number, 'read'), () => api.pullRequest(number))
      if (pr.state !== 'open') {
        io.info(`#${number} is ${pr.state} now: no comment`)
        return { skipped: 'closed' }
      }
      if (pr.locked) return locked(number)
    }

    // The files said the same for this head last time, unless the base or the path settings changed.
    const kept = ours[0] ? keptFiles(ours[0].body, { headSha: pr.headSha, baseRef: pr.baseRef, filesKey: key }) : null
    const files = kept ?? (await call(`read the files of #${number}`, pullRequestAccess(number, 'read'), () => readFiles(number)))

    let deployed: DeployedFacts | null = null
    if (backend.deployed) {
      const { ref, ...facts } = backend.deployed
      const sameRepository = pr.headRepository.toLowerCase() === context.repository.toLowerCase()
      deployed = {
        ...facts,
        base: await compareWithBase(pr.baseRef, facts.sha),
        thisPullRequest: facts.sha === pr.headSha ? 'head' : sameRepository && ref === pr.headRef ? 'earlier' : null,
      }
    }
    const body = renderComment({
      environment: settings.environment,
      backendUrl: settings.backendUrl,
      repositoryUrl: `${context.serverUrl}/${context.repository}`,
      pullRequest: { headSha: pr.headSha, baseRef: pr.baseRef },
      deployed,
      later: backend.later,
      files,
      filesKey: key,
    })
    // Locked after it was read: GitHub answers 403 saying so.
    const written = await call(`comment on #${number}`, pullRequestAccess(number, 'write'), () =>
      upsert(number, ours, body).catch((error: unknown) => {
        if (lockedAnswer(error)) return null
        throw error
      }),
    )
    return written ? { comment: written } : locked(number)
  }
}

/**
 * The newest of our deployments that succeeded, and a newer one of ours that did not: one that
 * failed (even if later made inactive) or has not finished. One superseded or skipped before it
 * ended (in progress, then inactive) is no deploy to mention.
 */
async function readBackend(api: GitHubApi, environment: string): Promise<Backend> {
  const skipped: LaterDeploy[] = []
  const record = await deployedRecord(api, environment, (deployment, payload, history) => {
    // history: newest first, without a success.
    const ended = history.find((status) => status.state !== 'inactive')
    const status = history[0]?.state === 'inactive' ? ended : history[0]
    if (history[0]?.state === 'inactive' && ended?.state !== 'failure' && ended?.state !== 'error') return
    skipped.push({
      sha: deployment.sha,
      state: status?.state ?? '',
      description: status?.description ?? '',
      at: status?.createdAt ?? deployment.createdAt,
      runUrl: payload.run_url || status?.logUrl || '',
    })
  })
  const later = skipped[0] ?? null
  if (!record) return { deployed: null, later }
  const { deployment, payload, status } = record
  return { deployed: { sha: deployment.sha, ref: payload.ref, at: status.createdAt, runUrl: payload.run_url || status.logUrl }, later }
}

function pullRequestAccess(number: number, level: 'read' | 'write'): Access {
  return { permission: 'pull-requests', level, missing: `pull request #${number}` }
}

/** Runs an API step; a failure becomes one line saying what could not be done and why. */
async function call<T>(what: string, access: Access, step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`could not ${what} (${failure(error, access)})`)
  }
}

/** Why a call failed, in one line (apiErrorMessage): a 404 says what was not found. */
export function failure(error: unknown, access: Access): string {
  return apiErrorMessage(error, access.permission, access.level, access.missing)
}

/** GitHub's refusal of a comment on a locked conversation. */
function lockedAnswer(error: unknown): boolean {
  const { status, message } = partsOf(error)
  return status === 403 && /\bis locked\b/i.test(message)
}

/** The runner's side: the API client, the event's pull request, the job log and outputs. */
export async function runPrReport(settings: PrReportSettings): Promise<void> {
  const env = process.env
  const repository = env.GITHUB_REPOSITORY || 'ToposInstitute/CatColab'
  const api = gitHubApi({
    token: settings.token,
    repository,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    warn: jobLog.warning,
  })
  const io: ReportIO = {
    info: jobLog.info,
    warning: jobLog.warning,
    notice: jobLog.notice,
    setOutput: (name, value) => core.setOutput(name, value),
  }
  try {
    await prReport(settings, api, io, { repository, serverUrl: env.GITHUB_SERVER_URL || 'https://github.com', eventPullRequest: eventPullRequest(env.GITHUB_EVENT_PATH) })
  } finally {
    // The workflow's token may make 1,000 requests an hour in the whole repository.
    jobLog.info(`GitHub API requests made: ${api.requestCount()}`)
  }
}

function eventPullRequest(path: string | undefined): number | null {
  if (!path) return null
  try {
    const number = (JSON.parse(readFileSync(path, 'utf8')) as { pull_request?: { number?: unknown } }).pull_request?.number
    return typeof number === 'number' ? number : null
  } catch {
    return null
  }
}
