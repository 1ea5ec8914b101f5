// npm run bench [-- --quick | --rounds N] [--history small]: what the bundled action costs over
// deploying by hand with OpenSSH (the floor), on a throwaway host of CatColab's size
// (test/fixture/host.ts with history: 'catcolab-sized': some 1,200 commits, 500 files, a 20 MB
// pack; --history small: the tests' host, 6 commits).
// npm run bench -- --pr-report [--prs N]: the paced wall time of a pr-report refresh instead
// (bench/pr-report.ts).
//
// Each round commits a fresh change to origin for each side, and the two sides deploy one after
// the other, in alternating order, so both do the same work on the same machine at nearly the
// same moment: the paired difference cancels out what the rest of the machine is doing.
//   floor:  one `ssh` login running the bare sequence as one script, no checks
//   action: as the runner runs it (test/run-action.ts): deploy/action.yml's runs.main in a fresh Node
//           process, then runs.post in another, back to back; its wall time is the two added
// The host side (sshd and all it starts, PostgreSQL, the service) runs on one CPU, the client
// side (ssh, the action's processes, the probe) on the other (bench/cpus.ts).
// Measured per deploy: wall time, sshd's "Accepted publickey" lines, and downtime (GET /version
// on the stand-in service every 5 ms; downtime = from a failed probe to the next good one).
// Then, in turn: bare Node, the post step with nothing to do, and the main step's cold start.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createHost, type TestHost } from '../test/fixture/host'
import { actionFile, hostInputs, proxyKnownHosts, runAction, spawnNode } from '../test/run-action'
import { cpuSplit, LOGIN_CPUS, pinningReport, pinSelf } from './cpus'
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
/** One deploy as a side timed it; times are epoch ms. */
interface Timed {
  t0: number
  /** When its last process ended. */
  t1: number
  /** The floor's: t1 − t0. The action's: its main step's process plus its post step's, back to back. */
  wall: number
  /** The action's post step alone. */
  post: number | null
  phases: Span[]
  /** The action's: per host phase, from its begin on the host to the action printing its group. */
  delays: number[]
}
interface Deploy extends Omit<Timed, 't0' | 't1'> {
  side: Side
  case: Case
  round: number
  logins: number
  downtime: number
  outages: Span[]
}
/** A rollback after a start that failed at once: from its exit (host clock) until the service answered again; ms. */
interface Recovery {
  buildDelay: number | null
  recovery: number
}

