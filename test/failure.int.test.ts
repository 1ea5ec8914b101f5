// Failure safety: each fault, injected into a real deploy against the throwaway host, must leave
// the services answering, the checkout at a commit the log names, no lock behind, and a retry
// that converges with each migration applied exactly once.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { isRoot } from './fixture/proc'
import { hostStdin, REMOTE_COMMAND } from '../src/host'
import { parseKeyValues, parseRunResult, type RunParams } from '../src/protocol'
import { errorLine, hostInputs, hostPhases, proxyKnownHosts, runAction, stateDir, waitFor, type ActionRun } from './run-action'
import { startProxy } from './tcp-proxy'
import { throwaway } from './throwaway'

const { newHost } = throwaway()
/** What every fault must leave behind (services answering is asserted separately where a case cannot). */
async function expectSettled(h: TestHost, run: ActionRun): Promise<string> {
  // The log names the checkout: "the host runs R" when R is checked out too, else "(checkout C)".
  const said = /(?:the host runs ([0-9a-f]{40}))?[^;]*?(?:\(checkout ([0-9a-f]{40})\))?$/.exec(errorLine(run.log))
  const named = said?.[2] ?? said?.[1] ?? run.outputs['deployed-sha']
  expect(named, run.log).toMatch(/^[0-9a-f]{40}$/)
  expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(named)
  // No lock left behind: another process can take it at once.
  const lock = join(await stateDir(h), 'lock')
  expect((await h.runAsUser(['flock', '-n', lock, 'true'])).code).toBe(0)
  return named!
}

/** Runs the same deploy again with the fault gone: it must converge, each migration applied once. */
async function expectConverges(h: TestHost, inputs: Record<string, string>, target: string, migrations: string[]): Promise<void> {
  for (const name of ['build', 'stop', 'migrate', 'start', 'restart', 'status', 'health']) h.fail(name, false)
  const again = await runAction(inputs)
  expect(again.code, again.log).toBe(0)
  expect(await h.serviceVersion()).toBe(target)
  expect(await h.appliedMigrations()).toEqual(migrations)
  const applied = h
    .events()
    .filter((e) => e.startsWith('migrate '))
    .flatMap((e) => e.split(' ').slice(1))
  expect(new Set(applied).size, 'a migration ran twice').toBe(applied.length)
}

type Phase = 'build' | 'stop' | 'migrate' | 'start' | 'restart' | 'status' | 'health'
// Stop, migrate and start happen on the way to C (it adds migration 2); restart, status and health on the way to B.
const MIGRATING: Phase[] = ['stop', 'migrate', 'start']

