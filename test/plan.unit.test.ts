import { describe, expect, it } from 'vitest'
import { chooseBase, chooseRollback, judgeRollback, judgeTarget, makePlan, parseNameStatus, type TargetPolicy } from '../src/plan'
import type { HistoryEntry } from '../src/protocol'

const HEAD = 'a'.repeat(40)
const RECORD = 'b'.repeat(40)
const TARGET = 'c'.repeat(40)
const z = (...fields: string[]) => fields.map((f) => f + '\0').join('')

describe('parseNameStatus', () => {
  it('reads status/path pairs, including paths with newlines and spaces', () => {
    expect(parseNameStatus(z('A', 'm/01 a.sql', 'D', 'm/x\ny.sql', 'M', 'm/mod.rs', 'T', 'm/link'))).toEqual([
      { status: 'added', path: 'm/01 a.sql' },
      { status: 'deleted', path: 'm/x\ny.sql' },
      { status: 'modified', path: 'm/mod.rs' },
      { status: 'modified', path: 'm/link' },
    ])
  })
  it('reads nothing from empty output', () => {
    expect(parseNameStatus('')).toEqual([])
  })
})

describe('chooseBase', () => {
  it('prefers the recorded deploy over HEAD', () => {
    expect(chooseBase({ head: HEAD, deployed: RECORD, target: TARGET })).toEqual({ base: RECORD, baseSource: 'deployed' })
    expect(chooseBase({ head: HEAD, deployed: '', target: TARGET })).toEqual({ base: HEAD, baseSource: 'head' })
  })
})

describe('makePlan', () => {
  const recorded = { head: RECORD, deployed: RECORD, target: TARGET }

  it('migrates when files were added, listing them', () => {
    const diff = z('A', 'p/20241004010448_document_refs.up.sql', 'A', 'p/20241004010448_document_refs.down.sql', 'D', 'p/02_x.undo.sql')
    const plan = makePlan(recorded, { ancestor: true, nameStatus: diff }, 'auto', ['p'])
    expect(plan).toMatchObject({
      previous: RECORD,
      target: TARGET,
      base: RECORD,
      baseSource: 'deployed',
      migrate: true,
      newMigrations: ['p/20241004010448_document_refs.up.sql', 'p/20241004010448_document_refs.down.sql'],
      deletedMigrations: ['p/02_x.undo.sql'],
      modifiedMigrations: [],
    })
    expect(plan.reason).toBe(`2 new migration files since ${RECORD.slice(0, 12)}: stop, migrate, start`)
    expect(plan.warnings).toEqual([
      { message: expect.stringMatching(/^migration file p\/02_x.undo.sql is deleted by this deploy: sqlx refuses/), file: 'p/02_x.undo.sql' },
    ])
  })

  it('restarts only when nothing was added, and warns about modified files', () => {
    const plan = makePlan(recorded, { ancestor: true, nameStatus: z('M', 'p/mod.rs') }, 'auto', ['p'])
    expect(plan.migrate).toBe(false)
    expect(plan.reason).toBe(`no new migration files since ${RECORD.slice(0, 12)}: restart only`)
    expect(plan.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^migration file p\/mod.rs is modified by this deploy/)])
  })

  it('honours migrate: always and never', () => {
    expect(makePlan(recorded, { ancestor: true, nameStatus: '' }, 'always', ['p'])).toMatchObject({
      migrate: true,
      reason: 'migrate: always (0 new migration files): stop, migrate, start',
    })
    const never = makePlan(recorded, { ancestor: true, nameStatus: z('A', 'p/03_y.sql') }, 'never', ['p'])
    expect(never).toMatchObject({ migrate: false, reason: 'migrate: never (1 new migration file): restart only' })
    expect(never.warnings).toEqual([
      {
        message:
          'migrate: never, so the migrate command does not run for 1 new migration file, and later deploys will not count them again: ' +
          'unless the backend applies migrations itself when it starts, run the migrate command on the host, or deploy with migrate: always',
      },
    ])
  })

  it('picks the migrations out of a wider diff by migrations-path: the migrator crate with its mod.rs', () => {
    // What git reports below the glob's literal directory when a migration is added.
    const dir = 'packages/migrator/src/migrations'
    const diff = z('M', `${dir}/mod.rs`, 'A', `${dir}/m20250901000000_ratings.rs`, 'M', 'packages/backend/src/main.rs')
    for (const paths of [[`${dir}/m[0-9]*.rs`], [dir, `!${dir}/mod.rs`], [`${dir}/m*.rs`, '!**/mod.rs']]) {
      const plan = makePlan(recorded, { ancestor: true, nameStatus: diff }, 'auto', paths)
      expect(plan).toMatchObject({ migrate: true, newMigrations: [`${dir}/m20250901000000_ratings.rs`], modifiedMigrations: [], deletedMigrations: [] })
      expect(plan.warnings).toEqual([])
    }
    // The directory alone takes mod.rs for a migration, as it always did.
    expect(makePlan(recorded, { ancestor: true, nameStatus: diff }, 'auto', [dir]).modifiedMigrations).toEqual([`${dir}/mod.rs`])
    // A code-only deploy: nothing the patterns match, restart only.
    const codeOnly = makePlan(recorded, { ancestor: true, nameStatus: z('M', 'packages/backend/src/main.rs') }, 'auto', [`${dir}/m[0-9]*.rs`])
    expect(codeOnly).toMatchObject({ migrate: false, newMigrations: [], warnings: [] })
  })

  it('says when it used HEAD because no deploy was recorded', () => {
    const plan = makePlan({ head: HEAD, deployed: '', target: TARGET }, { ancestor: true, nameStatus: '' }, 'auto', ['p'])
    expect(plan).toMatchObject({ base: HEAD, baseSource: 'head' })
    expect(plan.warnings[0]!.message).toMatch(/^no deploy by this action is recorded on the host: .* migrate: always$/)
  })

  it('warns when HEAD was moved by hand, and still counts from the record', () => {
    const plan = makePlan({ head: HEAD, deployed: RECORD, target: TARGET }, { ancestor: true, nameStatus: '' }, 'auto', ['p'])
    expect(plan.base).toBe(RECORD)
    expect(plan.warnings[0]!.message).toMatch(/^HEAD on the host \(aaaaaaaaaaaa\) is not the last deployed commit bbbbbbbbbbbb: someone checked out by hand/)
  })

  it('warns about a downgrade or diverged target', () => {
    const plan = makePlan(recorded, { ancestor: false, nameStatus: '' }, 'auto', ['p'])
    expect(plan.warnings[0]!.message).toMatch(/does not descend from the base/)
  })
})

