// records.ts against a plain in-memory GitHubApi: what is recorded when, and what readers see.
import { describe, expect, it } from 'vitest'
import type { Deployment, DeploymentStatus, GitHubApi, NewCommitStatus, NewDeployment, NewDeploymentStatus } from '../src/github'
import type { Plan } from '../src/plan'
import { deployedRecord, deploymentRecorder, endDescription, PAYLOAD_KEY, settleRecord, SWEEP_LIMIT, type RecordContext } from '../src/records'
import { STATE } from '../src/runner'

const [A, B, C] = ['a', 'b', 'c'].map((c) => c.repeat(40)) as [string, string, string]
const RUN = 'https://github.com/ToposInstitute/CatColab/actions/runs/7'

class FakeApi implements GitHubApi {
  deployments_: (Deployment & { statuses: NewDeploymentStatus[] })[] = []
  commitStatuses: (NewCommitStatus & { sha: string })[] = []
  calls: string[] = []
  /** Method names that throw GitHub's 403. */
  refused = new Set<string>()

  private check(name: string): void {
    this.calls.push(name)
    if (this.refused.has(name)) throw Object.assign(new Error('Resource not accessible by integration'), { status: 403 })
  }

  seed(payload: unknown, states: NewDeploymentStatus['state'][], sha = A): number {
    const id = this.deployments_.length + 1
    this.deployments_.push({ id, sha, environment: 'catcolab', createdAt: '', payload, statuses: states.map((state) => ({ state, description: '' })) })
    return id
  }

  state(id: number): string | undefined {
    return this.deployments_[id - 1]!.statuses.at(-1)?.state
  }

  async createDeployment(d: NewDeployment): Promise<number> {
    this.check('createDeployment')
    const id = this.deployments_.length + 1
    this.deployments_.push({ id, sha: d.sha, environment: d.environment, createdAt: '', payload: d.payload, statuses: [] })
    this.created.push(d)
    return id
  }
  created: NewDeployment[] = []

  async setDeploymentStatus(id: number, status: NewDeploymentStatus): Promise<void> {
    this.check('setDeploymentStatus')
    this.deployments_[id - 1]!.statuses.push(status)
  }

  async *deployments(environment: string): AsyncIterable<Deployment> {
    this.check('deployments')
    yield* [...this.deployments_].reverse().filter((d) => d.environment === environment)
  }

  async latestDeploymentStatus(id: number): Promise<DeploymentStatus | null> {
    this.check('latestDeploymentStatus')
    const s = this.deployments_[id - 1]!.statuses.at(-1)
    return s ? { state: s.state, description: s.description, logUrl: s.logUrl ?? '', environmentUrl: s.environmentUrl ?? '', createdAt: '' } : null
  }

  async *deploymentStatuses(id: number): AsyncIterable<DeploymentStatus> {
    this.check('deploymentStatuses')
    for (const s of [...this.deployments_[id - 1]!.statuses].reverse()) {
      yield { state: s.state, description: s.description, logUrl: s.logUrl ?? '', environmentUrl: s.environmentUrl ?? '', createdAt: '' }
    }
  }

  async createCommitStatus(sha: string, status: NewCommitStatus): Promise<void> {
    this.check('createCommitStatus')
    this.commitStatuses.push({ sha, ...status })
  }
}

function plan(target: string, previous = A): Plan {
  return {
    previous,
    target,
    base: previous,
    baseSource: 'deployed',
    newMigrations: [],
    deletedMigrations: [],
    modifiedMigrations: [],
    migrate: false,
    reason: '',
    warnings: [],
    overrides: [],
  }
}

function setup(ref = 'main', environment = 'catcolab') {
  const api = new FakeApi()
  const warnings: string[] = []
  const outputs: Record<string, string> = {}
  const state: Record<string, string> = {}
  const context: RecordContext = {
    settings: { environment, environmentUrl: 'https://backend.catcolab.org', production: environment === 'catcolab', token: 't' },
    ref,
    runUrl: RUN,
  }
  const io = { warning: (m: string) => warnings.push(m), setOutput: (n: string, v: string) => (outputs[n] = v), saveState: (n: string, v: string) => (state[n] = v) }
  const raw = deploymentRecorder(api, context, io)
  // Each event, then its record updates sent: the order the records see.
  const settled =
    <A extends unknown[]>(event: (...args: A) => void) =>
    async (...args: A) => {
      event(...args)
      await raw.done()
    }
  const recorder = { planned: settled(raw.planned), starting: settled(raw.starting), started: settled(raw.started), finished: settled(raw.finished) }
  return { api, warnings, outputs, state, context, io, raw, recorder }
}

