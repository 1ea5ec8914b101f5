/**
 * The deploy command: connect, prepare and plan (one call), then start the host-side run detached
 * from this session and follow its log (the same call; reconnecting when the connection drops) to
 * its true end, where the run's result is.
 */
import { randomBytes } from 'node:crypto'
import { UserError } from './errors'
import { sshHost, type Host, type Prepared } from './host'
import { describeRun, parseRunResult, type RunParams, type RunResult } from './protocol'
import { commandWord, type DeploySettings, type GoingBack } from './inputs'
import { chooseBase, chooseRollback, judgeRollback, judgeTarget, makePlan, type Plan } from './plan'
import { RunLog, type LogSink, type PhaseTiming } from './run-log'
import { ConnectionLost, HostKeyRejected, type SshSession } from './ssh'
import { backupName, deploySummary, skipSummary, type DeployReport } from './summary'
import { quotePath, shortSha } from './text'

/** What the deploy needs from the outside world; main.ts passes runner-io.ts and ssh.ts. */
export interface DeployIO extends LogSink {
  connect(): Promise<SshSession>
  warning(message: string, file?: string): void
  notice(message: string): void
  setOutput(name: string, value: string): void
  writeSummary(markdown: string): Promise<void>
  commitUrl: (sha: string) => string
  /** Waits between reconnect attempts; tests make it instant. */
  sleep(ms: number): Promise<void>
  /** Told how the deploy goes (records.ts keeps GitHub's deployment records with it); never throws, never waits. */
  observer?: DeployObserver
}

/** Told, synchronously, how the deploy goes: whatever it does with that goes alongside the deploy. */
export interface DeployObserver {
  /** A plan was made and is about to run (again, with a new plan, after the host changed under it). Not for a dry run. */
  planned: (plan: Plan) => void
  /** The host-side run began, detached; run is its id on the host. */
  started: (run: string) => void
  /** The start is about to be sent with this token (run ids end in it): for the post step, should the job die now. */
  starting: (token: string) => void
  /** The deploy ended: with the host's result, or with an error before the action knew one (outcome 'error'). */
  finished: (end: DeployEnd) => void
}

export interface DeployEnd {
  /** skipped: the target was older than the deployed commit; nothing was changed. */
  outcome: 'success' | 'failure' | 'error' | 'skipped'
  /** The commit the host runs now; '' when it is not known. */
  running: string
  /** The run left the services stopped (running is then ''). */
  down?: boolean
  /** For the log: may quote the host's commands and output. */
  message: string
  /**
   * The host's own word for how its run ended (success, failed, rolled-back, lock-timeout, stale,
   * or running when the run died) and the phase that failed: facts GitHub's records are written
   * from, where the message is not fit to go.
   */
  host?: { outcome: string; failedPhase: string }
  /**
   * With outcome error, how far the current plan's run got: not started, maybe (the connection
   * dropped while it was being started), or started (the action then lost track of it).
   */
  run?: RunProgress
}

export type RunProgress = 'none' | 'maybe' | 'started'

/** A run that finds the host changed under the lock is planned again, this many times. */
const MAX_PLANS = 10

