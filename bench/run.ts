// npm run bench [-- --quick | --rounds N]: what the bundled action costs over deploying by hand
// with OpenSSH (the floor), on a throwaway CatColab-like host (test/fixture/host.ts).
// npm run bench -- --pr-report [--prs N]: the paced wall time of a pr-report refresh instead
// (bench/pr-report.ts).
//
// Each round commits a fresh change to origin for each side, and the two sides deploy one after
// the other, in alternating order, so both do the same work on the same machine at nearly the
// same moment: the paired difference cancels out what the rest of the machine is doing.
//   floor:  one `ssh` login running the bare sequence as one script, no checks
//   action: dist/index.js run as the runner runs it (test/run-action.ts)
// Measured per deploy: wall time, sshd's "Accepted publickey" lines, and downtime (GET /version
// on the stand-in service every 5 ms; downtime = from a failed probe to the next good one).
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHost, type TestHost } from '../test/fixture/host'
import { hostInputs, runAction } from '../test/run-action'
import { firstByteProxy, median, startProbe, sum } from './measure'
import { prReportBench } from './pr-report'

const ROOT = join(__dirname, '..')
const MIGRATIONS = 'packages/backend/migrations'

type Side = 'floor' | 'action'
interface Case {
  name: string
  migration: boolean
  /** Seconds the stand-in build sleeps; null: as fast as it is. */
  buildDelay: number | null
}
/** A named stretch of a deploy, in ms since the deploy started. */
interface Span {
  name: string
  begin: number
  end: number
}
interface Deploy {
  side: Side
  case: Case
  round: number
  wall: number
  logins: number
  downtime: number
  outages: Span[]
  phases: Span[]
}

const CASES: Case[] = [
  { name: 'no migration', migration: false, buildDelay: null },
  { name: 'migration', migration: true, buildDelay: null },
  { name: '5 s build', migration: false, buildDelay: 5 },
]

function options() {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const at = args.indexOf('--rounds')
  const rounds = at >= 0 ? Number(args[at + 1]) : quick ? 1 : 7
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a whole number ≥ 1')
  return { quick, rounds, buildRounds: quick ? 0 : Math.min(rounds, 5), coldRounds: quick ? 1 : 5 }
}

