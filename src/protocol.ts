/**
 * The contract between the runner and host.sh: what a run is sent, and what the host answers
 * (a run's result, the host's state), typed. Answers are KEY=VALUE lines; they are parsed and
 * checked here, once, and nothing else reads them. test/protocol.unit.test.ts checks that the
 * keys host.sh reads and writes are exactly these. Pure.
 */

/** A run's parameters, keyed exactly as host.sh reads them (P[key]). All values are data, except the trusted commands. */
export interface RunParams {
  repo: string
  target: string
  /** The deployed commit the plan saw ('' when none was recorded): the run refuses if it changed. */
  expected_deployed: string
  /** HEAD as the plan saw it. */
  expected_head: string
  migrate: 'true' | 'false'
  build: string
  /** Run after the build and before stop when the deploy migrates; '' for none. */
  backup: string
  stop: string
  migrate_command: string
  start: string
  restart: string
  status: string
  health_url: string
  rollback: 'true' | 'false'
  health_timeout: string
  lock_timeout: string
  command_timeout: string
  /** Marks the run's own lines in its log (run-log.ts). */
  nonce: string
  /** What the history calls it. */
  kind: 'deploy' | 'rollback'
  /** After a success, hold the host with this reason ('' for none): a rollback names what it went back from. */
  hold_reason: string
  /** The build outputs to keep after a success, paths in the clone, one per line ('' for none). */
  outputs: string
  actor: string
  run_url: string
}

export const RUN_PARAM_KEYS = [
  'repo',
  'target',
  'expected_deployed',
  'expected_head',
  'migrate',
  'build',
  'backup',
  'stop',
  'migrate_command',
  'start',
  'restart',
  'status',
  'health_url',
  'rollback',
  'health_timeout',
  'lock_timeout',
  'command_timeout',
  'nonce',
  'kind',
  'hold_reason',
  'outputs',
  'actor',
  'run_url',
] as const satisfies readonly (keyof RunParams)[]

/** The keys of a run's result, as host.sh writes them (R[key]). */
export const RESULT_KEYS = [
  'run',
  'target',
  'migrate',
  'migrated',
  'started',
  'finished',
  'phase',
  'outcome',
  'previous',
  'failed_phase',
  'message',
  'running',
  'checkout',
  'downtime_begin',
  'downtime_end',
  'hold',
] as const

/** The keys `host.sh prepare` prints (host.ts reads them into Prepared). */
export const PREPARE_KEYS = ['head', 'branch', 'deployed', 'target', 'expected', 'older', 'containing'] as const

/** The keys of `host.sh state`, besides current_<key> (HOLDER_KEYS), hold_<key> (HOLD_KEYS) and last_<key> (RESULT_KEYS, and last_alive). */
export const STATE_KEYS = ['head', 'branch', 'deployed', 'running'] as const
/** What host.sh keeps about the run holding the lock ($STATE/current). */
export const HOLDER_KEYS = ['run', 'target', 'actor', 'run_url', 'since'] as const
/** What host.sh keeps about a hold ($STATE/hold): while it exists, no deploy fetches or runs. */
export const HOLD_KEYS = ['reason', 'actor', 'run_url', 'since'] as const

/** What the services run: a commit, down (the run knows it left them stopped), or unknown (it never said). */
export type Serving = { state: 'commit'; sha: string } | { state: 'down' } | { state: 'unknown' }

/** How a run ended, by the host's own outcome word; "running" is a run that has not finished (or died: the caller knows which). */
export type RunOutcome = 'success' | 'failed' | 'rolled-back' | 'lock-timeout' | 'stale' | 'held' | 'running'

const OUTCOMES: readonly RunOutcome[] = ['success', 'failed', 'rolled-back', 'lock-timeout', 'stale', 'held', 'running']

