// npm run demo: a full deploy against a throwaway CatColab-like host on loopback (real sshd, git,
// PostgreSQL, stand-in catcolab-* commands), running the bundled dist/index.js the way the Actions
// runner does. The log is shown live, with workflow commands rendered roughly as the runner's UI
// shows them; after each run come the job summary and the outputs.
import { createHost, type TestHost } from './fixture/host'
import { exitCleanlyOnInterrupt, wasInterrupted } from './fixture/interrupt'
import { hostInputs, runAction, type ActionRun } from './run-action'

interface Step {
  title: string
  inputs: Record<string, string>
  /** What must hold afterwards; a returned string is a failure. */
  check(run: ActionRun, host: TestHost): Promise<string | null>
}

/** Undoes the runner's escaping of command data and properties (%25 %0D %0A %3A %2C). */
function unescape(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
}

/** Prints the action's log line by line as it arrives, rendering workflow commands. */
class LogPrinter {
  private printed = 0
  private partial = ''
  private inGroup = false

  update(log: string): void {
    const text = this.partial + log.slice(this.printed)
    this.printed = log.length
    const lines = text.split('\n')
    this.partial = lines.pop()!
    for (const line of lines) this.line(line)
  }

  flush(): void {
    if (this.partial) this.line(this.partial)
    this.partial = ''
  }

  private line(raw: string): void {
    const line = raw.replace(/\r$/, '')
    // ::name::data or ::name key=value,...::data, at the start of a line (after spaces).
    const command = /^\s*::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
    if (!command) return this.print(line)
    const name = command[1]!
    const message = unescape(command[2]!)
    switch (name) {
      case 'group':
        this.inGroup = false
        this.print(`▼ ${message}`)
        this.inGroup = true
        return
      case 'endgroup':
        this.inGroup = false
        return
      case 'warning':
        return this.print(`⚠ ${message}`)
      case 'error':
        return this.print(`✖ ${message}`)
      case 'notice':
        return this.print(`ℹ ${message}`)
      case 'add-mask':
      case 'debug':
        return // the runner hides these
      default:
        return this.print(line)
    }
  }

  private print(text: string): void {
    const indent = this.inGroup ? '    ' : '  '
    for (const part of text.split('\n')) process.stdout.write(`${indent}${part}\n`)
  }
}

function printOutputs(outputs: Record<string, string>): void {
  console.log('--- outputs ---')
  const names = Object.keys(outputs).sort()
  if (names.length === 0) console.log('  (none)')
  for (const name of names) {
    const [first = '', ...rest] = outputs[name]!.split('\n')
    console.log(`  ${name}: ${first}`)
    for (const line of rest) console.log(`  ${' '.repeat(name.length + 2)}${line}`)
  }
}

const short = (sha: string | undefined) => (sha ?? '').slice(0, 12) || '(none)'

async function main(): Promise<number> {
  const started = Date.now()
  console.log('Starting a throwaway CatColab-like host (sshd, git, PostgreSQL) on 127.0.0.1 …')
  const host = await createHost()
  try {
    const { commits } = host
    console.log(`Host ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${host.user}@127.0.0.1:${host.sshPort}, clone ${host.repoPath}`)
    console.log(`It runs v0.1.0 (${short(commits.A)}), built and migrated; origin's main is ${short(commits.F)}.`)
    console.log(`known-hosts: ${host.knownHostsLine.slice(0, 60)}…  (${host.hostKeyFingerprint})`)

    const base = { ...hostInputs(host), 'health-url': `http://127.0.0.1:${host.servicePort}/` }
    const deployed = (sha: string, migrated: boolean) => async (run: ActionRun, h: TestHost) => {
      if (run.outputs['deployed-sha'] !== sha) return `deployed-sha is ${run.outputs['deployed-sha']}, expected ${sha}`
      if (run.outputs['migrated'] !== String(migrated)) return `migrated is ${run.outputs['migrated']}, expected ${migrated}`
      const serving = await h.serviceVersion()
      return serving === sha ? null : `the service runs ${serving}, expected ${sha}`
    }
    const steps: Step[] = [
      {
        title: 'Dry run: v0.1.0 → main (shows the plan, changes nothing)',
        inputs: { ...base, ref: 'main', 'dry-run': 'true' },
        async check(run, h) {
          if (run.outputs['migrated'] !== 'true') return `migrated is ${run.outputs['migrated']}, expected true`
          const head = await h.gitOnHost(['rev-parse', 'HEAD'])
          const serving = await h.serviceVersion()
          return head === commits.A && serving === commits.A ? null : `the dry run changed the host (HEAD ${head}, serving ${serving})`
        },
      },
      {
        title: 'Deploy tag v0.2.0 (adds migration 02): stop, migrate, start',
        inputs: { ...base, ref: 'v0.2.0' },
        check: deployed(commits.C, true),
      },
      {
        title: 'Deploy main (more migrations; two old .undo.sql files deleted → warnings)',
        inputs: { ...base, ref: 'main' },
        check: deployed(commits.F, true),
      },
      {
        title: 'Deploy main again (same commit, no new migrations): restart only',
        inputs: { ...base, ref: 'main' },
        check: deployed(commits.F, false),
      },
      {
        title: 'command: status (reports, changes nothing)',
        inputs: { ...base, command: 'status' },
        async check(run) {
          return run.outputs['deployed-sha'] === commits.F ? null : `deployed-sha is ${run.outputs['deployed-sha']}, expected ${commits.F}`
        },
      },
    ]

    const failures: string[] = []
    for (const [index, step] of steps.entries()) {
      console.log(`\n== ${index + 1}. ${step.title} ==\n`)
      const printer = new LogPrinter()
      const t0 = Date.now()
      const run = await runAction(step.inputs, { onLog: (log) => wasInterrupted() || printer.update(log) })
      if (wasInterrupted()) return 1 // the cleanup exits; this step did not run to its end
      printer.flush()
      const seconds = ((Date.now() - t0) / 1000).toFixed(1)
      console.log(`\n--- job summary ---`)
      console.log(run.summary.trim() || '(empty)')
      printOutputs(run.outputs)
      const problem = run.code !== 0 ? `the action exited ${run.code}` : await step.check(run, host)
      if (problem) failures.push(`step ${index + 1}: ${problem}`)
      console.log(`--- step ${index + 1}: ${problem ? `UNEXPECTED: ${problem}` : 'as expected'} (${seconds} s) ---`)
    }

    console.log(`\nApplied migrations on the host's database: ${(await host.appliedMigrations()).join(', ')}`)
    console.log(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
    if (failures.length > 0) {
      console.error(`\n${failures.length} step(s) did not go as expected:\n${failures.map((f) => `  ${f}`).join('\n')}`)
      return 1
    }
    return 0
  } finally {
    await host.close()
  }
}

// Ctrl-C, SIGTERM or `npm run demo | head` stop the demo, and leave nothing running behind.
exitCleanlyOnInterrupt()
main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (wasInterrupted()) return // work cut short by the cleanup; exitCleanlyOnInterrupt exits
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exitCode = 1
  },
)
