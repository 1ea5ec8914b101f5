/**
 * What the pr-report comment on one pull request says (comment.ts CommentFacts): what the
 * environment runs, by this action's deployment records; how that relates to the pull request's
 * base (one comparison per base branch, shared by the pull requests into it) and to the pull
 * request itself; and what its files change, kept in our comment for its head or read from GitHub.
 * Sorting files, the key of the kept facts and the relations are pure; the reads go through
 * apiStep, so a failure is one line.
 */
import { createHash } from 'node:crypto'
import { addFile, FILES_LIMIT, keptFiles, type BaseComparison, type CommentFacts, type DeployedFacts, type FileFacts, type LaterDeploy } from './comment'
import {
  apiStep,
  partsOf,
  pullRequestAccess,
  type Deployment,
  type DeploymentStatus,
  type GitHubApi,
  type PullRequest,
  type PullRequestApi,
  type PullRequestFile,
} from './github'
import type { PrReportSettings } from './inputs'
import { pathMatcher } from './path-patterns'
import { deployedRecord, type RecordPayload } from './records'

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
  return createHash('sha256')
    .update(JSON.stringify([settings.backendPaths, settings.migrationsPaths]))
    .digest('hex')
    .slice(0, 16)
}

/** What the environment runs, by our records. */
export interface Backend {
  deployed: (Omit<DeployedFacts, 'base' | 'thisPullRequest'> & { ref: string }) | null
  later: LaterDeploy | null
}

/**
 * The newest of our deployments that succeeded, and a newer one of ours that did not (laterDeploy).
 * repository is for the line that says what was not found.
 */
export function readBackend(api: GitHubApi, environment: string, repository: string): Promise<Backend> {
  const access = { permission: 'deployments', level: 'read', missing: `the repository ${repository}, or one of its deployments` } as const
  return apiStep(`read the deployments of ${environment}`, access, async () => {
    const skipped: LaterDeploy[] = []
    const record = await deployedRecord(api, environment, (deployment, payload, history) => {
      const later = laterDeploy(deployment, payload, history)
      if (later) skipped.push(later)
    })
    const later = skipped[0] ?? null
    if (!record) return { deployed: null, later }
    const { deployment, payload, status } = record
    return { deployed: { sha: deployment.sha, ref: payload.ref, at: status.createdAt, runUrl: payload.run_url || status.logUrl }, later }
  })
}

/**
 * A record of ours newer than what runs, as the comment mentions it: one that failed (even if
 * later made inactive) or has not finished. Null for one superseded or skipped before it ended
 * (in progress, then inactive): no deploy to mention. history: newest first, without a success. Pure.
 */
export function laterDeploy(deployment: Deployment, payload: RecordPayload, history: DeploymentStatus[]): LaterDeploy | null {
  const ended = history.find((status) => status.state !== 'inactive')
  const status = history[0]?.state === 'inactive' ? ended : history[0]
  if (history[0]?.state === 'inactive' && ended?.state !== 'failure' && ended?.state !== 'error') return null
  return {
    sha: deployment.sha,
    state: status?.state ?? '',
    description: status?.description ?? '',
    at: status?.createdAt ?? deployment.createdAt,
    runUrl: payload.run_url || status?.logUrl || '',
  }
}

/**
 * Whether the environment runs this pull request: its head, an earlier commit of its branch (a
 * deploy of the same branch name from the same repository: a fork's branch is not ours), or
 * neither. Pure.
 */
export function runsThisPullRequest(deployed: { sha: string; ref: string }, pr: PullRequest, repository: string): DeployedFacts['thisPullRequest'] {
  if (deployed.sha === pr.headSha) return 'head'
  return pr.headRepository.toLowerCase() === repository.toLowerCase() && deployed.ref === pr.headRef ? 'earlier' : null
}

/** What the files say, from GitHub's list of them (at most FILES_LIMIT, 100 a page). */
export async function readFiles(api: Pick<PullRequestApi, 'pullRequestFiles'>, number: number, classify: ReturnType<typeof fileClassifier>): Promise<FileFacts> {
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

export interface FactsContext {
  /** "owner/name" */
  repository: string
  /** e.g. https://github.com */
  serverUrl: string
}

export interface FactsIO {
  warning(message: string): void
}

/** Collects the facts of one pull request's comment, from our comment's body on it (null: none). */
export type FactCollector = (pr: PullRequest, comment: string | null) => Promise<CommentFacts>

/**
 * The facts of each pull request's comment, for a run that knows what the environment runs
 * (backend). The files come from our comment when it holds them for the pull request's head and
 * base and these path settings, else from GitHub's list; the base comparison is asked once per
 * base branch, and its failure answers every pull request into that branch.
 */
export function factCollector(
  api: GitHubApi & PullRequestApi,
  settings: Pick<PrReportSettings, 'environment' | 'backendUrl' | 'backendPaths' | 'migrationsPaths'>,
  context: FactsContext,
  backend: Backend,
  io: FactsIO,
): FactCollector {
  const classify = fileClassifier(settings.backendPaths, settings.migrationsPaths)
  const key = filesKey(settings)
  const comparisons = new Map<string, Promise<BaseComparison | null>>()

  const compareWithBase = (baseRef: string, sha: string): Promise<BaseComparison | null> => {
    if (!comparisons.has(baseRef)) {
      const access = { permission: 'contents', level: 'read', missing: `${baseRef} or ${sha}` } as const
      const comparison = apiStep(`compare ${baseRef} with ${sha}`, access, () =>
        api.compare(baseRef, sha).catch((error: unknown) => {
          // 404: GitHub knows no such commit or branch, or the two have no common history.
          const { status, message } = partsOf(error)
          if (status !== 404 && status !== 422) throw error
          io.warning(`could not compare ${baseRef} with ${sha}: GitHub answered ${status}: ${message}`)
          return null
        }),
      )
      comparisons.set(baseRef, comparison)
    }
    return comparisons.get(baseRef)!
  }

  return async (pr, comment) => {
    const number = pr.number
    // The files said the same for this head last time, unless the base or the path settings changed.
    const kept = comment !== null ? keptFiles(comment, { headSha: pr.headSha, baseRef: pr.baseRef, filesKey: key }) : null
    const files = kept ?? (await apiStep(`read the files of #${number}`, pullRequestAccess(number, 'read'), () => readFiles(api, number, classify)))

    let deployed: DeployedFacts | null = null
    const runs = backend.deployed
    if (runs) {
      deployed = {
        sha: runs.sha,
        at: runs.at,
        runUrl: runs.runUrl,
        base: await compareWithBase(pr.baseRef, runs.sha),
        thisPullRequest: runsThisPullRequest(runs, pr, context.repository),
      }
    }
    return {
      environment: settings.environment,
      backendUrl: settings.backendUrl,
      repositoryUrl: `${context.serverUrl}/${context.repository}`,
      pullRequest: { headSha: pr.headSha, baseRef: pr.baseRef },
      deployed,
      later: backend.later,
      files,
      filesKey: key,
    }
  }
}
