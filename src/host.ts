/**
 * The host: git and the catcolab commands in the clone, reached through host.sh over SSH.
 * The command line sent is always the same constant; host.sh and its arguments travel on
 * stdin, NUL-separated, so no input is ever spliced into a string a shell parses.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { UserError } from './errors'
import { literalPrefixes } from './path-patterns'
import { holdOf, parseHostState, parseKeyValues, parseRunResult, type Hold, type HostState, type RunParams, type RunResult } from './protocol'
import type { SshSession } from './ssh'

/**
 * Reads host.sh, then runs it with the NUL-separated arguments that follow on stdin (hostStdin).
 * The script comes after its size, read by head in large reads (bash's read would take it a byte
 * at a time from a pipe: some 60 ms for every call), and a NUL after it proves it came whole.
 */
export const REMOTE_COMMAND = `bash -c 'IFS= read -r size && script=$(head -c "$size") && IFS= read -r -d "" end && [[ -z $end ]] || exit 90; exec bash -c "$script" catcolab-deploy'`

/** What REMOTE_COMMAND reads: host.sh's size in bytes, a newline, host.sh, a NUL, the count of arguments, and each, NUL-terminated. */
export function hostStdin(script: string, argv: string[]): Buffer {
  const body = Buffer.from(script, 'utf8')
  // host.sh checks the count: a dropped connection must not pass for fewer arguments.
  return Buffer.concat([Buffer.from(`${body.length}\n`), body, Buffer.from([String(argv.length), ...argv].map((arg) => `\0${arg}`).join('') + '\0', 'utf8')])
}

let script: string | undefined
function hostScript(): string {
  // ncc copies host.sh next to dist/index.js; tests read it from src/.
  script ??= readFileSync(join(__dirname, 'host.sh'), 'utf8')
  return script
}

/** What the host looks like before a deploy, and the commit the ref names. */
export interface Prepared {
  head: string
  /** The branch checked out, if HEAD is not detached. */
  branch: string
  /** The last commit deployed successfully by this action, or '' if none was recorded. */
  deployed: string
  target: string
  /** The commit expected-sha names (a tag object peeled), or '' when none was given. */
  expected: string
  /** Whether target is a strict ancestor of deployed: deploying it would go back. */
  older: boolean
  /** The remote's branches matching the branch patterns asked about that contain target. */
  containing: string[]
  /**
   * What changed from each commit the plan may count from (deployed, and head when it differs)
   * to target: whether it is an ancestor of target, and `git diff --name-status -z` of every file
   * the migrations patterns (path-patterns.ts) could match: more files than they match, for the
   * plan to pick.
   */
  changes: ReadonlyMap<string, Changes>
}

export interface Changes {
  ancestor: boolean
  nameStatus: string
}

export interface PrepareRequest {
  remote: string
  ref: string
  /** A commit (or tag object) ref must still name; '' for none. */
  expectedSha: string
  /** Patterns of the remote's branches to report the ones containing the target; empty: none. */
  branches: string[]
  needCurl: boolean
  /** The first word of each host command, checked to exist on the host's PATH. */
  commandWords: string[]
  /** The migrations patterns: the changes reported are those below their literal directories. */
  migrationsPaths: string[]
}

export interface Host {
  prepare(request: PrepareRequest): Promise<Prepared>
  /**
   * Starts the deploy detached from this session, tells its run id to onRun, then streams its log
   * from byte offset to onChunk until the run ends, or until onChunk returns true (it has seen the
   * log's end). Idempotent per token (24 hex digits): sent again after a dropped connection, it
   * finds the run already started and goes on from offset. Throws ConnectionLost.
   */
  start(params: RunParams, token: string, offset: number, onRun: (run: string) => void, onChunk: (chunk: Buffer) => boolean): Promise<void>
  /** Streams the run's log from byte offset until the run ends. Throws ConnectionLost. */
  follow(run: string, offset: number, onChunk: (chunk: Buffer) => void): Promise<void>
  /** The run's result (run: its id, or the token its id ends in). */
  result(run: string): Promise<RunResult>
  state(): Promise<HostState>
  /** Runs one of the trusted host commands in the clone. */
  command(command: string): Promise<{ code: number; output: string }>
  /**
   * Holds the host between deploys (waiting up to lockTimeout seconds for one under way):
   * no deploy fetches or runs until release. Returns the hold, and the one it replaced, in words ('' for none).
   */
  hold(request: HoldRequest, lockTimeout: number): Promise<{ hold: Hold; replaced: string }>
  /** Removes the hold (waiting as hold does); returns the hold it removed, in words ('' when there was none). */
  release(lockTimeout: number): Promise<string>
}

/** A hold to set: each field one line. */
export interface HoldRequest {
  reason: string
  actor: string
  runUrl: string
}