describe.each([true, false])('a phase fails, rollback: %s', (rollback) => {
  it.each<Phase>(['build', 'stop', 'migrate', 'start', 'restart', 'status', 'health'])('%s', async (phase) => {
    const h = await newHost()
    const { A, B, C } = h.commits
    const target = phase === 'build' || MIGRATING.includes(phase) ? C : B
    const migrations = target === C ? ['1', '2'] : ['1']
    // Only the new commit is broken, so the previous one builds and starts again.
    h.fail(phase, target)
    const inputs = {
      ...hostInputs(h),
      ref: target,
      rollback: String(rollback),
      'health-url': `http://127.0.0.1:${h.servicePort}/`,
      'health-timeout': '2',
      'logs-command': `tail -n 5 ${h.root}/run/service.log; echo service log end`,
    }
    const run = await runAction(inputs)
    expect(run.code, run.log).toBe(1)
    const error = errorLine(run.log)
    const runs = await expectSettled(h, run)
    // The services' own logs are shown on failure.
    expect(run.log).toContain('::group::service logs')
    expect(run.log).toContain('| service log end')
    expect(run.summary).toContain('Service logs')

    if (phase === 'build') {
      expect(runs).toBe(A)
      expect(await h.serviceVersion()).toBe(A)
      expect(h.events().filter((e) => /^(stop|start|restart)/.test(e))).toEqual([])
      expect(error).toMatch(
        rollback
          ? /^deploy failed: build failed; the previous checkout \w+ was restored and rebuilt; the services, never stopped, still run it/
          : /^deploy failed: build failed; the previous checkout \w+ was restored; the services, never stopped, still run it \(rollback is off/,
      )
      expect(await hostPhases(h)).toEqual(rollback ? ['checkout', 'build', 'restore', 'rollback-build'] : ['checkout', 'build', 'restore'])
    } else if (rollback) {
      expect(runs).toBe(A)
      expect(await h.serviceVersion()).toBe(A)
      expect(error).toContain(`${phase} failed; rolled back to ${A}, rebuilt and restarted`)
      const phases = await hostPhases(h)
      expect(phases.slice(-4)).toEqual(['rollback-build', 'rollback-start', 'rollback-status', 'rollback-health'])
      // Services stopped (or a restart failed) stay down while the previous commit builds: the summary says so.
      if (phase === 'status' || phase === 'health') expect(run.summary).not.toContain('including the rebuild')
      else expect(run.summary).toContain('including the rebuild of the previous commit')
      // A migration that ran stays applied, and the error says so by name.
      if (phase === 'start') expect(error).toContain('the migrations stay applied: packages/backend/migrations/02_add_column.sql')
      if (phase === 'migrate') expect(error).toContain('that ran before the failure stay applied')
    } else {
      expect(runs).toBe(target)
      if (phase === 'restart') {
        // The new build's restart fails again: the message cannot promise anything is serving.
        expect(error).toContain(`restart failed and restarting the services failed too: they are down; on the host run: cd -- ${h.repoPath} && catcolab-restart`)
        expect(error).toMatch(new RegExp(`the services may be down \\(checkout ${target}\\)$`))
      } else if (phase === 'status' || phase === 'health') {
        expect(error).toContain(`${phase} failed; rollback is off, so the services were left running the new build of ${target} as is`)
        expect(await h.serviceVersion()).toBe(target)
      } else {
        // Restarted (restart also starts stopped services) on what is built: the new commit.
        expect(error).toContain(`${phase} failed; rollback is off, so the services were restarted on the build on disk (checkout ${target})`)
        expect(await h.serviceVersion()).toBe(target)
      }
    }
    expect(run.code).not.toBe(0)
    await expectConverges(h, inputs, target, migrations)
  })
})

describe('messages meant for a human', () => {
  /** Moves the clone to a path with a space and an apostrophe; the stand-ins follow it. */
  async function awkwardClone(h: TestHost): Promise<string> {
    const repo = join(h.root, 'host', "cat colab's")
    await h.runAsUser(['mv', h.repoPath, repo])
    const env = join(h.binDir, 'host.env')
    const text = readFileSync(env, 'utf8').replaceAll(`'${h.repoPath}`, `'${repo.replace("'", "'\\''")}`)
    writeFileSync(env, text)
    return repo
  }

  it.each([false, true])('"on the host run" commands work pasted into a shell, for a repo-path with a space (rollback: %s)', async (rollback) => {
    const h = await newHost()
    const { A, B } = h.commits
    const repo = await awkwardClone(h)
    // A restart command that is more than plain words must be pasted as what bash -c runs.
    const restart = 'catcolab-restart && echo "restarted by hand"'
    h.fail('restart')
    const run = await runAction({ ...hostInputs(h), 'repo-path': repo, ref: B, rollback: String(rollback), 'restart-command': restart })
    expect(run.code).toBe(1)
    const quoted = `'${repo.replace("'", "'\\''")}'`
    const command = `bash -c 'catcolab-restart && echo "restarted by hand"'`
    const pasted = /on the host run: (.*?)(?:; the services may be down.*)?$/.exec(errorLine(run.log))?.[1]
    expect(pasted, run.log).toBe(rollback ? `cd -- ${quoted} && git checkout ${A} && catcolab-build && ${command}` : `cd -- ${quoted} && ${command}`)
    // A human pastes it once the fault is fixed, and the services come back on that commit.
    h.fail('restart', false)
    const byHand = await h.runAsUser(['bash', '-c', pasted!])
    expect(byHand.code, byHand.stdout + byHand.stderr).toBe(0)
    expect(byHand.stdout).toContain('restarted by hand')
    expect(await h.serviceVersion()).toBe(rollback ? A : B)
  })
})

describe('the connection or the action dies mid-deploy', () => {
  it.each(['build', 'migrate'])('the connection is cut mid-%s: the action reconnects and reports the true outcome', async (phase) => {
    const h = await newHost()
    const { C } = h.commits
    const proxy = await startProxy(h.sshPort)
    try {
      h.delay(phase, 1.5)
      let cut = false
      const run = await runAction(
        { ...hostInputs(h), port: String(proxy.port), 'known-hosts': proxyKnownHosts(h, proxy.port), ref: C },
        { onLog: (log) => !cut && log.includes(`::group::${phase}`) && ((cut = true), proxy.cut()) },
      )
      expect(run.code, run.log).toBe(0)
      expect(run.log).toContain('::warning::The SSH connection dropped while the host was deploying')
      // The log resumed where it stopped: each phase once.
      for (const name of ['build', 'stop', 'migrate', 'start', 'status']) expect(run.log.match(new RegExp(`::group::${name}\n`, 'g'))).toHaveLength(1)
      expect(run.outputs['deployed-sha']).toBe(C)
      expect(await h.serviceVersion()).toBe(C)
      expect(h.logins()).toBe(2)
      await expectSettled(h, run)
      await expectConverges(h, { ...hostInputs(h), ref: C }, C, ['1', '2'])
    } finally {
      await proxy.close()
    }
  })

  it('fails after a reconnect for another reason: exits at once, with no SSH session left open', async () => {
    const h = await newHost()
    const { C } = h.commits
    const proxy = await startProxy(h.sshPort)
    const runs = join(await stateDir(h), 'runs')
    try {
      // A build far longer than the action takes to fail: the action must not wait for it.
      h.delay('build', 30)
      let cut = false
      let removed = false
      const run = await runAction(
        { ...hostInputs(h), port: String(proxy.port), 'known-hosts': proxyKnownHosts(h, proxy.port), ref: C },
        {
          onLog: (log) => {
            if (!cut && log.includes('::group::build')) {
              cut = true
              proxy.cut()
            } else if (cut && !removed && log.includes('reconnected')) {
              // The run goes on, but its log is gone: following it fails, not for a dropped connection.
              removed = true
              rmSync(join(runs, readdirSync(runs).sort().at(-1)!, 'log'))
            }
          },
        },
      )
      expect(removed, run.log).toBe(true)
      expect(run.code).toBe(1)
      expect(errorLine(run.log)).toMatch(/^(the log of run \S+ disappeared|no deploy run \S+ on this host)$/)
      // It ended while the host still builds: an open session did not keep it running.
      const result = readFileSync(join(runs, readdirSync(runs).sort().at(-1)!, 'result'), 'utf8')
      expect(result).toContain('outcome=running')
      expect(result).toContain('phase=build')
      // Every session sshd accepted has ended.
      await waitFor(async () => sshdSessions(h) === 0)
      expect(h.logins()).toBe(2)
    } finally {
      h.delay('build', null)
      await proxy.close()
    }
  })

  it('the connection drops while the run is being started: the start is sent again and finds that run, which runs once', async () => {
    const h = await newHost()
    const { B } = h.commits
    const proxy = await startProxy(h.sshPort)
    const state = await stateDir(h)
    await h.runAsUser(['mkdir', '-p', join(state, 'runs')])
    const startLock = join(state, 'start.lock')
    // Holding the host's start lock stops the start in its middle, when the request has arrived.
    const hold = ['flock', startLock, 'sh', '-c', 'read _']
    const holder = spawn(isRoot ? 'runuser' : hold[0]!, isRoot ? ['-u', h.user, '--', ...hold] : hold.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] })
    try {
      await waitFor(async () => (await h.runAsUser(['flock', '-n', startLock, 'true'])).code !== 0)
      let cut: Promise<void> | undefined
      const run = await runAction(
        { ...hostInputs(h), port: String(proxy.port), 'known-hosts': proxyKnownHosts(h, proxy.port), ref: B },
        {
          onLog: (log) => {
            if (cut || !log.includes('decision:')) return
            cut = (async () => {
              await waitFor(async () => waitingOn(startLock))
              proxy.cut()
              // The first start, on the host, now goes on to launch the run.
              holder.stdin.end('\n')
            })()
          },
        },
      )
      await cut
      expect(run.code, run.log).toBe(0)
      expect(run.log).toContain('::warning::The SSH connection dropped while the deploy was starting; reconnecting to find the run')
      expect(run.outputs['deployed-sha']).toBe(B)
      expect(readdirSync(join(state, 'runs'))).toHaveLength(1)
      expect(h.events()).toEqual([`build ${B}`, `restart ${B}`, 'status'])
      expect(h.logins()).toBe(2)
    } finally {
      holder.kill()
      await proxy.close()
    }
  })

  it('arguments cut short by a dropped connection are refused, never taken for a shorter list', async () => {
    const h = await newHost()
    const script = readFileSync(join(__dirname, '../src/host.sh'), 'utf8')
    const argv = ['start', h.repoPath, 'a'.repeat(24), '0', 'repo=x', 'run_url=y']
    const whole = hostStdin(script, argv)
    // Cut inside the last argument, and right after the one before it.
    for (const cut of [whole.length - 3, whole.lastIndexOf(0, whole.length - 2) + 1]) {
      const result = await h.runAsUser(['bash', '-c', REMOTE_COMMAND], { input: whole.subarray(0, cut) })
      expect(result.code).toBe(2)
      expect(result.stderr).toBe('catcolab-deploy: the arguments arrived incomplete (did the connection drop?)\n')
    }
    // Cut inside host.sh itself: nothing of it runs.
    const cut = await h.runAsUser(['bash', '-c', REMOTE_COMMAND], { input: whole.subarray(0, 1000) })
    expect(cut.code).toBe(90)
    expect(cut.stdout + cut.stderr).toBe('')
    expect(existsSync(join(await stateDir(h), 'runs'))).toBe(false)
  })

  it('fails after reconnect-timeout saying the host may still be deploying, and status tells the outcome', async () => {
    const h = await newHost()
    const { C } = h.commits
    const proxy = await startProxy(h.sshPort)
    h.delay('build', 1)
    const run = await runAction(
      { ...hostInputs(h), port: String(proxy.port), 'known-hosts': proxyKnownHosts(h, proxy.port), ref: C, 'reconnect-timeout': '2' },
      { onLog: (log) => log.includes('::group::build') && void proxy.close() },
    )
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      /^lost the connection to 127\.0\.0\.1 and could not reconnect within 2 s \(.*\): the host may still be deploying run \S+; check with command: status$/,
    )
    const status = await waitForIdle(h)
    expect(status.outputs['deployed-sha']).toBe(C)
    expect(status.log).toMatch(/last run \S+: success at phase mark-deployed/)
    expect(await h.serviceVersion()).toBe(C)
  })

  it.each(['SIGINT', 'SIGKILL'] as const)('the action gets %s mid-migrate: the host finishes, status reports it, the next deploy proceeds', async (signal) => {
    const h = await newHost()
    const { C, F } = h.commits
    h.delay('migrate', 1.5)
    const run = await runAction({ ...hostInputs(h), ref: C }, { signalAfter: { pattern: /::group::migrate/, signal } })
    expect(run.code).not.toBe(0)
    if (signal === 'SIGINT') {
      expect(errorLine(run.log)).toBe('the action was stopped (SIGINT); a deploy it started goes on to its end on the host: check it with command: status')
    }
    const status = await waitForIdle(h)
    expect(status.outputs['deployed-sha']).toBe(C)
    expect(status.log).toMatch(/last run \S+: success at phase mark-deployed: deployed /)
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
    h.delay('migrate', null)
    const next = await runAction({ ...hostInputs(h), ref: F })
    expect(next.code, next.log).toBe(0)
    expect(await h.appliedMigrations()).toEqual(['1', '2', '20241004010448', '20250101000000'])
  })
})