describe('judgeTarget', () => {
  const facts = { deployed: RECORD, target: TARGET, expected: '', older: false, containing: [] as string[] }
  const policy: TargetPolicy = { ref: 'v1.0.0', remote: 'origin', expectedSha: null, allowedBranches: [], allowOutsideBranches: false, allowOlder: false }

  it('deploys anything when nothing is required', () => {
    expect(judgeTarget(facts, policy)).toEqual({ action: 'deploy', warnings: [] })
  })

  it('refuses a ref that no longer names the expected commit, and accepts a tag object that tags it', () => {
    const moved = judgeTarget({ ...facts, expected: HEAD }, { ...policy, expectedSha: HEAD })
    expect(moved).toEqual({ action: 'refuse', reason: expect.stringMatching(`^ref v1.0.0 names ${TARGET}, not the expected commit ${HEAD}: it moved`) })
    const tagObject = 'd'.repeat(40)
    expect(judgeTarget({ ...facts, expected: TARGET }, { ...policy, expectedSha: tagObject }).action).toBe('deploy')
    const peeled = judgeTarget({ ...facts, expected: HEAD }, { ...policy, expectedSha: tagObject })
    expect(peeled).toMatchObject({ action: 'refuse', reason: expect.stringContaining(`(the tag object ${tagObject.slice(0, 12)} tags ${HEAD.slice(0, 12)})`) })
  })

  it('refuses a commit on none of the allowed branches unless opted out, which it warns about', () => {
    const strict = { ...policy, allowedBranches: ['main'] }
    expect(judgeTarget({ ...facts, containing: ['main'] }, strict)).toEqual({ action: 'deploy', warnings: [] })
    expect(judgeTarget(facts, strict)).toMatchObject({ action: 'refuse', reason: expect.stringContaining('allowed-branches: main of origin') })
    const optedOut = judgeTarget(facts, { ...strict, allowOutsideBranches: true })
    expect(optedOut).toMatchObject({ action: 'deploy', warnings: [{ message: expect.stringContaining('deployed anyway because allow-outside-branches is true') }] })
  })

  it('skips an older target unless allow-older, which it warns about; a refusal comes before a skip', () => {
    expect(judgeTarget({ ...facts, older: true }, policy)).toEqual({
      action: 'skip',
      reason: `ref v1.0.0 (${TARGET.slice(0, 12)}) is older than the deployed ${RECORD.slice(0, 12)}, an ancestor of it: skipped, nothing was changed; to go back on purpose, deploy with allow-older: true`,
    })
    expect(judgeTarget({ ...facts, older: true }, { ...policy, allowOlder: true })).toMatchObject({
      action: 'deploy',
      warnings: [{ message: expect.stringMatching(/^going back/) }],
    })
    expect(judgeTarget({ ...facts, older: true }, { ...policy, allowedBranches: ['main'] }).action).toBe('refuse')
  })
})

