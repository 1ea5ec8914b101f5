// The contract between the runner and host.sh (src/protocol.ts): its keys are exactly the ones
// host.sh reads and writes, and what the host answers is parsed and checked once.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  describeRun,
  HISTORY_FIELDS,
  HOLD_KEYS,
  HOLDER_KEYS,
  parseHostState,
  parseRunResult,
  PREPARE_KEYS,
  RESULT_KEYS,
  RUN_PARAM_KEYS,
  STATE_KEYS,
} from '../src/protocol'

const script = readFileSync(join(__dirname, '..', 'src', 'host.sh'), 'utf8')
const sorted = (keys: Iterable<string>) => [...new Set(keys)].sort()
const indexed = (array: string) => sorted([...script.matchAll(new RegExp(`\\b${array}\\[([a-z_]+)\\]`, 'g'))].map((m) => m[1]!))
/** The keys of every `printf 'key=%s\n…'` in host.sh, one list per printf. */
const printed = [...script.matchAll(/printf '((?:[a-z_]+=%s\\n)+)'/g)].map((m) => m[1]!.split('=%s\\n').filter(Boolean))
const printedWith = (key: string) => printed.filter((keys) => keys.includes(key))

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)

describe('the keys', () => {
  it('of a run: host.sh reads exactly the parameters RunParams has', () => {
    expect(indexed('P')).toEqual(sorted(RUN_PARAM_KEYS))
  })

  it('of a result: host.sh writes exactly the keys the result is read from', () => {
    expect(indexed('R')).toEqual(sorted(RESULT_KEYS))
  })

  it('of prepare, state, the lock holder and the hold: host.sh prints exactly these', () => {
    expect(printedWith('older')).toEqual([[...PREPARE_KEYS]])
    expect(printedWith('running').filter((keys) => keys.includes('head'))).toEqual([[...STATE_KEYS]])
    expect(printedWith('since').filter((keys) => keys.includes('target'))).toEqual([[...HOLDER_KEYS]])
    expect(printedWith('reason')).toEqual([[...HOLD_KEYS]])
  })

  it('of a history line: host.sh writes exactly these fields, in this order', () => {
    expect(/^HISTORY_FIELDS=\(([a-z_ ]+)\)$/m.exec(script)?.[1]?.split(' ')).toEqual([...HISTORY_FIELDS])
  })
})

describe('a result', () => {
  const lines = (values: Record<string, string>) =>
    Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'

  it('says what runs: a commit, down (left stopped), or unknown (git could not say, or the run never said)', () => {
    const base = { run: 'r1', outcome: 'failed', phase: 'start', failed_phase: 'start', message: 'start failed', checkout: B }
    expect(parseRunResult(lines({ ...base, running: A })).serving).toEqual({ state: 'commit', sha: A })
    expect(parseRunResult(lines({ ...base, running: 'down' })).serving).toEqual({ state: 'down' })
    expect(parseRunResult(lines({ ...base, running: 'unknown' })).serving).toEqual({ state: 'unknown' })
    expect(parseRunResult(lines({ run: 'r1', outcome: 'running', phase: 'build' })).serving).toEqual({ state: 'unknown' })
  })

  it('reads every field once, typed', () => {
    const result = parseRunResult(
      lines({
        run: 'r2',
        outcome: 'rolled-back',
        phase: 'rollback-health',
        failed_phase: 'health',
        message: 'health failed; rolled back',
        running: A,
        checkout: A,
        migrated: 'true',
        downtime_begin: '1000',
        downtime_end: '2500',
      }),
    )
    expect(result).toEqual({
      run: 'r2',
      outcome: 'rolled-back',
      phase: 'rollback-health',
      failedPhase: 'health',
      message: 'health failed; rolled back',
      serving: { state: 'commit', sha: A },
      checkout: A,
      migrated: true,
      downtime: { begin: 1000, end: 2500 },
      hold: '',
    })
    expect(parseRunResult(lines({ run: 'r4', outcome: 'success', hold: 'failed' })).hold).toBe('failed')
    expect(parseRunResult(lines({ run: 'r4', outcome: 'success', hold: 'set' })).hold).toBe('set')
    expect(parseRunResult(lines({ run: 'r3', outcome: 'success', running: B, downtime_begin: '5' })).downtime).toEqual({ begin: 5, end: null })
  })

  it('refuses what no run writes, rather than guess', () => {
    expect(() => parseRunResult('outcome=exploded\nrun=r\n')).toThrow(/host.sh wrote a result no run writes/)
    expect(() => parseRunResult('outcome=success\n')).toThrow(/no run writes/)
    expect(() => parseRunResult('')).toThrow(/no run writes/)
  })
})

