// command: rollback end to end: the bundled action, run as the runner runs it, against a throwaway
// host (test/fixture) with a real PostgreSQL, and the loopback GitHub stand-in for the records.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { errorLine, hostInputs, runAction, stateDir, waitFor } from './run-action'
import { throwaway } from './throwaway'

const { newHost, newApi } = throwaway()
const short = (sha: string) => sha.slice(0, 12)
const runCount = async (h: TestHost) => {
  const dir = join(await stateDir(h), 'runs')
  return existsSync(dir) ? readdirSync(dir).length : 0
}
const rollback = (h: TestHost, extra: Record<string, string> = {}, github: Record<string, string> = {}) =>
  runAction({ ...hostInputs(h), command: 'rollback', ...extra }, { github: { GITHUB_ACTOR: 'rita', GITHUB_RUN_ID: '555', ...github } })

describe('command: rollback', () => {
  it('goes back to the previous successful deploy without migrating, records it, and leaves the host held naming what it left', async () => {
    const h = await newHost()
    const api = await newApi()
    const { A, B } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: A })).code).toBe(0)
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    const before = h.events().length
    const github = { GITHUB_API_URL: api.url, GITHUB_TOKEN: api.token, GITHUB_SHA: B }
    // migrate: always and ref are ignored: a rollback never migrates, and rollback-to (previous) says where it goes.
    const run = await runAction(
      { ...hostInputs(h), command: 'rollback', ref: B, migrate: 'always', environment: 'catcolab-next' },
      { github: { ...github, GITHUB_ACTOR: 'rita', GITHUB_RUN_ID: '555' } },
    )
    expect(run.code, run.log).toBe(0)
    expect(run.log).toMatch(new RegExp(`^rolling back from ${B} to ${A}, deployed \\S+Z by octocat \\(\\S+/runs/4242\\)$`, 'm'))
    // Going back is the point: no warning says so, and no override is recorded.
    expect(run.log).not.toMatch(/::warning::/)
    expect(run.log).toContain('decision: migrate: never (0 new migration files): restart only')
    expect(run.log).toContain(`rolled back to ${A}; the host is held until command: release`)
    expect(run.summary).toContain(`## ✅ Rolled back 127.0.0.1 to ${short(A)}`)
    expect(run.outputs['deployed-sha']).toBe(A)
    expect(await h.serviceVersion()).toBe(A)
    expect(await h.gitOnHost(['rev-parse', 'refs/catcolab-deploy/deployed'])).toBe(A)
    expect(
      h
        .events()
        .slice(before)
        .some((event) => event.startsWith('migrate')),
    ).toBe(false)
    // GitHub's record is a deploy of A, by its sha.
    expect(api.deployments[0]).toMatchObject({ sha: A, environment: 'catcolab-next' })
    expect(api.requests[0]!.body).toMatchObject({ ref: A, description: `${A} to catcolab-next`, payload: { 'catcolab-deploy': { ref: A, previous: B } } })
    expect(api.requests.filter((r) => r.path.endsWith('/statuses')).at(-1)!.body).toMatchObject({ state: 'success', description: `runs ${short(A)}: deployed` })

    // Held, naming B: the next deploy of B ends at once.
    const again = await runAction({ ...hostInputs(h), ref: B })
    expect(again.code).toBe(1)
    expect(errorLine(again.log)).toMatch(
      new RegExp(
        `^the host is held since \\S+ by rita \\(\\S+/555\\): rolled back from ${B} to ${short(A)}: a deploy could put ${short(B)} back; release once it is fixed;`,
      ),
    )
    const status = await runAction({ ...hostInputs(h), command: 'status' })
    expect(status.log).toMatch(new RegExp(`^ {2}\\S+ rollback of ${short(A)}: success, then ran ${short(A)} by rita \\(\\S+/555\\)$`, 'm'))
    expect((await runAction({ ...hostInputs(h), command: 'release' })).code).toBe(0)
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    expect(await h.serviceVersion()).toBe(B)
  })

  it('refuses to go back past an added migration, listing it, even for a backend that migrates itself (migrate: never); then goes when allowed, leaving it applied', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    expect((await runAction({ ...hostInputs(h), ref: C })).code).toBe(0)
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
    const runs = await runCount(h)
    const refused = await rollback(h, { migrate: 'never' })
    expect(refused.code).toBe(1)
    expect(errorLine(refused.log)).toBe(
      `rollback to ${short(B)} refused: migration files were added since it, and a rollback never runs migrations backwards: ` +
        'packages/backend/migrations/02_add_column.sql, packages/backend/migrations/02_add_column.undo.sql; ' +
        `check that ${short(B)}'s code works with them applied (or undo them by hand), then roll back with rollback-past-migrations: true`,
    )
    expect(await runCount(h)).toBe(runs)
    expect(await h.serviceVersion()).toBe(C)

    const allowed = await rollback(h, { 'rollback-past-migrations': 'true', 'hold-after-rollback': 'false' })
    expect(allowed.code, allowed.log).toBe(0)
    expect(allowed.log).toMatch(/::warning::rolling back past migration files added since \w+; they stay applied: packages\/backend\/migrations\/02_add_column\.sql/)
    expect(allowed.log).not.toMatch(/is deleted by this deploy/)
    expect(allowed.log).toContain(`rolled back to ${B}\n`)
    expect(await h.serviceVersion()).toBe(B)
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
    // Not held: hold-after-rollback: false.
    expect(existsSync(join(await stateDir(h), 'hold'))).toBe(false)
  })

  it('goes back to the deploy ref names, if it is a successful one in the history', async () => {
    const h = await newHost()
    const { F } = h.commits
    const G = await h.commitToOrigin({ 'README.md': 'g\n' }, 'g')
    const H = await h.commitToOrigin({ 'README.md': 'h\n' }, 'h')
    for (const ref of [F, G, H]) expect((await runAction({ ...hostInputs(h), ref, migrate: 'always' })).code).toBe(0)
    const run = await rollback(h, { 'rollback-to': F.slice(0, 9), 'hold-after-rollback': 'false' })
    expect(run.code, run.log).toBe(0)
    expect(await h.serviceVersion()).toBe(F)
    // Not in the history, or not a sha: refused, naming what the history holds.
    const unknown = await rollback(h, { 'rollback-to': 'abcdef1' })
    expect(errorLine(unknown.log)).toMatch(
      new RegExp(`^cannot roll back: abcdef1 is no successful deploy in the host's deploy history: it holds ${short(F)}, ${short(H)}, ${short(G)}`),
    )
    expect(errorLine((await rollback(h, { 'rollback-to': 'main' })).log)).toMatch(/^rollback-to must be the commit sha of a deploy/)
  })

  it('warns, and says what to do, when it rolled back but could not hold the host', async () => {
    const h = await newHost()
    const { A, B } = h.commits
    for (const ref of [A, B]) expect((await runAction({ ...hostInputs(h), ref })).code).toBe(0)
    // Where the hold is written first: a directory, so the write fails.
    mkdirSync(join(await stateDir(h), 'hold.tmp'))
    const run = await rollback(h)
    expect(run.code, run.log).toBe(0)
    expect(await h.serviceVersion()).toBe(A)
    expect(run.log).toMatch(/^::warning::rolled back to \w+; holding the host failed \(cannot write \S+\/hold\): hold it with command: hold before the next deploy$/m)
    expect(existsSync(join(await stateDir(h), 'hold'))).toBe(false)
  })

  it('stops, changing nothing, when another deploy lands while it waits for the host', async () => {
    const h = await newHost()
    const { A, B, C } = h.commits
    for (const ref of [A, B]) expect((await runAction({ ...hostInputs(h), ref })).code).toBe(0)
    h.delay('build', 3)
    const deploying = runAction({ ...hostInputs(h), ref: C }, { github: { GITHUB_ACTOR: 'dave' } })
    const current = join(await stateDir(h), 'current')
    await waitFor(() => existsSync(current) && readFileSync(current, 'utf8').includes('actor=dave'))
    // Planned from B (going back to A), then waits for C's deploy to end.
    const run = await rollback(h, { 'hold-after-rollback': 'false' })
    expect((await deploying).code).toBe(0)
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      /^deploy failed: the host changed since the rollback was planned \(another deploy ran\): this rollback changed nothing; check with command: status, then roll back again/,
    )
    expect(await h.serviceVersion()).toBe(C)
  })

  it('says so when there is nothing to go back to, and changes nothing', async () => {
    const h = await newHost()
    const { A } = h.commits
    const none = await rollback(h)
    expect(errorLine(none.log)).toMatch(
      new RegExp(`^cannot roll back: no earlier successful deploy than ${short(A)} in the host's deploy history to roll back to: it holds no successful deploy$`),
    )
    expect((await runAction({ ...hostInputs(h), ref: A })).code).toBe(0)
    expect(errorLine((await rollback(h)).log)).toMatch(
      /^cannot roll back: no earlier successful deploy than \w+ in the host's deploy history to roll back to: it holds \w+$/,
    )
    expect(await runCount(h)).toBe(1)
  })
})
