/**
 * GitHub's record of each deploy, kept alongside it through the DeployObserver hook:
 * - a Deployment for the commit the host was asked to run (the plan's target: a dispatch of
 *   another ref records that ref's commit, not the workflow's sha), marked as ours in its payload;
 * - its statuses: in_progress when the deploy starts, then success, failure or error, each linking
 *   the run's log and the environment;
 * - a commit status `deploy / <environment>` on that commit;
 * - once a deploy succeeds, our earlier records for the environment made inactive (GitHub does
 *   this by itself only for successes in non-production environments).
 * Recording never fails a deploy: every API problem is a warning.
 *
 * GitHub also makes deployments of its own for a job that names an `environment:`, carrying the
 * workflow's sha. Readers tell ours by the payload (ourPayload) and trust only ours; the sweep
 * leaves GitHub's alone (GitHub settles them itself when the job ends).
 */
import type { DeployEnd, DeployObserver } from './deploy'
import { apiErrorMessage, rateLimitOf, type CommitState, type Deployment, type DeploymentState, type DeploymentStatus, type GitHubApi } from './github'
import type { RecordSettings } from './inputs'
import { STATE } from './runner'
import { shortSha } from './text'

export const PAYLOAD_KEY = 'catcolab-deploy'

/** What our deployments carry under payload[PAYLOAD_KEY]. */
export interface RecordPayload {
  version: 1
  /** The ref as asked for (branch, tag or sha); the deployment's sha is the commit it named. */
  ref: string
  /** The commit the host ran before. */
  previous: string
  run_url: string
  /** The opt-out inputs this deploy needed, e.g. allow-outside-branches for a fork's commit. */
  overrides?: string[]
}

/** GitHub's limit for status descriptions. */
const DESCRIPTION_MAX = 140
/** How many of our newest earlier records a success looks at to make inactive. */
export const SWEEP_LIMIT = 10

export interface RecordContext {
  settings: RecordSettings
  /** The ref input, as asked for; '' for a rollback, whose records name the commit it goes back to. */
  ref: string
  runUrl: string
}

export interface RecordsIO {
  warning(message: string): void
  setOutput(name: string, value: string): void
  saveState(name: string, value: string): void
}

/** A record being kept: its deployment (null when GitHub refused to create one) and commit. */
export interface DeployRecord {
  id: number | null
  sha: string
}

/** How a record ends (a skipped deploy ends before it has one). */
export type Settled = Exclude<DeployEnd['outcome'], 'skipped'>

export function ourPayload(deployment: Pick<Deployment, 'payload'>): RecordPayload | null {
  const payload = deployment.payload
  if (typeof payload !== 'object' || payload === null) return null
  const ours = (payload as { [key: string]: unknown })[PAYLOAD_KEY]
  if (typeof ours !== 'object' || ours === null || (ours as { version?: unknown }).version !== 1) return null
  return ours as RecordPayload
}

/**
 * What runs in the environment, by our records: the newest of ours whose status history holds a
 * success, read newest first. Its latest status may be inactive and still count: GitHub's own
 * deployment for a job with `environment:` ends success after our record, and GitHub's
 * auto-inactivation then marks ours inactive. A record that failed and was later made inactive
 * by our sweep never held a success, so it never counts. Newer records of ours without a success
 * (failed, unfinished, superseded or skipped) are handed to `skipped`, newest first, each with
 * its history newest first, for readers that mention them.
 */
export async function deployedRecord(
  api: GitHubApi,
  environment: string,
  skipped?: (deployment: Deployment, payload: RecordPayload, history: DeploymentStatus[]) => void,
): Promise<{ deployment: Deployment; payload: RecordPayload; status: DeploymentStatus } | null> {
  for await (const deployment of api.deployments(environment)) {
    const payload = ourPayload(deployment)
    if (!payload) continue
    const history: DeploymentStatus[] = []
    for await (const status of api.deploymentStatuses(deployment.id)) {
      if (status.state === 'success') return { deployment, payload, status }
      history.push(status)
    }
    skipped?.(deployment, payload, history)
  }
  return null
}

/** An observer that keeps the record of one deploy. */
export interface DeployRecorder extends DeployObserver {
  /** Resolves once every record update so far was sent (or given up with a warning). */
  done(): Promise<void>
}

/**
 * Keeps the record of one deploy run; main.ts passes it to deploy() as its observer and awaits
 * done() before the step ends. Updates go out in order, alongside the deploy: the deploy never
 * waits for GitHub (a rate-limit wait on a record must not delay the host's run). What the post
 * step needs is saved at once.
 */
