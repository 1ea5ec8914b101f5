// npm run demo stopped halfway leaves nothing behind: Ctrl-C (SIGINT to its process group),
// SIGTERM to the demo alone, or its output piped into `head` (EPIPE). Each run gets its own
// TMPDIR, so everything it made (host, PostgreSQL cluster, Node binary, action runs) is under
// one directory, and whatever is still running of it names that directory.
import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'

const ROOT = join(__dirname, '..')
let dir: string | undefined

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

/** A TMPDIR for one demo run; the fixture's dirs in it must be reachable by the host user. */
function runDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'demo-interrupt-'))
  chmodSync(dir, 0o755)
  return dir
}

/** The environment of someone running the demo: no cluster or Node binary from this test run. */
function demoEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1', TMPDIR: tmp }
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('VITEST') && !name.startsWith('CATCOLAB_TEST_') && !(name in env)) env[name] = value
  }
  return env
}

/** Every process that names `tmp` in its command line, working directory or environment. */
function leftovers(tmp: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      const cwd = readlinkSync(`/proc/${pid}/cwd`)
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
      if (cmdline.includes(tmp) || cwd.startsWith(tmp) || environ.split('\0').includes(`TMPDIR=${tmp}`)) {
        found.push(`${pid}: ${cmdline.replaceAll('\0', ' ').slice(0, 200)}`)
      }
    } catch {
      /* ended meanwhile, or a zombie */
    }
  }
  return found
}

/** What the run left in its TMPDIR, but for the compile caches of tsx and of Node (npm turns it on). */
const leftFiles = (tmp: string) => readdirSync(tmp).filter((name) => !/^tsx-\d+$/.test(name) && name !== 'node-compile-cache')

/**
 * Starts argv in a session of its own (as a terminal would a job), calls interrupt(pid) once its
 * output has a line matching `when`, and resolves when every process holding its stdout or
 * stderr is gone (so the demo's own cleanup has ended), with its exit code and output.
 */
function start(argv: string[], env: NodeJS.ProcessEnv, when?: RegExp, interrupt?: (pid: number) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let sent = false
    const collect = (chunk: Buffer) => {
      out += chunk.toString('utf8')
      if (!sent && when?.test(out)) {
        sent = true
        interrupt!(child.pid!)
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

it('Ctrl-C mid-migrate: no sshd, service, postgres, deploy run or action left, temp dirs removed', async () => {
  const tmp = runDir()
  // The deploy runs detached on the host: the Ctrl-C does not reach it, only the demo's cleanup.
  const demo = await start(['npm', 'run', 'demo'], demoEnv(tmp), /^== 2\. [^]*▼ migrate$/m, (pid) => process.kill(-pid, 'SIGINT'))
  expect(demo.out).toContain('SIGINT: stopping and removing the test host')
  expect(demo.out).not.toContain('Demo finished')
  expect(demo.code).not.toBe(0)
  expect(leftovers(tmp)).toEqual([])
  expect(leftFiles(tmp), demo.out).toEqual([])
}, 240_000)

it('SIGTERM to the demo process alone, mid-run: its cleanup ends the rest', async () => {
  const tmp = runDir()
  const node = join(ROOT, 'node_modules', '.bin', 'node')
  let running = ''
  const demo = await start([node, '--import', 'tsx', 'test/demo.ts'], demoEnv(tmp), /▼ plan$/m, (pid) => {
    running = leftovers(tmp).join('\n')
    process.kill(pid, 'SIGTERM')
  })
  // What there was to clean up: the host's sshd and service, the cluster.
  expect(running).toMatch(/sshd -D -f \S+\/sshd_config/)
  expect(running).toMatch(/\/node \S+\/bin\/service\.mjs/)
  expect(running).toMatch(/postgres -D \S+\/data/)
  expect(demo.out).toContain('SIGTERM: stopping and removing the test host')
  expect(demo.code).toBe(143)
  expect(leftovers(tmp)).toEqual([])
  expect(leftFiles(tmp), demo.out).toEqual([])
}, 240_000)

it('npm run demo | head -n 5: stops at the closed pipe and leaves nothing behind', async () => {
  const tmp = runDir()
  const demo = await start(['bash', '-c', 'npm run demo | head -n 5'], demoEnv(tmp))
  // npm's four header lines, the demo's first; its next line found the pipe closed.
  expect(demo.out).toContain('Starting a throwaway CatColab-like host')
  expect(demo.out).toContain('output closed (EPIPE): stopping and removing the test host')
  expect(leftovers(tmp)).toEqual([])
  expect(leftFiles(tmp), demo.out).toEqual([])
}, 240_000)