const ours = (ref = 'main') => ({ [PAYLOAD_KEY]: { version: 1, ref, previous: A, run_url: RUN } })

describe('a deploy', () => {
  it('is recorded for the planned commit, in progress, with a pending commit status', async () => {
    const { api, recorder, outputs, state } = setup('v1.2.3')
    await recorder.planned(plan(B))
    expect(api.calls).toEqual(['createDeployment', 'setDeploymentStatus', 'createCommitStatus'])
    expect(api.created).toEqual([
      {
        sha: B,
        environment: 'catcolab',
        production: true,
        description: 'v1.2.3 to catcolab',
        payload: { [PAYLOAD_KEY]: { version: 1, ref: 'v1.2.3', previous: A, run_url: RUN } },
      },
    ])
    expect(api.deployments_[0]!.statuses).toEqual([
      { state: 'in_progress', description: `runs ${A.slice(0, 12)}: deploying v1.2.3 (${B.slice(0, 12)})`, logUrl: RUN, environmentUrl: 'https://backend.catcolab.org' },
    ])
    expect(api.commitStatuses).toEqual([{ sha: B, state: 'pending', context: 'deploy / catcolab', description: 'deploying to catcolab', targetUrl: RUN }])
    expect(outputs['deployment-id']).toBe('1')
    expect(state).toEqual({ [STATE.sha]: B, [STATE.settled]: '', [STATE.deployment]: '1' })
    await recorder.started('20260101T000000Z-42')
    expect(state[STATE.run]).toBe('20260101T000000Z-42')
  })

  it("that succeeds makes our earlier records inactive, and leaves GitHub's own alone", async () => {
    const { api, recorder, state } = setup()
    const previous = api.seed(ours(), ['in_progress', 'success'])
    const stuck = api.seed(ours(), ['in_progress'])
    const githubs = api.seed({}, ['success'])
    await recorder.planned(plan(B))
    await recorder.started('run')
    await recorder.finished({ outcome: 'success', running: B, message: `deployed ${B}` })
    const id = api.deployments_.length
    expect(api.deployments_[id - 1]!.statuses.at(-1)).toMatchObject({ state: 'success', description: `runs ${B.slice(0, 12)}: deployed main` })
    expect(api.commitStatuses.at(-1)).toMatchObject({ sha: B, state: 'success' })
    expect([api.state(previous), api.state(stuck), api.state(githubs)]).toEqual(['inactive', 'inactive', 'success'])
    expect(api.deployments_[stuck - 1]!.statuses.at(-1)!.description).toBe(`superseded by deployment ${id}`)
    expect(state[STATE.settled]).toBe('true')
    expect((await deployedRecord(api, 'catcolab'))?.deployment.sha).toBe(B)
  })

  it('that fails is a failure saying what runs, and what runs stays the earlier success', async () => {
    const { api, recorder, state } = setup()
    api.seed(ours(), ['success'], A)
    await recorder.planned(plan(B))
    await recorder.started('run')
    api.calls = []
    const message = `build failed; the previous checkout ${A} was restored; on the host run: cd /var/lib/catcolab && catcolab-build`
    await recorder.finished({ outcome: 'failure', running: A, message, host: { outcome: 'failed', failedPhase: 'build' } })
    expect(api.calls).toEqual(['setDeploymentStatus', 'createCommitStatus'])
    const description = `runs ${A.slice(0, 12)}: the deploy of ${B.slice(0, 12)} failed at build; see the run's log`
    expect(api.deployments_[1]!.statuses.at(-1)).toMatchObject({ state: 'failure', description })
    expect(api.commitStatuses.at(-1)).toMatchObject({ description })
    expect(api.commitStatuses.at(-1)).toMatchObject({ sha: B, state: 'failure' })
    expect(api.state(1)).toBe('success')
    expect((await deployedRecord(api, 'catcolab'))?.deployment.sha).toBe(A)
    expect(state[STATE.settled]).toBe('true')
  })

  it('that ends in an error says whether the host had started it', async () => {
    const before = setup()
    await before.recorder.planned(plan(B))
    await before.recorder.finished({ outcome: 'error', running: '', message: 'host.sh start exited 1', run: 'none' })
    expect(before.api.deployments_[0]!.statuses.at(-1)).toMatchObject({
      state: 'error',
      description: `not deployed: the deploy of ${B.slice(0, 12)} did not start; see the run's log`,
    })

    for (const run of ['started', 'maybe'] as const) {
      const after = setup()
      await after.recorder.planned(plan(B))
      await after.recorder.starting('0123456789abcdef01234567')
      if (run === 'started') await after.recorder.started('run')
      await after.recorder.finished({ outcome: 'error', running: '', message: 'lost the connection', run })
      expect(after.api.deployments_[0]!.statuses.at(-1)).toMatchObject({
        state: 'error',
        description: `unknown: the action lost track of the deploy of ${B.slice(0, 12)}; check the host with command: status`,
      })
      expect(after.api.commitStatuses.at(-1)).toMatchObject({ state: 'error' })
    }
  })

  it('planned again for the same commit keeps its record; for another commit, starts a new one', async () => {
    const { api, recorder } = setup('main')
    await recorder.planned(plan(B))
    await recorder.planned(plan(B, C))
    expect(api.created).toHaveLength(1)
    await recorder.planned(plan(C, B))
    expect(api.created.map((d) => d.sha)).toEqual([B, C])
    expect(api.deployments_[0]!.statuses.at(-1)).toMatchObject({
      state: 'error',
      description: `not deployed: main named ${C.slice(0, 12)} by the time the host was free`,
    })
    expect(api.commitStatuses.filter((s) => s.sha === B).map((s) => s.state)).toEqual(['pending', 'error'])
  })

  it('of a rollback name the commit each plan goes to as their ref, and say why a replaced one was not deployed', async () => {
    const { api, recorder } = setup('')
    await recorder.planned(plan(B))
    await recorder.planned(plan(C, B))
    expect(api.created.map((d) => [d.sha, (d.payload as { 'catcolab-deploy': { ref: string } })['catcolab-deploy'].ref, d.description])).toEqual([
      [B, B, `${B} to catcolab`],
      [C, C, `${C} to catcolab`],
    ])
    expect(api.deployments_[0]!.statuses.at(-1)).toMatchObject({
      state: 'error',
      description: `not deployed: the rollback went to ${C.slice(0, 12)} instead by the time the host was free`,
    })
  })

  it('that never got as far as a plan records nothing', async () => {
    const { api, recorder } = setup()
    await recorder.finished({ outcome: 'error', running: '', message: 'cannot connect' })
    expect(api.calls).toEqual([])
  })

  it('goes on when GitHub refuses: one warning per refused permission', async () => {
    const { api, recorder, warnings, outputs, state } = setup()
    api.refused.add('createDeployment')
    await recorder.planned(plan(B))
    await recorder.finished({ outcome: 'success', running: B, message: '' })
    expect(api.calls).toEqual(['createDeployment', 'createCommitStatus', 'createCommitStatus'])
    expect(warnings).toEqual([
      'could not create a deployment record in catcolab (HTTP 403: Resource not accessible by integration: the job needs permissions: deployments: write); the deploy itself is not affected',
    ])
    expect(outputs['deployment-id']).toBeUndefined()
    expect(state[STATE.settled]).toBe('true')

    const statuses = setup()
    statuses.api.refused.add('createCommitStatus')
    await statuses.recorder.planned(plan(B))
    await statuses.recorder.finished({ outcome: 'success', running: B, message: '' })
    expect(statuses.api.calls.filter((c) => c === 'createCommitStatus')).toHaveLength(1)
    expect(statuses.warnings).toHaveLength(1)
    expect(statuses.warnings[0]).toMatch(/^could not set the commit status deploy \/ catcolab \(HTTP 403: .*statuses: write\)/)
    // The commit status never got its final state: the post step tries again.
    expect(statuses.state[STATE.settled]).toBe('')
  })

  it("keeps descriptions within GitHub's 140 characters, on one line", async () => {
    const ref = `feature/${'x'.repeat(200)}\nmore`
    const { api, recorder } = setup(ref)
    await recorder.planned(plan(B))
    await recorder.finished({ outcome: 'success', running: B, message: '' })
    const descriptions = [...api.created.map((d) => d.description), ...api.deployments_[0]!.statuses.map((s) => s.description)]
    expect(descriptions).toHaveLength(3)
    for (const description of descriptions) expect(description).toMatch(/^[^\n]{139}…$/)
    expect(descriptions[2]).toMatch(new RegExp(`^runs ${B.slice(0, 12)}: deployed feature/x+…$`))
  })

  it('looks back at no more than the newest records of ours', async () => {
    const { api, recorder } = setup()
    for (let i = 0; i < SWEEP_LIMIT + 5; i++) api.seed(ours(), ['success'])
    await recorder.planned(plan(B))
    await recorder.finished({ outcome: 'success', running: B, message: '' })
    const states = api.deployments_.slice(0, -1).map((d) => d.statuses.at(-1)!.state)
    expect(states.filter((s) => s === 'inactive')).toHaveLength(SWEEP_LIMIT)
    expect(states.slice(0, 5)).toEqual(Array(5).fill('success'))
  })
})

