// The bench works: `npm run bench -- --quick` deploys once per side and case on a host of
// CatColab's size and prints its table; `npm run bench -- --pr-report --prs 2` times three
// pr-report refreshes. Only the shape is checked, never the numbers: timing belongs to the bench,
// not the tests.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const ROOT = join(__dirname, '..')

function bench(args = ['--quick']): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'bench', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

it('npm run bench -- --quick prints the host, the pinning, the table, startup, the targets and a timeline per deploy', async () => {
  const { code, output } = await bench()
  expect(code, output).toBe(0)
  const lines = output.split('\n')

  expect(output).toMatch(/^host: \d+ commits, \d+ files, pack \d+\.\d MiB \(in its clone/m)
  // Both sides pinned and read back from /proc (or, on one CPU, said so); never a mismatch.
  expect(output).toMatch(
    /^pinning: (host side on CPU \d+ \(sshd \d+, a login's shell \d+, postgres \d+, service \d+\), client side on CPU \d+ \(bench \d+, a spawned node \d+\)|none, .*)$/m,
  )
  expect(output).not.toContain('NOT as intended')

  const spread = /^\d+ \(\d+–\d+\)$/
  const rows = lines
    .filter((line) => line.startsWith('| ') && !line.startsWith('| case'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
  expect(rows.map(([c, metric]) => `${c}: ${metric}`)).toEqual([
    'no migration: wall (ms)',
    'no migration: logins',
    'no migration: downtime (ms)',
    'migration: wall (ms)',
    'migration: logins',
    'migration: downtime (ms)',
  ])
  for (const [, , floor, action, ratio, delta] of rows) {
    expect(floor).toMatch(spread)
    expect(action).toMatch(spread)
    expect(ratio).toMatch(/^(\d+\.\d\d× \(\d+\.\d\d×–\d+\.\d\d×\)|–)$/)
    expect(delta).toMatch(/^[+−]\d+$/)
  }
  // Under the table: what each side includes.
  expect(output).toMatch(/^\|.*\|\naction = deploy\/action.yml: the main step \+ the post step processes .*; floor = one ssh login running the bare sequence$/m)

  const ms = String.raw`\d+ \(\d+–\d+\) ms`
  expect(output).toMatch(new RegExp(`^post step inside the deploys, median \\(min–max\\) of 2: ${ms}$`, 'm'))
  expect(output).toMatch(new RegExp(`^  bare node \\(node -e 0\\): ${ms}$`, 'm'))
  expect(output).toMatch(new RegExp(`^  post step with nothing to do .*: ${ms}; − bare node [+−]\\d+ ms$`, 'm'))
  expect(output).toMatch(new RegExp(`^  cold start .*: ${ms}; − bare node [+−]\\d+ ms; OpenSSH client ${ms}$`, 'm'))
  expect(output).toMatch(new RegExp(`^  … → its first key-exchange byte .*: ${ms}; − bare node [+−]\\d+ ms$`, 'm'))
  expect(output).toMatch(/^host output delay .*, \d+ phases: median \d+ ms, max \d+ ms$/m)
  expect(output).toMatch(
    /^dist\/: \d+\.\d\d MB \(deploy\/action\.yml runs\.main dist\/deploy\.js \d+\.\d\d MB, deploy\/action\.yml runs\.post dist\/deploy\.js \d+\.\d\d MB\)$/m,
  )
  // A rollback that puts the kept build back, measured against a plain restart (no 5 s build in quick mode).
  expect(output).toMatch(
    new RegExp(
      `^rollback \\(a start that fails at once; the kept build put back, restarted\\), .*: with no build delay ${ms}; a plain restart \\(the restart phase above\\) \\d+ ms$`,
      'm',
    ),
  )
  expect(output).toMatch(/^[✔✘] rollback ≤ 1\.5× a plain restart: \d+ ms, \d+\.\d\d×$/m)
  // One verdict per target; the 5 s build has no round in quick mode.
  expect(lines.filter((line) => /^[✔✘] /.test(line))).toHaveLength(8)
  // Where the time goes: the action's side ends with its post step.
  expect(lines.filter((line) => / action .* report \d+ · post \d+ · other -?\d+ = \d+$/.test(line))).toHaveLength(2)
  // Two sides × two cases, each with its phases and where the downtime fell.
  const timelines = lines.filter((line) => / #1 (floor|action) +connect 0\.00–/.test(line))
  expect(timelines).toHaveLength(4)
  for (const line of timelines) expect(line).toMatch(/ build \d+\.\d\d–\d+\.\d\d .*\| (down \d+\.\d\d–\d+\.\d\d|no downtime seen)/)
  for (const line of timelines.filter((l) => l.includes(' action '))) expect(line).toMatch(/ · post \d+\.\d\d–\d+\.\d\d \| /)
}, 180_000)

it('npm run bench -- --pr-report --prs 2 prints the paced wall time of three refreshes', async () => {
  const { code, output } = await bench(['--pr-report', '--prs', '2'])
  expect(code, output).toBe(0)
  const rows = output.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| refresh'))
  expect(
    rows.map((row) =>
      row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim())
        .slice(0, 2),
    ),
  ).toEqual([
    ['first: every comment new', '2 POST'],
    ['after a deploy: every comment edited', '2 PATCH'],
    ['nothing changed', 'none'],
  ])
  for (const row of rows) expect(row).toMatch(/\| \d+ \| \d+\.\d \|$/)
}, 60_000)