export function deploymentRecorder(api: GitHubApi, context: RecordContext, io: RecordsIO): DeployRecorder {
  let keeper = recordKeeper(api, context, io)
  let current: DeployRecord | null = null
  let queue: Promise<void> = Promise.resolve()
  // Each update waits for the one before. attempt() turns API failures into warnings; anything
  // else is a bug, and a warning too: recording never fails a deploy.
  const then = (update: () => Promise<void>) => {
    queue = queue.then(update).catch((error: unknown) => io.warning(`could not update the deployment record: ${error instanceof Error ? error.message : String(error)}`))
  }
  return {
    planned(plan) {
      if (current?.sha === plan.target) return
      const replaced = current
      const before = keeper
      // A rollback knows its commit only once planned: the records of each commit it plans name that sha as their ref.
      const now = context.ref === '' ? recordKeeper(api, { ...context, ref: plan.target }, io) : keeper
      keeper = now
      const record: DeployRecord = { id: null, sha: plan.target }
      current = record
      now.saveBegun(record)
      then(async () => {
        // Planned again after another deploy changed the host, and the ref (or the rollback) now names another commit.
        const why = context.ref ? `${context.ref} named ${shortSha(plan.target)}` : `the rollback went to ${shortSha(plan.target)} instead`
        if (replaced) await before.settle(replaced, 'error', `not deployed: ${why} by the time the host was free`)
        await now.begin(record, plan.previous, plan.overrides)
      })
    },
    starting(token) {
      io.saveState(STATE.token, token)
    },
    started(run) {
      io.saveState(STATE.run, run)
    },
    finished(end) {
      const record = current
      if (!record) return
      then(() => (end.outcome === 'skipped' ? keeper.skip(record, end) : keeper.finish(record, { ...end, outcome: end.outcome })))
    },
    done: () => queue,
  }
}

/** Gives a record left unsettled its final status (the post step, after the job was cancelled). */
export async function settleRecord(api: GitHubApi, context: RecordContext, io: RecordsIO, record: DeployRecord, end: DeployEnd & { outcome: Settled }): Promise<void> {
  await recordKeeper(api, context, io).finish(record, end)
}

/**
 * The one line GitHub shows for how a deploy ended, built from facts only: never the host's
 * messages, commands or output, which anyone who can read the repository would see (log masking
 * does not reach API calls). It starts with what the host runs, so a description GitHub clips
 * still says it. The log says the rest: what failed, and what to run.
 */
export function endDescription(ref: string, sha: string, end: DeployEnd): string {
  const target = shortSha(sha)
  const runs = end.running ? `runs ${shortSha(end.running)}` : end.down ? 'the services may be down' : 'what runs is unknown'
  const phase = end.host && /^[a-z][a-z-]{0,40}$/.test(end.host.failedPhase) ? end.host.failedPhase : ''
  const at = phase ? ` at ${phase}` : ''
  switch (end.outcome) {
    case 'success':
      return `runs ${target}: deployed${sha.startsWith(ref) ? '' : ` ${ref}`}`
    case 'skipped':
      return `${runs}: skipped ${target}, older than what runs`
    case 'error':
      return end.run === 'started' || end.run === 'maybe'
        ? `unknown: the action lost track of the deploy of ${target}; check the host with command: status`
        : `not deployed: the deploy of ${target} did not start; see the run's log`
    case 'failure':
      switch (end.host?.outcome) {
        case 'lock-timeout':
          return `${runs}: not deployed, another deploy held the host too long`
        case 'stale':
          return `${runs}: not deployed, other deploys kept changing the host`
        // The hold's reason is the holder's words: the log has them, GitHub's record does not.
        case 'held':
          return `${runs}: not deployed, the host is held`
        case 'rolled-back':
          return `${runs}: the deploy of ${target} failed${at} and was rolled back`
        case 'running':
          return `${runs}: the deploy of ${target} died${at}; check the host with command: status`
        default:
          return `${runs}: the deploy of ${target} failed${at}; see the run's log`
      }
  }
}