export async function deploy(asked: DeploySettings, io: DeployIO): Promise<void> {
  const link = await HostLink.open(asked, io)
  let reported = false
  const progress: { run: RunProgress } = { run: 'none' }
  try {
    for (let attempt = 1; ; attempt++) {
      progress.run = 'none'
      // A rollback is a deploy of the commit it chooses from the host's history.
      const settings = asked.goingBack ? await rollbackTarget(asked, asked.goingBack, link.host, io) : asked
      const planned = await makeDeployPlan(settings, link.host, io)
      if (planned.skip !== null) {
        reported = true
        await skip(settings, io, planned.prepared, planned.skip)
        return
      }
      const { plan } = planned
      if (settings.dryRun) {
        io.setOutput('deployed-sha', plan.previous)
        await writeSummary(settings, io, plan, 'dry-run', 'dry run: nothing was changed', plan.previous, [], null)
        return
      }
      io.observer?.planned(plan)
      const nonce = randomBytes(12).toString('hex')
      const log = new RunLog(nonce, io)
      const run = await startAndFollow(settings, io, link, runParams(settings, plan, nonce), log, progress)
      // The log ends with the run's result; a run that died never wrote it there.
      const result = log.result === null ? await link.host.result(run) : parseRunResult(log.result)
      // A rollback chose its target from what ran when it planned: after another deploy, that
      // choice could send the host back to the very commit someone just replaced. It stops.
      if (result.outcome === 'stale' && asked.goingBack) {
        reported = true
        await report(settings, io, link.host, plan, result, log)
        return
      }
      if (result.outcome === 'stale' && attempt < MAX_PLANS) {
        io.info(result.message || 'the host changed since the plan was made; planning again')
        continue
      }
      reported = true // report() tells the observer itself
      await report(settings, io, link.host, plan, result, log)
      return
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    if (!reported) io.observer?.finished({ outcome: 'error', running: '', message, run: progress.run })
    throw error
  } finally {
    link.close()
  }
}

/**
 * The one owner of the SSH connection a deploy uses: a reconnect replaces it, and deploy()
 * closes whichever is current on every path, so no session outlives the action.
 */
class HostLink {
  private constructor(
    private readonly settings: DeploySettings,
    private readonly io: DeployIO,
    private session: SshSession,
    public host: Host,
  ) {}

  static async open(settings: DeploySettings, io: DeployIO): Promise<HostLink> {
    const session = await io.connect()
    return new HostLink(settings, io, session, sshHost(session, settings.repoPath))
  }

  /** After a dropped connection: connects again within reconnect-timeout, else fails saying `pending`. */
  async reconnect(pending: string): Promise<void> {
    this.session.close()
    this.session = await reconnect(this.settings, this.io, pending)
    this.host = sshHost(this.session, this.settings.repoPath)
  }

  close(): void {
    this.session.close()
  }
}

/** The deploy a rollback is: its settings with ref set to the commit chosen from the host's history (plan.ts chooseRollback). */
async function rollbackTarget(settings: DeploySettings, back: GoingBack, host: Host, io: DeployIO): Promise<DeploySettings> {
  const state = await host.state()
  const choice = chooseRollback(state.history, state.deployed, state.head, back.to)
  if ('problem' in choice) throw new UserError(`cannot roll back: ${choice.problem}`)
  const { target, from } = choice
  io.info(
    `rolling back from ${from} to ${target.target}, deployed ${target.finished}${target.actor ? ` by ${target.actor}` : ''}${target.runUrl ? ` (${target.runUrl})` : ''}`,
  )
  return { ...settings, ref: target.target }
}

/** A plan to run, or why the target is skipped (older than what runs), with the host's facts. */
type Planned = { plan: Plan; skip: null } | { skip: string; prepared: Prepared }

async function makeDeployPlan(settings: DeploySettings, host: Host, io: DeployIO): Promise<Planned> {
  io.startGroup('plan')
  try {
    const { commands } = settings
    const prepared = await host.prepare({
      remote: settings.remote,
      ref: settings.ref,
      expectedSha: settings.expectedSha ?? '',
      branches: settings.allowedBranches,
      needCurl: settings.healthUrl !== null,
      commandWords: Object.values(commands)
        .concat(settings.backupCommand ?? [])
        .filter((command) => command !== '')
        .map(commandWord),
      migrationsPaths: settings.migrationsPaths,
    })
    io.info(`host ${settings.connection.host} runs ${prepared.head}${prepared.branch ? ` (branch ${prepared.branch})` : ''}`)
    io.info(`ref ${settings.ref} is ${prepared.target}`)
    const verdict = judgeTarget(prepared, settings)
    if (verdict.action === 'refuse') throw new UserError(verdict.reason)
    if (verdict.action === 'skip') return { skip: verdict.reason, prepared }
    const base = chooseBase(prepared).base
    const changes = prepared.changes.get(base)
    if (!changes) throw new Error(`host.sh prepare reported no changes from ${base}`)
    let plan = makePlan(prepared, changes, settings.migrate, settings.migrationsPaths)
    if (settings.goingBack) {
      const judged = judgeRollback(plan, settings.goingBack.pastMigrations)
      if ('refuse' in judged) throw new UserError(judged.refuse)
      plan = judged.plan
    }
    // A rollback goes back to a commit the host ran before: it overrides nothing.
    if (!settings.goingBack) {
      plan.warnings.unshift(...verdict.warnings)
      plan.overrides = [
        ...(settings.allowedBranches.length > 0 && prepared.containing.length === 0 ? ['allow-outside-branches'] : []),
        ...(prepared.older ? ['allow-older'] : []),
      ]
    }
    if (prepared.containing.length > 0) io.info(`${prepared.target} is on ${prepared.containing.join(', ')} of ${settings.remote}`)
    io.info(`base ${plan.base} (${plan.baseSource === 'deployed' ? 'the last deploy recorded on the host' : 'HEAD: no deploy recorded yet'})`)
    for (const path of plan.newMigrations) io.info(`new migration: ${quotePath(path)}`)
    io.info(`decision: ${plan.reason}`)
    if (plan.migrate && settings.backupCommand !== null) io.info('backup-command runs after the build, before anything is stopped')
    io.setOutput('previous-sha', plan.previous)
    io.setOutput('migrated', String(plan.migrate))
    // One path per line: C-quoted, so a newline in a name cannot split it.
    io.setOutput('new-migrations', plan.newMigrations.map(quotePath).join('\n'))
    // Annotations are seen on the run's page without opening the log.
    for (const warning of plan.warnings) io.warning(warning.message, warning.file)
    return { plan, skip: null }
  } finally {
    io.endGroup()
  }
}

/** A target older than what runs: nothing changes and nothing is recorded; the deployed commit is the output. */
async function skip(settings: DeploySettings, io: DeployIO, prepared: Prepared, reason: string): Promise<void> {
  // Only a target older than the recorded commit is skipped: the record is what runs.
  const deployed = prepared.deployed
  io.notice(reason)
  io.setOutput('previous-sha', prepared.head)
  io.setOutput('deployed-sha', deployed)
  io.setOutput('migrated', 'false')
  io.setOutput('new-migrations', '')
  io.observer?.finished({ outcome: 'skipped', running: deployed, message: reason })
  await io.writeSummary(skipSummary({ host: settings.connection.host, ref: settings.ref, target: prepared.target, deployed, reason, commitUrl: io.commitUrl }))
}

/**
 * Starts the run and follows its log to its end, in one call; a connection that drops meanwhile
 * is made again, and the start sent again with the same token: the host then finds the run it
 * started (if it did) and goes on with the log where it stopped. Returns the run's id.
 */
async function startAndFollow(settings: DeploySettings, io: DeployIO, link: HostLink, params: RunParams, log: RunLog, progress: { run: RunProgress }): Promise<string> {
  const token = randomBytes(12).toString('hex')
  io.observer?.starting(token)
  let run = ''
  let offset = 0
  const started = (id: string) => {
    if (run) return // found again after a reconnect
    run = id
    progress.run = 'started'
    io.observer?.started(run)
    io.info(`The deploy runs on the host as run ${run}, detached: it finishes even if this job is cancelled or the connection drops.`)
  }
  for (;;) {
    try {
      await link.host.start(params, token, offset, started, (chunk) => {
        offset += chunk.length
        return log.push(chunk)
      })
      log.flush()
      return run
    } catch (error) {
      // The host refused (a one-line problem): nothing started, unless an earlier try did.
      if (!(error instanceof ConnectionLost)) throw error
      if (run) {
        io.warning(`The SSH connection dropped while the host was deploying (run ${run}); reconnecting to follow it.`)
        await link.reconnect(`the host may still be deploying run ${run}`)
      } else {
        progress.run = 'maybe'
        io.warning(`The SSH connection dropped while the deploy was starting; reconnecting to find the run (token ${token}), or start it.`)
        await link.reconnect(`the deploy may have started on ${settings.connection.host} as a run whose id ends in ${token}`)
      }
    }
  }
}

function runParams(settings: DeploySettings, plan: Plan, nonce: string): RunParams {
  const { commands } = settings
  return {
    repo: settings.repoPath,
    target: plan.target,
    expected_deployed: plan.baseSource === 'deployed' ? plan.base : '',
    expected_head: plan.previous,
    migrate: plan.migrate ? 'true' : 'false',
    build: commands.build,
    backup: settings.backupCommand ?? '',
    stop: commands.stop,
    migrate_command: commands.migrate,
    start: commands.start,
    restart: commands.restart,
    status: commands.status,
    health_url: settings.healthUrl ?? '',
    rollback: settings.rollback ? 'true' : 'false',
    health_timeout: String(settings.healthTimeout),
    lock_timeout: String(settings.lockTimeout),
    command_timeout: String(settings.commandTimeout),
    nonce,
    kind: settings.goingBack ? 'rollback' : 'deploy',
    hold_reason: settings.goingBack?.hold
      ? `rolled back from ${plan.base} to ${shortSha(plan.target)}: a deploy could put ${shortSha(plan.base)} back; release once it is fixed`
      : '',
    outputs: settings.buildOutputs.join('\n'),
    actor: settings.requester.actor,
    run_url: settings.requester.runUrl,
  }
}

async function reconnect(settings: DeploySettings, io: DeployIO, pending: string): Promise<SshSession> {
  const deadline = Date.now() + settings.connection.reconnectTimeout * 1000
  let delay = 1000
  let last = ''
  while (Date.now() < deadline) {
    await io.sleep(delay)
    try {
      const session = await io.connect()
      io.info('reconnected')
      return session
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
      // A changed host key is no passing fault: stop at once.
      if (error instanceof HostKeyRejected) throw error
      delay = Math.min(delay * 2, 15_000)
    }
  }
  throw new UserError(
    `lost the connection to ${settings.connection.host} and could not reconnect within ${settings.connection.reconnectTimeout} s (${last}): ` +
      `${pending}; check with command: status`,
  )
}

async function report(settings: DeploySettings, io: DeployIO, host: Host, plan: Plan, result: RunResult, log: RunLog): Promise<void> {
  const outcome = result.outcome === 'success' ? 'success' : 'failed'
  // What the services run and what is checked out can differ after a failure. A run that died
  // never said what runs: the plan's view is the best left.
  const serving = result.serving.state === 'unknown' ? plan.previous : result.serving.state === 'commit' ? result.serving.sha : ''
  const checkout = result.checkout || plan.previous
  // A run that never got the lock (or found the plan stale, or the host held) touched nothing: it knows no more.
  const untouched = result.outcome === 'lock-timeout' || result.outcome === 'stale' || result.outcome === 'held'
  const state = untouched
    ? 'this run changed nothing on the host'
    : serving
      ? `the host runs ${serving}${checkout === serving ? '' : ` (checkout ${checkout})`}`
      : `the services may be down (checkout ${checkout})`
  io.setOutput('deployed-sha', untouched ? '' : serving || checkout)
  io.setOutput('migrated', result.migrated ? 'true' : 'false')
  const backup = backupName(log.phases)
  if (backup !== null) io.info(`backup made before migrating: ${backup}`)
  // A rollback that could not hold the host leaves the next automatic deploy free to undo it.
  if (result.hold === 'failed') io.warning(result.message)
  const message = [failureMessage(result, settings.goingBack !== null), migrationsLeft(plan, result)].filter(Boolean).join('; ')
  const logs = outcome === 'failed' && settings.logsCommand ? await serviceLogs(io, host, settings.logsCommand) : null
  io.observer?.finished({
    outcome: outcome === 'success' ? 'success' : 'failure',
    running: serving,
    down: result.serving.state === 'down',
    message,
    host: { outcome: result.outcome, failedPhase: result.failedPhase || result.phase },
  })
  await writeSummary(settings, io, plan, outcome, message, serving, log.phases, result.downtime, logs)
  if (outcome !== 'success') throw new UserError(`deploy failed: ${message}; ${state}`)
}

function failureMessage(result: RunResult, rollback: boolean): string {
  if (result.outcome === 'stale' && rollback) {
    return 'the host changed since the rollback was planned (another deploy ran): this rollback changed nothing; check with command: status, then roll back again'
  }
  if (result.outcome === 'stale') {
    return `the host changed under each of ${MAX_PLANS} plans (other deploys kept running); nothing was changed by this run: run it again`
  }
  // The run's log was followed to its end: a run still "running" died.
  return describeRun(result, false).words
}

/** A rollback does not undo migrations: say which stay applied. */
function migrationsLeft(plan: Plan, result: RunResult): string {
  if (result.outcome === 'success' || plan.newMigrations.length === 0) return ''
  const files = plan.newMigrations.map(quotePath).join(', ')
  if (result.migrated) return `the migrations stay applied: ${files}`
  if (result.failedPhase === 'migrate') return `any of ${files} that ran before the failure stay applied (check with sqlx migrate info)`
  return ''
}

/** Shows the services' own logs after a failure; a failing logs command is only a warning. */
async function serviceLogs(io: DeployIO, host: Host, command: string): Promise<string | null> {
  try {
    const { code, output } = await host.command(command)
    io.startGroup('service logs')
    for (const line of output.trimEnd().split('\n')) io.info(`| ${line}`)
    io.endGroup()
    if (code !== 0) io.warning(`logs-command exited ${code}`)
    return output
  } catch (error) {
    io.warning(`could not run logs-command: ${error instanceof Error ? error.message : String(error)}`)
    return null
  }
}

async function writeSummary(
  settings: DeploySettings,
  io: DeployIO,
  plan: Plan,
  outcome: DeployReport['outcome'],
  message: string,
  running: string,
  phases: PhaseTiming[],
  downtime: DeployReport['downtime'],
  logs: string | null = null,
): Promise<void> {
  const statusOutput = (phases.find((phase) => phase.name === 'status')?.output ?? []).join('\n')
  if (outcome !== 'dry-run') io.setOutput('status', statusOutput)
  await io.writeSummary(
    deploySummary({
      kind: settings.goingBack ? 'rollback' : 'deploy',
      host: settings.connection.host,
      ref: settings.ref,
      plan,
      outcome,
      message,
      running,
      phases,
      downtime,
      statusOutput,
      logs,
      commitUrl: io.commitUrl,
    }),
  )
}
