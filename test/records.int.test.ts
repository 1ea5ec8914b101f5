// Deployment records end to end: the bundled action, run as the runner runs it, deploys to a
// throwaway host (test/fixture) and records the deploy in a loopback stand-in for the GitHub REST
// API (GITHUB_API_URL). Asserts the exact requests GitHub receives.
import { describe, expect, it } from 'vitest'
import { addPullRequests } from './github-prs'
import { errorLine, hostInputs, runAction, runPost } from './run-action'
import { startProxy } from './tcp-proxy'
import { NEXT, throwaway } from './throwaway'

const RUN_URL = 'https://github.com/ToposInstitute/CatColab/actions/runs/4242'
const { hostAndApi } = throwaway()
const warnings = (log: string) => log.split('\n').filter((line) => line.startsWith('::warning::') && line.includes('could not'))

describe('a deploy with environment set', () => {
  it('records the deployed commit: created, in progress, success, with a commit status', async () => {
    const { h, gh, github } = await hostAndApi()
    const { A, B } = h.commits
    const run = await runAction({ ...hostInputs(h), ref: B, ...NEXT }, { github })
    expect(run.code, run.log).toBe(0)
    expect(gh.calls()).toEqual([
      'POST ~/deployments',
      'POST ~/deployments/1/statuses',
      `POST ~/statuses/${B}`,
      'POST ~/deployments/1/statuses',
      `POST ~/statuses/${B}`,
      'GET ~/deployments?environment=catcolab-next&per_page=100',
    ])
    const bodies = gh.requests.map((r) => r.body)
    expect(bodies[0]).toEqual({
      ref: B,
      task: 'deploy',
      auto_merge: false,
      required_contexts: [],
      environment: 'catcolab-next',
      production_environment: false,
      transient_environment: false,
      description: `${B} to catcolab-next`,
      payload: { 'catcolab-deploy': { version: 1, ref: B, previous: A, run_url: RUN_URL } },
    })
    const status = { log_url: RUN_URL, environment_url: 'https://backend-next.catcolab.org' }
    expect(bodies[1]).toEqual({ state: 'in_progress', description: `runs ${A.slice(0, 12)}: deploying ${B.slice(0, 12)}`, auto_inactive: false, ...status })
    expect(bodies[2]).toEqual({ state: 'pending', context: 'deploy / catcolab-next', description: 'deploying to catcolab-next', target_url: RUN_URL })
    expect(bodies[3]).toEqual({ state: 'success', description: `runs ${B.slice(0, 12)}: deployed`, auto_inactive: true, ...status })
    expect(bodies[4]).toEqual({ state: 'success', context: 'deploy / catcolab-next', description: `runs ${B.slice(0, 12)}: deployed`, target_url: RUN_URL })
    expect(gh.requests.every((r) => r.token === gh.token)).toBe(true)
    expect(run.outputs['deployment-id']).toBe('1')
    expect(gh.deployments[0]).toMatchObject({ sha: B, environment: 'catcolab-next' })
    expect(await h.serviceVersion()).toBe(B)
    expect(warnings(run.log)).toEqual([])
  })

  it("records a failed deploy as failure, saying what runs and what failed, never the host's commands", async () => {
    const { h, gh, github } = await hostAndApi()
    const { A, B } = h.commits
    h.fail('build', B)
    const run = await runAction({ ...hostInputs(h), ref: B, ...NEXT }, { github })
    expect(run.code).toBe(1)
    expect(gh.calls()).toEqual(['POST ~/deployments', 'POST ~/deployments/1/statuses', `POST ~/statuses/${B}`, 'POST ~/deployments/1/statuses', `POST ~/statuses/${B}`])
    // The log has the host's message (with what to run); GitHub's description only facts.
    expect(run.log).toContain(`build failed; the previous checkout ${A} was restored and rebuilt`)
    const description = `runs ${A.slice(0, 12)}: the deploy of ${B.slice(0, 12)} failed at build; see the run's log`
    expect(gh.requests[3]!.body).toMatchObject({ state: 'failure', description, auto_inactive: false })
    expect(gh.requests[4]!.body).toMatchObject({ state: 'failure', context: 'deploy / catcolab-next', description })
    expect(run.outputs['deployment-id']).toBe('1')
  })

  it('records nothing in a dry run', async () => {
    const { h, gh, github } = await hostAndApi()
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B, ...NEXT, 'dry-run': 'true' }, { github })
    expect(run.code, run.log).toBe(0)
    expect(gh.calls()).toEqual([])
    expect(run.outputs['deployment-id']).toBeUndefined()
    expect(run.state).toEqual({ isPost: 'true' })
  })

  it("records the commit of the ref it was dispatched with, not the workflow's", async () => {
    const { h, gh, github } = await hostAndApi()
    const feature = await h.commitToOrigin({ 'packages/backend/src/feature.rs': 'fn feature() {}\n' }, 'feature')
    await h.branchOnOrigin('feature/x', feature)
    const run = await runAction({ ...hostInputs(h), ref: 'feature/x', ...NEXT }, { github })
    expect(run.code, run.log).toBe(0)
    expect(github['GITHUB_SHA']).toBe(h.commits.A)
    expect(gh.requests[0]!.body).toMatchObject({
      ref: feature,
      description: 'feature/x to catcolab-next',
      payload: { 'catcolab-deploy': { ref: 'feature/x' } },
    })
    expect(gh.deployments.map((d) => d.sha)).toEqual([feature])
    expect(new Set(gh.commitStatuses.map((s) => s.sha))).toEqual(new Set([feature]))
    expect(gh.requests[3]!.body).toMatchObject({ state: 'success', description: `runs ${feature.slice(0, 12)}: deployed feature/x` })
  })

  it('never waits for GitHub: a secondary rate limit on the first status update delays the record, not the host', async () => {
    const { h, gh, github } = await hostAndApi()
    const { B } = h.commits
    gh.rateLimit({ kind: 'secondary', retryAfter: 45, matches: (r) => r.method === 'POST' && r.path.endsWith('/deployments/1/statuses') })
    const run = await runAction({ ...hostInputs(h), ref: B, ...NEXT }, { github })
    expect(run.code, run.log).toBe(0)
    // The host run starts as soon as the plan is made: the record's first write is the plan's moment.
    const state = await h.gitOnHost(['rev-parse', '--absolute-git-dir'])
    const results = await h.runAsUser(['sh', '-c', 'cat "$1"/catcolab-deploy/runs/*/result', 'sh', state])
    const started = Number(/^started=(\d+)$/m.exec(results.stdout)?.[1])
    const planned = gh.requests[0]!.at
    expect(gh.calls()[0]).toBe('POST ~/deployments')
    expect(started - planned).toBeLessThan(1000)
    // The limited write waited its 45 s; then the record went on in order and ended success.
    const statuses = gh.requests.filter((r) => r.path.endsWith('/deployments/1/statuses'))
    expect(statuses.map((r) => r.body.state)).toEqual(['in_progress', 'in_progress', 'success'])
    expect(statuses[1]!.at - statuses[0]!.at).toBeGreaterThanOrEqual(45_000)
    expect(started).toBeLessThan(statuses[1]!.at)
    expect(gh.latestState(1)).toBe('success')
    expect(gh.commitStatuses.map((s) => s.state)).toEqual(['pending', 'success'])
    expect(run.log).toMatch(/::warning::GitHub's secondary rate limit asks to wait 45 s \(until \d\d:\d\d:\d\d UTC\): POST \S+ waits, then retries/)
  }, 120_000)

  it('deploys anyway when GitHub refuses, with a warning for each refused permission', async () => {
    const { h, gh, github } = await hostAndApi()
    const { B } = h.commits
    gh.refuse(403, 'Resource not accessible by integration')
    const run = await runAction({ ...hostInputs(h), ref: B, ...NEXT }, { github })
    expect(run.code, run.log).toBe(0)
    expect(gh.calls()).toEqual(['POST ~/deployments', `POST ~/statuses/${B}`])
    expect(warnings(run.log)).toEqual([
      '::warning::could not create a deployment record in catcolab-next (HTTP 403: Resource not accessible by integration: the job needs permissions: deployments: write); the deploy itself is not affected',
      '::warning::could not set the commit status deploy / catcolab-next (HTTP 403: Resource not accessible by integration: the job needs permissions: statuses: write); the deploy itself is not affected',
    ])
    expect(run.outputs['deployed-sha']).toBe(B)
    expect(await h.serviceVersion()).toBe(B)
  })

  it("makes our earlier production records inactive itself, and leaves GitHub's own alone", async () => {
    const { h, gh, github } = await hostAndApi()
    const { A, B } = h.commits
    const payload = { 'catcolab-deploy': { version: 1, ref: 'v0.1.0', previous: A, run_url: RUN_URL } }
    const ours = gh.seedDeployment({ sha: A, environment: 'catcolab', production_environment: true, payload }, ['in_progress', 'success'])
    const githubs = gh.seedDeployment({ sha: A, environment: 'catcolab', production_environment: true }, ['success'])
    const run = await runAction({ ...hostInputs(h), ref: B, environment: 'catcolab' }, { github })
    expect(run.code, run.log).toBe(0)
    const id = Number(run.outputs['deployment-id'])
    expect(gh.requests[0]!.body).toMatchObject({ environment: 'catcolab', production_environment: true })
    expect(gh.calls().slice(5)).toEqual([
      'GET ~/deployments?environment=catcolab&per_page=100',
      `GET ~/deployments/${ours.id}/statuses?per_page=1`,
      `POST ~/deployments/${ours.id}/statuses`,
    ])
    expect(gh.requests.at(-1)!.body).toMatchObject({ state: 'inactive', description: `superseded by deployment ${id}` })
    expect([gh.latestState(id), gh.latestState(ours.id), gh.latestState(githubs.id)]).toEqual(['success', 'inactive', 'success'])
  })
})

