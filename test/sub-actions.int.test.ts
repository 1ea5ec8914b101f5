// Each command's own action (deploy/action.yml, rollback/, status/, hold/, release/, pr-report/)
// end to end, run as the runner runs it: its runs.main (and deploy/'s runs.post) as a fresh Node
// process with only its own inputs and their defaults, against a throwaway host (test/fixture) and
// the loopback GitHub stand-in. run-action.ts refuses an input or output the action does not declare.
import { describe, expect, it } from 'vitest'
import { addPullRequests } from './github-prs'
import { errorLine, hostInputs, runAction } from './run-action'
import { NEXT, throwaway } from './throwaway'

const { newApi, hostAndApi } = throwaway()
describe('deploy/', () => {
  it('deploys and records; a command input, which it does not declare, changes nothing', async () => {
    const { h, gh, github } = await hostAndApi()
    const { A, C } = h.commits
    // The runner passes an undeclared input on (with a warning): deploy/ deploys whatever it says.
    const run = await runAction({ ...hostInputs(h), ref: 'v0.2.0', ...NEXT }, { action: 'deploy', github, undeclared: { command: 'status' } })
    expect(run.code, run.log).toBe(0)
    expect(run.outputs).toEqual({
      'previous-sha': A,
      'deployed-sha': C,
      migrated: 'true',
      'new-migrations': expect.any(String),
      status: expect.any(String),
      'deployment-id': '1',
    })
    expect(await h.serviceVersion()).toBe(C)
    expect(gh.deployments[0]).toMatchObject({ sha: C, environment: 'catcolab-next' })
    expect(gh.latestState(1)).toBe('success')
  })

  it("declares the post step, which settles the record of a killed step from the host's result", async () => {
    const { h, gh, github } = await hostAndApi()
    const { B } = h.commits
    h.delay('build', 4)
    const inputs = { ...hostInputs(h), ref: B, ...NEXT }
    const killAt = (log: string) => /::group::build/.test(log) && gh.commitStatuses.length > 0
    const run = await runAction(inputs, { action: 'deploy', github, signalAfter: { pattern: killAt, signal: 'SIGKILL' } })
    expect(run.code).toBeNull()
    expect(gh.latestState(1)).toBe('in_progress')

    const post = await runAction(inputs, { action: 'deploy', github, postState: run.state })
    expect(post.code, post.log).toBe(0)
    expect(post.log).toContain(`The deploy step ended without settling the record of ${B}`)
    expect(gh.latestState(1)).toBe('success')
    expect(await h.serviceVersion()).toBe(B)
  })

  it('says in one line when a required input is missing: the runner does not enforce required', async () => {
    const { h } = await hostAndApi()
    const { 'private-key': _, ...withoutKey } = hostInputs(h)
    const run = await runAction({ ...withoutKey, ref: 'v0.2.0' }, { action: 'deploy' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^private-key is required/)
    expect(h.logins()).toBe(0)
  })
})

describe('rollback/, status/, hold/ and release/', () => {
  it('roll back and hold, report it, refuse a hold without its reason, hold and release', async () => {
    const { h, github } = await hostAndApi()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B }, { action: 'deploy' })).code).toBe(0)
    expect((await runAction({ ...hostInputs(h), ref: C }, { action: 'deploy' })).code).toBe(0)

    // C added migrations since B: going back past them needs saying so.
    const back = await runAction({ ...hostInputs(h), 'rollback-past-migrations': 'true' }, { action: 'rollback', github })
    expect(back.code, back.log).toBe(0)
    expect(back.outputs).toMatchObject({ 'previous-sha': C, 'deployed-sha': B, migrated: 'false' })
    expect(await h.serviceVersion()).toBe(B)

    const status = await runAction(hostInputs(h), { action: 'status' })
    expect(status.code, status.log).toBe(0)
    expect(status.outputs['deployed-sha']).toBe(B)
    expect(status.log).toMatch(/is held since .*rolled back from/)

    const released = await runAction(hostInputs(h), { action: 'release' })
    expect(released.code, released.log).toBe(0)
    expect(released.outputs['status']).toMatch(/; released: deploys run again$/)

    const noReason = await runAction(hostInputs(h), { action: 'hold' })
    expect(noReason.code).toBe(1)
    expect(errorLine(noReason.log)).toMatch(/^reason is required for command hold/)
    const held = await runAction({ ...hostInputs(h), reason: 'migrating the database by hand' }, { action: 'hold' })
    expect(held.code, held.log).toBe(0)
    expect(held.outputs['status']).toContain('migrating the database by hand')
    const refused = await runAction({ ...hostInputs(h), ref: C }, { action: 'deploy' })
    expect(refused.code).toBe(1)
    expect(errorLine(refused.log)).toMatch(/^the host is held since .*: migrating the database by hand; nothing was fetched or changed/)
    expect(await h.serviceVersion()).toBe(B)
  })
})

describe('rollback/', () => {
  it('declares the post step too: a rollback records a deployment, which the post step of a killed step settles', async () => {
    const { h, gh, github } = await hostAndApi()
    const { B, C } = h.commits
    for (const ref of [B, C]) expect((await runAction({ ...hostInputs(h), ref, ...NEXT }, { action: 'deploy', github })).code).toBe(0)
    // No kept build (build-outputs: none), so the rollback builds, slowly: it is killed meanwhile.
    h.delay('build', 4)
    const inputs = { ...hostInputs(h), 'rollback-past-migrations': 'true', 'build-outputs': 'none', ...NEXT }
    const rollbackRecord = () => gh.deployments[2]
    const killAt = (log: string) => /::group::build/.test(log) && rollbackRecord() !== undefined && gh.latestState(rollbackRecord()!.id) === 'in_progress'
    const run = await runAction(inputs, { action: 'rollback', github, signalAfter: { pattern: killAt, signal: 'SIGKILL' } })
    expect(run.code, run.log).toBeNull()
    expect(gh.deployments[2]).toMatchObject({ sha: B, environment: 'catcolab-next' })

    const post = await runAction(inputs, { action: 'rollback', github, postState: run.state })
    expect(post.code, post.log).toBe(0)
    expect(post.log).toContain(`ended without settling the record of ${B}`)
    expect(gh.latestState(rollbackRecord()!.id)).toBe('success')
    expect(await h.serviceVersion()).toBe(B)
  })
})

describe('pr-report/', () => {
  it('comments on the pull request which backend its preview talks to, with no host', async () => {
    const api = await newApi({ token: 'ghs_installation-token' })
    const prs = addPullRequests(api, { login: null })
    const root = prs.commit([])
    const main = prs.commit([root])
    prs.branches['main'] = main
    api.seedDeployment({ sha: main, environment: 'catcolab-next', payload: { 'catcolab-deploy': { version: 1, ref: main, previous: '', run_url: '' } } }, [
      'in_progress',
      'success',
    ])
    prs.addPull({ number: 7, headSha: prs.commit([main]), files: [{ filename: 'packages/backend/src/main.rs', status: 'modified' }] })

    const run = await runAction(
      { environment: 'catcolab-next', 'pr-number': '7' },
      { action: 'pr-report', github: { GITHUB_API_URL: api.url, GITHUB_TOKEN: api.token, GITHUB_REPOSITORY: 'ToposInstitute/CatColab' } },
    )
    expect(run.code, run.log).toBe(0)
    const [comment] = prs.commentsOn(7)
    expect(comment!.body).toContain('`catcolab-next`')
    expect(run.outputs).toEqual({ 'backend-sha': main, 'comment-url': `https://github.com/ToposInstitute/CatColab/pull/7#issuecomment-${comment!.id}` })
  })
})