describe('alongside the deploy', () => {
  it('never makes the deploy wait: events return at once, updates go out in order, done() waits for them', async () => {
    const { api, raw, state } = setup()
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const create = api.createDeployment.bind(api)
    // GitHub is slow to answer the first call.
    api.createDeployment = async (d) => {
      const id = await create(d)
      await gate
      return id
    }
    raw.planned(plan(B))
    raw.starting('0123456789abcdef01234567')
    raw.started('run-1')
    raw.finished({ outcome: 'success', running: B, message: '' })
    // What the post step needs is saved at once; nothing else has been sent yet.
    expect(state).toMatchObject({ [STATE.sha]: B, [STATE.token]: '0123456789abcdef01234567', [STATE.run]: 'run-1' })
    let done = false
    const settled = raw.done().then(() => (done = true))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect([done, api.calls]).toEqual([false, ['createDeployment']])
    open()
    await settled
    expect(api.calls.slice(0, 5)).toEqual(['createDeployment', 'setDeploymentStatus', 'createCommitStatus', 'setDeploymentStatus', 'createCommitStatus'])
    expect(api.deployments_[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success'])
    expect(state[STATE.settled]).toBe('true')
  })

  it('a rate-limited update is a warning that does not stop the later ones', async () => {
    const { api, recorder, warnings, state } = setup()
    const set = api.setDeploymentStatus.bind(api)
    let limited = 1
    api.setDeploymentStatus = async (id, status) => {
      if (limited-- > 0) {
        throw Object.assign(new Error('You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'), {
          status: 403,
          response: { headers: { 'retry-after': '120' } },
        })
      }
      return set(id, status)
    }
    await recorder.planned(plan(B))
    await recorder.finished({ outcome: 'success', running: B, message: '' })
    expect(warnings).toEqual([
      "could not set deployment 1 in_progress (HTTP 403: You have exceeded a secondary rate limit. Please wait a few minutes before you try again.: GitHub's secondary rate limit (too many requests at once): GitHub asked to wait 120 s; run again in a few minutes); the deploy itself is not affected",
    ])
    expect(api.deployments_[0]!.statuses.map((s) => s.state)).toEqual(['success'])
    expect(state[STATE.settled]).toBe('true')
  })
})

describe('descriptions', () => {
  const [a, b] = [A.slice(0, 12), B.slice(0, 12)]
  const secret = 'on the host run: cd /var/lib/catcolab && catcolab-restart --token hunter2'
  it.each([
    [{ outcome: 'success', running: B }, `runs ${b}: deployed v1.2.3`],
    [{ outcome: 'skipped', running: A }, `runs ${a}: skipped ${b}, older than what runs`],
    [{ outcome: 'failure', running: A, host: { outcome: 'rolled-back', failedPhase: 'health' } }, `runs ${a}: the deploy of ${b} failed at health and was rolled back`],
    [{ outcome: 'failure', running: B, host: { outcome: 'failed', failedPhase: 'status' } }, `runs ${b}: the deploy of ${b} failed at status; see the run's log`],
    [
      { outcome: 'failure', running: '', down: true, host: { outcome: 'failed', failedPhase: 'start-again' } },
      `the services may be down: the deploy of ${b} failed at start-again; see the run's log`,
    ],
    [
      { outcome: 'failure', running: A, host: { outcome: 'running', failedPhase: 'build' } },
      `runs ${a}: the deploy of ${b} died at build; check the host with command: status`,
    ],
    [{ outcome: 'failure', running: A, host: { outcome: 'lock-timeout', failedPhase: 'lock' } }, `runs ${a}: not deployed, another deploy held the host too long`],
    [
      { outcome: 'failure', running: '', host: { outcome: 'lock-timeout', failedPhase: 'lock' } },
      'what runs is unknown: not deployed, another deploy held the host too long',
    ],
    [{ outcome: 'failure', running: A, host: { outcome: 'stale', failedPhase: '' } }, `runs ${a}: not deployed, other deploys kept changing the host`],
    [
      { outcome: 'failure', running: A, message: 'held by alice: secret words', host: { outcome: 'held', failedPhase: 'lock' } },
      `runs ${a}: not deployed, the host is held`,
    ],
    [{ outcome: 'failure', running: A, host: { outcome: 'failed', failedPhase: 'x; rm -rf /' } }, `runs ${a}: the deploy of ${b} failed; see the run's log`],
    [{ outcome: 'error', running: '', run: 'none' }, `not deployed: the deploy of ${b} did not start; see the run's log`],
    [{ outcome: 'error', running: '', run: 'started' }, `unknown: the action lost track of the deploy of ${b}; check the host with command: status`],
  ] as const)("%j: %s, never the host's message", (end, expected) => {
    expect(endDescription('v1.2.3', B, { ...end, message: secret })).toBe(expected)
  })
})

describe('settling after the job ended', () => {
  it('gives the record left in progress its final status', async () => {
    const { api, context, io, state } = setup('v1.2.3')
    const earlier = api.seed(ours(), ['success'], A)
    const id = api.seed(ours('v1.2.3'), ['in_progress'], B)
    await settleRecord(api, context, io, { id, sha: B }, { outcome: 'success', running: B, message: '' })
    expect(api.state(id)).toBe('success')
    expect(api.commitStatuses).toEqual([
      { sha: B, state: 'success', context: 'deploy / catcolab', description: `runs ${B.slice(0, 12)}: deployed v1.2.3`, targetUrl: RUN },
    ])
    expect(api.state(earlier)).toBe('inactive')
    expect(state[STATE.settled]).toBe('true')
  })
})

describe('what runs', () => {
  it('is the newest of our records whose status history holds a success', async () => {
    const api = new FakeApi()
    expect(await deployedRecord(api, 'catcolab')).toBeNull()
    api.seed(ours('v1.0.0'), ['success', 'inactive'], A)
    api.seed(ours('v1.1.0'), ['success'], B)
    api.seed(ours('v1.2.0'), ['in_progress', 'failure'], C)
    api.seed({}, ['success'], C) // GitHub's own, for the job
    api.seed('', [], C)
    const found = await deployedRecord(api, 'catcolab')
    expect(found?.deployment.sha).toBe(B)
    expect(found?.payload.ref).toBe('v1.1.0')
    expect(found?.status.state).toBe('success')
  })

  it("stays a success that GitHub's auto-inactivation marked inactive; a failure our sweep marked inactive never counts", async () => {
    const api = new FakeApi()
    api.seed(ours('v1.0.0'), ['in_progress', 'success'], A)
    api.seed(ours('v1.1.0'), ['in_progress', 'failure', 'inactive'], C)
    api.seed(ours('v1.2.0'), ['in_progress', 'success', 'inactive'], B) // GitHub's job deployment succeeded after it
    api.seed({}, ['in_progress', 'success'], B)
    api.seed(ours('v1.3.0'), ['in_progress', 'failure'], C)
    api.seed(ours('v1.3.1'), ['in_progress', 'inactive'], C) // skipped, or superseded
    const skipped: string[][] = []
    const found = await deployedRecord(api, 'catcolab', (_d, payload, history) => skipped.push([payload.ref, ...history.map((s) => s.state)]))
    expect(found?.payload.ref).toBe('v1.2.0')
    expect(skipped).toEqual([
      ['v1.3.1', 'inactive', 'in_progress'],
      ['v1.3.0', 'failure', 'in_progress'],
    ])
    // The history of the one that runs is read only down to its success.
    expect(api.calls.filter((c) => c === 'deploymentStatuses')).toHaveLength(3)

    const failedOnly = new FakeApi()
    failedOnly.seed(ours(), ['in_progress', 'failure', 'inactive'], A)
    expect(await deployedRecord(failedOnly, 'catcolab')).toBeNull()
  })
})
