// Runs a workflow file against a sample event as far as GitHub decides things before any step
// runs: whether the event triggers it (filters matched by GitHub's documented filter-pattern
// rules), which jobs run (`if:` evaluated by @actions/expressions, GitHub's own evaluator), and
// what each job's environment, concurrency group and action inputs come to.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import { truthy } from '@actions/expressions/result'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export type Workflow = {
  on: Record<string, any>
  permissions?: unknown
  jobs: Record<string, RawJob>
}

export type RawJob = {
  if?: string
  environment?: string | { name: string; url?: string }
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string }
  permissions?: unknown
  steps?: { if?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> }[]
}

export interface SampleEvent {
  /** github.event_name */
  name: string
  /** github.ref */
  ref: string
  sha: string
  /** github.event */
  payload: Record<string, unknown>
  /** workflow_dispatch inputs as given (strings from the form; defaults fill the rest). */
  inputs?: Record<string, string | boolean>
  /** github.repository; default ToposInstitute/CatColab. */
  repository?: string
}

/** GitHub's environments: their variables and secrets. */
export type Environments = Record<string, { vars: Record<string, string>; secrets: Record<string, string> }>

export interface JobRun {
  runs: boolean
  environment?: { name: string; url: string }
  concurrency?: { group: string; cancelInProgress: boolean }
  /** The `with:` of each `uses:` step whose `if:` holds, rendered. */
  steps: { uses: string; with: Record<string, string> }[]
}

export function readWorkflow(path: string): Workflow {
  return parse(readFileSync(path, 'utf8')) as Workflow
}

// ---- filter patterns ---------------------------------------------------------------------

/**
 * GitHub's filter patterns: `*` any characters but `/`; `**` any characters; `?` zero or one of
 * the preceding character; `+` one or more of it; `[...]` one character of a set or range; `\`
 * escapes. A pattern matches the whole name.
 */
export function filterRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\') source += escape(pattern[++i] ?? '')
    else if (c === '*' && pattern[i + 1] === '*') {
      source += '.*'
      i++
    } else if (c === '*') source += '[^/]*'
    else if (c === '?' || c === '+') source += c
    else if (c === '[') {
      const end = pattern.indexOf(']', i)
      source += pattern.slice(i, end + 1)
      i = end
    } else source += escape(c)
  }
  return new RegExp(`^${source}$`)
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** A filter list, in order: a pattern includes, a later `!pattern` excludes again. */
export function matchesFilter(patterns: string[], name: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (filterRegExp(pattern.slice(1)).test(name)) matched = false
    } else if (filterRegExp(pattern).test(name)) matched = true
  }
  return matched
}

/** branches/branches-ignore (or tags/tags-ignore) of one trigger, for one name. */
function passes(config: Record<string, string[]>, kind: 'branches' | 'tags', name: string): boolean {
  const only = config[kind]
  if (only) return matchesFilter(only, name)
  const ignore = config[`${kind}-ignore`]
  if (ignore) return !matchesFilter(ignore, name)
  return true
}

// ---- triggers ----------------------------------------------------------------------------

export function triggers(workflow: Workflow, event: SampleEvent): boolean {
  const on = normalizeOn(workflow.on)
  if (!(event.name in on)) return false
  const config: Record<string, any> = on[event.name] ?? {}
  for (const key of Object.keys(config)) {
    if (key.startsWith('paths')) throw new Error('path filters are not simulated')
  }
  switch (event.name) {
    case 'push': {
      const hasBranches = 'branches' in config || 'branches-ignore' in config
      const hasTags = 'tags' in config || 'tags-ignore' in config
      // With only tag filters, a branch push does not trigger (and the other way round).
      if (event.ref.startsWith('refs/tags/')) return hasTags ? passes(config, 'tags', event.ref.slice(10)) : !hasBranches
      return hasBranches ? passes(config, 'branches', event.ref.slice(11)) : !hasTags
    }
    case 'pull_request':
    case 'pull_request_target': {
      const types: string[] = config['types'] ?? ['opened', 'synchronize', 'reopened']
      const base = (event.payload['pull_request'] as { base: { ref: string } }).base.ref
      return types.includes(String(event.payload['action'])) && passes(config, 'branches', base)
    }
    case 'workflow_run': {
      const run = event.payload['workflow_run'] as { name: string; head_branch: string }
      const types: string[] = config['types'] ?? ['requested', 'completed']
      return (config['workflows'] as string[]).includes(run.name) && types.includes(String(event.payload['action'])) && passes(config, 'branches', run.head_branch)
    }
    default:
      return true
  }
}

