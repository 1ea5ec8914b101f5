// The bundled action, run as the runner runs it, against a throwaway CatColab-like host:
// real sshd, git, PostgreSQL and stand-in services (test/fixture).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { errorLine, hostInputs, hostPhases, runAction } from './run-action'
import { throwaway } from './throwaway'

const MIGRATIONS = 'packages/backend/migrations'
const { newHost } = throwaway()

describe('deploy', () => {
  it('upgrades without migrations by restarting, with one login', async () => {
    const h = await newHost()
    const { A, B } = h.commits
    const run = await runAction({ ...hostInputs(h), ref: B })

    expect(run.code, run.log).toBe(0)
    expect(run.outputs).toMatchObject({ 'previous-sha': A, 'deployed-sha': B, migrated: 'false', 'new-migrations': '' })
    expect(run.outputs['status']).toContain(`Version: commit ${B}`)
    expect(await hostPhases(h)).toEqual(['checkout', 'build', 'restart', 'status', 'mark-deployed'])
    expect(h.events()).toEqual([`build ${B}`, `restart ${B}`, 'status'])
    expect(await h.serviceVersion()).toBe(B)
    expect(await h.gitOnHost(['rev-parse', 'refs/catcolab-deploy/deployed'])).toBe(B)
    expect(h.logins()).toBe(1)
    // The first deploy has no record: the plan says it counted from HEAD.
    expect(run.log).toContain('::warning::no deploy by this action is recorded on the host')
    expect(run.summary).toContain('## ✅ Deployed')
    expect(run.summary).toMatch(/\| restart \| ok \| /)
    expect(run.summary).toMatch(/\| Downtime \| \d+\.\d s \|/)
  })

  it('never prints a line of the private key except to mask it', async () => {
    const h = await newHost()
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B })
    expect(run.code, run.log).toBe(0)
    const keyLines = h.privateKey.split('\n').filter(Boolean)
    for (const line of run.log.split('\n')) {
      if (line.startsWith('::add-mask::')) continue
      for (const secret of keyLines) expect(line).not.toContain(secret)
    }
    for (const secret of keyLines) expect(run.log).toContain(`::add-mask::${secret}\n`)
  })

  it('stops, migrates and starts when migrations were added, and counts from the last deploy', async () => {
    const h = await newHost()
    const { A, C, F } = h.commits

    const first = await runAction({ ...hostInputs(h), ref: 'v0.2.0' })
    expect(first.code, first.log).toBe(0)
    expect(first.outputs).toMatchObject({ 'previous-sha': A, 'deployed-sha': C, migrated: 'true' })
    expect(first.outputs['new-migrations']!.split('\n')).toEqual([`${MIGRATIONS}/02_add_column.sql`, `${MIGRATIONS}/02_add_column.undo.sql`])
    expect(await hostPhases(h)).toEqual(['checkout', 'build', 'stop', 'migrate', 'start', 'status', 'mark-deployed'])
    expect(h.events()).toEqual([`build ${C}`, 'stop', 'migrate 2', `start ${C}`, 'status'])
    expect(await h.appliedMigrations()).toEqual(['1', '2'])

    const second = await runAction({ ...hostInputs(h), ref: 'main' })
    expect(second.code, second.log).toBe(0)
    expect(second.outputs).toMatchObject({ 'previous-sha': C, 'deployed-sha': F, migrated: 'true' })
    // Added files only, rename detection off: the renamed .undo.sql shows as a new .down.sql.
    expect(second.outputs['new-migrations']!.split('\n')).toEqual([
      `${MIGRATIONS}/01_create_table_snapshots.down.sql`,
      `${MIGRATIONS}/20241004010448_document_refs.down.sql`,
      `${MIGRATIONS}/20241004010448_document_refs.up.sql`,
      `${MIGRATIONS}/20250101000000_snapshot_index.down.sql`,
      `${MIGRATIONS}/20250101000000_snapshot_index.up.sql`,
    ])
    expect(second.log).toContain(
      `::warning file=${MIGRATIONS}/01_create_table_snapshots.undo.sql::migration file ${MIGRATIONS}/01_create_table_snapshots.undo.sql is deleted`,
    )
    expect(second.log).toContain(`::warning file=${MIGRATIONS}/02_add_column.undo.sql::migration file ${MIGRATIONS}/02_add_column.undo.sql is deleted`)
    expect(second.log).not.toContain('no deploy by this action is recorded')
    expect(h.events().slice(5)).toEqual([`build ${F}`, 'stop', 'migrate 20241004010448 20250101000000', `start ${F}`, 'status'])
    expect(await h.appliedMigrations()).toEqual(['1', '2', '20241004010448', '20250101000000'])
    expect(await h.serviceVersion()).toBe(F)
    expect(second.summary).toContain('- `packages/backend/migrations/20250101000000_snapshot_index.up.sql`')
    expect(h.logins()).toBe(2)
  })

  it('notices a modified migration file and warns, naming it', async () => {
    const h = await newHost({ startAt: 'D' })
    await runAction({ ...hostInputs(h), ref: h.commits.D, migrate: 'never' })
    const run = await runAction({ ...hostInputs(h), ref: h.commits.E })
    expect(run.code, run.log).toBe(0)
    expect(run.log).toContain(
      `::warning file=${MIGRATIONS}/20241004010448_document_refs.down.sql::migration file ${MIGRATIONS}/20241004010448_document_refs.down.sql is modified`,
    )
  })

  it("takes CatColab's migrator crate by a glob: a new migration migrates, its mod.rs edit warns of nothing, code restarts", async () => {
    // F: the last of the SQL-file history, built and running; the crate comes after it.
    const h = await newHost({ startAt: 'F' })
    const crate = 'packages/migrator/src/migrations'
    const migration = (name: string) => `use sea_orm_migration::prelude::*;\n\npub struct ${name};\n`
    const modRs = (...names: string[]) => names.map((name) => `mod ${name};\n`).join('')
    // The mid-2025 layout: the SQL files stay, the crate arrives with its first migration.
    const M1 = await h.commitToOrigin(
      {
        'packages/backend/src/main.rs': 'fn main() {}\n',
        [`${crate}/mod.rs`]: modRs('m20250601000000_x'),
        [`${crate}/m20250601000000_x.rs`]: migration('X'),
      },
      'migrator crate',
    )
    const glob = `packages/backend/migrations\n${crate}/m[0-9]*.rs`
    const first = await runAction({ ...hostInputs(h), ref: M1, 'migrations-path': glob })
    expect(first.code, first.log).toBe(0)
    expect(first.outputs).toMatchObject({ 'deployed-sha': M1, migrated: 'true', 'new-migrations': `${crate}/m20250601000000_x.rs` })

    // Adding a migration edits mod.rs too.
    const M2 = await h.commitToOrigin(
      {
        [`${crate}/mod.rs`]: modRs('m20250601000000_x', 'm20250901000000_ratings'),
        [`${crate}/m20250901000000_ratings.rs`]: migration('Ratings'),
      },
      'ratings migration',
    )
    // The directory alone, as before globs: mod.rs is a modified migration, on every such deploy.
    const directory = await runAction({ ...hostInputs(h), ref: M2, 'dry-run': 'true', 'migrations-path': crate })
    expect(directory.log).toContain(`::warning file=${crate}/mod.rs::migration file ${crate}/mod.rs is modified by this deploy`)
    // The directory with mod.rs excluded, and the glob, both leave it out.
    const excluded = await runAction({ ...hostInputs(h), ref: M2, 'dry-run': 'true', 'migrations-path': `${crate}\n!${crate}/mod.rs` })
    expect(excluded.outputs).toMatchObject({ migrated: 'true', 'new-migrations': `${crate}/m20250901000000_ratings.rs` })
    expect(excluded.log).not.toContain('::warning')
    const second = await runAction({ ...hostInputs(h), ref: M2, 'migrations-path': glob })
    expect(second.code, second.log).toBe(0)
    expect(second.outputs).toMatchObject({ 'previous-sha': M1, 'deployed-sha': M2, migrated: 'true', 'new-migrations': `${crate}/m20250901000000_ratings.rs` })
    expect(second.log).toContain(`decision: 1 new migration file since ${M1.slice(0, 12)}: stop, migrate, start`)
    expect(second.log).not.toContain('::warning')
    expect(await hostPhases(h)).toEqual(['checkout', 'build', 'stop', 'migrate', 'start', 'status', 'mark-deployed'])

    const M3 = await h.commitToOrigin({ 'packages/backend/src/main.rs': 'fn main() { println!("3"); }\n' }, 'code only')
    const third = await runAction({ ...hostInputs(h), ref: M3, 'migrations-path': glob })
    expect(third.code, third.log).toBe(0)
    expect(third.outputs).toMatchObject({ 'previous-sha': M2, 'deployed-sha': M3, migrated: 'false', 'new-migrations': '' })
    expect(third.log).not.toContain('::warning')
    expect(await hostPhases(h)).toEqual(['checkout', 'build', 'restart', 'status', 'mark-deployed'])
    expect(h.events().filter((event) => /^(stop|migrate|start|restart)/.test(event))).toEqual([
      'stop',
      'migrate',
      `start ${M1}`,
      'stop',
      'migrate',
      `start ${M2}`,
      `restart ${M3}`,
    ])
    expect(await h.serviceVersion()).toBe(M3)
  })

  it('makes a dry run that changes nothing', async () => {
    const h = await newHost()
    const { A } = h.commits
    const run = await runAction({ ...hostInputs(h), ref: 'main', 'dry-run': 'true' })
    expect(run.code, run.log).toBe(0)
    expect(run.outputs).toMatchObject({ 'previous-sha': A, 'deployed-sha': A, migrated: 'true' })
    expect(run.outputs['new-migrations']).toContain(`${MIGRATIONS}/02_add_column.sql`)
    expect(run.log).toContain('decision: 6 new migration files')
    expect(run.summary).toContain('Dry run')
    expect(h.events()).toEqual([])
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(A)
    expect(await h.serviceVersion()).toBe(A)
    const state = join(await h.gitOnHost(['rev-parse', '--absolute-git-dir']), 'catcolab-deploy', 'runs')
    expect(readdirSync(state)).toEqual([])
  })

  it('reports an unknown ref in one line and changes nothing', async () => {
    const h = await newHost()
    const run = await runAction({ ...hostInputs(h), ref: 'no-such-branch' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe(`ref no-such-branch is not a branch or tag of origin, nor a commit in ${h.repoPath} after fetching`)
    expect(h.events()).toEqual([])
  })

  it("says why git fetch failed, in git's words", async () => {
    const h = await newHost()
    await h.gitOnHost(['remote', 'set-url', 'origin', join(h.root, 'gone.git')])
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^git fetch from origin failed in .*: fatal: .*gone\.git/)
    expect(h.events()).toEqual([])
  })

  it('deploys a branch by name, and a commit only a pull request reaches', async () => {
    const h = await newHost()
    const feature = await h.commitToOrigin({ 'packages/backend/src/feature.rs': 'fn feature() {}\n' }, 'feature')
    await h.branchOnOrigin('feature/x', feature)
    const byBranch = await runAction({ ...hostInputs(h), ref: 'feature/x' })
    expect(byBranch.code, byBranch.log).toBe(0)
    expect(byBranch.outputs['deployed-sha']).toBe(feature)
    expect(await h.serviceVersion()).toBe(feature)

    // A PR head: reachable only from refs/pull/*, which a plain fetch does not bring.
    const prHead = await h.commitToOrigin({ 'packages/backend/src/pr.rs': 'fn pr() {}\n' }, 'pr head')
    const origin = ['git', `--git-dir=${h.originPath}`]
    await h.runAsUser([...origin, 'update-ref', 'refs/pull/7/head', prHead])
    await h.runAsUser([...origin, 'update-ref', 'refs/heads/main', h.commits.F])
    const byPrSha = await runAction({ ...hostInputs(h), ref: prHead })
    expect(byPrSha.code, byPrSha.log).toBe(0)
    expect(await h.serviceVersion()).toBe(prHead)
  })

  it('refuses a clone with modified tracked files and keeps the edit', async () => {
    const h = await newHost()
    const file = join(h.repoPath, 'packages/backend/src/main.rs')
    await h.runAsUser(['sh', '-c', 'echo "// hotfix on the host" >> "$1"', 'sh', file])
    const edited = readFileSync(file, 'utf8')
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^tracked files are modified in .*: packages\/backend\/src\/main.rs; commit, stash or discard them on the host first/)
    expect(readFileSync(file, 'utf8')).toBe(edited)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(h.commits.A)
    expect(h.events()).toEqual([])
  })

  it('refuses a tree with more than 10 modified files, naming 10 and counting the rest', async () => {
    const h = await newHost()
    const files = Array.from({ length: 12 }, (_, i) => `packages/backend/src/m${String(i).padStart(2, '0')}.rs`)
    const added = await h.commitToOrigin(Object.fromEntries(files.map((f) => [f, 'fn m() {}\n'])), 'twelve files')
    await h.gitOnHost(['fetch', '-q', 'origin'])
    await h.gitOnHost(['checkout', '-q', '--detach', added])
    for (const file of files) await h.runAsUser(['sh', '-c', 'echo "// edited" >> "$1"', 'sh', join(h.repoPath, file)])
    const run = await runAction({ ...hostInputs(h), ref: h.commits.F })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe(
      `tracked files are modified in ${h.repoPath}: ${files.slice(0, 10).join(' ')} and 2 more; commit, stash or discard them on the host first (untracked files are fine)`,
    )
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(added)
    expect(h.events()).toEqual([])
  })

  it("stops at a corrupt index with git's own words, changing nothing", async () => {
    const h = await newHost()
    const index = join(await h.gitOnHost(['rev-parse', '--absolute-git-dir']), 'index')
    await h.runAsUser(['sh', '-c', 'printf "DIRC garbage" > "$1"', 'sh', index])
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      new RegExp(`^git status failed in ${h.repoPath}, so it is not known whether tracked files were modified: .*(index file|bad signature|smaller than expected)`),
    )
    expect(run.log).not.toContain('git fetch')
    expect(readFileSync(index, 'utf8')).toBe('DIRC garbage')
    expect(h.events()).toEqual([])
    expect(h.logins()).toBe(1)
  })

  it('leaves the old version serving when the build fails', async () => {
    const h = await newHost()
    const { A, B } = h.commits
    h.fail('build', B)
    const run = await runAction({ ...hostInputs(h), ref: B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe(
      `deploy failed: build failed; the previous checkout ${A} was restored and rebuilt; the services, never stopped, still run it; the host runs ${A}`,
    )
    expect(await hostPhases(h)).toEqual(['checkout', 'build', 'restore', 'rollback-build'])
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(A)
    expect(await h.serviceVersion()).toBe(A)
    expect(h.events()).toEqual([`build ${A}`])
    expect(run.outputs['deployed-sha']).toBe(A)
    expect(run.summary).toContain('| build | failed (exit 1) |')
  })

  it('reports the state of the host with command: status', async () => {
    const h = await newHost()
    const { B } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    const run = await runAction({ ...hostInputs(h), command: 'status' })
    expect(run.code, run.log).toBe(0)
    expect(run.outputs['deployed-sha']).toBe(B)
    expect(run.outputs['status']).toContain(`Version: commit ${B}`)
    expect(run.log).toContain(`last deployed commit: ${B}`)
    expect(run.log).toContain('no deploy is running now')
    expect(run.log).toMatch(/last run \S+: success at phase mark-deployed: deployed /)
  })
})

