/**
 * Entry point for every command: mask secrets, parse inputs, dispatch, report one clear line.
 */
import { deploy, type DeployIO } from './deploy'
import { takeEarly, type EarlyConnection } from './early-connection'
import { UserError } from './errors'
import { holdOrRelease } from './hold'
import { isHoldSettings, parseSettings } from './inputs'
import { jobLog } from './log'
import { commitUrl, STATE, type Runner } from './runner'
import { runnerIO } from './runner-io'
import { connect } from './ssh'
import { status } from './status'

/**
 * Runs the step; runner: the job's environment (runner.ts), and input: its inputs, both read
 * once by index.ts. What only some commands need (the GitHub API client) is imported when needed.
 */
export async function run(runner: Runner, input: (name: string) => string, earlyConnection: EarlyConnection | null = null): Promise<void> {
  let early = earlyConnection
  // A cancelled workflow sends SIGINT, then SIGTERM: the host goes on deploying regardless.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      jobLog.fail(`the action was stopped (${signal}); a deploy it started goes on to its end on the host: check it with command: status`)
      process.exit(1)
    })
  }
  try {
    // The runner runs index.js again as the post step; this tells it apart.
    runnerIO.saveState(STATE.isPost, 'true')
    maskSecrets(input)
    const settings = parseSettings(input, { actor: runner.actor, runUrl: runner.runUrl })
    if (settings.command === 'pr-report') return await (await import('./pr-report')).runPrReport(settings, runner)
    const io: DeployIO = {
      connect: () => {
        // The connection index.ts opened, for the first connect only.
        const first = takeEarly(early, settings.connection.host, settings.connection.port)
        early = null
        return connect(settings.connection, first)
      },
      info: jobLog.info,
      startGroup: jobLog.startGroup,
      endGroup: jobLog.endGroup,
      warning: jobLog.warning,
      notice: jobLog.notice,
      setOutput: runnerIO.setOutput,
      writeSummary: (markdown) => {
        runnerIO.appendSummary(markdown)
        return Promise.resolve()
      },
      commitUrl: (sha) => commitUrl(runner, sha),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }
    if (settings.command === 'status') return await status(settings, io)
    if (isHoldSettings(settings)) return await holdOrRelease(settings, io)
    // A dry run records nothing. The records go alongside the deploy, and are all sent before the step ends.
    const records = settings.dryRun || !settings.records ? undefined : (await import('./post')).recordsFor(settings, runner)
    try {
      await deploy(settings, { ...io, observer: records })
    } finally {
      await records?.done()
    }
  } catch (error) {
    // A user's mistake or a reported failure is one line; anything else is a bug and keeps its stack.
    if (error instanceof UserError) jobLog.fail(error.message)
    else jobLog.failWithStack(error instanceof Error ? (error.stack ?? error.message) : String(error))
  } finally {
    // Not taken (pr-report, a mistake in the inputs): nothing has been said on it but hello.
    early?.socket.destroy()
  }
}

/** Masks the key line by line (the runner masks a multi-line secret only as a whole) and the passphrase. */
function maskSecrets(input: (name: string) => string): void {
  for (const line of input('private-key').split(/\r?\n/)) {
    if (line.trim()) runnerIO.mask(line.trim())
  }
  const passphrase = input('passphrase')
  if (passphrase) runnerIO.mask(passphrase)
  const token = input('github-token').trim()
  if (token) runnerIO.mask(token)
}
