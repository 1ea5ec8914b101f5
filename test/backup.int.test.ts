// backup-command end to end: the bundled action, run as the runner runs it, against a throwaway
// host (test/fixture) with a real PostgreSQL, dumped with pg_dump as CatColab's hosts would be.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { errorLine, hostInputs, runAction } from './run-action'
import { throwaway } from './throwaway'

const { newHost } = throwaway()
/** Like CatColab's: the database's settings from a file on the host, a custom-format pg_dump to a dated file, its name last. */
const backupCommand = (h: TestHost) =>
  `. ${join(h.binDir, 'host.env')} && mkdir -p "$CONTROL_DIR/backups" && f="$CONTROL_DIR/backups/catcolab-$(date -u +%Y%m%dT%H%M%SZ).dump" ` +
  `&& "\${PSQL%/psql}/pg_dump" --format=custom --file="$f" && echo backup >>"$EVENTS_LOG" && echo "backup written to $f" && echo "$f"`

/** The migration versions a dump holds, as pg_restore reads them back. */
async function dumpedMigrations(h: TestHost, file: string): Promise<string[]> {
  const script = `. ${join(h.binDir, 'host.env')} && "\${PSQL%/psql}/pg_restore" --data-only --table=_sqlx_migrations --file=- "$1"`
  const out = await h.runAsUser(['bash', '-c', script, 'restore', file])
  expect(out.code, out.stderr).toBe(0)
  const data = /^COPY public\._sqlx_migrations .*\n([\s\S]*?)^\\\.$/m.exec(out.stdout)?.[1] ?? ''
  return data
    .split('\n')
    .filter(Boolean)
    .map((row) => row.split('\t')[0]!)
}

describe('backup-command', () => {
  it('runs after the build and before stop when the deploy migrates; the log and summary name the backup, which holds the database before the migration', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B, 'backup-command': backupCommand(h) })).code).toBe(0)
    // No migration from A to B: no backup.
    expect(h.events()).not.toContain('backup')
    const run = await runAction({ ...hostInputs(h), ref: C, 'backup-command': backupCommand(h) })
    expect(run.code, run.log).toBe(0)
    expect(run.log).toContain('backup-command runs after the build, before anything is stopped')
    const made = /^backup made before migrating: (\S+\.dump)$/m.exec(run.log)?.[1]
    expect(made).toMatch(/\/backups\/catcolab-\d{8}T\d{6}Z\.dump$/)
    expect(run.log).toContain(`::group::backup\n| backup written to ${made}`)
    expect(run.summary).toContain(`| Backup | \`${made}\` |`)
    expect(run.summary).toMatch(/\| backup \| ok \|/)
    // In order: built, backed up, then stopped, migrated, started.
    const events = h.events()
    const at = (event: string) => events.findIndex((e) => e.startsWith(event))
    expect(at(`build ${C}`)).toBeLessThan(at('backup'))
    expect(at('backup')).toBeLessThan(at('stop'))
    expect(await h.appliedMigrations()).toEqual(['1', '2'])
    expect(await dumpedMigrations(h, made!)).toEqual(['1'])
  })

  it('fails the deploy before anything is stopped: the services never stop, the migration does not run, and the previous commit is restored', async () => {
    const h = await newHost()
    const { B, C } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    const before = h.events().length
    const run = await runAction({ ...hostInputs(h), ref: C, 'backup-command': 'echo "pg_dump: error: no space left on device" >&2; exit 1' })
    expect(run.code).toBe(1)
    expect(errorLine(run.log)).toMatch(/^deploy failed: backup failed; the previous checkout \w+ was restored and rebuilt; the services, never stopped, still run it/)
    expect(run.log).toContain('| pg_dump: error: no space left on device')
    expect(run.summary).toContain('| Backup | failed (exit 1): nothing was stopped |')
    const events = h.events().slice(before)
    expect(events.some((e) => /^(stop|restart|migrate|start)\b/.test(e))).toBe(false)
    expect(await h.appliedMigrations()).toEqual(['1'])
    expect(await h.serviceVersion()).toBe(B)
    expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(B)
    expect(run.outputs['deployed-sha']).toBe(B)
  })
})
