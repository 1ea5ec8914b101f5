// The host's deploy history, end to end: the bundled action, run as the runner runs it, against a
// throwaway host (test/fixture). command: status shows it.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TestHost } from './fixture/host'
import { hostInputs, runAction, stateDir } from './run-action'
import { throwaway } from './throwaway'

const { newHost } = throwaway()
const historyFile = async (h: TestHost) => join(await stateDir(h), 'history')
const short = (sha: string) => sha.slice(0, 12)

describe('the deploy history', () => {
  it('keeps every deploy that took the lock (commit, time, who, run URL, outcome, migrated); status shows them newest first', async () => {
    const h = await newHost()
    const { A, B, C, D } = h.commits
    const as = (actor: string, id: string) => ({ github: { GITHUB_ACTOR: actor, GITHUB_RUN_ID: id } })
    expect((await runAction({ ...hostInputs(h), ref: B }, as('alice', '1'))).code).toBe(0)
    expect((await runAction({ ...hostInputs(h), ref: C }, as('bob', '2'))).code).toBe(0)
    h.fail('status', D)
    expect((await runAction({ ...hostInputs(h), ref: D }, as('carol', '3'))).code).toBe(1)
    h.fail('status', false)
    // Changed nothing: not in the history.
    expect((await runAction({ ...hostInputs(h), command: 'hold', reason: 'x' })).code).toBe(0)
    expect((await runAction({ ...hostInputs(h), ref: D })).code).toBe(1)
    expect((await runAction({ ...hostInputs(h), command: 'release' })).code).toBe(0)

    const lines = readFileSync(await historyFile(h), 'utf8')
      .trimEnd()
      .split('\n')
    expect(lines.map((line) => line.split('\t').slice(1, 7))).toEqual([
      ['deploy', 'success', B, A, B, 'false'],
      ['deploy', 'success', C, B, C, 'true'],
      // D adds a migration: it ran before status failed, and stays applied after the rollback.
      ['deploy', 'rolled-back', D, C, C, 'true'],
    ])
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t/)
    expect(lines[1]!.split('\t').slice(7, 9)).toEqual(['bob', 'https://github.com/ToposInstitute/CatColab/actions/runs/2'])

    const status = await runAction({ ...hostInputs(h), command: 'status' })
    expect(status.code, status.log).toBe(0)
    const shown = status.log.split('\n').filter((line) => /^ {2}\d{4}-/.test(line))
    expect(shown).toEqual([
      expect.stringMatching(new RegExp(`deploy of ${short(D)}: rolled-back, migrated, then ran ${short(C)} by carol \\(\\S+/runs/3\\)$`)),
      expect.stringMatching(new RegExp(`deploy of ${short(C)}: success, migrated, then ran ${short(C)} by bob \\(\\S+/runs/2\\)$`)),
      expect.stringMatching(new RegExp(`deploy of ${short(B)}: success, then ran ${short(B)} by alice \\(\\S+/runs/1\\)$`)),
    ])
    expect(status.log).toContain('the last 3 deploys, newest first:')
    expect(status.summary).toContain(`deploy of ${short(C)}: success, migrated`)
  })

  it('is bounded: past 100 lines, the newest 50 stay', async () => {
    const h = await newHost()
    const { A, B } = h.commits
    expect((await runAction({ ...hostInputs(h), ref: A })).code).toBe(0)
    const file = await historyFile(h)
    const old = `2026-01-01T00:00:00Z\tdeploy\tsuccess\t${A}\t${A}\t${A}\tfalse\told\t\told-run\n`
    writeFileSync(file, old.repeat(100))
    expect((await runAction({ ...hostInputs(h), ref: B })).code).toBe(0)
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(50)
    expect(lines.at(-1)).toContain(`\tdeploy\tsuccess\t${B}\t${A}\t${B}\t`)
    const status = await runAction({ ...hostInputs(h), command: 'status' })
    expect(status.log).toContain('the last 10 deploys, newest first:')
  })
})
