// npm run bench -- --pr-report [--prs N]: the paced wall time of pr-report refreshing every open
// pull request's comment (pr-number: all), the bundled action run as the runner runs it
// (test/run-action.ts) against the loopback GitHub stand-in (test/github-api.ts with
// test/github-prs.ts). The stand-in answers at once, so the time is GitHub's write pacing, which
// Octokit's throttling plugin keeps: 1 s between writes, 3 s between writes that notify (a new
// comment). Three refreshes in a row over N pull requests (default 50):
//   first:           every comment is new (N creations)
//   after a deploy:  every comment is edited (N edits), the files from the comments
//   nothing changed: no write
import { startGitHubApi } from '../test/github-api'
import { addPullRequests } from '../test/github-prs'
import { runAction } from '../test/run-action'

const ENV = 'catcolab-next'
const RUN_URL = 'https://github.com/ToposInstitute/CatColab/actions/runs/77'

interface Refresh {
  name: string
  wall: number
  writes: Record<string, number>
  requests: number
}

export async function prReportBench(prs: number): Promise<void> {
  const gh = await startGitHubApi({ token: 'ghs_bench' })
  try {
    const world = addPullRequests(gh)
    const root = world.commit([])
    world.branches['main'] = world.commit([root])
    const deploy = (sha: string) =>
      gh.seedDeployment({ sha, environment: ENV, payload: { 'catcolab-deploy': { version: 1, ref: sha, previous: '', run_url: RUN_URL } } }, ['in_progress', 'success'])
    deploy(world.branches['main'])
    for (let i = 0; i < prs; i++) {
      world.addPull({ headSha: world.commit([world.branches['main']]), files: i % 2 ? [{ filename: `packages/backend/src/f${i}.rs`, status: 'modified' }] : [] })
    }

    const refreshes: Refresh[] = []
    async function refresh(name: string): Promise<void> {
      const before = gh.requests.length
      const t0 = Date.now()
      const run = await runAction({ command: 'pr-report', environment: ENV, 'pr-number': 'all' }, { github: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: gh.token } })
      const wall = Date.now() - t0
      if (run.code !== 0) throw new Error(`pr-report exited ${run.code}:\n${run.log}`)
      const requests = gh.requests.slice(before)
      const logged = Number(/^GitHub API requests made: (\d+)$/m.exec(run.log)?.[1])
      if (logged !== requests.length) throw new Error(`the action logged ${logged} requests, the stand-in saw ${requests.length}`)
      const writes: Record<string, number> = {}
      for (const r of requests) if (r.method !== 'GET') writes[r.method] = (writes[r.method] ?? 0) + 1
      refreshes.push({ name, wall, writes, requests: requests.length })
    }

    await refresh('first: every comment new')
    if (world.comments.length !== prs) throw new Error(`${world.comments.length} comments for ${prs} pull requests`)
    deploy(world.pulls[0]!.headSha)
    await refresh('after a deploy: every comment edited')
    await refresh('nothing changed')

    const out: string[] = []
    out.push(
      `catcolab-deploy bench: pr-report over ${prs} open pull requests (pr-number: all), the bundled action against the loopback GitHub stand-in, writes paced as GitHub asks`,
    )
    out.push('')
    out.push('| refresh | writes | requests | wall (s) |')
    out.push('|---|---|---|---|')
    for (const r of refreshes) {
      const writes =
        Object.entries(r.writes)
          .map(([method, n]) => `${n} ${method}`)
          .join(', ') || 'none'
      out.push(`| ${r.name} | ${writes} | ${r.requests} | ${(r.wall / 1000).toFixed(1)} |`)
    }
    console.log(out.join('\n'))
  } finally {
    await gh.close()
  }
}