/** One startup round, each process started as the runner starts a step; ms. */
interface Startup {
  /** `node -e 0`, start to end. */
  bare: number
  /** The post step with nothing to do, start to end. */
  post: number
  /** The main step (a dry run): start to its first byte to sshd (its identification line). */
  cold: number
  /** The main step: start to its first key-exchange byte (ssh2 loaded, inputs parsed). */
  kex: number
  /** The OpenSSH client: start to its first byte to sshd. */
  ssh: number
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
  // --history small: the tests' 6-commit host, to see what the size of the history costs.
  const named = args.includes('--history') ? args[args.indexOf('--history') + 1] : 'catcolab-sized'
  const history = (['small', 'catcolab-sized'] as const).find((h) => h === named)
  if (!history) throw new Error('--history is small or catcolab-sized')
  // Quick mode only proves the bench works: no 5 s build, a few startup rounds, one rollback.
  return { quick, rounds, history, buildRounds: quick ? 0 : rounds, startupRounds: quick ? 3 : Math.max(rounds, 7), rollbackRounds: quick ? 1 : 3 }
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

/** The floor: the bare sequence in one script over one login. */
async function floorDeploy(h: TestHost, ssh: ReturnType<typeof openSsh>, target: string, migration: boolean): Promise<Timed> {
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
  return { t0, t1, wall: t1 - t0, post: null, phases, delays: [] }
}

/**
 * The action as the runner runs it: the main step, then the post step with the state main saved,
 * each in its own Node process. Main's log lines are timestamped as they arrive.
 */
/** The stand-in build's output, kept after each action deploy as CatColab's would be (build-outputs). */
const OUTPUTS = { 'build-outputs': 'target' }
/** The action timed: deploy/action.yml, as users write it (uses: <owner>/catcolab-deploy/deploy@v1). */
const ACTION = 'deploy'

async function actionDeploy(h: TestHost, target: string): Promise<Timed & { migrated: boolean; state: Record<string, string> }> {
  const inputs = { ...hostInputs(h), ref: target, ...OUTPUTS }
  const lines: { t: number; line: string }[] = []
  let seen = 0
  const main = await runAction(inputs, {
    action: ACTION,
    onLog(log) {
      const complete = log.lastIndexOf('\n') + 1
      for (const line of log.slice(seen, complete).split('\n').slice(0, -1)) lines.push({ t: Date.now(), line })
      seen = Math.max(seen, complete)
    },
  })
  if (main.code !== 0) throw new Error(`action deploy exited ${main.code}:\n${main.log}`)
  const post = await runAction(inputs, { action: ACTION, postState: main.state })
  if (post.code !== 0) throw new Error(`the post step exited ${post.code}:\n${post.log}`)
  const at = (pattern: RegExp) => {
    const found = lines.find(({ line }) => pattern.test(line))
    if (!found) throw new Error(`no line ${pattern} in the action's log:\n${main.log}`)
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
  const postWall = post.ended - post.started
  const phases = [
    { name: 'connect', begin: main.started, end: connected },
    { name: 'plan', begin: connected, end: planned },
    { name: 'launch', begin: planned, end: launched.t },
    // The detached run: taking the lock and re-checking the host, the phases, writing the result.
    { name: 'lock', begin: stamp('started'), end: hostPhases[0]!.begin },
    ...hostPhases,
    { name: 'result', begin: hostPhases.at(-1)!.end, end: stamp('finished') },
    // The action notices the end, reads the result, writes the summary and exits.
    { name: 'report', begin: stamp('finished'), end: main.ended },
    // The post step's process, placed right after main's (the bench starts it at once).
    { name: 'post', begin: main.ended, end: main.ended + postWall },
  ]
  // How late the host's output reaches the job log: a phase begins on the host, then the action prints its group.
  const delays = hostPhases.flatMap((phase) => {
    const shown = lines.find(({ line }) => line === `::group::${phase.name}` || line.startsWith(`::group::${phase.name} `))
    return shown ? [shown.t - phase.begin] : []
  })
  return {
    t0: main.started,
    t1: post.ended,
    wall: main.ended - main.started + postWall,
    post: postWall,
    phases,
    delays,
    migrated: main.outputs['migrated'] === 'true',
    state: main.state,
  }
}

/** Bare Node: `node -e 0` of the same binary, started as a step is started; its wall time. */
async function bareNode(): Promise<number> {
  const started = Date.now()
  const child = spawnNode(['-e', '0'], { PATH: process.env['PATH'] ?? '' })
  child.stdout.resume()
  child.stderr.resume()
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const ended = Date.now()
  if (code !== 0) throw new Error(`node -e 0 exited ${code}`)
  return ended - started
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

/** The host's size, measured in its clone. */
async function hostSize(h: TestHost): Promise<string> {
  const commits = Number(await h.gitOnHost(['rev-list', '--count', 'HEAD']))
  const files = (await h.gitOnHost(['ls-files'])).split('\n').filter(Boolean).length
  const packKiB = Number(/^size-pack: (\d+)$/m.exec(await h.gitOnHost(['count-objects', '-v']))?.[1])
  return `host: ${commits} commits, ${files} files, pack ${(packKiB / 1024).toFixed(1)} MiB (in its clone: git rev-list --count HEAD, git ls-files, git count-objects -v)`
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
  // Everything createHost starts runs where the bench runs meanwhile: on the host's CPU. Its own
  // PostgreSQL cluster too, not a test run's shared one (started elsewhere, unpinned).
  const split = cpuSplit()
  delete process.env['CATCOLAB_TEST_PGHOST']
  delete process.env['CATCOLAB_TEST_PGPORT']
  if (split) await pinSelf(split.host)
  const h = await createHost({ startAt: 'F', history: opts.history })
  let probe: ReturnType<typeof startProbe> | undefined
  let proxy: Awaited<ReturnType<typeof firstByteProxy>> | undefined
  const dir = mkdtempSync(join(tmpdir(), 'catcolab-bench-'))
  try {
    if (split) await pinSelf(split.client)
    probe = startProbe(h.servicePort)
    proxy = await firstByteProxy(h.sshPort)
    const ssh = openSsh(h, dir, proxy.port)
    const header = { load, host: await hostSize(h), pinning: await pinningReport(h, split, (await ssh(h.sshPort, LOGIN_CPUS)).stdout) }
    const deploys: Deploy[] = []
    // Both sides plan from the same state: the last deploy recorded where the action records it.
    await h.gitOnHost(['update-ref', 'refs/catcolab-deploy/deployed', 'HEAD'])
    // What the last action deploy saved for its post step (a deploy without records: nothing left to settle).
    let saved: { ref: string; state: Record<string, string> } | undefined

    async function deploy(side: Side, c: Case, round: number): Promise<Deploy> {
      const { sha, version } = await freshCommit(h, c)
      const logins = h.logins()
      const action = side === 'action' ? await actionDeploy(h, sha) : undefined
      const timed = action ?? (await floorDeploy(h, ssh, sha, c.migration))
      await new Promise((resolve) => setTimeout(resolve, 20)) // the probe in flight lands
      // The deploy really happened: the new build answers, the migration is applied.
      if ((await h.serviceVersion()) !== sha) throw new Error(`${side} deploy of ${sha} left the service on ${await h.serviceVersion()}`)
      if (c.migration && !(await h.appliedMigrations()).includes(version)) throw new Error(`${side} deploy did not apply migration ${version}`)
      if (action) {
        if (action.migrated !== c.migration) throw new Error(`the action decided migrated=${String(action.migrated)}`)
        saved = { ref: sha, state: action.state }
      }
      if (side === 'floor') await h.gitOnHost(['update-ref', 'refs/catcolab-deploy/deployed', sha])
      const rel = (span: Span) => ({ name: span.name, begin: span.begin - timed.t0, end: span.end - timed.t0 })
      const outages = probe!.outages(timed.t0, timed.t1).map((o) => rel({ name: 'down', ...o }))
      return {
        side,
        case: c,
        round,
        wall: timed.wall,
        post: timed.post,
        logins: h.logins() - logins,
        downtime: sum(outages.map((o) => o.end - o.begin)),
        outages,
        phases: timed.phases.map(rel),
        delays: timed.delays,
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

    // Rollbacks: a deploy of a commit with a migration whose start fails at once, after the build
    // (the 5 s one, and none), rolls back to the commit before it by putting its kept build back.
    // Each round starts from an untimed action deploy, which keeps the build it goes back to.
    const recoveries: Recovery[] = []
    const migration = CASES.find((c) => c.migration)!
    for (const buildDelay of opts.quick ? [null] : [5, null]) {
      for (let round = 1; round <= opts.rollbackRounds; round++) {
        h.delay('build', null)
        const good = await freshCommit(h, CASES[0]!)
        await actionDeploy(h, good.sha)
        const bad = await freshCommit(h, migration)
        h.delay('build', buildDelay)
        h.fail('start', bad.sha)
        const run = await runAction({ ...hostInputs(h), ref: bad.sha, ...OUTPUTS }, { action: ACTION })
        h.fail('start', false)
        const t1 = Date.now()
        await new Promise((resolve) => setTimeout(resolve, 20)) // the probe in flight lands
        if (run.code !== 1 || !/its kept build put back \(no build\)/.test(run.log)) throw new Error(`the rollback did not put the kept build back:\n${run.log}`)
        if ((await h.serviceVersion()) !== good.sha) throw new Error(`the rollback left the service on ${await h.serviceVersion()}`)
        // The host's own marker: `@@<nonce> phase start end <code> <ms>`, on the host clock (this machine's).
        const runId = /as run (\S+),/.exec(run.log)![1]!
        const hostLog = readFileSync(join(h.repoPath, '.git', 'catcolab-deploy', 'runs', runId, 'log'), 'utf8')
        const failed = Number(/^@@\S+ phase start end [1-9]\d* (\d+)$/m.exec(hostLog)?.[1])
        const back = probe.outages(failed, t1 + 20).at(0)
        if (!Number.isFinite(failed) || !back) throw new Error(`no failed start, or no outage after it:\n${hostLog}`)
        recoveries.push({ buildDelay, recovery: back.end - failed })
      }
    }
    h.delay('build', null)
    // The probe is for downtime only: left running, its request every 5 ms would share the client
    // CPU with the processes timed below, which no runner does.
    await probe.stop()
    probe = undefined

    // Startup, one of each per round, in alternating order: bare Node, the post step with nothing
    // to do, the main step's cold start (a dry run through the timestamping proxy: process start
    // → the first byte sshd receives) and the OpenSSH client's.
    const startup: Startup[] = []
    const head = await h.gitOnHost(['rev-parse', 'HEAD'])
    // The host as a name, as CatColab's are: the early connection then waits on a lookup too.
    const dryRun = {
      ...hostInputs(h),
      host: 'localhost',
      port: String(proxy.port),
      'known-hosts': proxyKnownHosts(h, proxy.port).replace(/^\[127\.0\.0\.1\]/, '[localhost]'),
      ref: head,
      'dry-run': 'true',
    }
    const firstBytes = (since: number) => {
      const t = proxy!.firstBytesAfter(since)
      if (t?.kex == null) throw new Error('no connection reached the proxy, or none began a key exchange')
      return { first: t.first - since, kex: t.kex - since }
    }
    for (let i = 0; i < opts.startupRounds; i++) {
      const round: Startup = { bare: 0, post: 0, cold: 0, kex: 0, ssh: 0 }
      const measure: Record<Exclude<keyof Startup, 'kex'>, () => Promise<void>> = {
        bare: async () => void (round.bare = await bareNode()),
        async post() {
          const logins = h.logins()
          const run = await runAction({ ...hostInputs(h), ref: saved!.ref }, { action: ACTION, postState: saved!.state })
          if (run.code !== 0 || h.logins() !== logins) throw new Error(`the post step exited ${run.code}, or logged in to the host:\n${run.log}`)
          round.post = run.ended - run.started
        },
        async cold() {
          const run = await runAction(dryRun, { action: ACTION })
          if (run.code !== 0) throw new Error(`action dry run exited ${run.code}:\n${run.log}`)
          const { first, kex } = firstBytes(run.started)
          round.cold = first
          round.kex = kex
        },
        async ssh() {
          const t0 = Date.now()
          if ((await ssh(proxy!.port, 'true')).code !== 0) throw new Error('ssh through the proxy failed')
          round.ssh = firstBytes(t0).first
        },
      }
      const order = (['bare', 'post', 'cold', 'ssh'] as const).slice()
      if (i % 2) order.reverse()
      for (const name of order) await measure[name]()
      startup.push(round)
    }

    print(opts, deploys, startup, recoveries, { ...header, loadEnd: loadavg()[0]!.toFixed(2) })
  } finally {
    await probe?.stop()
    await proxy?.close()
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- the report ------------------------------------------------------------------------------

const ms = (value: number) => String(Math.round(value))
const spread = (values: number[]) => `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–')
const signed = (value: number) => `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`

/** dist/'s size, and that of the files the runner runs. */
function distSize(): string {
  const dist = join(ROOT, 'dist')
  const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  const total = sum(files.map((e) => statSync(join(e.parentPath, e.name)).size))
  const action = actionFile(ACTION)
  const entries = Object.entries({ main: action.runs.main, post: action.runs.post }).flatMap(([step, file]) => {
    if (!file) return []
    const path = join(action.dir, file)
    return [`${ACTION}/action.yml runs.${step} ${relative(ROOT, path)} ${mb(statSync(path).size)}`]
  })
  return `dist/: ${mb(total)} (${entries.join(', ')})`
}

function print(
  opts: ReturnType<typeof options>,
  deploys: Deploy[],
  startup: Startup[],
  recoveries: Recovery[],
  header: { load: string; loadEnd: string; host: string; pinning: string },
): void {
  const cpu = cpus()
  const out: string[] = []
  out.push(`catcolab-deploy bench: ${opts.rounds} paired round(s) per case${opts.buildRounds ? ` (${opts.buildRounds} with the 5 s build)` : ''}, alternating order`)
  out.push(
    `machine: ${cpu.length} × ${cpu[0]?.model.trim()}, Linux ${release()}, Node ${process.version}; load average ${header.load} at start, ${header.loadEnd} at end`,
  )
  out.push(header.host)
  out.push(header.pinning)
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
  out.push(
    'action = deploy/action.yml: the main step + the post step processes (runs.main, then runs.post, back to back), every input at its default except ref, no GitHub API calls; floor = one ssh login running the bare sequence',
  )

  const actions = deploys.filter((d) => d.side === 'action')
  const posts = actions.map((d) => d.post!)
  const delays = actions.flatMap((d) => d.delays)
  const postOverBare = median(startup.map((s) => s.post - s.bare))
  const coldOverBare = median(startup.map((s) => s.cold - s.bare))
  const kexOverBare = median(startup.map((s) => s.kex - s.bare))
  out.push('')
  out.push(`post step inside the deploys, median (min–max) of ${posts.length}: ${spread(posts)} ms`)
  out.push(`startup, each process started as the runner starts a step, median (min–max) of ${startup.length} rounds; "− bare node" is per round:`)
  out.push(`  bare node (node -e 0): ${spread(startup.map((s) => s.bare))} ms`)
  out.push(`  post step with nothing to do (the state a deploy without records saved): ${spread(startup.map((s) => s.post))} ms; − bare node ${signed(postOverBare)} ms`)
  out.push(
    `  cold start (main step's process start → first byte to sshd, its identification, a dry run to host localhost): ${spread(startup.map((s) => s.cold))} ms; − bare node ${signed(coldOverBare)} ms; OpenSSH client ${spread(startup.map((s) => s.ssh))} ms`,
  )
  out.push(`  … → its first key-exchange byte (ssh2 loaded, inputs parsed): ${spread(startup.map((s) => s.kex))} ms; − bare node ${signed(kexOverBare)} ms`)
  out.push(
    `host output delay (a phase begins on the host → the action prints its group), ${delays.length} phases: median ${ms(median(delays))} ms, max ${ms(Math.max(...delays))} ms`,
  )
  out.push(distSize())
  // A plain restart: the restart phase of the action's deploys without a migration (stop, start, answering).
  const restart = median(
    deploys
      .filter((d) => d.side === 'action' && !d.case.migration)
      .map((d) => d.phases.find((p) => p.name === 'restart')!)
      .map((p) => p.end - p.begin),
  )
  const recovery = (delay: number | null) => recoveries.filter((r) => r.buildDelay === delay).map((r) => r.recovery)
  const slowRecovery = recovery(5)
  const fastRecovery = recovery(null)
  out.push(
    `rollback (a start that fails at once; the kept build put back, restarted), from the failed start's exit until the service answers: ${
      slowRecovery.length ? `with the 5 s build ${spread(slowRecovery)} ms, ` : ''
    }with no build delay ${spread(fastRecovery)} ms; a plain restart (the restart phase above) ${ms(restart)} ms`,
  )

  // Targets (issue 12), each a median over paired rounds.
  const line = (ok: boolean, text: string) => out.push(`${ok ? '✔' : '✘'} ${text}`)
  const fast = cases.filter((c) => c.buildDelay === null)
  const slow = cases.filter((c) => c.buildDelay !== null)
  const buildHit = deploys.filter((d) => {
    const build = d.phases.find((p) => p.name === 'build')!
    return d.outages.some((o) => o.begin < build.end && o.end > build.begin)
  })
  const logins = actions.map((d) => d.logins)
  out.push('')
  out.push('targets:')
  line(
    fast.every((c) => summary[`${c.name}/wall`]!.delta <= 300),
    `overhead (action main + post wall − floor wall) ≤ 300 ms: ${fast.map((c) => `${c.name} ${signed(summary[`${c.name}/wall`]!.delta)} ms`).join(', ')}`,
  )
  line(
    fast.every((c) => summary[`${c.name}/downtime`]!.ratio <= 1.1),
    `downtime ≤ 1.1× floor: ${fast.map((c) => `${c.name} ${times(summary[`${c.name}/downtime`]!.ratio)}`).join(', ')}`,
  )
  if (slow.length)
    line(
      slow.every((c) => summary[`${c.name}/wall`]!.ratio <= 1.1),
      `wall with the 5 s build ≤ 1.1× floor: ${slow.map((c) => times(summary[`${c.name}/wall`]!.ratio)).join(', ')}`,
    )
  line(postOverBare <= 20, `post step with nothing to do ≤ bare node + 20 ms: ${signed(postOverBare)} ms`)
  line(coldOverBare <= 40, `cold start to the first byte to sshd ≤ bare node + 40 ms: ${signed(coldOverBare)} ms`)
  line(
    logins.every((n) => n === 1),
    `exactly 1 SSH login per action deploy (main + post): ${Math.min(...logins)}–${Math.max(...logins)}`,
  )
  line(buildHit.length === 0, `build never inside the downtime window: ${buildHit.length} of ${deploys.length} deploys overlap`)
  line(Math.max(...delays) <= 50, `host output delay ≤ 50 ms (max): median ${ms(median(delays))} ms, max ${ms(Math.max(...delays))} ms`)
  const worst = slowRecovery.length ? slowRecovery : fastRecovery
  line(
    median(worst) <= 1.5 * restart,
    `rollback${slowRecovery.length ? ' with the 5 s build' : ''} ≤ 1.5× a plain restart: ${ms(median(worst))} ms, ${times(median(worst) / restart)}${
      slowRecovery.length ? ` (with no build delay ${ms(median(fastRecovery))} ms: it does not grow with the build)` : ''
    }`,
  )

  // Where the time goes.
  out.push('')
  out.push('where the time goes (median ms per phase; "post" is the post step\'s process; "other" is the time between phases):')
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
