// command: hold and command: release, end to end: the bundled action, run as the runner runs it,
// against a throwaway host (test/fixture) and, for the records, the loopback GitHub stand-in.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { errorLine, hostInputs, runAction, stateDir, waitFor } from './run-action'
import { throwaway } from './throwaway'

const RUN_URL = 'https://github.com/ToposInstitute/CatColab/actions/runs'
const { newHost, newApi } = throwaway()
const runs = async (h: TestHost) => {
  const dir = join(await stateDir(h), 'runs')
  return existsSync(dir) ? readdirSync(dir) : []
}

const hold = (h: TestHost, reason: string, extra: Record<string, string> = {}, actor = 'alice') =>
  runAction({ ...hostInputs(h), command: 'hold', reason, ...extra }, { github: { GITHUB_ACTOR: actor, GITHUB_RUN_ID: '900' } })

describe('a held host', () => {
  it('refuses every deploy at once, before fetching, naming the reason, who and since when; status shows it; release lets deploys run', async () => {
    const h = await newHost()
    const { A, B } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: A })).code).toBe(0)
    const held = await hold(h, 'migrating the database by hand')
    expect(held.code, held.log).toBe(0)
    expect(held.log).toMatch(new RegExp(`127\\.0\\.0\\.1 is held since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z by alice \\(${RUN_URL}/900\\): migrating the database by hand`))
    expect(held.outputs['status']).toContain('every deploy ends at once until command: release')
    expect(held.summary).toContain('## Hold of 127.0.0.1')

    // A new commit on origin: a held host must not even fetch it.
    const fresh = await h.commitToOrigin({ 'README.md': 'held\n' }, 'while held')
    const before = await runs(h)
    const refused = await runAction({ ...hostInputs(h), ref: B })
    expect(refused.code).toBe(1)
    expect(errorLine(refused.log)).toMatch(
      /^the host is held since \S+ by alice \(\S+\/900\): migrating the database by hand; nothing was fetched or changed \(command: release lets deploys run again\)$/,
    )
    expect(await runs(h)).toEqual(before)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(A)
    expect(await h.serviceVersion()).toBe(A)
    await expect(h.gitOnHost(['cat-file', '-e', fresh])).rejects.toThrow()

    // A dry run is refused too, and the hold survives the connections (it is a file on the host).
    expect((await runAction({ ...hostInputs(h), ref: B, 'dry-run': 'true' })).code).toBe(1)
    const status = await runAction({ ...hostInputs(h), command: 'status' })
    expect(status.code, status.log).toBe(0)
    expect(status.log).toMatch(/the host is held since \S+ by alice \(\S+\): migrating the database by hand: every deploy ends at once until command: release/)

    // Holding again replaces the hold and says what it replaced.
    const again = await hold(h, 'still migrating', {}, 'bob')
    expect(again.code, again.log).toBe(0)
    expect(again.log).toMatch(/it was already held since \S+ by alice \(\S+\): migrating the database by hand; this hold replaces that one/)
    expect(errorLine((await runAction({ ...hostInputs(h), ref: B })).log)).toContain('by bob')

    const released = await runAction({ ...hostInputs(h), command: 'release' }, { github: { GITHUB_ACTOR: 'carol' } })
    expect(released.code, released.log).toBe(0)
    expect(released.log).toMatch(/127\.0\.0\.1 was held since \S+ by bob \(\S+\): still migrating; released: deploys run again/)
    const deployed = await runAction({ ...hostInputs(h), ref: B })
    expect(deployed.code, deployed.log).toBe(0)
    expect(await h.serviceVersion()).toBe(B)
    const nothing = await runAction({ ...hostInputs(h), command: 'release' })
    expect(nothing.code).toBe(0)
    expect(nothing.log).toContain('127.0.0.1 was not held: nothing to release')
  })

  it('is set between deploys: a hold waits for the deploy under way, up to lock-timeout', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    h.delay('build', 3)
    const deploying = runAction({ ...hostInputs(h), ref: C }, { github: { GITHUB_ACTOR: 'dave', GITHUB_RUN_ID: '777' } })
    const current = join(await stateDir(h), 'current')
    await waitFor(() => existsSync(current) && readFileSync(current, 'utf8').includes('actor=dave'))
    const impatient = await hold(h, 'incident', { 'lock-timeout': '1' })
    expect(impatient.code).toBe(1)
    expect(errorLine(impatient.log)).toMatch(/^another deploy still held the host after 1 s: run=\S+ target=\w+ actor=dave run_url=\S+\/777 since=\S+ \(lock-timeout\)$/)
    expect(existsSync(join(await stateDir(h), 'hold'))).toBe(false)
    const patient = await hold(h, 'incident')
    expect(patient.code, patient.log).toBe(0)
    // The deploy under way finished first: the hold came after it.
    expect((await deploying).code).toBe(0)
    expect(await h.serviceVersion()).toBe(C)
    expect(h.events().at(-1)).toBe('status')
    const refused = await runAction({ ...hostInputs(h), ref: B, 'allow-older': 'true' })
    expect(errorLine(refused.log)).toMatch(/^the host is held since .*: incident;/)
  })

  it('a hold that lands while a deploy waits for the lock ends that deploy under the lock: nothing changed, and its record says held without the reason', async () => {
    const h = await newHost()
    const api = await newApi()
    const github = { GITHUB_API_URL: api.url, GITHUB_TOKEN: api.token, GITHUB_SHA: h.commits.A }
    const { B, C } = h.commits
    h.delay('build', 3)
    const first = runAction({ ...hostInputs(h), ref: B }, { github: { GITHUB_ACTOR: 'erin' } })
    const current = join(await stateDir(h), 'current')
    await waitFor(() => existsSync(current) && readFileSync(current, 'utf8').includes('actor=erin'))
    // The second plans (the host is not held yet), then waits for the lock.
    let log = ''
    const second = runAction({ ...hostInputs(h), ref: C, environment: 'catcolab-next' }, { github, onLog: (text) => (log = text) })
    await waitFor(() => log.includes('another deploy holds the host'))
    // Set as hold sets it (a hold by the action would wait for the lock like the second deploy).
    const secret = 'the on-call phone number is 555-0100'
    writeFileSync(join(await stateDir(h), 'hold'), `reason=${secret}\nactor=frank\nrun_url=${RUN_URL}/901\nsince=2026-12-02T10:00:00Z\n`)
    expect((await first).code).toBe(0)
    const run = await second
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      /^deploy failed: the host is held since 2026-12-02T10:00:00Z by frank \(\S+\/901\): the on-call phone number is 555-0100; nothing was changed/,
    )
    expect(errorLine(run.log)).toContain('this run changed nothing on the host')
    expect(await h.serviceVersion()).toBe(B)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(B)
    expect(run.outputs['deployed-sha']).toBe('')
    // The record (made when the plan was) ends failed, in facts only: never the holder's words.
    const final = api.requests.filter((r) => r.path.endsWith('/statuses')).at(-1)!
    expect(final.body).toMatchObject({ state: 'failure', description: `runs ${B.slice(0, 12)}: not deployed, the host is held` })
    expect(JSON.stringify(api.requests.map((r) => r.body))).not.toContain('555-0100')
  })

  it('needs a one-line reason', async () => {
    const h = await newHost()
    const none = await runAction({ ...hostInputs(h), command: 'hold' })
    expect(errorLine(none.log)).toMatch(/^reason is required for command hold/)
    const lines = await runAction({ ...hostInputs(h), command: 'hold', reason: 'one\ntwo' })
    expect(errorLine(lines.log)).toMatch(/^reason must be one line of text/)
    expect(existsSync(join(await stateDir(h), 'hold'))).toBe(false)
    // A dry run says what it would do, and holds nothing.
    const dry = await runAction({ ...hostInputs(h), command: 'hold', reason: 'maybe', 'dry-run': 'true' })
    expect(dry.code, dry.log).toBe(0)
    expect(dry.log).toContain('dry run: 127.0.0.1 is not held; command hold would hold it (maybe); nothing was changed')
    expect(existsSync(join(await stateDir(h), 'hold'))).toBe(false)
  })
})