describe('deploys at once on one host', () => {
  it.each([2, 5])('%i deploys started at once never interleave, and each completes', async (count) => {
    const h = await newHost()
    const { B, C, D, E, F } = h.commits
    const targets = [C, F, B, D, E].slice(0, count)
    h.delay('build', 0.3)
    // In any order: allow-older, or a target older than the one that landed first is skipped.
    const runs = await Promise.all(targets.map((ref, i) => runAction({ ...hostInputs(h), ref, 'allow-older': 'true' }, { github: { GITHUB_RUN_ID: String(100 + i) } })))
    for (const run of runs) expect(run.code, run.log).toBe(0)
    // Never interleaved: each build is followed by its own stop..start or restart and status.
    const events = h.events()
    const deploys = events
      .join('\n')
      .split(/(?=^build )/m)
      .map((chunk) => chunk.trim().split('\n'))
    expect(deploys).toHaveLength(count)
    for (const steps of deploys) {
      const sha = steps[0]!.split(' ')[1]
      expect([`build ${sha},restart ${sha},status`, `build ${sha},stop,${steps[2]},start ${sha},status`]).toContain(steps.join(','))
    }
    // Whichever ran last is what runs, is checked out and is recorded; no lock is left.
    const recorded = await h.gitOnHost(['rev-parse', 'refs/catcolab-deploy/deployed'])
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(recorded)
    expect((await h.runAsUser(['flock', '-n', join(await stateDir(h), 'lock'), 'true'])).code).toBe(0)
    const applied = events.filter((e) => e.startsWith('migrate ')).flatMap((e) => e.split(' ').slice(1))
    expect(new Set(applied).size).toBe(applied.length)
    expect(await h.serviceVersion()).toBe(await h.gitOnHost(['rev-parse', 'refs/catcolab-deploy/deployed']))
  })

  // A deploy plans beside another's run (only the run takes the host lock): what it sees may be that
  // run's checkout half done, and whatever git it runs must not get in that checkout's way.
  it('tracked files changed while another deploy holds the host (its checkout under way) are left to the run, which goes ahead once they are undone', async () => {
    const h = await newHost()
    const { C, F } = h.commits
    h.delay('build', 4)
    let first: Promise<ActionRun> | undefined
    await new Promise<void>((resolve) => {
      first = runAction({ ...hostInputs(h), ref: C }, { onLog: (log) => log.includes('::group::build') && resolve() })
    })
    await h.runAsUser(['sh', '-c', 'echo "// half a checkout" >> "$1"', 'sh', join(h.repoPath, 'packages/backend/src/main.rs')])
    let undone: Promise<string> | undefined
    const second = await runAction(
      { ...hostInputs(h), ref: F },
      {
        onLog: (log) => {
          if (undone || !log.includes('another deploy holds the host')) return
          h.delay('build', null)
          undone = h.gitOnHost(['checkout', '--', 'packages/backend/src/main.rs'])
        },
      },
    )
    const firstRun = await first!
    expect(firstRun.code, firstRun.log).toBe(0)
    expect(undone, second.log).toBeDefined()
    await undone
    expect(second.code, second.log).toBe(0)
    expect(await h.serviceVersion()).toBe(F)
  })

  it('tracked files still modified when the host lock comes free are refused by the run, named, and kept', async () => {
    const h = await newHost()
    const { A, C } = h.commits
    // A stand-in for a run holding the host lock, until told to let go.
    const { holder, letGo } = await holdHostLock(h)
    const file = join(h.repoPath, 'packages/backend/src/main.rs')
    await h.runAsUser(['sh', '-c', 'echo "// hotfix on the host" >> "$1"', 'sh', file])
    const edited = readFileSync(file, 'utf8')
    const run = await runAction({ ...hostInputs(h), ref: C }, { onLog: (log) => log.includes('another deploy holds the host') && void letGo() }).finally(letGo)
    await holder
    expect(run.code).toBe(1)
    // Held for over a second by no run: the line says how to find what holds it.
    expect(run.log).toContain(`another deploy holds the host: no run names itself in ${await stateDir(h)}/current; fuser -v ${await stateDir(h)}/lock or lsof`)
    expect(errorLine(run.log)).toBe(
      `deploy failed: tracked files were modified in ${h.repoPath} before checkout: packages/backend/src/main.rs; commit, stash or discard them on the host first; nothing was changed; the host runs ${A}`,
    )
    expect(readFileSync(file, 'utf8')).toBe(edited)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(A)
    expect(h.events()).toEqual([])
  })

  it('a look at the host lock that names no holder (planning, status) is waited out, not taken for another deploy', async () => {
    const h = await newHost()
    const { C } = h.commits
    // Held, as lock_status holds it for a moment, until the run waits for it.
    const { holder, letGo } = await holdHostLock(h, true)
    const run = await runAction({ ...hostInputs(h), ref: C }).finally(letGo)
    await holder
    expect(run.code, run.log).toBe(0)
    expect(run.log).not.toContain('another deploy holds the host')
    expect(await h.serviceVersion()).toBe(C)
  })

  it("planning never writes the clone's index, so a git status beside a run cannot hold index.lock against its checkout", async () => {
    const h = await newHost()
    const index = join(await h.gitOnHost(['rev-parse', '--absolute-git-dir']), 'index')
    // The same content, other times: a git status that may take index.lock refreshes the index and writes it.
    await h.runAsUser(['touch', '-d', '2020-01-01', join(h.repoPath, 'packages/backend/src/main.rs')])
    const before = statSync(index)
    const run = await runAction({ ...hostInputs(h), ref: h.commits.C, 'dry-run': 'true' })
    expect(run.code, run.log).toBe(0)
    const after = statSync(index)
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs])
  })

  it('fails after lock-timeout, naming who holds the lock and since when', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    // Long enough for two waiters to give up on a loaded machine.
    h.delay('build', 8)
    const holder = runAction({ ...hostInputs(h), ref: C }, { github: { GITHUB_RUN_ID: '777', GITHUB_ACTOR: 'alice' } })
    // The holder writes who it is as soon as it has the lock.
    const current = join(await stateDir(h), 'current')
    await waitFor(async () => existsSync(current) && readFileSync(current, 'utf8').includes('actor=alice'))
    const waiter = await runAction({ ...hostInputs(h), ref: B, 'lock-timeout': '1' }, { github: { GITHUB_ACTOR: 'bob' } })
    expect(waiter.code).toBe(1)
    const error = errorLine(waiter.log)
    expect(error).toMatch(
      /^deploy failed: another deploy still held the host after 1 s: run=\S+ target=\w+ actor=alice run_url=https:\/\/github.com\/ToposInstitute\/CatColab\/actions\/runs\/777 since=\d{4}-\d\d-\d\dT[\d:]+Z/,
    )
    expect(error).toContain(`target=${C}`)
    expect(error).toMatch(/; this run changed nothing on the host$/)
    expect(waiter.outputs['deployed-sha']).toBe('')
    expect(waiter.log).toContain('another deploy holds the host: run=')
    // A waiter that gave up leaves the holder's name for the next one.
    const next = await runAction({ ...hostInputs(h), ref: B, 'lock-timeout': '1' }, { github: { GITHUB_ACTOR: 'carol' } })
    expect(errorLine(next.log)).toContain('actor=alice')
    expect((await holder).code).toBe(0)
    expect(await h.serviceVersion()).toBe(C)
  })
})