describe('on the host', () => {
  it('checks the health URL after the restart', async () => {
    const h = await newHost()
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B, 'health-url': `http://127.0.0.1:${h.servicePort}/` })
    expect(run.code, run.log).toBe(0)
    expect(await hostPhases(h)).toEqual(['checkout', 'build', 'restart', 'status', 'health', 'mark-deployed'])
    expect(run.log).toContain(`| http://127.0.0.1:${h.servicePort}/ answers`)
  })

  it('names a host command that does not exist before changing anything', async () => {
    const h = await newHost()
    const run = await runAction({ ...hostInputs(h), ref: h.commits.B, 'build-command': 'catcolab-bild --release' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toBe(`command catcolab-bild is not on the PATH of ${h.user} on the host`)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(h.commits.A)
  })
})

describe('connecting', () => {
  it('refuses a host key that does not match, before authenticating', async () => {
    const h = await newHost()
    const other = await newOtherKeyLine(h)
    const connections = connectionsSeen(h)
    const run = await runAction({ ...hostInputs(h), 'known-hosts': other.line, ref: h.commits.B })
    expect(run.code).toBe(1)
    const error = errorLine(run.log)
    expect(error).toContain(`host key mismatch for 127.0.0.1:${h.sshPort}`)
    expect(error).toContain(h.hostKeyFingerprint)
    expect(error).toContain(other.fingerprint)
    expect(error).not.toContain('\n')
    // It did connect, and the handshake ended before any authentication was tried.
    expect(connectionsSeen(h)).toBe(connections + 1)
    expect(readFileSync(h.sshdLog, 'utf8')).not.toMatch(/Accepted|Failed publickey|Postponed|userauth/i)
    expect(h.logins()).toBe(0)
  })

  it('refuses an unknown host, and says what it saw', async () => {
    const h = await newHost()
    const line = h.knownHostsLine.replace(`[127.0.0.1]:${h.sshPort}`, 'backend-next.catcolab.org')
    const run = await runAction({ ...hostInputs(h), 'known-hosts': line, ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(
      new RegExp(`known-hosts has no key for \\[127\\.0\\.0\\.1\\]:${h.sshPort} \\(the server presented ssh-ed25519 ${escapeRegExp(h.hostKeyFingerprint)}\\)`),
    )
    expect(h.logins()).toBe(0)
  })

  it('fails before connecting when known-hosts is missing', async () => {
    const h = await newHost()
    const connections = connectionsSeen(h)
    const run = await runAction({ ...hostInputs(h), 'known-hosts': '', ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^known-hosts is empty: run "ssh-keyscan -p \d+ 127\.0\.0\.1"/)
    expect(connectionsSeen(h)).toBe(connections)
  })

  it('never runs hostile refs: each is refused before connecting', async () => {
    const h = await newHost()
    const marker = join(h.root, 'pwned')
    const hostile = [
      `main;touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `main\ntouch ${marker}`,
      `--upload-pack=touch ${marker}`,
      '-oProxyCommand=x',
      `main|touch ${marker}`,
    ]
    for (const ref of hostile) {
      const run = await runAction({ ...hostInputs(h), ref })
      expect(run.code).toBe(1)
      expect(errorLine(run.log)).toMatch(/^ref ".*" is not a valid git ref name/)
    }
    expect(existsSync(marker)).toBe(false)
    expect(h.logins()).toBe(0)
  })

  it('accepts a hashed known_hosts line, and one right key among several', async () => {
    const h = await newHost()
    const file = join(h.root, 'known_hosts_hashed')
    writeFileSync(file, `${h.knownHostsLine}\n`)
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file])
    const hashed = readFileSync(file, 'utf8')
    expect(hashed).toMatch(/^\|1\|/)
    expect((await runAction({ ...hostInputs(h), 'known-hosts': hashed, ref: h.commits.B })).code).toBe(0)
    const other = await newOtherKeyLine(h)
    const several = `# backend-next\n${other.line}\n${h.knownHostsLine}\n`
    expect((await runAction({ ...hostInputs(h), 'known-hosts': several, ref: h.commits.C })).code).toBe(0)
    expect(h.logins()).toBe(2)
  })

  it('refuses a @revoked host key even when it is also listed', async () => {
    const h = await newHost()
    const keyPart = h.knownHostsLine.split(' ').slice(1).join(' ')
    const run = await runAction({ ...hostInputs(h), 'known-hosts': `${h.knownHostsLine}\n@revoked * ${keyPart}\n`, ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(new RegExp(`^host key of 127\\.0\\.0\\.1:${h.sshPort} is revoked: .*line 2 marks @revoked`))
    expect(h.logins()).toBe(0)
  })

  it('explains @cert-authority and garbage lines by line number, before connecting', async () => {
    const h = await newHost()
    const connections = connectionsSeen(h)
    const keyPart = h.knownHostsLine.split(' ').slice(1).join(' ')
    const ca = await runAction({ ...hostInputs(h), 'known-hosts': `${h.knownHostsLine}\n@cert-authority *.catcolab.org ${keyPart}`, ref: h.commits.B })
    expect(errorLine(ca.log)).toMatch(/^known-hosts line 2 .*not supported/)
    const garbage = await runAction({ ...hostInputs(h), 'known-hosts': `\n${h.knownHostsLine}\nthis is not a key line`, ref: h.commits.B })
    expect(errorLine(garbage.log)).toMatch(/^known-hosts line 3 is not a known_hosts entry/)
    expect(connectionsSeen(h)).toBe(connections)
  })

  it('says in one line when the port refuses, the host does not answer, or the key is refused; nothing changes', async () => {
    const h = await newHost()
    const closed = await freePort()
    const refused = await runAction({
      ...hostInputs(h),
      port: String(closed),
      'known-hosts': h.knownHostsLine.replace(`:${h.sshPort} `, `:${closed} `),
      ref: h.commits.B,
    })
    expect(errorLine(refused.log)).toBe(`cannot connect to 127.0.0.1:${closed}: connection refused; check host and port, and that sshd runs there`)

    // A port that accepts TCP but never speaks SSH, like a host behind a black-holing firewall.
    const silent = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as AddressInfo).port
    try {
      const mute = await runAction({
        ...hostInputs(h),
        port: String(port),
        'connect-timeout': '2',
        'known-hosts': h.knownHostsLine.replace(`:${h.sshPort} `, `:${port} `),
        ref: h.commits.B,
      })
      expect(errorLine(mute.log)).toBe(`cannot connect to 127.0.0.1:${port}: no SSH answer within 2 s (connect-timeout); check host, port and the firewall`)
    } finally {
      silent.close()
    }

    const otherKey = join(h.root, 'not_authorized')
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey])
    const denied = await runAction({ ...hostInputs(h), 'private-key': readFileSync(otherKey, 'utf8'), ref: h.commits.B })
    expect(errorLine(denied.log)).toBe(`${h.user}@127.0.0.1:${h.sshPort} refused the private key: add its public key to ~${h.user}/.ssh/authorized_keys on the host`)
    expect(h.logins()).toBe(0)
    expect(h.events()).toEqual([])
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(h.commits.A)
  })

  it('refuses root', async () => {
    const h = await newHost()
    const run = await runAction({ ...hostInputs(h), username: 'root', ref: h.commits.B })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^username "root" is refused/)
  })
})

/** TCP connections sshd has logged (the fixture's own readiness probe is one of them). */
function connectionsSeen(h: TestHost): number {
  return readFileSync(h.sshdLog, 'utf8')
    .split('\n')
    .filter((line) => line.includes('Connection from')).length
}

function freePort(): Promise<number> {
  const server = createServer()
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    }),
  )
}

async function newOtherKeyLine(h: TestHost): Promise<{ line: string; fingerprint: string }> {
  const file = join(h.root, `other_host_key_${Math.random().toString(36).slice(2)}`)
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file])
  const pub = readFileSync(`${file}.pub`, 'utf8').trim().split(' ')
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!
  return { line: `[127.0.0.1]:${h.sshPort} ${pub[0]} ${pub[1]}`, fingerprint }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
