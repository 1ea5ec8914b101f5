// Tests of the fixture itself: the throwaway host must behave like a CatColab host over real SSH.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type TestHost } from './fixture/host'
import { provideNode } from './fixture/node-bin'
import { hostUser, run, runAs } from './fixture/proc'

describe('test host fixture', () => {
  let host: TestHost
  let ssh: (command: string) => ReturnType<typeof run>

  beforeAll(async () => {
    host = await createHost()
    const keyFile = join(host.root, 'test_key')
    const knownHosts = join(host.root, 'known_hosts')
    await writeFile(keyFile, host.privateKey, { mode: 0o600 })
    await writeFile(knownHosts, `${host.knownHostsLine}\n`)
    ssh = (command) =>
      run('ssh', [
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-i',
        keyFile,
        '-p',
        String(host.sshPort),
        `${host.user}@127.0.0.1`,
        command,
      ])
  })
  afterAll(() => host?.close())

  it('starts at A: built, migrated, running, with a clean events log', async () => {
    expect(process.env['CATCOLAB_TEST_PGHOST'], 'cluster from globalSetup').toBeTruthy()
    expect(await host.serviceVersion()).toBe(host.commits.A)
    expect(await host.appliedMigrations()).toEqual(['1'])
    expect(await host.gitOnHost(['rev-parse', 'HEAD'])).toBe(host.commits.A)
    expect(await host.gitOnHost(['status', '--porcelain'])).toBe('')
    expect(host.events()).toEqual([])
  })

  it('publishes the host key as ssh-keyscan and ssh-keygen see it', async () => {
    const scan = await run('ssh-keyscan', ['-t', 'ed25519', '-p', String(host.sshPort), '127.0.0.1'])
    expect(scan.stdout.trim()).toBe(host.knownHostsLine)
    expect(host.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })

  it('has an ed25519, an ECDSA and an RSA host key, each published as ssh-keyscan prints it', async () => {
    const scan = await run('ssh-keyscan', ['-t', 'ed25519,ecdsa,rsa', '-p', String(host.sshPort), '127.0.0.1'])
    const lines = scan.stdout.split('\n').filter((line) => line && !line.startsWith('#'))
    expect(lines.sort()).toEqual(
      Object.values(host.hostKeys)
        .map((key) => key.line)
        .sort(),
    )
    expect(host.hostKeys.ed25519).toEqual({ line: host.knownHostsLine, fingerprint: host.hostKeyFingerprint })
    expect(Object.values(host.hostKeys).map((key) => key.line.split(' ')[1])).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'])
    expect(new Set(Object.values(host.hostKeys).map((key) => key.fingerprint)).size).toBe(3)
  })

  it('runs catcolab-status over ssh with a pinned host key, and counts the login', async () => {
    const before = host.logins()
    const status = await ssh('catcolab-status')
    expect(status.stderr).toBe('')
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('Active: active (running)')
    expect(status.stdout).toContain(`commit ${host.commits.A}`)
    expect(host.logins()).toBe(before + 1)
    expect(host.events()).toEqual(['status'])
  })

  it('deploys E over ssh, applying each pending migration exactly once', async () => {
    await host.gitOnHost(['fetch', '-q', 'origin', host.commits.E])
    await host.gitOnHost(['checkout', '-q', '--detach', host.commits.E])
    const deploy = await ssh('catcolab-build && catcolab-stop && catcolab-migrate && catcolab-start')
    expect(deploy.code, deploy.stderr).toBe(0)
    expect(await host.serviceVersion()).toBe(host.commits.E)
    expect(await host.appliedMigrations()).toEqual(['1', '2', '20241004010448', '20250101000000'])
    expect(host.events().slice(-4)).toEqual([`build ${host.commits.E}`, 'stop', 'migrate 2 20241004010448 20250101000000', `start ${host.commits.E}`])
    // A second run finds nothing to apply.
    expect((await host.runAsUser(['catcolab-migrate'], { cwd: host.repoPath })).code).toBe(0)
    expect(host.events().at(-1)).toBe('migrate')
  })

  it('refuses to migrate when an applied migration was modified', async () => {
    const sha = await host.commitToOrigin({ 'packages/backend/migrations/02_add_column.sql': '-- edited\n' }, 'G: edit 02')
    await host.branchOnOrigin('release', host.commits.C)
    expect(await host.gitOnHost(['ls-remote', 'origin', 'main', 'release'])).toBe(`${sha}\trefs/heads/main\n${host.commits.C}\trefs/heads/release`)
    await host.gitOnHost(['fetch', '-q', 'origin', 'main'])
    await host.gitOnHost(['checkout', '-q', '--detach', sha])
    const migrate = await host.runAsUser(['catcolab-migrate'], { cwd: host.repoPath })
    expect(migrate.code).toBe(1)
    expect(migrate.stderr).toContain('migration 2 was previously applied but has been modified')
  })

  it('injects faults', async () => {
    host.fail('build')
    const build = await ssh('catcolab-build')
    expect(build.code).toBe(1)
    expect(build.stderr).toContain('failing on purpose')
    host.fail('build', false)
    host.fail('status')
    expect((await ssh('catcolab-status')).code).toBe(3)
    host.fail('status', false)
    host.delay('build', 0.1)
    expect((await ssh('catcolab-build')).code).toBe(0)
  })

  it('restarts, and treats start of a running service as a no-op', async () => {
    const asUser = (cmd: string) => host.runAsUser([cmd], { cwd: host.repoPath })
    const stamp = (await host.runAsUser(['cat', 'target/stamp'], { cwd: host.repoPath })).stdout.trim()
    expect((await asUser('catcolab-restart')).code).toBe(0)
    expect((await asUser('catcolab-start')).code).toBe(0)
    expect(host.events().slice(-2)).toEqual([`restart ${stamp}`, 'start: already running'])
    expect(await host.serviceVersion()).toBe(stamp)
  })

  it('reports a stopped service like systemctl does', async () => {
    expect((await host.runAsUser(['catcolab-stop'])).code).toBe(0)
    expect(await host.serviceVersion()).toBeNull()
    const status = await host.runAsUser(['catcolab-status'])
    expect(status.code).toBe(3)
    expect(status.stdout).toContain('inactive (dead)')
  })

  it('cleans up on close, also a command still running detached on the host', async () => {
    const other = await createHost({ startAt: 'C' })
    expect(await other.serviceVersion()).toBe(other.commits.C)
    expect(await other.appliedMigrations()).toEqual(['1', '2'])
    other.delay('build', 600)
    const detached = await other.runAsUser(['sh', '-c', 'setsid catcolab-build </dev/null >/dev/null 2>&1 & echo $!'], { cwd: other.repoPath })
    const pid = Number(detached.stdout)
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(other.repoPath) // alive, in the clone, in a session of its own
    await other.close()
    expect(existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBeFalsy()
    const naming = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(other.root)
        } catch {
          return false
        }
      })
    expect(naming).toEqual([])
    expect(existsSync(other.root)).toBe(false)
    expect(await other.serviceVersion()).toBeNull()
    expect((await run('ssh-keyscan', ['-p', String(other.sshPort), '127.0.0.1'])).stdout).toBe('')
    await expect(other.appliedMigrations()).rejects.toThrow(/does not exist/)
  })
})

describe("the host user's Node binary", () => {
  // The checkout's own Node may be where the host user cannot reach it (a clone in root's home).
  it.each([tmpdir(), '/dev/shm'].filter((dir) => existsSync(dir)))('in %s: a link on the same filesystem, else a copy; the host user runs it', async (parent) => {
    const source = statSync(process.execPath)
    const node = await provideNode(parent)
    try {
      expect(node.linked).toBe(statSync(parent).dev === source.dev)
      expect(statSync(node.path).ino === source.ino).toBe(node.linked)
      const version = await runAs(await hostUser(), { PATH: '/usr/bin:/bin' }, [node.path, '-p', 'process.version'], { cwd: '/' })
      expect(version.stdout.trim()).toBe(process.version)
      expect(statSync(process.execPath)).toMatchObject({ mode: source.mode, uid: source.uid })
    } finally {
      await node.remove()
    }
    expect(existsSync(node.path)).toBe(false)
  })
})