export function sshHost(ssh: SshSession, repoPath: string): Host {
  /** Runs host.sh SUBCOMMAND REPO_PATH ARGS...: every subcommand works in the clone. */
  function exec([subcommand = '', ...args]: string[], onStdout?: (chunk: Buffer) => boolean | void) {
    return ssh.exec(REMOTE_COMMAND, hostStdin(hostScript(), [subcommand, repoPath, ...args]), onStdout)
  }

  /** Like exec, but a failure is an error: host.sh's own one-line problems become a UserError. */
  async function call(args: string[], onStdout?: (chunk: Buffer) => boolean | void) {
    const result = await exec(args, onStdout)
    if (result.code === 'stopped') return result.stdout
    if (result.code === 2) {
      const problems = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('catcolab-deploy: '))
        .map((line) => line.slice('catcolab-deploy: '.length))
      if (problems.length > 0) throw new UserError(problems.join('; '))
    }
    if (result.code !== 0) {
      throw new Error(`host.sh ${args[0]} exited ${result.code}: ${result.stderr.trim() || '(no output)'}`)
    }
    return result.stdout
  }

  return {
    async prepare(request) {
      const out = await call([
        'prepare',
        request.remote,
        request.ref,
        request.expectedSha,
        request.branches.join('\n'),
        String(request.needCurl),
        // git is given the literal directories the patterns lie below (none: the whole tree),
        // never the globs: host.sh reads its paths as literal pathspecs.
        ...counted(literalPrefixes(request.migrationsPaths)),
        ...request.commandWords,
      ])
      const text = out.toString('utf8')
      const diffs = text.search(/^diff=/m)
      const values = parseKeyValues(diffs === -1 ? text : text.slice(0, diffs))
      const prepared: Prepared = {
        head: values.get('head') ?? '',
        branch: values.get('branch') ?? '',
        deployed: values.get('deployed') ?? '',
        target: values.get('target') ?? '',
        expected: values.get('expected') ?? '',
        older: values.get('older') === 'true',
        containing: (values.get('containing') ?? '').split(' ').filter(Boolean),
        changes: diffs === -1 ? new Map() : parseChanges(text.slice(diffs)),
      }
      // Everything downstream trusts these to be commits: check, rather than plan from garbage.
      const shaOrEmpty = (value: string) => value === '' || isSha(value)
      if (
        ![prepared.head, prepared.target].every(isSha) ||
        ![prepared.deployed, prepared.expected].every(shaOrEmpty) ||
        !/^(true|false)$/.test(values.get('older') ?? '')
      ) {
        throw new Error(`host.sh prepare printed unexpected output: ${JSON.stringify(out.toString('utf8').slice(0, 200))}`)
      }
      return prepared
    },
    async start(params, token, offset, onRun, onChunk) {
      // The first line names the run; the log follows.
      let head: Buffer | null = Buffer.alloc(0)
      await call(['start', token, String(offset), ...Object.entries(params).map(([key, value]) => `${key}=${String(value)}`)], (chunk) => {
        if (head === null) return onChunk(chunk)
        head = Buffer.concat([head, chunk])
        const newline = head.indexOf('\n')
        if (newline === -1) return false
        const run = /^run=(\S+)$/.exec(head.subarray(0, newline).toString('utf8'))?.[1]
        if (!run) throw new Error(`host.sh start printed no run id: ${JSON.stringify(head.subarray(0, 200).toString('utf8'))}`)
        const rest = head.subarray(newline + 1)
        head = null
        onRun(run)
        return rest.length > 0 && onChunk(rest)
      })
      if (head !== null) throw new Error('host.sh start printed no run id')
    },
    async follow(run, offset, onChunk) {
      await call(['follow', run, String(offset)], onChunk)
    },
    async result(run) {
      return parseRunResult((await call(['result', run])).toString('utf8'))
    },
    async state() {
      return parseHostState((await call(['state'])).toString('utf8'))
    },
    async hold(request, lockTimeout) {
      const values = parseKeyValues((await call(['hold', String(lockTimeout), request.actor, request.runUrl, request.reason])).toString('utf8'))
      const hold = holdOf(values, 'hold_')
      if (!hold || !values.has('replaced')) throw new Error('host.sh hold printed no hold')
      return { hold, replaced: values.get('replaced') ?? '' }
    },
    async release(lockTimeout) {
      const values = parseKeyValues((await call(['release', String(lockTimeout)])).toString('utf8'))
      if (!values.has('released')) throw new Error('host.sh release printed nothing it released')
      return values.get('released') ?? ''
    },
    async command(command) {
      const result = await exec(['command', command])
      // Without onStdout, nothing stops it early: its code is its exit status.
      return { code: result.code === 'stopped' ? 0 : result.code, output: result.stdout.toString('utf8') }
    },
  }
}

const isSha = (value: string) => /^[0-9a-f]{40}$/.test(value)

/** A list as host.sh takes one among other arguments: its length, then its items. */
const counted = (items: string[]) => [String(items.length), ...items]

/**
 * prepare's changes: for each base, `diff=BASE ANCESTOR` on a line, then name-status pairs
 * (status NUL path NUL), ended by one more NUL (an empty field: no status or path is empty).
 */
function parseChanges(text: string): Map<string, Changes> {
  const changes = new Map<string, Changes>()
  let rest = text
  while (rest) {
    const header = /^diff=([0-9a-f]{40}) (true|false)\n/.exec(rest)
    if (!header) throw new Error(`host.sh prepare printed unexpected changes: ${JSON.stringify(rest.slice(0, 200))}`)
    rest = rest.slice(header[0].length)
    // Pairs, up to the empty field that ends them.
    let end = 0
    for (;;) {
      const status = rest.indexOf('\0', end)
      const path = status === end ? status : rest.indexOf('\0', status + 1)
      if (status === -1 || path === -1) throw new Error('host.sh prepare printed unterminated changes')
      if (status === end) break
      end = path + 1
    }
    changes.set(header[1]!, { ancestor: header[2] === 'true', nameStatus: rest.slice(0, end) })
    rest = rest.slice(end + 1)
  }
  return changes
}