describe('outside GitHub Actions (no GITHUB_REPOSITORY)', () => {
  it('deploys without records, linking no commit; refuses a deploy that keeps records before connecting; the post step says why it settles nothing', async () => {
    const { h, gh, github } = await hostAndApi()
    const outside = { ...github, GITHUB_REPOSITORY: '' }
    const { B, C } = h.commits
    const plain = await runAction({ ...hostInputs(h), ref: B }, { github: outside })
    expect(plain.code, plain.log).toBe(0)
    expect(plain.summary).toContain(`\`${B.slice(0, 12)}\``)
    expect(plain.summary).not.toContain('/commit/')

    const refusal =
      'GITHUB_REPOSITORY is not set, and deployment records (environment: catcolab-next) need it: run in GitHub Actions, or set GITHUB_REPOSITORY to owner/name'
    const recorded = await runAction({ ...hostInputs(h), ref: C, ...NEXT }, { github: outside })
    expect(recorded.code).toBe(1)
    expect(errorLine(recorded.log)).toBe(refusal)
    expect(recorded.log).not.toContain('::group::plan') // it stopped before connecting
    expect(await h.serviceVersion()).toBe(B)
    expect(gh.requests).toEqual([])

    // A post step left with a record to settle (its step was killed) says why it cannot.
    const post = await runPost({ ...hostInputs(h), ref: C, ...NEXT }, { isPost: 'true', deploymentSha: C, hostRun: 'x' }, outside)
    expect(post.code, post.log).toBe(0)
    expect(warnings(post.log)).toEqual([`::warning::could not settle the deployment record: ${refusal}`])
    expect(gh.requests).toEqual([])
  })
})

