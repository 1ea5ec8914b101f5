// Which commit a ref means, and which commits a host admits: the bundled action against the
// throwaway host (real sshd, git, PostgreSQL) and, where records matter, the GitHub stand-in.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { isRoot } from './fixture/proc'
import { errorLine, hostInputs, runAction } from './run-action'
import { NEXT, throwaway } from './throwaway'

const { newHost, newApi } = throwaway()
const notices = (log: string) => log.split('\n').filter((line) => line.startsWith('::notice::'))
const gitOrigin = (h: TestHost, args: string[]) => h.runAsUser(['git', `--git-dir=${h.originPath}`, ...args])

/** A commit no branch of origin contains (a fork's pull request head): reachable only from refs/pull/N/head. */
async function forkCommit(h: TestHost): Promise<string> {
  const sha = await h.commitToOrigin({ 'packages/backend/src/fork.rs': 'fn fork() {}\n' }, 'fork head')
  await gitOrigin(h, ['update-ref', 'refs/pull/9/head', sha])
  await gitOrigin(h, ['update-ref', 'refs/heads/main', h.commits.F])
  return sha
}

async function runDirs(h: TestHost): Promise<string[]> {
  const runs = join(await h.gitOnHost(['rev-parse', '--absolute-git-dir']), 'catcolab-deploy', 'runs')
  return existsSync(runs) ? readdirSync(runs) : []
}

describe('a ref means exactly one commit', () => {
  it('a branch named like a tag never shadows the tag: refs/tags/ and refs/heads/ pick one, a bare name is refused', async () => {
    const h = await newHost()
    const { C, F } = h.commits
    // Anyone who can push a branch can push one named v0.2.0 (the tag v0.2.0 is C).
    await h.branchOnOrigin('v0.2.0', F)

    const bare = await runAction({ ...hostInputs(h), ref: 'v0.2.0' })
    expect(bare.code).toBe(1)
    expect(errorLine(bare.log)).toBe(`ref v0.2.0 is both a tag (commit ${C}) and a branch of origin (commit ${F}): pass refs/tags/v0.2.0 or refs/heads/v0.2.0`)
    expect(h.events()).toEqual([])

    const tag = await runAction({ ...hostInputs(h), ref: 'refs/tags/v0.2.0' })
    expect(tag.code, tag.log).toBe(0)
    expect(tag.outputs['deployed-sha']).toBe(C)
    expect(await h.serviceVersion()).toBe(C)

    const branch = await runAction({ ...hostInputs(h), ref: 'refs/heads/v0.2.0' })
    expect(branch.code, branch.log).toBe(0)
    expect(branch.outputs['deployed-sha']).toBe(F)
  })

  it('a bare name that is a tag and a branch at the same commit, or only one of them, deploys', async () => {
    const h = await newHost()
    const { C, E } = h.commits
    await h.branchOnOrigin('v0.2.0', C)
    const same = await runAction({ ...hostInputs(h), ref: 'v0.2.0' })
    expect(same.code, same.log).toBe(0)
    expect(same.outputs['deployed-sha']).toBe(C)
    // refs/tags/X finds no branch, refs/heads/X no tag.
    const noBranch = await runAction({ ...hostInputs(h), ref: 'refs/heads/v0.3.0' })
    expect(noBranch.code).toBe(1)
    expect(errorLine(noBranch.log)).toBe(`ref refs/heads/v0.3.0 is not a branch or tag of origin, nor a commit in ${h.repoPath} after fetching`)
    const onlyTag = await runAction({ ...hostInputs(h), ref: 'refs/tags/v0.3.0' })
    expect(onlyTag.code, onlyTag.log).toBe(0)
    expect(onlyTag.outputs['deployed-sha']).toBe(E)
  })

  it('looks refs up by their exact name: a tag named refs/tags/X is not the tag X, a local branch not a short sha', async () => {
    const h = await newHost()
    const { B, F } = h.commits
    // git rev-parse refs/tags/v9.9.9 would fall back to refs/tags/refs/tags/v9.9.9.
    await gitOrigin(h, ['update-ref', 'refs/tags/refs/tags/v9.9.9', F])
    const crafted = await runAction({ ...hostInputs(h), ref: 'refs/tags/v9.9.9' })
    expect(crafted.code).toBe(1)
    expect(errorLine(crafted.log)).toBe(`ref refs/tags/v9.9.9 is not a branch or tag of origin, nor a commit in ${h.repoPath} after fetching`)
    // A local branch named like B's short sha, at F: the short sha still means B.
    await h.gitOnHost(['branch', B.slice(0, 10), F])
    const short = await runAction({ ...hostInputs(h), ref: B.slice(0, 10) })
    expect(short.code, short.log).toBe(0)
    expect(short.outputs['deployed-sha']).toBe(B)
  })

  it('refuses a clone whose remote fetches more than its branches, saying how to fix it', async () => {
    const h = await newHost()
    const fork = await forkCommit(h)
    await h.gitOnHost(['config', '--add', 'remote.origin.fetch', '+refs/pull/*/head:refs/remotes/origin/pr/*'])
    const run = await runAction({ ...hostInputs(h), ref: 'refs/heads/pr/9', 'allowed-branches': '*' })
    expect(run.code).toBe(1)
    const fix = "git config --replace-all remote.origin.fetch '+refs/heads/*:refs/remotes/origin/*'"
    expect(errorLine(run.log)).toBe(
      `remote origin of ${h.repoPath} fetches more or other than its branches (+refs/heads/*:refs/remotes/origin/* +refs/pull/*/head:refs/remotes/origin/pr/*): ` +
        `refs/remotes/origin/ must hold its branches only; on the host run: ${fix}`,
    )
    expect(h.events()).toEqual([])
    await h.runAsUser(['bash', '-c', `cd -- "$1" && ${fix}`, 'bash', h.repoPath])
    const fixed = await runAction({ ...hostInputs(h), ref: fork, 'allowed-branches': '*' })
    expect(errorLine(fixed.log)).toContain('is on none of the branches this environment deploys from')
  })

  it('expected-sha: deploys while the tag names that commit (or its tag object), refuses once it moved', async () => {
    const h = await newHost()
    const { A, C } = h.commits
    // The fixture's tags are annotated: github.event.after would be the tag object.
    const tagObject = (await gitOrigin(h, ['rev-parse', 'refs/tags/v0.2.0'])).stdout.trim()
    expect(tagObject).not.toBe(C)

    const moved = await runAction({ ...hostInputs(h), ref: 'refs/tags/v0.2.0', 'expected-sha': A })
    expect(moved.code).toBe(1)
    expect(errorLine(moved.log)).toBe(
      `ref refs/tags/v0.2.0 names ${C}, not the expected commit ${A}: it moved after the workflow started; nothing was deployed: run the workflow for the ref as it is now`,
    )
    expect(h.events()).toEqual([])

    const byObject = await runAction({ ...hostInputs(h), ref: 'refs/tags/v0.2.0', 'expected-sha': tagObject, 'dry-run': 'true' })
    expect(byObject.code, byObject.log).toBe(0)
    const byCommit = await runAction({ ...hostInputs(h), ref: 'refs/tags/v0.2.0', 'expected-sha': C })
    expect(byCommit.code, byCommit.log).toBe(0)
    expect(await h.serviceVersion()).toBe(C)
  })
})