describe('the host state', () => {
  it('is typed: deployed, busy with its holder, the last run and whether it is alive', () => {
    const state = parseHostState(
      [
        `head=${B}`,
        'branch=',
        `deployed=${A}`,
        'running=true',
        'current_run=r9',
        `current_target=${B}`,
        'current_actor=octocat',
        'current_run_url=https://x/runs/9',
        'current_since=2026-12-02T05:00:00Z',
        'last_alive=true',
        'last_run=r9',
        'last_outcome=running',
        'last_phase=build',
      ].join('\n'),
    )
    expect(state).toMatchObject({ head: B, branch: '', deployed: A, busy: true, holder: { run: 'r9', target: B, actor: 'octocat', runUrl: 'https://x/runs/9' } })
    expect(state.last).toMatchObject({ run: 'r9', outcome: 'running', phase: 'build', alive: true })
    expect(parseHostState(`head=${A}\nbranch=main\ndeployed=\nrunning=false\n`)).toEqual({
      head: A,
      branch: 'main',
      deployed: '',
      busy: false,
      holder: null,
      hold: null,
      history: [],
      unreadableHistory: 0,
      last: null,
    })
    expect(() => parseHostState('head=HEAD\nrunning=false\n')).toThrow(/unexpected output/)
  })

  it('lists the history newest first, typed, and leaves out (and counts) a line no run writes', () => {
    const base = ['head=' + A, 'branch=', `deployed=${A}`, 'running=false']
    const line = (fields: string[]) => `history=${fields.join('\t')}`
    const state = parseHostState(
      [
        ...base,
        line(['2026-12-02T11:00:00Z', 'deploy', 'rolled-back', B, A, A, 'false', 'carol', 'https://x/runs/3', 'r3']),
        line(['2026-12-02T10:00:00Z', 'deploy', 'success', A, B, A, 'true', 'bob', '', 'r2']),
      ].join('\n'),
    )
    expect(state.history).toEqual([
      {
        finished: '2026-12-02T11:00:00Z',
        kind: 'deploy',
        outcome: 'rolled-back',
        target: B,
        previous: A,
        serving: { state: 'commit', sha: A },
        migrated: false,
        actor: 'carol',
        runUrl: 'https://x/runs/3',
        run: 'r3',
      },
      {
        finished: '2026-12-02T10:00:00Z',
        kind: 'deploy',
        outcome: 'success',
        target: A,
        previous: B,
        serving: { state: 'commit', sha: A },
        migrated: true,
        actor: 'bob',
        runUrl: '',
        run: 'r2',
      },
    ])
    const bad = parseHostState(
      [
        ...base,
        line(['t', 'deploy', 'success', 'HEAD', '', A, 'false', 'a', '', 'r']),
        line(['t', 'deploy', 'success', A]),
        line(['t', 'deploy', 'success', A, '', A, 'true', 'a', '', 'r']),
      ].join('\n'),
    )
    expect(bad.unreadableHistory).toBe(2)
    expect(bad.history).toEqual([expect.objectContaining({ target: A, migrated: true })])
  })

  it('says the hold, with its reason as written (the log shows it; records never do)', () => {
    const state = parseHostState(
      [
        `head=${A}`,
        'branch=',
        `deployed=${A}`,
        'running=false',
        'hold_reason=db work = slow',
        'hold_actor=alice',
        'hold_run_url=https://x/runs/7',
        'hold_since=2026-12-02T05:00:00Z',
      ].join('\n'),
    )
    expect(state.hold).toEqual({ reason: 'db work = slow', actor: 'alice', runUrl: 'https://x/runs/7', since: '2026-12-02T05:00:00Z' })
  })
})

describe('the words for a run', () => {
  const result = parseRunResult(`run=r5\noutcome=running\nphase=migrate\n`)
  it('tell a run under way from one that died, the same for every caller', () => {
    expect(describeRun(result, true)).toEqual({ state: 'under-way', words: 'run r5 is under way, at phase migrate' })
    expect(describeRun(result, false)).toEqual({
      state: 'died',
      words: 'the deploy process on the host died during migrate (run r5) before it finished; check the services with command: status, then deploy again',
    })
    expect(describeRun(parseRunResult('run=r6\noutcome=lock-timeout\nmessage=another deploy held the host\n'), false)).toEqual({
      state: 'ended',
      words: 'another deploy held the host',
    })
  })
})