describe('the host-side run is killed', () => {
  it('SIGKILL of the lock holder mid-build: the action says so, and the next deploy applies the migrations once with no cleanup', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    h.delay('build', 2)
    const run = await runAction({ ...hostInputs(h), ref: C }, { onLog: killRunnerAtBuild(h) })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      /^deploy failed: the deploy process on the host died during build \(run \S+\) before it finished; check the services with command: status, then deploy again/,
    )
    // It had checked out C but not migrated: the services still run B, the record still says B.
    expect(await h.serviceVersion()).toBe(B)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(C)
    const status = await runAction({ ...hostInputs(h), command: 'status' })
    expect(status.log).toMatch(/the deploy process on the host died during build \(run \S+\) before it finished/)
    h.delay('build', null)
    const next = await runAction({ ...hostInputs(h), ref: C })
    expect(next.code, next.log).toBe(0)
    expect(next.log).toContain(`base ${B} (the last deploy recorded on the host)`)
    expect(next.outputs['migrated']).toBe('true')
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
    expect(await h.serviceVersion()).toBe(C)
  })

  it('SIGKILL of the lock holder mid-migrate: the action and status name migrate, which the run names without rewriting its result', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    h.delay('migrate', 2)
    const run = await runAction({ ...hostInputs(h), ref: C }, { onLog: killRunnerAt(h, 'migrate') })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^deploy failed: the deploy process on the host died during migrate \(run \S+\) before it finished/)
    // While the services are down the run does not rewrite its result (no process there): that
    // still names stop, and the phase comes from its progress, written with builtins at each phase.
    const runDir = join(await stateDir(h), 'runs', /as run (\S+),/.exec(run.log)![1]!)
    expect(readFileSync(join(runDir, 'result'), 'utf8')).toMatch(/^phase=stop$/m)
    const status = await runAction({ ...hostInputs(h), command: 'status' })
    expect(status.log).toMatch(/the deploy process on the host died during migrate \(run \S+\) before it finished/)
    h.delay('migrate', null)
    const next = await runAction({ ...hostInputs(h), ref: C })
    expect(next.code, next.log).toBe(0)
    expect(await h.serviceVersion()).toBe(C)
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
  })

  it('SIGKILL mid-start, after the migration: what the run knew (migrated, the services went down) survives it', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    h.delay('start', 2)
    const run = await runAction({ ...hostInputs(h), ref: C }, { onLog: killRunnerAt(h, 'start') })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      /^deploy failed: the deploy process on the host died during start \(run \S+\) before it finished; .*; the migrations stay applied: packages\/backend\/migrations\/02_add_column\.sql/,
    )
    expect(run.outputs['migrated']).toBe('true')
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
    h.delay('start', null)
    const next = await runAction({ ...hostInputs(h), ref: C })
    expect(next.code, next.log).toBe(0)
    expect(await h.serviceVersion()).toBe(C)
  })

  it('the very first deploy killed after checkout: the baseline it recorded still finds the migrations', async () => {
    const h = await newHost()
    const { A, C } = h.commits
    h.delay('build', 2)
    const run = await runAction({ ...hostInputs(h), ref: C }, { onLog: killRunnerAtBuild(h) })
    expect(run.code).toBe(1)
    expect(await h.gitOnHost(['rev-parse', 'refs/catcolab-deploy/deployed'])).toBe(A)
    h.delay('build', null)
    const next = await runAction({ ...hostInputs(h), ref: C })
    expect(next.code, next.log).toBe(0)
    expect(next.outputs['new-migrations']).toContain('02_add_column.sql')
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
  })

  it('HEAD moved by hand between deploys: a warning, and the recorded base is still used', async () => {
    const h = await newHost()
    const { A, B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    await h.gitOnHost(['checkout', '-q', '--detach', A])
    const run = await runAction({ ...hostInputs(h), ref: C })
    expect(run.code, run.log).toBe(0)
    expect(run.log).toContain(`::warning::HEAD on the host (${A.slice(0, 12)}) is not the last deployed commit ${B.slice(0, 12)}: someone checked out by hand`)
    expect(run.log).toContain(`base ${B} (the last deploy recorded on the host)`)
  })
})

