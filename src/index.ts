import * as core from '@actions/core'
import { run } from './main'
import { post } from './post'

// The runner runs this file for the step and again as its post step (action.yml runs.post).
void (core.getState('isPost') === 'true' ? post() : run())
