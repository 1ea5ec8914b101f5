/**
 * The job's environment as the Actions runner sets it, read once (index.ts) into one typed object
 * and handed to main.ts, post.ts and pr-report.ts with the step's inputs and saved state; no other
 * module of ours reads process.env (runner-io.ts reads the names of the files it writes to:
 * outputs, state, the summary). Outside a runner
 * nothing is made up: a command that needs the repository refuses to run without it
 * (requireRepository); only the URLs GitHub documents as defaults have defaults.
 */
import { readFileSync } from 'node:fs'
import { UserError } from './errors'
import type { Command } from './inputs'

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
}

/** Names under which the step leaves what its post step needs (runnerIO.saveState; read back by stateOf). */
export const STATE = {
  /** Set by every step: the post step is told apart by it. */
  isPost: 'isPost',
  deployment: 'deploymentId',
  sha: 'deploymentSha',
  run: 'hostRun',
  token: 'hostRunToken',
  settled: 'deploymentSettled',
} as const

type Env = Record<string, string | undefined>

/**
 * The step's inputs as the runner passes them (INPUT_<NAME>, spaces as underscores), untrimmed; ''
 * when unset. A command's own action fixes command: the runner passes an input its action.yml
 * does not declare (with a warning), so a `command` given to deploy/ must not count.
 */
export const inputsOf =
  (env: Env, command?: Command) =>
  (name: string): string =>
    name === 'command' && command ? command : (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '')

/** What the step saved for its post step (STATE_<name>); '' when nothing was. */
export const stateOf =
  (env: Env) =>
  (name: string): string =>
    env[`STATE_${name}`] ?? ''

/** Whether the post step has anything to do: a deployment record the step left unsettled. */
export const postHasWork = (state: (name: string) => string): boolean => state(STATE.sha) !== '' && state(STATE.settled) !== 'true'

/** Reads the runner's variables from env; readFile reads the event's JSON (GITHUB_EVENT_PATH). */
export function readRunner(env: Env, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): Runner {
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
