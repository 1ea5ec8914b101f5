/**
 * Deployment records in the runner: the observer main.ts hands to deploy(), and the post step
 * (action.yml runs.post, post-if: always()). The host finishes a deploy even when the job is
 * cancelled or the step killed; the post step then asks the host, read-only, how that run ended,
 * and gives the record main left in progress its final status.
 */
import type { DeployEnd } from './deploy'
import { gitHubApi } from './github'
import { sshHost, type Host } from './host'
import { describeRun, type RunResult } from './protocol'
import { parseSettings, type DeploySettings } from './inputs'
import { jobLog } from './log'
import { deploymentRecorder, settleRecord, type DeployRecorder, type RecordContext, type RecordsIO, type Settled } from './records'
import { requireRepository, STATE, type Runner } from './runner'
import { runnerIO } from './runner-io'
import { connect } from './ssh'

/** How long the post step waits for a run still under way (a cancelled job gets about 5 min in all). */
const POST_WAIT_MS = 3 * 60_000

const io: RecordsIO = {
  warning: jobLog.warning,
  setOutput: runnerIO.setOutput,
  saveState: runnerIO.saveState,
}

/** The observer that keeps GitHub's records of this deploy, or undefined when none is asked for. */
export function recordsFor(settings: DeploySettings, runner: Runner): DeployRecorder | undefined {
  const records = runnerRecords(settings, runner)
  return records ? deploymentRecorder(records.api, records.context, io) : undefined
}

/** The API client and context of the records, or null when none are kept; refuses without the repository. */
function runnerRecords(settings: DeploySettings, runner: Runner) {
  const records = settings.records
  if (!records) return null
  if (!records.token) {
    jobLog.warning('github-token is empty: no deployment record is kept')
    return null
  }
  const api = gitHubApi({
    token: records.token,
    repository: requireRepository(runner, `deployment records (environment: ${records.environment}) need it`),
    baseUrl: runner.apiUrl,
    warn: jobLog.warning,
  })
  const context: RecordContext = { settings: records, ref: settings.ref, runUrl: settings.requester.runUrl }
  return { api, context }
}

/**
 * The post step, when the step left a record unsettled (index.ts asks postHasWork first); runner,
 * input and state: the job's environment, the step's inputs and what it saved, read by index.ts.
 */
export async function post(runner: Runner, input: (name: string) => string, state: (name: string) => string): Promise<void> {
  const sha = state(STATE.sha)
  try {
    const settings = parseSettings(input, { actor: runner.actor, runUrl: runner.runUrl })
    if (settings.command !== 'deploy' && settings.command !== 'rollback') return
    const records = runnerRecords(settings, runner)
    if (!records) return
    jobLog.info(`The deploy step ended without settling the record of ${sha}; asking the host how the deploy ended.`)
    // The run id, or, when the job died while starting it, the token its id ends in.
    const end = await hostEnd(settings, state(STATE.run) || state(STATE.token))
    jobLog.info(`${end.outcome}: ${end.message}`)
    const id = state(STATE.deployment)
    await settleRecord(records.api, records.context, io, { id: id ? Number(id) : null, sha }, end)
  } catch (error) {
    jobLog.warning(`could not settle the deployment record: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** How the host says the run ended; when it cannot say, an error telling where to look. */
async function hostEnd(settings: DeploySettings, run: string): Promise<DeployEnd & { outcome: Settled }> {
  // For the log; GitHub's record gets a description built from the outcome alone (records.ts endDescription).
  const unknown = (why: string): DeployEnd & { outcome: Settled } => ({
    outcome: 'error',
    running: '',
    run: 'maybe',
    message: `unknown, check the host with command: status: ${why}`,
  })
  if (!run) return unknown('the job ended while the deploy was starting')
  let session
  try {
    session = await connect(settings.connection)
    const host = sshHost(session, settings.repoPath)
    let result = await host.result(run)
    // Asked by token: the result names the run.
    run = result.run
    let ended = result.outcome !== 'running'
    if (!ended) {
      jobLog.info(`The host is still deploying run ${run}, detached; waiting up to ${POST_WAIT_MS / 1000} s for it to end.`)
      ended = await waitForRun(host, run, POST_WAIT_MS)
      result = await host.result(run)
    }
    return endOf(result, ended)
  } catch (error) {
    return unknown(`could not ask the host (${error instanceof Error ? error.message : String(error)}) how run ${run} ended`)
  } finally {
    session?.close()
  }
}

/** True when the run ended within ms. */
async function waitForRun(host: Host, run: string, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const ended = await Promise.race([
    host
      .follow(run, 0, () => {})
      .then(
        () => true,
        () => true, // the run is gone or unreadable: result() says what is known
      ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ])
  clearTimeout(timer)
  return ended
}

function endOf(result: RunResult, ended: boolean): DeployEnd & { outcome: Settled } {
  const running = result.serving.state === 'commit' ? result.serving.sha : ''
  const host = { outcome: result.outcome, failedPhase: result.failedPhase || result.phase }
  const down = result.serving.state === 'down'
  const { state, words } = describeRun(result, !ended)
  if (result.outcome === 'success') return { outcome: 'success', running, message: words, host }
  if (state === 'under-way') {
    return { outcome: 'error', running, run: 'started', message: `unknown, check the host with command: status: ${words} when the job ended` }
  }
  return { outcome: 'failure', running, down, host, message: words }
}
