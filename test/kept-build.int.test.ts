// The last good build, kept and put back (build-outputs), end to end: the bundled action, run as
// the runner runs it, against a throwaway host (test/fixture). The stand-in build writes
// target/stamp, which the stand-in service reads to say what it runs: a build put back by a
// rollback shows as the service answering with the older commit, with no build in the journal.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createHost, type TestHost } from './fixture/host'
import { isRoot } from './fixture/proc'
import { errorLine, hostInputs, runAction, stateDir } from './run-action'
import { throwaway } from './throwaway'

const { newHost } = throwaway()
const builds = async (h: TestHost) => join(await stateDir(h), 'builds')
const deploy = (h: TestHost, ref: string, extra: Record<string, string> = {}) => runAction({ ...hostInputs(h), ref, 'build-outputs': 'target', ...extra })
/** The journal's entries since the index given. */
const since = (h: TestHost, from: number) => h.events().slice(from)

describe('build-outputs', () => {
  it('keeps the build after a success (manifest last, the space said); a failed start rolls back by putting it back: no build, and the services answer', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    const first = await deploy(h, B)
    expect(first.code, first.log).toBe(0)
    expect(first.log).toMatch(new RegExp(`^\\| kept the build of ${B} \\(target\\): \\d+ KiB; the kept builds take \\d+ KiB in \\S+/builds$`, 'm'))
    const manifest = readFileSync(join(await builds(h), B, 'manifest'), 'utf8')
    expect(manifest).toMatch(new RegExp(`^commit=${B}\nbuild=catcolab-build\npath=target\nkept=\\d+\ttarget\n$`))
    expect(readFileSync(join(await builds(h), B, 'files', 'target', 'stamp'), 'utf8').trim()).toBe(B)

    // C migrates: stop, migrate, then a start that fails at once. The rollback puts B's build back.
    h.fail('start', C)
    const from = h.events().length
    const run = await deploy(h, C)
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(new RegExp(`^deploy failed: start failed; rolled back to ${B}, its kept build put back \\(no build\\) and restarted`))
    expect(run.log).toContain(`${B} has a kept build: putting it back instead of building`)
    expect(run.log).toContain(`put back the kept build of ${B} (target) by rename: nothing was built`)
    expect(run.log).toMatch(/::group::rollback-restore\n/)
    expect(run.log).not.toMatch(/::group::rollback-build\n/)
    expect(since(h, from).filter((event) => event.startsWith('build'))).toEqual([`build ${C}`])
    expect(await h.serviceVersion()).toBe(B)
    // Putting it back used the copy up; once the services were back, B's build was kept again.
    expect(readFileSync(join(await builds(h), B, 'files', 'target', 'stamp'), 'utf8').trim()).toBe(B)
    expect(run.log).toMatch(new RegExp(`^\\| kept the build of ${B} \\(target\\)`, 'm'))
  })

  it('moves aside an output the kept build lacked, rather than leave the newer one in place', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    const outputs = { 'build-outputs': 'target\nextra' }
    expect((await deploy(h, B, outputs)).code).toBe(0)
    expect(readFileSync(join(await builds(h), B, 'manifest'), 'utf8')).toContain('\npath=extra\n')
    // What C's build made, and B's did not.
    await h.runAsUser(['bash', '-c', 'echo new >extra'], { cwd: h.repoPath })
    h.fail('start', C)
    const run = await deploy(h, C, outputs)
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toContain('its kept build put back (no build)')
    expect(existsSync(join(h.repoPath, 'extra'))).toBe(false)
    expect(await h.serviceVersion()).toBe(B)
  })

  it('builds instead when the outputs asked for changed, or one is a symbolic link (which no rename could put back)', async () => {
    const h = await newHost()
    const { A, B, C } = h.commits
    expect((await deploy(h, B)).code).toBe(0)
    h.fail('start', C)
    const other = await deploy(h, C, { 'build-outputs': 'target\nelse' })
    expect(other.log).toContain(`the kept build of ${B} holds other build outputs (target) than asked now: building it instead`)
    expect(other.log).toMatch(/::group::rollback-build\n/)
    h.fail('start', false)
    await h.runAsUser(['ln', '-s', 'target', 'linked'], { cwd: h.repoPath })
    const linked = await deploy(h, A, { 'build-outputs': 'linked', 'allow-older': 'true' })
    expect(linked.code, linked.log).toBe(0)
    expect(linked.log).toContain(`build output linked is a symbolic link, which a rollback could not put back by rename: the build of ${A} is not kept`)
    expect(existsSync(join(await builds(h), A))).toBe(false)
  })

  it('never uses a copy without a manifest: it rebuilds, saying why', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await deploy(h, B)).code).toBe(0)
    rmSync(join(await builds(h), B, 'manifest'))
    h.fail('start', C)
    const from = h.events().length
    const run = await deploy(h, C)
    expect(run.code).toBe(1)
    expect(run.log).toContain(`the kept build of ${B} has no manifest (never finished, or in use): building it instead`)
    expect(since(h, from).filter((event) => event.startsWith('build'))).toEqual([`build ${C}`, `build ${B}`])
    expect(await h.serviceVersion()).toBe(B)
  })

  it('a failed build leaves the kept copy whole, and the restore puts it back without building', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await deploy(h, B)).code).toBe(0)
    h.fail('build', C)
    const from = h.events().length
    const run = await deploy(h, C)
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      new RegExp(`^deploy failed: build failed; the previous checkout ${B} was restored, and its kept build put back; the services, never stopped, still run it`),
    )
    expect(since(h, from)).toEqual([])
    expect(await h.serviceVersion()).toBe(B)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(B)
    expect(readFileSync(join(h.repoPath, 'target', 'stamp'), 'utf8').trim()).toBe(B)
  })

  it('command: rollback puts the target’s kept build back instead of building it; two builds are kept; a missing path is said and skipped', async () => {
    const h = await newHost()
    const { A, B, C } = h.commits
    const outputs = { 'build-outputs': 'target\nno/such/output' }
    const a = await deploy(h, A, outputs)
    expect(a.log).toContain('build outputs that do not exist, not kept: no/such/output')
    expect(readFileSync(join(await builds(h), A, 'manifest'), 'utf8')).toContain('\nmissing=no/such/output\n')
    expect((await deploy(h, B, outputs)).code).toBe(0)
    const from = h.events().length
    const run = await runAction({ ...hostInputs(h), command: 'rollback', ...outputs, 'hold-after-rollback': 'false' })
    expect(run.code, run.log).toBe(0)
    expect(run.log).toMatch(/::group::restore-build\n/)
    expect(since(h, from).some((event) => event.startsWith('build'))).toBe(false)
    expect(await h.serviceVersion()).toBe(A)
    // Kept again after the rollback; then C: the newest two stay.
    expect(existsSync(join(await builds(h), A, 'manifest'))).toBe(true)
    expect((await deploy(h, C)).code).toBe(0)
    expect(readFileSync(join(await builds(h), 'order'), 'utf8')).toBe(`${C}\n${A}\n`)
    expect(existsSync(join(await builds(h), B))).toBe(false)
  })

  // Mounting a filesystem of its own needs root, as the fixture's sshd and user do in CI.
  it.skipIf(!isRoot)('is not kept when its copy would leave less than 1 GiB free on the filesystem: said, and the deploy goes on', async () => {
    // The host on a tmpfs of its own (createHost puts it under TMPDIR), sized once the host is
    // made to leave 1 GiB + 8 MiB free: a small copy fits, a 16 MiB one would not.
    const mount = mkdtempSync(join(tmpdir(), 'catcolab-small-fs-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m,mode=0755', 'tmpfs', mount])
    const tmp = process.env['TMPDIR']
    let h: TestHost | undefined
    try {
      process.env['TMPDIR'] = mount
      h = await createHost()
      restoreEnv('TMPDIR', tmp)
      const { B, C } = h.commits
      await h.runAsUser(['sh', '-c', 'head -c 16777216 /dev/zero >"$1"', 'sh', join(h.repoPath, 'big')])
      const [blocks, free, size] = execFileSync('stat', ['-f', '-c', '%b %a %S', mount], { encoding: 'utf8' }).trim().split(' ').map(Number) as [number, number, number]
      const usedKiB = ((blocks - free) * size) / 1024
      execFileSync('mount', ['-o', `remount,size=${usedKiB + 1024 * 1024 + 8 * 1024}k`, mount])

      const small = await deploy(h, B)
      expect(small.code, small.log).toBe(0)
      expect(existsSync(join(await builds(h), B, 'manifest'))).toBe(true)

      const run = await deploy(h, C, { 'build-outputs': 'target\nbig' })
      expect(run.code, run.log).toBe(0)
      expect(run.log).toMatch(
        new RegExp(
          `^\\| copying the build outputs \\((16|17) MiB\\) would leave less than 1 GiB free on the filesystem of \\S+/builds \\(10\\d\\d MiB free now\\): the build of ${C} is not kept; going back to it will build it; free space there to keep builds again$`,
          'm',
        ),
      )
      expect(existsSync(join(await builds(h), C))).toBe(false)
      expect(await h.serviceVersion()).toBe(C)
    } finally {
      restoreEnv('TMPDIR', tmp)
      try {
        await h?.close()
      } finally {
        execFileSync('umount', [mount])
        rmSync(mount, { recursive: true, force: true })
      }
    }
  })
})

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
