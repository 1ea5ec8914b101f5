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
  if ((input('command').trim() || INPUT_DEFAULTS.command) === 'pr-report') return (await import('./main')).run(readRunner(env), input, null)
  const early = (await import('./early-connection')).connectEarly(input, INPUT_DEFAULTS.port)
  // Loading runs without a break for tens of ms, and the connection moves on only between them (a
  // host name resolved, TCP connected, the identification line sent): so the bundle loads in
  // steps, ssh2 first (its key parser, then its client), with a turn of the event loop before each.
  await turn()
  await import('ssh2/lib/protocol/keyParser.js')
  await turn()
  await import('./ssh')
  await turn()
  await import('./inputs')
  await turn()
  const { run } = await import('./main')
  await run(readRunner(env), input, early)
}

const turn = () => new Promise((resolve) => setImmediate(resolve))