function exec(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The OpenSSH client with the host's key and known_hosts, and nothing from ~/.ssh or /etc/ssh. */
function openSsh(h: TestHost, dir: string, proxyPort: number) {
  const key = join(dir, 'key')
  const knownHosts = join(dir, 'known_hosts')
  writeFileSync(key, h.privateKey)
  chmodSync(key, 0o600)
  writeFileSync(knownHosts, `${h.knownHostsLine}\n${proxyKnownHosts(h, proxyPort)}\n`)
  return (port: number, script: string) =>
    exec('ssh', [
      '-F',
      '/dev/null',
      '-i',
      key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-p',
      String(port),
      `${h.user}@${h.host}`,
      script,
    ])
}

const proxyKnownHosts = (h: TestHost, port: number) => h.knownHostsLine.replace(`:${h.sshPort} `, `:${port} `)

/** The floor: the bare sequence in one script over one login. */
async function floorDeploy(h: TestHost, ssh: ReturnType<typeof openSsh>, target: string, migration: boolean) {
  const steps = [
    ['fetch', 'git fetch --quiet origin'],
    ['checkout', `git checkout --quiet --detach ${target}`],
    ['build', 'catcolab-build'],
    ...(migration
      ? [
          ['stop', 'catcolab-stop'],
          ['migrate', 'catcolab-migrate'],
          ['start', 'catcolab-start'],
        ]
      : [['restart', 'catcolab-restart']]),
    ['status', 'catcolab-status'],
  ]
  // $EPOCHREALTIME is a bash builtin: the phase marks cost no process.
  const script = ['set -e', `cd ${h.repoPath}`, ...steps.map(([name, command]) => `echo "@@ ${name} $EPOCHREALTIME"; ${command}`), 'echo "@@ end $EPOCHREALTIME"']
  const t0 = Date.now()
  const result = await ssh(h.sshPort, script.join('\n'))
  const t1 = Date.now()
  if (result.code !== 0) throw new Error(`floor deploy exited ${result.code}: ${result.stderr}`)
  const marks = [...result.stdout.matchAll(/^@@ (\S+) (\d+)\.(\d{6})$/gm)].map((m) => ({ name: m[1]!, t: Number(m[2]) * 1000 + Number(m[3]) / 1000 }))
  const phases = [
    { name: 'connect', begin: t0, end: marks[0]!.t },
    ...marks.slice(0, -1).map((mark, i) => ({ name: mark.name, begin: mark.t, end: marks[i + 1]!.t })),
    { name: 'exit', begin: marks.at(-1)!.t, end: t1 },
  ]
  return { t0, t1, phases }
}

/** The action: dist/index.js as the runner runs it; its own log lines are timestamped as they arrive. */
async function actionDeploy(h: TestHost, target: string) {
  const lines: { t: number; line: string }[] = []
  let seen = 0
  const t0 = Date.now()
  const run = await runAction(
    { ...hostInputs(h), ref: target },
    {
      onLog(log) {
        const complete = log.lastIndexOf('\n') + 1
        for (const line of log.slice(seen, complete).split('\n').slice(0, -1)) lines.push({ t: Date.now(), line })
        seen = Math.max(seen, complete)
      },
    },
  )
  const t1 = Date.now()
  if (run.code !== 0) throw new Error(`action deploy exited ${run.code}:\n${run.log}`)
  const at = (pattern: RegExp) => {
    const found = lines.find(({ line }) => pattern.test(line))
    if (!found) throw new Error(`no line ${pattern} in the action's log:\n${run.log}`)
    return found
  }
  const connected = at(/^::group::plan$/).t
  const planned = at(/^::endgroup::$/).t
  const launched = at(/runs on the host as run \S+,/)
  // The host's own run log: `@@<nonce> phase NAME begin MS` / `... end CODE MS`.
  const runId = /as run (\S+),/.exec(launched.line)![1]!
  const hostLog = readFileSync(join(h.repoPath, '.git', 'catcolab-deploy', 'runs', runId, 'log'), 'utf8')
  const ends = [...hostLog.matchAll(/^@@\S+ phase \S+ end \d+ (\d+)$/gm)].map((m) => Number(m[1]))
  const hostPhases = [...hostLog.matchAll(/^@@\S+ phase (\S+) begin (\d+)$/gm)].map((m, i) => ({ name: m[1]!, begin: Number(m[2]), end: ends[i]! }))
  const result = readFileSync(join(h.repoPath, '.git', 'catcolab-deploy', 'runs', runId, 'result'), 'utf8')
  const stamp = (key: string) => Number(new RegExp(`^${key}=(\\d+)$`, 'm').exec(result)![1])
  const phases = [
    { name: 'connect', begin: t0, end: connected },
    { name: 'plan', begin: connected, end: planned },
    { name: 'launch', begin: planned, end: launched.t },
    // The detached run: taking the lock and re-checking the host, the phases, writing the result.
    { name: 'lock', begin: stamp('started'), end: hostPhases[0]!.begin },
    ...hostPhases,
    { name: 'result', begin: hostPhases.at(-1)!.end, end: stamp('finished') },
    // The action notices the end, reads the result, writes the summary and exits.
    { name: 'report', begin: stamp('finished'), end: t1 },
  ]
  return { t0, t1, phases, migrated: run.outputs['migrated'] === 'true' }
}

/** A new commit on origin: a code change, and a new migration when the case has one. */
let commits = 0
async function freshCommit(h: TestHost, c: Case): Promise<{ sha: string; version: string }> {
  const n = ++commits
  const version = String(20260101000000 + n)
  const files: Record<string, string> = { 'packages/backend/src/main.rs': `const VERSION: &str = "bench ${n}";\n` }
  if (c.migration) files[`${MIGRATIONS}/${version}_bench_${n}.up.sql`] = `CREATE TABLE bench_${n} (id INTEGER);\n`
  return { sha: await h.commitToOrigin(files, `bench ${n}`), version }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  if (args.includes('--pr-report')) {
    const at = args.indexOf('--prs')
    const prs = at >= 0 ? Number(args[at + 1]) : 50
    if (!Number.isInteger(prs) || prs < 1) throw new Error('--prs needs a whole number ≥ 1')
    return prReportBench(prs)
  }
  const opts = options()
  const load = loadavg()[0]!.toFixed(2)
  const h = await createHost({ startAt: 'F' })
  const dir = mkdtempSync(join(tmpdir(), 'catcolab-bench-'))
  const probe = startProbe(h.servicePort)
  const proxy = await firstByteProxy(h.sshPort)
  const ssh = openSsh(h, dir, proxy.port)
  const deploys: Deploy[] = []
  try {
    // Both sides plan from the same state: the last deploy recorded where the action records it.
    await h.gitOnHost(['update-ref', 'refs/catcolab-deploy/deployed', 'HEAD'])

    async function deploy(side: Side, c: Case, round: number): Promise<Deploy> {
      const { sha, version } = await freshCommit(h, c)
      const logins = h.logins()
      const raw = side === 'floor' ? await floorDeploy(h, ssh, sha, c.migration) : await actionDeploy(h, sha)
      await new Promise((resolve) => setTimeout(resolve, 20)) // the probe in flight lands
      // The deploy really happened: the new build answers, the migration is applied.
      if ((await h.serviceVersion()) !== sha) throw new Error(`${side} deploy of ${sha} left the service on ${await h.serviceVersion()}`)
      if (c.migration && !(await h.appliedMigrations()).includes(version)) throw new Error(`${side} deploy did not apply migration ${version}`)
      if ('migrated' in raw && raw.migrated !== c.migration) throw new Error(`the action decided migrated=${String(raw.migrated)}`)
      if (side === 'floor') await h.gitOnHost(['update-ref', 'refs/catcolab-deploy/deployed', sha])
      const rel = (span: { name: string; begin: number; end: number }) => ({ name: span.name, begin: span.begin - raw.t0, end: span.end - raw.t0 })
      const outages = probe.outages(raw.t0, raw.t1).map((o) => rel({ name: 'down', ...o }))
      return {
        side,
        case: c,
        round,
        wall: raw.t1 - raw.t0,
        logins: h.logins() - logins,
        downtime: sum(outages.map((o) => o.end - o.begin)),
        outages,
        phases: raw.phases.map(rel),
      }
    }

    if (!opts.quick) for (const side of ['floor', 'action'] as const) await deploy(side, CASES[0]!, 0) // warm-up, not counted
    for (const c of CASES) {
      h.delay('build', c.buildDelay)
      const rounds = c.buildDelay === null ? opts.rounds : opts.buildRounds
      for (let round = 1; round <= rounds; round++) {
        const order: Side[] = round % 2 ? ['floor', 'action'] : ['action', 'floor']
        for (const side of order) deploys.push(await deploy(side, c, round))
      }
    }
    h.delay('build', null)

    // Cold start: process start to the first byte sshd receives, through the timestamping proxy.
    const cold: Record<Side, number[]> = { floor: [], action: [] }
    const head = await h.gitOnHost(['rev-parse', 'HEAD'])
    for (let i = 0; i < opts.coldRounds; i++) {
      let t0 = Date.now()
      const run = await runAction({ ...hostInputs(h), port: String(proxy.port), 'known-hosts': proxyKnownHosts(h, proxy.port), ref: head, 'dry-run': 'true' })
      if (run.code !== 0) throw new Error(`action dry run exited ${run.code}:\n${run.log}`)
      cold.action.push(proxy.firstByteAfter(t0)! - t0)
      t0 = Date.now()
      if ((await ssh(proxy.port, 'true')).code !== 0) throw new Error('ssh through the proxy failed')
      cold.floor.push(proxy.firstByteAfter(t0)! - t0)
    }

    print(opts, deploys, cold, { start: load, end: loadavg()[0]!.toFixed(2) })
  } finally {
    await probe.stop()
    await proxy.close()
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- the report ------------------------------------------------------------------------------

const ms = (value: number) => String(Math.round(value))
const spread = (values: number[]) => `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–')
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`

function distSize(): { total: number; index: number } {
  const dist = join(ROOT, 'dist')
  const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  return { total: sum(files.map((e) => statSync(join(e.parentPath, e.name)).size)), index: statSync(join(dist, 'index.js')).size }
}

function print(opts: ReturnType<typeof options>, deploys: Deploy[], cold: Record<Side, number[]>, load: { start: string; end: string }): void {
  const cpu = cpus()
  const out: string[] = []
  out.push(`catcolab-deploy bench: ${opts.rounds} paired round(s) per case${opts.buildRounds ? ` (${opts.buildRounds} with the 5 s build)` : ''}, alternating order`)
  out.push(`machine: ${cpu.length} × ${cpu[0]?.model.trim()}, Linux ${release()}, Node ${process.version}; load average ${load.start} at start, ${load.end} at end`)
  out.push('')
  out.push('| case | metric | floor: median (min–max) | action: median (min–max) | action/floor per round: median (min–max) | action − floor per round: median |')
  out.push('|---|---|---|---|---|---|')
  const cases = CASES.filter((c) => deploys.some((d) => d.case === c))
  const of = (c: Case, side: Side) => deploys.filter((d) => d.case === c && d.side === side)
  const metrics = [
    ['wall (ms)', 'wall'],
    ['logins', 'logins'],
    ['downtime (ms)', 'downtime'],
  ] as const
  // Every number is paired: the floor and the action deploy of the same round.
  const summary: Record<string, { ratio: number; delta: number }> = {}
  for (const c of cases) {
    const pairs = of(c, 'action').map((a) => [of(c, 'floor').find((f) => f.round === a.round)!, a] as const)
    for (const [label, key] of metrics) {
      const ratios = pairs.filter(([f]) => f[key] > 0).map(([f, a]) => a[key] / f[key])
      const ratio = ratios.length ? median(ratios) : NaN
      const delta = median(pairs.map(([f, a]) => a[key] - f[key]))
      summary[`${c.name}/${key}`] = { ratio, delta }
      const ratioCell = ratios.length ? `${times(ratio)} (${times(Math.min(...ratios))}–${times(Math.max(...ratios))})` : '–'
      out.push(`| ${c.name} | ${label} | ${spread(pairs.map(([f]) => f[key]))} | ${spread(pairs.map(([, a]) => a[key]))} | ${ratioCell} | ${signed(delta)} |`)
    }
  }
  const size = distSize()
  out.push('')
  out.push(
    `cold start (process start → first byte to sshd), median (min–max) of ${cold.action.length}: action ${spread(cold.action)} ms; OpenSSH client ${spread(cold.floor)} ms`,
  )
  out.push(`dist/: ${(size.total / 1e6).toFixed(2)} MB (index.js ${(size.index / 1e6).toFixed(2)} MB)`)

  // Targets.
  const line = (ok: boolean, text: string) => out.push(`${ok ? '✔' : '✘'} ${text}`)
  const fast = cases.filter((c) => c.buildDelay === null)
  const slow = cases.filter((c) => c.buildDelay !== null)
  const buildHit = deploys.filter((d) => {
    const build = d.phases.find((p) => p.name === 'build')!
    return d.outages.some((o) => o.begin < build.end && o.end > build.begin)
  })
  const logins = deploys.filter((d) => d.side === 'action').map((d) => d.logins)
  out.push('')
  out.push('targets:')
  line(
    fast.every((c) => summary[`${c.name}/wall`]!.delta <= 400),
    `overhead (action − floor wall, median per round) ≤ 400 ms: ${fast.map((c) => `${c.name} ${signed(summary[`${c.name}/wall`]!.delta)} ms`).join(', ')}`,
  )
  if (slow.length)
    line(
      slow.every((c) => summary[`${c.name}/wall`]!.ratio <= 1.1),
      `wall with the 5 s build ≤ 1.1× floor: ${slow.map((c) => times(summary[`${c.name}/wall`]!.ratio)).join(', ')}`,
    )
  line(
    cases.every((c) => summary[`${c.name}/downtime`]!.ratio <= 1.1),
    `downtime ≤ 1.1× floor: ${cases.map((c) => `${c.name} ${times(summary[`${c.name}/downtime`]!.ratio)}`).join(', ')}`,
  )
  line(
    logins.every((n) => n === 1),
    `exactly 1 login per action deploy: ${Math.min(...logins)}–${Math.max(...logins)}`,
  )
  line(median(cold.action) <= 200, `cold start ≤ 200 ms: ${ms(median(cold.action))} ms`)
  line(buildHit.length === 0, `build never inside the downtime window: ${buildHit.length} of ${deploys.length} deploys overlap`)

  // Where the time goes.
  out.push('')
  out.push('where the time goes (median ms per phase; "other" is the time between phases):')
  for (const c of cases) {
    for (const side of ['floor', 'action'] as const) {
      const runs = of(c, side)
      const names = runs[0]!.phases.map((p) => p.name)
      const phase = (name: string) => median(runs.map((d) => d.phases.filter((p) => p.name === name).reduce((t, p) => t + p.end - p.begin, 0)))
      const other = median(runs.map((d) => d.wall - sum(d.phases.map((p) => p.end - p.begin))))
      out.push(
        `${c.name.padEnd(12)} ${side.padEnd(6)} ${names.map((n) => `${n} ${ms(phase(n))}`).join(' · ')} · other ${ms(other)} = ${ms(median(runs.map((d) => d.wall)))}`,
      )
    }
  }

  // One timeline per deploy, in seconds since it started.
  const s = (value: number) => (value / 1000).toFixed(2)
  out.push('')
  out.push('timelines (s since the deploy started; down = the probe got no answer):')
  for (const d of deploys) {
    const down = d.outages.map((o) => `down ${s(o.begin)}–${s(o.end)}`).join(', ') || 'no downtime seen'
    out.push(`${d.case.name.padEnd(12)} #${d.round} ${d.side.padEnd(6)} ${d.phases.map((p) => `${p.name} ${s(p.begin)}–${s(p.end)}`).join(' · ')} | ${down}`)
  }
  console.log(out.join('\n'))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