export interface RunResult {
  run: string
  outcome: RunOutcome
  /** The phase the run is at, or was at when it ended. */
  phase: string
  /** The phase whose failure ended the run ('' when none did). */
  failedPhase: string
  /** The host's last word, for the log only: it may quote host commands and their output. */
  message: string
  serving: Serving
  /** The commit checked out at the end; '' when unknown. */
  checkout: string
  migrated: boolean
  /** When the services stopped answering and answered again (ms since the epoch); null when they never stopped. */
  downtime: { begin: number; end: number | null } | null
  /** A rollback asked to hold the host afterwards: whether it did ('' when not asked). */
  hold: 'set' | 'failed' | ''
}

/** The fields of a line of the host's deploy history, in order (host.sh HISTORY_FIELDS); TAB-separated. */
export const HISTORY_FIELDS = ['finished', 'kind', 'outcome', 'target', 'previous', 'running', 'migrated', 'actor', 'run_url', 'run'] as const

/** One deploy in the host's history: one that took the lock and did something. */
export interface HistoryEntry {
  /** UTC, e.g. 2026-12-02T10:00:00Z. */
  finished: string
  kind: 'deploy' | 'rollback'
  outcome: RunOutcome
  target: string
  /** HEAD before it ('' when it ended before knowing). */
  previous: string
  /** What runs after it. */
  serving: Serving
  migrated: boolean
  actor: string
  runUrl: string
  run: string
}

/** A hold on the host, as host.sh keeps it. */
export interface Hold {
  reason: string
  actor: string
  runUrl: string
  since: string
}

export interface HostState {
  head: string
  branch: string
  /** The last commit deployed successfully ('' when none was recorded). */
  deployed: string
  /** Whether a run holds the host's lock now, and what the lock file says of it (null when it does not say). */
  busy: boolean
  holder: { run: string; target: string; actor: string; runUrl: string; since: string } | null
  /** The hold (command: hold), or null when the host is not held. Its reason is for the log only. */
  hold: Hold | null
  /** The deploys that took the lock, newest first (host.sh keeps the last 50 at least). */
  history: HistoryEntry[]
  /** History lines no run writes (edited by hand, say), left out of history. */
  unreadableHistory: number
  /** The newest run, its result, and whether its process is alive; null when there was none. */
  last: (RunResult & { alive: boolean }) | null
}

/** KEY=VALUE lines, as host.sh prints them. */
export function parseKeyValues(text: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=')
    if (equals > 0) values.set(line.slice(0, equals), line.slice(equals + 1))
  }
  return values
}

const SHA = /^[0-9a-f]{40}$/

/** What runs, as a result or a history line says it: a commit, down, or unknown (anything else). */
function servingOf(running: string): Serving {
  return SHA.test(running) ? { state: 'commit', sha: running } : running === 'down' ? { state: 'down' } : { state: 'unknown' }
}

/** A run's result, checked: a result no run of host.sh could write is an error, not a guess. */
export function parseRunResult(text: string): RunResult {
  return resultOf(parseKeyValues(text), '', text)
}

function resultOf(values: Map<string, string>, prefix: string, text: string): RunResult {
  const get = (key: string) => values.get(prefix + key)
  const outcome = get('outcome') ?? ''
  const run = get('run') ?? ''
  if (!OUTCOMES.includes(outcome as RunOutcome) || !run) throw new Error(`host.sh wrote a result no run writes: ${JSON.stringify(text.slice(0, 200))}`)
  // Written when the run ended: a commit, down (it left the services stopped), or unknown.
  const serving = servingOf(get('running') ?? 'unknown')
  const begin = Number(get('downtime_begin'))
  const end = Number(get('downtime_end'))
  const checkout = get('checkout') ?? ''
  return {
    run,
    outcome: outcome as RunOutcome,
    phase: get('phase') ?? '',
    failedPhase: get('failed_phase') ?? '',
    message: get('message') ?? '',
    serving,
    checkout: SHA.test(checkout) ? checkout : '',
    migrated: get('migrated') === 'true',
    downtime: get('downtime_begin') && Number.isFinite(begin) ? { begin, end: get('downtime_end') && Number.isFinite(end) ? end : null } : null,
    hold: get('hold') === 'set' ? 'set' : get('hold') === 'failed' ? 'failed' : '',
  }
}