describe("GitHub's own job deployment", () => {
  it('ends after our record and makes it inactive; pr-report still names what runs, and a later failed deploy changes nothing', async () => {
    const { h, gh, github } = await hostAndApi()
    const { A, B, C } = h.commits
    const prs = addPullRequests(gh)
    prs.commits.set(A, [])
    prs.commits.set(B, [A])
    prs.commits.set(C, [B])
    prs.branches['main'] = B
    prs.addPull({ number: 7, headSha: C, files: [{ filename: 'packages/backend/src/main.rs', status: 'modified' }] })
    const report = () => runAction({ command: 'pr-report', environment: NEXT.environment, 'pr-number': '7' }, { github })

    // The job with `environment: catcolab-next` starts: GitHub makes its deployment of the workflow's sha.
    const job = gh.startJob({ sha: A, environment: NEXT.environment })
    const deployed = await runAction({ ...hostInputs(h), ref: B, ...NEXT }, { github })
    expect(deployed.code, deployed.log).toBe(0)
    const ours = Number(deployed.outputs['deployment-id'])
    expect(gh.latestState(ours)).toBe('success')
    // The job ends: GitHub's success makes ours inactive.
    gh.endJob(job)
    expect([gh.latestState(ours), gh.latestState(job.id)]).toEqual(['inactive', 'success'])

    const first = await report()
    expect(first.code, first.log).toBe(0)
    expect(first.outputs['backend-sha']).toBe(B)
    expect(prs.commentsOn(7)).toHaveLength(1)
    expect(prs.commentsOn(7)[0]!.body).toContain(`which runs [\`${B.slice(0, 12)}\`]`)

    // A later deploy of C fails at its build (rolled back to B); its job ends in failure.
    const nextJob = gh.startJob({ sha: A, environment: NEXT.environment })
    h.fail('build', C)
    const failed = await runAction({ ...hostInputs(h), ref: C, ...NEXT }, { github })
    expect(failed.code).toBe(1)
    gh.endJob(nextJob, 'failure')
    const second = await report()
    expect(second.code, second.log).toBe(0)
    expect(second.outputs['backend-sha']).toBe(B)
    const body = prs.commentsOn(7)[0]!.body
    expect(body).toContain(`which runs [\`${B.slice(0, 12)}\`]`)
    expect(body).toContain(`A later deploy to \`catcolab-next\` of \`${C.slice(0, 12)}\``)
    expect(body).toContain('ended in **failure**')
  }, 120_000)
})