function normalizeOn(on: Workflow['on']): Record<string, any> {
  if (typeof on === 'string') return { [on]: null }
  if (Array.isArray(on)) return Object.fromEntries(on.map((name: string) => [name, null]))
  return on
}

// ---- expressions ---------------------------------------------------------------------------

const STATUS_FUNCTIONS = ['success', 'always', 'failure', 'cancelled'].map((name) => ({ name, minArgs: 0, maxArgs: 0 }))

export function evaluate(expression: string, contexts: Record<string, unknown>): data.ExpressionData {
  const { tokens } = new Lexer(expression).lex()
  const parsed = new Parser(tokens, Object.keys(contexts), STATUS_FUNCTIONS).parse()
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary
  // Nothing failed or was cancelled before these jobs.
  const functions = new Map(STATUS_FUNCTIONS.map((f) => [f.name, { ...f, call: () => new data.BooleanData(f.name === 'success' || f.name === 'always') }]))
  return new Evaluator(parsed, context, functions).evaluate()
}

/** A value with `${{ }}` in it, as GitHub renders it into a string. */
export function render(template: unknown, contexts: Record<string, unknown>): string {
  const text = String(template)
  const whole = /^\$\{\{([\s\S]*?)\}\}$/.exec(text.trim())
  if (whole) return evaluate(whole[1]!, contexts).coerceString()
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => evaluate(expression, contexts).coerceString())
}

/** A job's or a step's `if:`: GitHub adds success() unless the condition calls a status function itself. */
function jobCondition(condition: string | undefined, contexts: Record<string, unknown>): boolean {
  if (condition === undefined) return true
  const expression = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
  const withStatus = /\b(success|always|failure|cancelled)\s*\(/.test(expression) ? expression : `success() && (${expression})`
  return truthy(evaluate(withStatus, contexts))
}

// ---- a whole run -------------------------------------------------------------------------

export function githubContext(event: SampleEvent): Record<string, unknown> {
  const isTag = event.ref.startsWith('refs/tags/')
  return {
    event_name: event.name,
    event: event.payload,
    ref: event.ref,
    ref_name: event.ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: isTag ? 'tag' : 'branch',
    sha: event.sha,
    repository: event.repository ?? 'ToposInstitute/CatColab',
    repository_owner: (event.repository ?? 'ToposInstitute/CatColab').split('/')[0],
    token: '***',
  }
}

/** The inputs context: for a dispatch, the form's values typed as declared, defaults for the rest. */
function inputsContext(workflow: Workflow, event: SampleEvent): Record<string, unknown> {
  if (event.name !== 'workflow_dispatch') return {}
  const declared: Record<string, { type?: string; default?: unknown }> = workflow.on['workflow_dispatch']?.inputs ?? {}
  return Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => {
      const value = event.inputs?.[name] ?? spec.default ?? ''
      return [name, spec.type === 'boolean' ? value === true || value === 'true' : value]
    }),
  )
}

/**
 * needs: the results of jobs that ran before, for jobs that need them (success() stays true: a
 * condition on a needed job's result names needs.<job>.result).
 */
export function simulate(
  workflow: Workflow,
  event: SampleEvent,
  environments: Environments,
  needs: Record<string, { result: string }> = {},
): Record<string, JobRun> | null {
  if (!triggers(workflow, event)) return null
  const base = { github: githubContext(event), inputs: inputsContext(workflow, event), vars: {}, needs }
  const jobs: Record<string, JobRun> = {}
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (!jobCondition(job.if, base)) {
      jobs[id] = { runs: false, steps: [] }
      continue
    }
    const environment = job.environment === undefined ? undefined : typeof job.environment === 'string' ? { name: job.environment } : job.environment
    const name = environment ? render(environment.name, base) : undefined
    // Step outputs are unknown before the job runs: they render empty.
    const scoped = {
      ...base,
      vars: (name && environments[name]?.vars) || {},
      secrets: (name && environments[name]?.secrets) || {},
      steps: {},
      env: {},
      runner: {},
      job: {},
    }
    const concurrency = typeof job.concurrency === 'string' ? { group: job.concurrency } : job.concurrency
    jobs[id] = {
      runs: true,
      environment: environment && name ? { name, url: render(environment.url ?? '', scoped) } : undefined,
      concurrency: concurrency && {
        group: render(concurrency.group, base),
        cancelInProgress: render(concurrency['cancel-in-progress'] ?? false, base) === 'true',
      },
      steps: (job.steps ?? [])
        .filter((step) => step.uses && jobCondition(step.if, scoped))
        .map((step) => ({
          uses: step.uses!,
          with: Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, render(value, scoped)])),
        })),
    }
  }
  return jobs
}