function recordKeeper(api: GitHubApi, context: RecordContext, io: RecordsIO) {
  const { environment, environmentUrl, production } = context.settings
  const statusContext = `deploy / ${environment}`
  // A permission GitHub refused once is not asked for again: one warning, not one per call.
  const refused = new Set<string>()

  /** Runs one API call; a failure is a warning and yields undefined. */
  async function attempt<T>(permission: 'deployments' | 'statuses', what: string, call: () => Promise<T>): Promise<T | undefined> {
    if (refused.has(permission)) return undefined
    try {
      return await call()
    } catch (error) {
      // A refusal stands for the run; a rate limit passes, so later updates are still tried.
      const status = (error as { status?: unknown }).status
      if (!rateLimitOf(error) && (status === 401 || status === 403 || status === 404)) refused.add(permission)
      io.warning(`could not ${what} (${apiErrorMessage(error, permission)}); the deploy itself is not affected`)
      return undefined
    }
  }

  const commitStatus = (sha: string, state: CommitState, description: string) =>
    attempt('statuses', `set the commit status ${statusContext}`, async () => {
      await api.createCommitStatus(sha, { state, context: statusContext, description: clip(description), targetUrl: context.runUrl || undefined })
      return true
    })

  const deploymentStatus = (id: number, state: DeploymentState, description: string) =>
    attempt('deployments', `set deployment ${id} ${state}`, async () => {
      await api.setDeploymentStatus(id, {
        state,
        description: clip(description),
        logUrl: context.runUrl || undefined,
        environmentUrl: environmentUrl ?? undefined,
      })
      return true
    })

  return {
    /** Saves at once what the post step needs to settle a record of this commit. */
    saveBegun(record: DeployRecord): void {
      io.saveState(STATE.sha, record.sha)
      io.saveState(STATE.settled, '')
    },

    /** Creates the deployment (its id goes into record), in progress. overrides: the opt-out inputs the deploy needed. */
    async begin(record: DeployRecord, previous: string, overrides: string[] = []): Promise<void> {
      const { sha } = record
      const payload: RecordPayload = { version: 1, ref: context.ref, previous, run_url: context.runUrl, ...(overrides.length > 0 ? { overrides } : {}) }
      const id = await attempt('deployments', `create a deployment record in ${environment}`, () =>
        api.createDeployment({
          sha,
          environment,
          production,
          description: clip(`${context.ref} to ${environment}${overrides.length > 0 ? ` (${overrides.join(', ')}: true)` : ''}`),
          payload: { [PAYLOAD_KEY]: payload },
        }),
      )
      if (id !== undefined) {
        record.id = id
        io.setOutput('deployment-id', String(id))
        io.saveState(STATE.deployment, String(id))
        await deploymentStatus(id, 'in_progress', `runs ${shortSha(previous)}: deploying ${named(context.ref, sha)}`)
      }
      await commitStatus(sha, 'pending', `deploying to ${environment}`)
    },

    /** The final status; after a success, earlier records become inactive. */
    async finish(record: DeployRecord, end: DeployEnd & { outcome: Settled }): Promise<void> {
      const description = endDescription(context.ref, record.sha, end)
      const settled = await this.settle(record, end.outcome, description)
      if (end.outcome === 'success' && record.id !== null) await this.inactivateEarlier(record.id)
      if (settled) io.saveState(STATE.settled, 'true')
    },

    /**
     * A record made before the deploy turned out to be skipped: the deployment inactive (it never
     * ran), the commit status success like the job, both saying it was skipped.
     */
    async skip(record: DeployRecord, end: DeployEnd): Promise<void> {
      const description = endDescription(context.ref, record.sha, end)
      const deployed = record.id === null || (await deploymentStatus(record.id, 'inactive', description)) === true
      const committed = (await commitStatus(record.sha, 'success', description)) === true
      if (deployed && committed) io.saveState(STATE.settled, 'true')
    },

    /** True when every part of the record now has this status. */
    async settle(record: DeployRecord, outcome: Settled, description: string): Promise<boolean> {
      const deployed = record.id === null || (await deploymentStatus(record.id, outcome, description)) === true
      const committed = (await commitStatus(record.sha, outcome, description)) === true
      return deployed && committed
    },

    /**
     * Makes our earlier records for the environment inactive after a success: production
     * environments never get GitHub's auto-inactive, and neither do failed or stuck records.
     */
    async inactivateEarlier(currentId: number): Promise<void> {
      await attempt('deployments', `mark earlier deployments in ${environment} inactive`, async () => {
        let seen = 0
        for await (const deployment of api.deployments(environment)) {
          if (deployment.id >= currentId || !ourPayload(deployment)) continue
          if (++seen > SWEEP_LIMIT) break
          if ((await api.latestDeploymentStatus(deployment.id))?.state === 'inactive') continue
          await api.setDeploymentStatus(deployment.id, { state: 'inactive', description: `superseded by deployment ${currentId}` })
        }
      })
    },
  }
}

/** "v1.2.0 (0123456789ab)", or the short sha when the ref was the sha itself. */
function named(ref: string, sha: string): string {
  return sha.startsWith(ref) ? shortSha(sha) : `${ref} (${shortSha(sha)})`
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > DESCRIPTION_MAX ? `${line.slice(0, DESCRIPTION_MAX - 1)}…` : line
}
