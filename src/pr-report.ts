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
import { readFileSync } from 'node:fs'
import { marker, renderComment, reportedHead, type BaseComparison, type DeployedFacts, type LaterDeploy } from './comment'
import { UserError } from './errors'
import { apiErrorMessage, gitHubApi, type GitHubApi, type IssueComment, type PullRequest, type PullRequestApi, type PullRequestFile } from './github'
import type { PrReportSettings } from './inputs'
import { jobLog } from './log'
import { pathMatcher } from './path-patterns'
import { deployedRecord } from './records'

/** Who authors comments made with the workflow's GITHUB_TOKEN (GitHub refuses GET /user for it). */
export const WORKFLOW_BOT = 'github-actions[bot]'
/** GitHub lists at most this many files of a pull request. */
const FILES_LIMIT = 3000

export interface ReportIO {
  info(line: string): void
  warning(message: string): void
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

/** What the environment runs, by our records. */
interface Backend {
  deployed: (Omit<DeployedFacts, 'base' | 'thisPullRequest'> & { ref: string }) | null
  later: LaterDeploy | null
}

export async function prReport(settings: PrReportSettings, api: GitHubApi & PullRequestApi, io: ReportIO, context: ReportContext): Promise<void> {
  const target = settings.pullRequest ?? context.eventPullRequest
  if (target === null) throw new UserError('pr-number is empty and the event has no pull request: pass a pull request number, or all')

  const author = settings.commentAuthor ?? (await call('find out who the token is', 'pull-requests', 'read', () => api.tokenLogin())) ?? WORKFLOW_BOT
  const backend = await call(`read the deployments of ${settings.environment}`, 'deployments', 'read', () => readBackend(api, settings.environment))
  io.setOutput('backend-sha', backend.deployed?.sha ?? '')
  io.info(
    backend.deployed
      ? `${settings.environment} runs ${backend.deployed.sha} (${backend.deployed.ref}), deployed ${backend.deployed.at}`
      : `nothing was ever deployed to ${settings.environment} by catcolab-deploy`,
  )
  if (backend.later) io.info(`a later deploy of ${backend.later.sha} is ${backend.later.state || 'without status'}`)

  const classify = fileClassifier(settings.backendPaths, settings.migrationsPaths)
  // One comparison per base branch, shared by the pull requests into it.
  const comparisons = new Map<string, Promise<BaseComparison | null>>()

  const compareWithBase = (baseRef: string, sha: string): Promise<BaseComparison | null> => {
    if (!comparisons.has(baseRef)) {
      comparisons.set(
        baseRef,
        api.compare(baseRef, sha).then(
          (c) => c,
          (error: unknown) => {
            // 404: GitHub knows no such commit or branch; 422: no common history.
            const status = (error as { status?: unknown }).status
            if (status !== 404 && status !== 422) throw new UserError(`could not compare ${baseRef} with ${sha} (${apiErrorMessage(error, 'contents', 'read')})`)
            const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/ - https:\/\/docs\.github\.com\S*$/, '')
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

  /** Comments on one open pull request; `fresh`: pr was just read on its own, not from the list. */
  const report = async (listed: PullRequest, fresh: boolean): Promise<IssueComment | null> => {
    const number = listed.number
    const ours = await call(`read the comments of #${number}`, 'pull-requests', 'read', () => ourComments(number))
    let pr = listed
    // Our comment was written for another head than the list shows: the list may be older than
    // the run that wrote it (a push while this run went through the list), so read it again.
    const head = ours[0] ? reportedHead(ours[0].body) : null
    if (!fresh && head !== null && head !== pr.headSha) {
      pr = await call(`read #${number}`, 'pull-requests', 'read', () => api.pullRequest(number))
      if (pr.state !== 'open') return null
    }

    const backendFiles: string[] = []
    const addedMigrations: string[] = []
    let files = 0
    await call(`read the files of #${number}`, 'pull-requests', 'read', async () => {
      for await (const file of api.pullRequestFiles(number)) {
        files++
        const { backendFile, addedMigration } = classify(file)
        if (backendFile !== null) backendFiles.push(backendFile)
        if (addedMigration) addedMigrations.push(file.path)
      }
    })

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
      backendFiles,
      filesIncomplete: files >= FILES_LIMIT,
      addedMigrations,
    })
    return await call(`comment on #${number}`, 'pull-requests', 'write', () => upsert(number, ours, body))
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
        if ((error as { status?: unknown }).status !== 404) throw error // 404: the other run removed it
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

  if (target !== 'all') {
    const pr = await call(`read pull request #${target}`, 'pull-requests', 'read', () => api.pullRequest(target))
    if (pr.state !== 'open') {
      io.info(`#${target} is ${pr.state}: no comment`)
      return
    }
    const comment = await report(pr, true)
    io.setOutput('comment-url', comment?.url ?? '')
    return
  }

  // Every open pull request: one list (its pages), then each one's comments and files.
  let total = 0
  const failed: number[] = []
  await call('list the open pull requests', 'pull-requests', 'read', async () => {
    for await (const pr of api.openPullRequests()) {
      total++
      try {
        await report(pr, false)
      } catch (error) {
        failed.push(pr.number)
        io.warning(`#${pr.number}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  })
  io.info(`reported on ${total - failed.length} of ${total} open pull requests`)
  if (failed.length > 0) {
    throw new UserError(`could not report on ${failed.length} of ${total} open pull requests (${failed.map((n) => `#${n}`).join(', ')}): see the warnings above`)
  }
}

/** The newest of our deployments that succeeded, and a newer one of ours that did not. */
async function readBackend(api: GitHubApi, environment: string): Promise<Backend> {
  const skipped: LaterDeploy[] = []
  const record = await deployedRecord(api, environment, (deployment, payload, status) => {
    if (status?.state === 'inactive') return
    skipped.push({ sha: deployment.sha, state: status?.state ?? '', description: status?.description ?? '', at: status?.createdAt ?? deployment.createdAt, runUrl: payload.run_url || status?.logUrl || '' })
  })
  const later = skipped[0] ?? null
  if (!record) return { deployed: null, later }
  const { deployment, payload, status } = record
  return { deployed: { sha: deployment.sha, ref: payload.ref, at: status.createdAt, runUrl: payload.run_url || status.logUrl }, later }
}

/** Runs an API step; a failure becomes one line saying what could not be done and what the job needs. */
async function call<T>(what: string, permission: string, level: 'read' | 'write', step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`could not ${what} (${apiErrorMessage(error, permission, level)})`)
  }
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
    // Test hook (test/pr-report.int.test.ts), honored only for a loopback API.
    unpacedOnLoopback: env.CATCOLAB_DEPLOY_TEST_UNPACED === 'true',
  })
  const io: ReportIO = {
    info: jobLog.info,
    warning: jobLog.warning,
    setOutput: (name, value) => core.setOutput(name, value),
  }
  await prReport(settings, api, io, { repository, serverUrl: env.GITHUB_SERVER_URL || 'https://github.com', eventPullRequest: eventPullRequest(env.GITHUB_EVENT_PATH) })
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