describe('chooseRollback', () => {
  const entry = (target: string, outcome: HistoryEntry['outcome'] = 'success', finished = 't'): HistoryEntry => ({
    finished,
    kind: 'deploy',
    outcome,
    target,
    previous: '',
    serving: { state: 'commit', sha: target },
    migrated: false,
    actor: 'alice',
    runUrl: '',
    run: 'r',
  })
  const D = 'd'.repeat(40)
  const D2 = 'd'.repeat(12) + 'e'.repeat(28)
  // Newest first: RECORD runs; before it TARGET failed; before that HEAD and D succeeded.
  const history = [entry(RECORD), entry(TARGET, 'rolled-back'), entry(HEAD), entry(D)]

  it('goes back to the newest successful deploy of another commit than the deployed one', () => {
    expect(chooseRollback(history, RECORD, RECORD, null)).toEqual({ target: history[2], from: RECORD })
    // No record: from HEAD.
    expect(chooseRollback(history, '', HEAD, null)).toEqual({ target: history[0], from: HEAD })
  })

  it('rolling back twice never returns to the commit the first rollback left', () => {
    const rolledBack = { ...entry(HEAD), kind: 'rollback' as const, previous: RECORD }
    // Newest first: a rollback from RECORD to HEAD; before it RECORD, HEAD and D were deployed.
    const twice = [rolledBack, entry(RECORD), entry(HEAD), entry(D)]
    expect(chooseRollback(twice, HEAD, HEAD, null)).toEqual({ target: twice[3], from: HEAD })
    // Asked by name, it goes there all the same.
    expect(chooseRollback(twice, HEAD, HEAD, 'bbbbbbb')).toEqual({ target: twice[1], from: HEAD })
  })

  it('goes back to the deployed commit when HEAD is elsewhere (a failed deploy whose own rollback failed)', () => {
    expect(chooseRollback(history, RECORD, TARGET, 'bbbbbbb')).toEqual({ target: history[0], from: RECORD })
  })

  it('goes back to the deploy ref names by its sha, full or short, when it succeeded', () => {
    expect(chooseRollback(history, RECORD, RECORD, 'ddddddd')).toEqual({ target: history[3], from: RECORD })
    expect(chooseRollback(history, RECORD, RECORD, D)).toEqual({ target: history[3], from: RECORD })
  })

  it('says why it cannot: nothing earlier, not in the history, not a success, the deployed one, ambiguous', () => {
    expect(chooseRollback([entry(RECORD)], RECORD, RECORD, null)).toEqual({
      problem: `no earlier successful deploy than bbbbbbbbbbbb in the host's deploy history to roll back to: it holds bbbbbbbbbbbb`,
    })
    expect(chooseRollback([], RECORD, RECORD, null)).toEqual({ problem: expect.stringMatching(/: it holds no successful deploy$/) })
    expect(chooseRollback(history, RECORD, RECORD, '1234567')).toEqual({
      problem: expect.stringMatching(/^1234567 is no successful deploy in the host's deploy history: it holds bbbbbbbbbbbb, aaaaaaaaaaaa, dddddddddddd$/),
    })
    expect(chooseRollback(history, RECORD, RECORD, 'ccccccc')).toEqual({ problem: expect.stringMatching(/^ccccccc is no successful deploy/) })
    expect(chooseRollback(history, RECORD, RECORD, 'bbbbbbb')).toEqual({ problem: 'bbbbbbbbbbbb is the deployed commit already: nothing to roll back' })
    expect(chooseRollback([...history, entry(D2)], RECORD, RECORD, 'ddddddd')).toEqual({
      problem: "ddddddd names more than one deploy in the host's history: give more of the sha",
    })
  })
})

describe('judgeRollback', () => {
  const recorded = { head: RECORD, deployed: RECORD, target: TARGET }
  // The target lacks two migrations the deployed commit added: git shows them deleted.
  const back = makePlan(recorded, { ancestor: false, nameStatus: z('D', 'p/03_x.sql', 'D', 'p/04_y.sql', 'M', 'src/main.rs') }, 'never', ['p'])

  it('refuses to go back past migration files, naming them and what to check, unless asked', () => {
    expect(judgeRollback(back, false)).toEqual({
      refuse:
        'rollback to cccccccccccc refused: migration files were added since it, and a rollback never runs migrations backwards: p/03_x.sql, p/04_y.sql; ' +
        "check that cccccccccccc's code works with them applied (or undo them by hand), then roll back with rollback-past-migrations: true",
    })
  })

  it('when asked, goes ahead without migrating, with one warning saying they stay applied instead of one per file', () => {
    const judged = judgeRollback(back, true)
    if (!('plan' in judged)) throw new Error('refused')
    expect(judged.plan.migrate).toBe(false)
    expect(judged.plan.warnings.filter((w) => w.file !== undefined)).toEqual([])
    expect(judged.plan.warnings.at(-1)!.message).toBe(
      "rolling back past migration files added since cccccccccccc; they stay applied: p/03_x.sql, p/04_y.sql. Check that cccccccccccc's code works with them before the host is released",
    )
  })

  it('lets a rollback that crosses no migration through as planned, without the warning that it goes back', () => {
    const plain = makePlan(recorded, { ancestor: false, nameStatus: z('M', 'src/main.rs') }, 'never', ['p'])
    expect(plain.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^cccccccccccc does not descend from the base bbbbbbbbbbbb/)])
    expect(judgeRollback(plain, false)).toEqual({ plan: { ...plain, warnings: [] } })
  })
})