/** A hold's KEY=VALUE lines, each key after prefix (state's hold_, hold's own); null when there are none. */
export function holdOf(values: Map<string, string>, prefix: string): Hold | null {
  if (!HOLD_KEYS.some((key) => values.has(prefix + key))) return null
  const get = (key: (typeof HOLD_KEYS)[number]) => values.get(prefix + key) ?? ''
  return { reason: get('reason'), actor: get('actor'), runUrl: get('run_url'), since: get('since') }
}

/** A history line, checked like a result; null for one no run writes. */
function historyEntry(line: string): HistoryEntry | null {
  const fields = line.split('\t')
  const get = (field: (typeof HISTORY_FIELDS)[number]) => fields[HISTORY_FIELDS.indexOf(field)] ?? ''
  const outcome = get('outcome')
  const kind = get('kind')
  const previous = get('previous')
  if (
    fields.length !== HISTORY_FIELDS.length ||
    !OUTCOMES.includes(outcome as RunOutcome) ||
    (kind !== 'deploy' && kind !== 'rollback') ||
    !SHA.test(get('target')) ||
    !(previous === '' || SHA.test(previous))
  ) {
    return null
  }
  return {
    finished: get('finished'),
    kind,
    outcome: outcome as RunOutcome,
    target: get('target'),
    previous,
    serving: servingOf(get('running')),
    migrated: get('migrated') === 'true',
    actor: get('actor'),
    runUrl: get('run_url'),
    run: get('run'),
  }
}

/** `host.sh state`, checked. */
export function parseHostState(text: string): HostState {
  const values = parseKeyValues(text)
  const head = values.get('head') ?? ''
  const deployed = values.get('deployed') ?? ''
  if (!SHA.test(head) || !(deployed === '' || SHA.test(deployed)) || !/^(true|false)$/.test(values.get('running') ?? '')) {
    throw new Error(`host.sh state printed unexpected output: ${JSON.stringify(text.slice(0, 200))}`)
  }
  const busy = values.get('running') === 'true'
  const holder =
    busy && values.has('current_run')
      ? {
          run: values.get('current_run') ?? '',
          target: values.get('current_target') ?? '',
          actor: values.get('current_actor') ?? '',
          runUrl: values.get('current_run_url') ?? '',
          since: values.get('current_since') ?? '',
        }
      : null
  const last = values.has('last_outcome') ? { ...resultOf(values, 'last_', text), alive: values.get('last_alive') === 'true' } : null
  // One bad line must not hide the rest, nor the host's state: it is left out, and counted.
  const history: HistoryEntry[] = []
  let unreadableHistory = 0
  for (const line of text.split('\n').filter((line) => line.startsWith('history='))) {
    const entry = historyEntry(line.slice('history='.length))
    if (entry) history.push(entry)
    else unreadableHistory++
  }
  return { head, branch: values.get('branch') ?? '', deployed, busy, holder, hold: holdOf(values, 'hold_'), history, unreadableHistory, last }
}

/**
 * Where a run stands, in the words the log, the summary, the status command and the post step
 * all use. alive: whether its process still runs, which tells a run under way from one that died.
 */
export function describeRun(result: RunResult, alive: boolean): { state: 'ended' | 'died' | 'under-way'; words: string } {
  const phase = result.phase || 'an unknown phase'
  if (result.outcome !== 'running') return { state: 'ended', words: result.message || `run ${result.run} ended with outcome ${result.outcome}` }
  if (alive) return { state: 'under-way', words: `run ${result.run} is under way, at phase ${phase}` }
  return {
    state: 'died',
    words: `the deploy process on the host died during ${phase} (run ${result.run}) before it finished; check the services with command: status, then deploy again`,
  }
}
