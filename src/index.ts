import { inputsOf, postHasWork, readRunner, STATE, stateOf } from './runner'

// The runner runs this file for the step and again as its post step (action.yml runs.post).
// Each loads only what it needs (the bundle splits at these imports): a post step with nothing
// to settle loads nothing more.
const env = process.env
const state = stateOf(env)
if (state(STATE.isPost) !== 'true') void import('./main').then(({ run }) => run(readRunner(env), inputsOf(env)))
else if (postHasWork(state)) void import('./post').then(({ post }) => post(readRunner(env), inputsOf(env), state))