describe('a host only runs commits its environment admits', () => {
  it("allowed-branches: main deploys a commit on main, by sha too, and refuses a fork's commit", async () => {
    const h = await newHost()
    const { B } = h.commits
    const fork = await forkCommit(h)
    const onMain = await runAction({ ...hostInputs(h), ref: B, 'allowed-branches': 'main' })
    expect(onMain.code, onMain.log).toBe(0)
    expect(onMain.log).toContain(`${B} is on main of origin`)

    const refused = await runAction({ ...hostInputs(h), ref: fork, 'allowed-branches': 'main' })
    expect(refused.code).toBe(1)
    expect(errorLine(refused.log)).toBe(
      `${fork.slice(0, 12)} (ref ${fork}) is on none of the branches this environment deploys from (allowed-branches: main of origin); ` +
        'nothing was deployed: merge it first, or, to deploy it anyway, run with allow-outside-branches: true (it is recorded)',
    )
    expect(await h.serviceVersion()).toBe(B)
  })

  it("allowed-branches: * deploys any of the repository's branches; a fork's commit only with allow-outside-branches, recorded", async () => {
    const h = await newHost()
    const api = await newApi()
    const github = { GITHUB_API_URL: api.url, GITHUB_TOKEN: api.token, GITHUB_SHA: h.commits.A }
    const feature = await h.commitToOrigin({ 'packages/backend/src/feature.rs': 'fn feature() {}\n' }, 'feature')
    await h.branchOnOrigin('feature/x', feature)
    await gitOrigin(h, ['update-ref', 'refs/heads/main', h.commits.F])
    const branch = await runAction({ ...hostInputs(h), ref: 'feature/x', 'allowed-branches': '*' })
    expect(branch.code, branch.log).toBe(0)
    expect(branch.outputs['deployed-sha']).toBe(feature)

    const fork = await forkCommit(h)
    const refused = await runAction({ ...hostInputs(h), ref: fork, 'allowed-branches': '*', ...NEXT }, { github })
    expect(refused.code).toBe(1)
    expect(errorLine(refused.log)).toContain('is on none of the branches this environment deploys from (allowed-branches: * of origin)')
    expect(api.deployments).toEqual([])

    const optedOut = await runAction({ ...hostInputs(h), ref: fork, 'allowed-branches': '*', 'allow-outside-branches': 'true', ...NEXT }, { github })
    expect(optedOut.code, optedOut.log).toBe(0)
    expect(await h.serviceVersion()).toBe(fork)
    expect(optedOut.log).toContain(
      `::warning::${fork.slice(0, 12)} (ref ${fork}) is on none of the allowed branches (* of origin): deployed anyway because allow-outside-branches is true`,
    )
    expect(api.deployments).toHaveLength(1)
    expect(api.deployments[0]).toMatchObject({
      sha: fork,
      description: `${fork} to catcolab-next (allow-outside-branches: true)`,
      payload: { 'catcolab-deploy': { overrides: ['allow-outside-branches'] } },
    })
  })
})

