/**
 * The job's environment as the Actions runner sets it, read once (index.ts) into one typed object
 * and handed to main.ts, post.ts and pr-report.ts; no other module of ours reads process.env
 * (@actions/core reads its own: inputs, outputs, state, the summary file). Outside a runner
 * nothing is made up: a command that needs the repository refuses to run without it
 * (requireRepository); only the URLs GitHub documents as defaults have defaults.
 */
import { readFileSync } from 'node:fs'
import { UserError } from './errors'

export interface Runner {
  /** GITHUB_REPOSITORY, "owner/name"; null when unset (outside GitHub Actions). */
  repository: string | null
  /** GITHUB_SERVER_URL, e.g. https://github.com (its default). */
  serverUrl: string
  /** GITHUB_API_URL, e.g. https://api.github.com (its default). */
  apiUrl: string
  /** GITHUB_ACTOR: who started the run; '' when unset. */
  actor: string
  /** The run's page, from GITHUB_RUN_ID; '' when the run or the repository is unknown. */
  runUrl: string
  /** The number of the event's pull request (GITHUB_EVENT_PATH's pull_request.number); null when it has none. */
  eventPullRequest: number | null
  /** Whether the runner takes a job summary (GITHUB_STEP_SUMMARY names its file). */
  stepSummary: boolean
}

/** Reads the runner's variables from env; readFile reads the event's JSON (GITHUB_EVENT_PATH). */
export function readRunner(env: Record<string, string | undefined>, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): Runner {
  const repository = env['GITHUB_REPOSITORY'] || null
  const serverUrl = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '')
  const runId = env['GITHUB_RUN_ID'] || ''
  return {
    repository,
    serverUrl,
    apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
    actor: env['GITHUB_ACTOR'] ?? '',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    eventPullRequest: eventPullRequest(env['GITHUB_EVENT_PATH'], readFile),
    stepSummary: Boolean(env['GITHUB_STEP_SUMMARY']),
  }
}

/**
 * The repository, for what needs it; outside GitHub Actions a one-line UserError saying what is
 * missing and who needs it (`needs`, e.g. "command pr-report needs it").
 */
export function requireRepository(runner: Pick<Runner, 'repository'>, needs: string): string {
  const repository = runner.repository
  if (repository === null) throw new UserError(`GITHUB_REPOSITORY is not set, and ${needs}: run in GitHub Actions, or set GITHUB_REPOSITORY to owner/name`)
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new UserError(`GITHUB_REPOSITORY must be owner/name, not ${JSON.stringify(repository)}`)
  return repository
}

/** A link to a commit of the repository; '' outside GitHub Actions, where the repository is unknown. */
export function commitUrl(runner: Pick<Runner, 'repository' | 'serverUrl'>, sha: string): string {
  return runner.repository ? `${runner.serverUrl}/${runner.repository}/commit/${sha}` : ''
}

/** The event's pull request number; null when there is no event file, or it is no pull request's. */
function eventPullRequest(path: string | undefined, readFile: (path: string) => string): number | null {
  if (!path) return null
  try {
    const number = (JSON.parse(readFile(path)) as { pull_request?: { number?: unknown } } | null)?.pull_request?.number
    return Number.isSafeInteger(number) && (number as number) > 0 ? (number as number) : null
  } catch {
    return null
  }
}