describe('the post step', () => {
  it('does nothing after a deploy that settled its record', async () => {
    const { h, gh, github } = await hostAndApi()
    const inputs = { ...hostInputs(h), ref: h.commits.B, ...NEXT }
    const run = await runAction(inputs, { github })
    expect(run.code, run.log).toBe(0)
    const requests = gh.requests.length
    const post = await runPost(inputs, run.state, github)
    expect(post.code, post.log).toBe(0)
    expect(gh.requests.length).toBe(requests)
    expect(h.logins()).toBe(1)
  })

  it.each([false, true])('settles the record of a killed step from the result the host recorded (knowing only the start token: %s)', async (tokenOnly) => {
    const { h, gh, github } = await hostAndApi()
    const { B } = h.commits
    h.delay('build', 4)
    const inputs = { ...hostInputs(h), ref: B, ...NEXT }
    // Killed during the build, once the record is in progress (records go alongside the deploy).
    const killAt = (log: string) => /::group::build/.test(log) && gh.commitStatuses.length > 0
    const run = await runAction(inputs, { github, signalAfter: { pattern: killAt, signal: 'SIGKILL' } })
    expect(run.code).toBeNull()
    expect(gh.latestState(1)).toBe('in_progress')
    expect(run.state).toMatchObject({ isPost: 'true', deploymentId: '1', deploymentSha: B, deploymentSettled: '' })
    expect(run.state['hostRun']).toMatch(/^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{24}$/)
    expect(run.state['hostRun']!.endsWith(run.state['hostRunToken']!)).toBe(true)

    const before = gh.requests.length
    // A step killed while starting the run knows only the token the run's id ends in.
    const state = tokenOnly ? { ...run.state, hostRun: '' } : run.state
    const post = await runPost(inputs, state, github)
    expect(post.code, post.log).toBe(0)
    expect(post.log).toContain(`The deploy step ended without settling the record of ${B}`)
    expect(gh.calls().slice(before)).toEqual(['POST ~/deployments/1/statuses', `POST ~/statuses/${B}`, 'GET ~/deployments?environment=catcolab-next&per_page=100'])
    expect(gh.requests[before]!.body).toMatchObject({ state: 'success', description: `runs ${B.slice(0, 12)}: deployed`, log_url: RUN_URL })
    expect(gh.requests[before + 1]!.body).toMatchObject({ state: 'success', context: 'deploy / catcolab-next' })
    expect(await h.serviceVersion()).toBe(B)
  })

  it('says to check the host when it cannot ask it', async () => {
    const { h, gh, github } = await hostAndApi()
    const { B } = h.commits
    const proxy = await startProxy(h.sshPort)
    h.delay('build', 4)
    const inputs = {
      ...hostInputs(h),
      port: String(proxy.port),
      'known-hosts': h.knownHostsLine.replace(`:${h.sshPort} `, `:${proxy.port} `),
      ref: B,
      ...NEXT,
    }
    const killAt = (log: string) => /::group::build/.test(log) && gh.commitStatuses.length > 0
    const run = await runAction(inputs, { github, signalAfter: { pattern: killAt, signal: 'SIGKILL' } })
    expect(run.code).toBeNull()
    await proxy.close()

    const post = await runPost(inputs, run.state, github)
    expect(post.code, post.log).toBe(0)
    const settled = gh.requests.find((r) => r.path.endsWith('/deployments/1/statuses') && r.body.state !== 'in_progress')
    expect(settled?.body.state).toBe('error')
    expect(settled?.body.description).toBe(`unknown: the action lost track of the deploy of ${B.slice(0, 12)}; check the host with command: status`)
    expect(post.log).toMatch(/error: unknown, check the host with command: status: .*connection refused/)
    expect(gh.commitStatuses.at(-1)).toMatchObject({ sha: B, state: 'error' })
  })
})
