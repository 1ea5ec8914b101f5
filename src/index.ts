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
  if (state(STATE.isPost) !== 'true') void import('./main').then(({ run }) => run(readRunner(env), input))
  else if (postHasWork(state)) void import('./post').then(({ post }) => post(readRunner(env), input, state))
}
