import { INPUT_DEFAULTS } from './input-defaults'
import type { Command } from './inputs'
import { inputsOf, postHasWork, readRunner, STATE, stateOf } from './runner'

/**
 * The runner runs a file of dist/ that calls this, for the step and again as its post step
 * (runs.post): dist/index.js for action.yml, which reads the command from its input, and one file
 * per command for <command>/action.yml, which fixes it (scripts/finish-dist.mjs writes them). Each
 * loads only what it needs (the bundle splits at these imports): a post step with nothing to
 * settle loads nothing more.
 */
export function start(command?: Command): void {
  const env = process.env
  const state = stateOf(env)
  const input = inputsOf(env, command)
  if (state(STATE.isPost) !== 'true') void step(input, env)
  else if (postHasWork(state)) void import('./post').then(({ post }) => post(readRunner(env), input, state))
}

async function step(input: (name: string) => string, env: NodeJS.ProcessEnv): Promise<void> {
  // Every command but pr-report talks to the host: its connection need not wait for the bundle.
  const talksToHost = (input('command').trim() || INPUT_DEFAULTS.command) !== 'pr-report'
  const early = talksToHost ? (await import('./early-connection')).connectEarly(input, INPUT_DEFAULTS.port) : null
  // Loading main blocks the event loop for tens of ms: one turn first gets the connection under way.
  await new Promise((resolve) => setImmediate(resolve))
  const { run } = await import('./main')
  await run(readRunner(env), input, early)
}
