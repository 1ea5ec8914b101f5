// host.sh follow, over real SSH: it streams a run's log while the run holds its alive lock, and
// stops when the run's directory disappears instead of following it forever. And the runs'
// directories a host keeps.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { sshHost } from '../src/host'
import { keysForHost, parseKnownHosts } from '../src/known-hosts'
import { connect, type SshSession } from '../src/ssh'
import { createHost, type TestHost } from './fixture/host'
import { hostInputs, runAction } from './run-action'

let host: TestHost | undefined
let session: SshSession | undefined
let holder: ChildProcess | undefined

afterEach(async () => {
  session?.close()
  holder?.kill()
  await host?.close()
  host = session = holder = undefined
})

it('stops following a run whose directory is removed, with a clear error', async () => {
  const h = (host = await createHost())
  const dir = join(h.repoPath, '.git', 'catcolab-deploy', 'runs', '20250101T000000Z-1')
  await h.runAsUser(['sh', '-c', 'mkdir -p "$1" && echo hello >"$1/log" && : >"$1/alive"', 'sh', dir])
  // A run that never ends: something holds its alive lock.
  holder = spawn('bash', ['-c', 'exec 8>>"$1" && flock 8 && echo locked && exec sleep 600', 'bash', join(dir, 'alive')])
  await once(holder.stdout!, 'data')

  session = await connect({
    host: h.host,
    port: h.sshPort,
    username: h.user,
    privateKey: h.privateKey,
    passphrase: undefined,
    connectTimeout: 30,
    reconnectTimeout: 30,
    hostKeys: keysForHost(parseKnownHosts(h.knownHostsLine), h.host, h.sshPort),
  })
  let received = ''
  const following = sshHost(session, h.repoPath).follow('20250101T000000Z-1', 0, (chunk) => {
    received += chunk.toString('utf8')
    rmSync(dir, { recursive: true, force: true })
  })
  await expect(following).rejects.toThrow('the log of run 20250101T000000Z-1 disappeared')
  expect(received).toBe('hello\n')
})

it('a run ends by keeping the newest 20 runs, and any older one still alive', async () => {
  const h = (host = await createHost())
  const runs = join(h.repoPath, '.git', 'catcolab-deploy', 'runs')
  const old = Array.from({ length: 25 }, (_, i) => join(runs, `20250101T0000${String(i).padStart(2, '0')}Z-1`))
  await h.runAsUser(['sh', '-c', 'for d; do mkdir -p "$d" && : >"$d/alive" && : >"$d/log"; done', 'sh', ...old])
  // The oldest is still alive: something holds its lock.
  holder = spawn('bash', ['-c', 'exec 8>>"$1" && flock 8 && echo locked && exec sleep 600', 'bash', join(old[0]!, 'alive')])
  await once(holder.stdout!, 'data')
  const run = await runAction({ ...hostInputs(h), ref: h.commits.B })
  expect(run.code, run.log).toBe(0)
  // The run prunes after the end of its log, which the action does not wait for: wait for the run.
  const newest = readdirSync(runs).sort().at(-1)!
  await h.runAsUser(['flock', join(runs, newest, 'alive'), 'true'])
  const left = readdirSync(runs).sort()
  expect(left).toHaveLength(21)
  expect(left[0]).toBe(basename(old[0]!))
  expect(left.slice(1, -1)).toEqual(old.slice(-19).map((dir) => basename(dir)))
  expect(left.at(-1)).toMatch(/^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{24}$/)
})

it('a reader that cannot take a command output fails that command, not the process nor the session', async () => {
  const h = (host = await createHost())
  session = await connect({
    host: h.host,
    port: h.sshPort,
    username: h.user,
    privateKey: h.privateKey,
    passphrase: undefined,
    connectTimeout: 30,
    reconnectTimeout: 30,
    hostKeys: keysForHost(parseKnownHosts(h.knownHostsLine), h.host, h.sshPort),
  })
  const failing = session.exec('echo unexpected; sleep 5', '', () => {
    throw new Error('printed no run id')
  })
  await expect(failing).rejects.toThrow('printed no run id')
  const after = await session.exec('echo ok', '')
  expect([after.code, after.stdout.toString('utf8')]).toEqual([0, 'ok\n'])
})