describe('a deploy never goes backwards by accident', () => {
  it('an older target is skipped: success, nothing changed, nothing recorded, the deployed commit as output', async () => {
    const h = await newHost()
    const api = await newApi()
    const github = { GITHUB_API_URL: api.url, GITHUB_TOKEN: api.token, GITHUB_SHA: h.commits.A }
    const { C, F } = h.commits
    const first = await runAction({ ...hostInputs(h), ref: F, ...NEXT }, { github })
    expect(first.code, first.log).toBe(0)
    const recorded = api.requests.length
    const events = h.events().length
    const runs = await runDirs(h)

    // A re-run of an old CI run, or a workflow_run that arrived late.
    const old = await runAction({ ...hostInputs(h), ref: C, ...NEXT }, { github })
    expect(old.code, old.log).toBe(0)
    const reason = `ref ${C} (${C.slice(0, 12)}) is older than the deployed ${F.slice(0, 12)}, an ancestor of it: skipped, nothing was changed; to go back on purpose, deploy with allow-older: true`
    expect(notices(old.log)).toEqual([`::notice::${reason}`])
    expect(old.outputs).toMatchObject({ 'deployed-sha': F, 'previous-sha': F, migrated: 'false', 'new-migrations': '' })
    expect(old.outputs['deployment-id']).toBeUndefined()
    expect(old.summary).toContain('Skipped')
    expect(api.requests.length).toBe(recorded) // no Deployment, no commit status
    expect(h.events().length).toBe(events)
    expect(await runDirs(h)).toEqual(runs)
    expect(await h.serviceVersion()).toBe(F)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(F)

    // The same commit again is no step back: it runs (a restart).
    const same = await runAction({ ...hostInputs(h), ref: F })
    expect(same.code, same.log).toBe(0)
    expect(h.events().slice(events)).toEqual([`build ${F}`, `restart ${F}`, 'status'])

    // Going back on purpose.
    const back = await runAction({ ...hostInputs(h), ref: C, 'allow-older': 'true' })
    expect(back.code, back.log).toBe(0)
    expect(back.outputs['deployed-sha']).toBe(C)
    expect(back.log).toContain(`::warning::going back: ${C.slice(0, 12)} is older than the deployed ${F.slice(0, 12)} (allow-older is true)`)
    expect(await h.serviceVersion()).toBe(C)
  })

  it('re-checked under the host lock: a deploy that waited while a newer one landed is skipped, its record settled', async () => {
    const h = await newHost()
    const api = await newApi()
    const github = { GITHUB_API_URL: api.url, GITHUB_TOKEN: api.token, GITHUB_SHA: h.commits.A }
    const { C, F } = h.commits
    const state = join(await h.gitOnHost(['rev-parse', '--absolute-git-dir']), 'catcolab-deploy')
    // Another deploy holds the host and, while C's deploy waits, lands F (as its run would).
    const lock = join(state, 'lock')
    await h.runAsUser(['mkdir', '-p', state])
    const hold = ['flock', lock, 'sh', '-c', 'read _']
    const holder = spawn(isRoot ? 'runuser' : hold[0]!, isRoot ? ['-u', h.user, '--', ...hold] : hold.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] })
    try {
      await until(async () => (await h.runAsUser(['flock', '-n', lock, 'true'])).code !== 0)
      let landed = false
      const waiting = runAction(
        { ...hostInputs(h), ref: C, ...NEXT },
        {
          github,
          onLog: (log) => {
            if (landed || !log.includes('another deploy holds the host')) return
            landed = true
            void (async () => {
              await h.gitOnHost(['checkout', '-q', '--detach', F])
              await h.gitOnHost(['update-ref', 'refs/catcolab-deploy/deployed', F])
              holder.stdin.end('\n')
            })()
          },
        },
      )
      const run = await waiting
      expect(run.code, run.log).toBe(0)
      expect(landed).toBe(true)
      expect(run.outputs['deployed-sha']).toBe(F)
      expect(notices(run.log)).toHaveLength(1)
      expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(F)
      // The record made while it waited is closed as skipped: inactive, so nothing claims C runs.
      expect(api.deployments).toHaveLength(1)
      const states = api.requests.filter((r) => r.method === 'POST' && r.path.includes('/statuses')).map((r) => (r.body as { state: string }).state)
      expect(states).toEqual(['in_progress', 'pending', 'inactive', 'success'])
      expect(api.requests.at(-1)?.body).toMatchObject({ description: `runs ${F.slice(0, 12)}: skipped ${C.slice(0, 12)}, older than what runs` })
    } finally {
      holder.kill()
    }
  })
})

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('condition never held')
}