describe('the host-side run stops halfway: it never leaves the services down', () => {
  it('SIGTERM mid-migrate, the services stopped: migrate ends, the services are started again, the step fails saying so', async () => {
    const h = await newHost()
    const { C } = h.commits
    h.delay('migrate', 1.5)
    const signal = signalRunnerAt(h, 'migrate', 'SIGTERM')
    const run = await runAction({ ...hostInputs(h), ref: C }, { onLog: signal.onLog })
    expect(run.code).toBe(1)
    // The signal waits for the command under way: the migration ran whole, then the services came back on the build on disk.
    expect(errorLine(run.log)).toBe(`deploy failed: the deploy process was stopped by SIGTERM during migrate; the host runs ${C}`)
    await signal.sent
    expect(h.events()).toEqual([`build ${C}`, 'stop', 'migrate 2', `restart ${C}`])
    expect((await hostPhases(h)).slice(-2)).toEqual(['migrate', 'start-again'])
    expect(await h.serviceVersion()).toBe(C)
    // Not recorded as deployed: the next deploy finds the migration applied, and converges.
    await expectSettled(h, run)
    h.delay('migrate', null)
    await expectConverges(h, { ...hostInputs(h), ref: C }, C, ['1', '2'])
  })

  it('an exit nobody planned mid-migrate (a bug in host.sh): the EXIT path starts the services again and records the failure', async () => {
    const h = await newHost()
    const { A, C } = h.commits
    // After the migration, a variable that does not exist: set -u ends the shell there.
    const script = readFileSync(join(__dirname, '../src/host.sh'), 'utf8')
    expect(script).toMatch(/^migrate\(\) \{/m)
    const main = script.lastIndexOf('\nmain "$@"')
    const buggy = `${script.slice(0, main)}\neval "original_$(declare -f migrate)"\nmigrate() { original_migrate; : "$no_such_variable"; }${script.slice(main)}`
    // Started the way the action starts a run (these are the parameters it sends), but with the buggy host.sh.
    const params = {
      repo: h.repoPath,
      target: C,
      expected_deployed: '',
      expected_head: A,
      migrate: 'true',
      build: 'catcolab-build',
      backup: '',
      stop: 'catcolab-stop',
      migrate_command: 'catcolab-migrate',
      start: 'catcolab-start',
      restart: 'catcolab-restart',
      status: 'catcolab-status',
      health_url: '',
      rollback: 'true',
      health_timeout: '60',
      lock_timeout: '60',
      command_timeout: '60',
      nonce: 'f00d'.repeat(6),
      kind: 'deploy',
      hold_reason: '',
      outputs: '',
      actor: 'test',
      run_url: '',
    } satisfies RunParams
    const argv = ['start', h.repoPath, 'ab'.repeat(12), '0', ...Object.entries(params).map(([key, value]) => `${key}=${value}`)]
    const started = await h.runAsUser(['bash', '-c', REMOTE_COMMAND], { input: hostStdin(buggy, argv) })
    expect(started.code, started.stderr).toBe(0)
    const dir = join(await stateDir(h), 'runs', parseKeyValues(started.stdout).get('run') ?? 'no run id')
    await waitFor(async () => (await h.runAsUser(['flock', '-n', join(dir, 'alive'), 'true'])).code === 0, 600)
    const log = readFileSync(join(dir, 'log'), 'utf8')
    expect(log).toContain('no_such_variable: unbound variable')
    const result = parseRunResult(readFileSync(join(dir, 'result'), 'utf8'))
    expect(result.outcome, log).toBe('failed')
    expect(result.message).toMatch(/^the deploy process on the host ended unexpectedly during migrate \(exit status \d+\); see its log in /)
    expect(result.message.endsWith(dir)).toBe(true)
    expect(result.serving).toEqual({ state: 'commit', sha: C })
    expect(result.checkout).toBe(C)
    expect(h.events()).toEqual([`build ${C}`, 'stop', 'migrate 2', `restart ${C}`])
    expect((await hostPhases(h)).slice(-2)).toEqual(['migrate', 'start-again'])
    expect(await h.serviceVersion()).toBe(C)
    expect((await h.runAsUser(['flock', '-n', join(await stateDir(h), 'lock'), 'true'])).code).toBe(0)
    // Emptied, the host given back: nobody is said to hold it.
    expect(readFileSync(join(await stateDir(h), 'current'), 'utf8')).toBe('')
  })
})

describe('host commands run for the action (command), their output capped at 1 MB', () => {
  const repo = mkdtempSync(join(tmpdir(), 'host-command-'))
  execFileSync('git', ['init', '-q', repo])
  afterAll(() => rmSync(repo, { recursive: true, force: true }))
  const script = readFileSync(join(__dirname, '../src/host.sh'), 'utf8')
  function command(text: string): { code: number | null; length: number } {
    const argv = ['command', repo, text]
    const result = spawnSync('bash', ['-c', REMOTE_COMMAND], { input: hostStdin(script, argv), maxBuffer: 1 << 25 })
    return { code: result.status, length: result.stdout.length }
  }

  it.each([
    ['more than 1 MB, cut: its SIGPIPE is no failure', 'seq 1 1000000', 0, 1_000_000],
    ['exactly 1 MB', 'head -c 1000000 /dev/zero', 0, 1_000_000],
    ['a failure of its own, after more than 1 MB', 'seq 1 1000000; exit 7', 7, 1_000_000],
    ['a failure of its own', 'echo some; exit 5', 5, 5],
    ['a SIGPIPE of its own, with little output', 'echo short; kill -PIPE $$', 141, 6],
  ])('%s', (_name, text, code, length) => {
    expect(command(text)).toEqual({ code, length })
  })
})

/** SSH connections this host's sshd still serves: one child of its listener per connection. */
function sshdSessions(h: TestHost): number {
  const all = processes()
  const listener = all.find((p) => p.cmdline.includes(`${h.root}/sshd_config`))
  if (!listener) throw new Error("the host's sshd is not running")
  return all.filter((p) => p.ppid === listener.pid).length
}

/**
 * Holds the host lock as something that names itself nowhere (no `current`) until letGo, or with
 * untilWaited, until a flock process waits for it (the run's), which it looks for itself, at once.
 */
async function holdHostLock(h: TestHost, untilWaited = false): Promise<{ holder: Promise<unknown>; letGo: () => Promise<unknown> }> {
  const state = await stateDir(h)
  await h.runAsUser(['mkdir', '-p', state])
  const lock = join(state, 'lock')
  const release = join(state, 'release-the-lock')
  const waited = untilWaited
    ? 'for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = flock ] && [ "$(readlink "$p/fd/9" 2>/dev/null)" = "$2" ] && exit 0; done; '
    : ''
  const holder = h.runAsUser(['flock', lock, 'sh', '-c', `while [ ! -e "$1" ]; do ${waited}sleep 0.02; done`, 'sh', release, lock])
  await waitFor(async () => (await h.runAsUser(['flock', '-n', lock, 'true'])).code !== 0)
  return { holder, letGo: () => h.runAsUser(['touch', release]) }
}

/** Whether a flock process waits on (holds open) the given lock file as its fd 7, as host.sh's start does. */
function waitingOn(lock: string): boolean {
  return processes().some((p) => {
    if (!p.cmdline.startsWith('flock\u00007')) return false
    try {
      return readlinkSync(`/proc/${p.pid}/fd/7`) === lock
    } catch {
      return false
    }
  })
}

function processes(): { pid: string; ppid: string; cmdline: string }[] {
  const list = []
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      const ppid = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? ''
      list.push({ pid, ppid, cmdline })
    } catch {
      // gone meanwhile
    }
  }
  return list
}

