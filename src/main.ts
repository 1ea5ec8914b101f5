/**
 * Entry point for every command: mask secrets, parse inputs, dispatch, report one clear line.
 */
import * as core from '@actions/core'
import { deploy, type DeployIO } from './deploy'
import { UserError } from './errors'
import { parseSettings } from './inputs'
import { jobLog } from './log'
import { runPrReport } from './pr-report'
import { recordsFor } from './post'
import { commitUrl, type Runner } from './runner'
import { connect } from './ssh'
import { status } from './status'

/** Runs the step; runner: the job's environment (runner.ts), read once by index.ts. */
export async function run(runner: Runner): Promise<void> {
  // A cancelled workflow sends SIGINT, then SIGTERM: the host goes on deploying regardless.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      jobLog.fail(`the action was stopped (${signal}); a deploy it started goes on to its end on the host: check it with command: status`)
      process.exit(1)
    })
  }
  try {
    // The runner runs index.js again as the post step; this tells it apart.
    core.saveState('isPost', 'true')
    maskSecrets()
    const settings = parseSettings((name) => core.getInput(name, { trimWhitespace: false }), { actor: runner.actor, runUrl: runner.runUrl })
    if (settings.command === 'pr-report') return await runPrReport(settings, runner)
    const io: DeployIO = {
      connect: () => connect(settings.connection),
      info: jobLog.info,
      startGroup: jobLog.startGroup,
      endGroup: jobLog.endGroup,
      warning: jobLog.warning,
      notice: jobLog.notice,
      setOutput: (name, value) => core.setOutput(name, value),
      writeSummary: async (markdown) => {
        if (runner.stepSummary) await core.summary.addRaw(markdown, true).write()
      },
      commitUrl: (sha) => commitUrl(runner, sha),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }
    if (settings.command === 'status') return await status(settings, io)
    // A dry run records nothing. The records go alongside the deploy, and are all sent before the step ends.
    const records = settings.dryRun ? undefined : recordsFor(settings, runner)
    try {
      await deploy(settings, { ...io, observer: records })
    } finally {
      await records?.done()
    }
  } catch (error) {
    // A user's mistake or a reported failure is one line; anything else is a bug and keeps its stack.
    if (error instanceof UserError) jobLog.fail(error.message)
    else jobLog.failWithStack(error instanceof Error ? (error.stack ?? error.message) : String(error))
  }
}

/** Masks the key line by line (the runner masks a multi-line secret only as a whole) and the passphrase. */
function maskSecrets(): void {
  for (const line of core.getInput('private-key').split(/\r?\n/)) {
    if (line.trim()) core.setSecret(line.trim())
  }
  const passphrase = core.getInput('passphrase', { trimWhitespace: false })
  if (passphrase) core.setSecret(passphrase)
  const token = core.getInput('github-token')
  if (token) core.setSecret(token)
}
