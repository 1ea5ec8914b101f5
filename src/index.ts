import * as core from '@actions/core'
import { run } from './main'
import { post } from './post'
import { readRunner } from './runner'

// The runner runs this file for the step and again as its post step (action.yml runs.post).
const runner = readRunner(process.env)
void (core.getState('isPost') === 'true' ? post(runner) : run(runner))