/** Returns an onLog callback that kills the host-side run (not the services it started), like the OOM killer would, once the build begins. */
function killRunnerAtBuild(h: TestHost): (log: string) => void {
  return killRunnerAt(h, 'build')
}

/** Returns an onLog callback that SIGKILLs the host-side run once the phase begins. */
function killRunnerAt(h: TestHost, phase: string): (log: string) => void {
  let killed = false
  return (log) => {
    if (killed || !log.includes(`::group::${phase}\n`)) return
    killed = true
    execFileSync('pkill', ['-KILL', '-f', `${h.repoPath}/.git/catcolab-deploy/runs/.*/host.sh run`])
  }
}

/**
 * An onLog callback that sends signal to the host-side run itself (not the command it runs) once
 * the phase's catcolab-<phase> command runs (the phase's log line comes just before it starts),
 * and `sent`, which settles once it was sent, or fails saying why it was not.
 */
function signalRunnerAt(h: TestHost, phase: string, signal: NodeJS.Signals): { onLog: (log: string) => void; sent: Promise<void> } {
  let begun: (() => void) | undefined
  const phaseBegun = new Promise<void>((resolve) => (begun = resolve))
  const sent = phaseBegun.then(async () => {
    const runner = processes().find(
      (p) => p.cmdline.startsWith('bash\0') && p.cmdline.includes(`${h.repoPath}/.git/catcolab-deploy/runs/`) && p.cmdline.includes('/host.sh\0run\0'),
    )
    if (!runner) throw new Error('no host-side run to signal')
    await waitFor(() => processes().some((p) => p.cmdline.includes(`${h.binDir}/catcolab-${phase}\0`)))
    process.kill(Number(runner.pid), signal)
  })
  // Asserted by the test; never an unhandled rejection meanwhile.
  sent.catch(() => {})
  return { onLog: (log) => log.includes(`::group::${phase}\n`) && begun!(), sent }
}

/** Polls command: status until no deploy is running; returns that last status run. */
async function waitForIdle(h: TestHost): Promise<ActionRun> {
  let last: ActionRun | undefined
  await waitFor(async () => {
    last = await runAction({ ...hostInputs(h), command: 'status' })
    return last.code === 0 && last.log.includes('no deploy is running now') && !last.log.includes('is under way')
  })
  return last!
}
