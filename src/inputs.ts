/**
 * Turns the action's raw inputs into one typed settings object per command.
 * All validation lives here and runs before anything connects; each problem is one line
 * naming the input. Pure: the caller hands in a getter, so tests need no environment.
 */
import type { ParsedKey } from 'ssh2'
// Not from ssh2's index, which loads its server and more (see ssh.ts).
import { parseKey } from 'ssh2/lib/protocol/keyParser.js'
import { UserError } from './errors'
import { INPUT_DEFAULTS, type InputName } from './input-defaults'
import { hostAddress, keysForHost, parseKnownHosts, type HostKeys } from './known-hosts'
import { globProblem, parsePattern } from './path-patterns'
import { visible } from './text'

export type MigrateMode = 'auto' | 'always' | 'never'

/** How to reach the host and how to know it is the right one. */
export interface ConnectionSettings {
  host: string
  port: number
  username: string
  /** Seconds to wait for the SSH handshake. */
  connectTimeout: number
  /** Seconds to keep trying to reconnect to a host that is still deploying. */
  reconnectTimeout: number
  /** OpenSSH private key text; never written to disk. */
  privateKey: string
  passphrase: string | undefined
  /** The keys known-hosts trusts (and revokes) for host:port. */
  hostKeys: HostKeys
}

/** The host's own commands: trusted configuration, run as written by `bash -c`. */
export interface HostCommands {
  build: string
  stop: string
  /** '' for a rollback, which never migrates. */
  migrate: string
  start: string
  restart: string
  status: string
}

/** Who asked for this deploy; shown to anyone waiting on the host lock. */
export interface Requester {
  actor: string
  runUrl: string
}

/** Where GitHub keeps the record of a deploy (records.ts). */
export interface RecordSettings {
  /** The GitHub environment, e.g. catcolab-next. */
  environment: string
  environmentUrl: string | null
  /** GitHub's production_environment flag: never auto-inactivated, shown as production. */
  production: boolean
  /** '' when unset: recording then warns and records nothing. */
  token: string
}

/** command: rollback: back to a deploy in the host's history, as a deploy of that commit that never migrates. */
export interface GoingBack {
  /** The sha (full or short, lowercase) of a successful deploy in the host's history; null: the last one before the deployed commit. */
  to: string | null
  /** Go back past migration files added since the target (they stay applied); else refuse. */
  pastMigrations: boolean
  /** Leave the host held afterwards, naming the commit it went back from. */
  hold: boolean
}

export interface DeploySettings {
  /** rollback: the target comes from the host's history (goingBack: rollback-to), and ref is '' until deploy() chooses it. */
  command: 'deploy' | 'rollback'
  connection: ConnectionSettings
  /**
   * Branch, tag or commit sha, validated as a git ref name or hex sha. refs/tags/X names only a
   * tag, refs/heads/X only a branch; a bare name that is both (at different commits) is refused.
   */
  ref: string
  /** The commit ref must still name (e.g. the pushed tag's commit); null: no check. */
  expectedSha: string | null
  /** Patterns of remote branches the target must be contained in; empty: any commit. */
  allowedBranches: string[]
  /** Deploy a target that none of allowedBranches contains (recorded and warned about). */
  allowOutsideBranches: boolean
  /** Deploy a target older than (a strict ancestor of) the last deployed commit; else skip it. */
  allowOlder: boolean
  /** The clone on the host (absolute). */
  repoPath: string
  /** Name of the git remote to fetch from. */
  remote: string
  /** Repo-relative paths and globs whose added files are migrations, as path-patterns.ts reads them. */
  migrationsPaths: string[]
  migrate: MigrateMode
  commands: HostCommands
  /** Polled after start/restart until it answers 2xx; null to skip. */
  healthUrl: string | null
  /** On a failure after the checkout moved: check out, rebuild and start the previous commit. */
  rollback: boolean
  /** Run on the host when a deploy fails, to show the services' own logs; null to skip. */
  logsCommand: string | null
  /**
   * Run on the host after the build and before stop, only when the deploy migrates (e.g. a
   * pg_dump); its failure ends the deploy before anything is stopped. Its last output line
   * names the backup. null: no backup.
   */
  backupCommand: string | null
  healthTimeout: number
  lockTimeout: number
  commandTimeout: number
  dryRun: boolean
  requester: Requester
  /** null when the environment input is empty: no deployment record. */
  records: RecordSettings | null
  /** Set exactly for command: rollback. */
  goingBack: GoingBack | null
  /** Paths in the clone of what the build makes and the services run: kept after a success, put back by a rollback instead of building. */
  buildOutputs: string[]
}

export interface StatusSettings {
  command: 'status'
  connection: ConnectionSettings
  repoPath: string
  statusCommand: string
}

/** The pr-report command: a comment on pull requests saying which backend their previews talk to. */
export interface PrReportSettings {
  command: 'pr-report'
  /** The GitHub environment whose deployment records say what runs, e.g. catcolab-next. */
  environment: string
  /** The backend the previews talk to, as shown in the comment. */
  backendUrl: string
  /** Paths and globs of the files that make up the backend, as path-patterns.ts reads them. */
  backendPaths: string[]
  /** Paths and globs whose added files are migrations, as for deploy. */
  migrationsPaths: string[]
  /** A pull request's number, every open one, or null: the event's. */
  pullRequest: number | 'all' | null
  /** Whose comments are the action's; null: the token's own user, else github-actions[bot]. */
  commentAuthor: string | null
  token: string
}

/** The hold and release commands: a hold on the host, set or lifted between deploys. */
export interface HoldSettings {
  command: 'hold' | 'release'
  connection: ConnectionSettings
  repoPath: string
  /** Why deploys must wait (hold; '' for release): one line, for the log and status, never GitHub's records. */
  reason: string
  lockTimeout: number
  /** Say what it would do, and change nothing. */
  dryRun: boolean
  requester: Requester
}

export type Settings = DeploySettings | StatusSettings | HoldSettings | PrReportSettings

export const isHoldSettings = (settings: Settings): settings is HoldSettings => settings.command === 'hold' || settings.command === 'release'

/** What the action can do: the command input of action.yml, or the directory of the command's own action. */
export const COMMANDS = ['deploy', 'rollback', 'status', 'hold', 'release', 'pr-report'] as const
export type Command = (typeof COMMANDS)[number]
const isCommand = (name: string): name is Command => (COMMANDS as readonly string[]).includes(name)

/** Reads one input as the runner passes it (empty string when unset). */
export type InputGetter = (name: string) => string

/**
 * The inputs, an empty one read as its default in action.yml (src/input-defaults.ts). The runner
 * passes the defaults itself; an input set to '' in a workflow, and a test's getter, leave it empty.
 */
interface Inputs {
  /** Trimmed. */
  input: (name: InputName) => string
  /** As written: multi-line lists and secrets. */
  text: (name: InputName) => string
}

export function parseSettings(get: InputGetter, requester: Requester): Settings {
  const inputs: Inputs = {
    input: (name) => get(name).trim() || INPUT_DEFAULTS[name],
    text: (name) => get(name) || INPUT_DEFAULTS[name],
  }
  const { input } = inputs
  const command = input('command')
  if (!isCommand(command)) throw new UserError(`command must be "deploy", "rollback", "status", "hold", "release" or "pr-report", not "${printable(command)}"`)
  // Needs no host: the GitHub API alone.
  if (command === 'pr-report') return parsePrReport(inputs)
  const connection = parseConnection(inputs)
  const repoPath = parseRepoPath(input('repo-path'))
  const commandInput = (name: 'build' | 'stop' | 'migrate' | 'start' | 'restart' | 'status' | 'logs' | 'backup') => {
    const value = input(`${name}-command`)
    if (value.includes('\0')) throw new UserError(`${name}-command contains a NUL byte: remove it`)
    return value
  }
  if (command === 'status') {
    return { command, connection, repoPath, statusCommand: commandInput('status') }
  }
  const requesterLine = { actor: oneLine(requester.actor), runUrl: oneLine(requester.runUrl) }
  if (command === 'hold' || command === 'release') {
    return {
      command,
      connection,
      repoPath,
      reason: command === 'hold' ? parseReason(input('reason')) : '',
      lockTimeout: parseSeconds('lock-timeout', input('lock-timeout')),
      dryRun: parseBoolean('dry-run', input('dry-run')),
      requester: requesterLine,
    }
  }
  const goingBack: GoingBack | null =
    command === 'rollback'
      ? {
          to: parseRollbackTo(input('rollback-to')),
          pastMigrations: parseBoolean('rollback-past-migrations', input('rollback-past-migrations')),
          hold: parseBoolean('hold-after-rollback', input('hold-after-rollback')),
        }
      : null
  return {
    command,
    connection,
    // A rollback's target is a commit the host deployed before: whatever the branch and ref
    // inputs say, it is admitted, and it never migrates (nothing runs migrations backwards).
    ref: goingBack ? '' : parseRef(input('ref')),
    expectedSha: goingBack ? null : parseExpectedSha(input('expected-sha')),
    allowedBranches: goingBack ? [] : parseAllowedBranches(inputs.text('allowed-branches')),
    allowOutsideBranches: goingBack ? false : parseBoolean('allow-outside-branches', input('allow-outside-branches')),
    allowOlder: goingBack ? true : parseBoolean('allow-older', input('allow-older')),
    repoPath,
    remote: parseRemote(input('remote')),
    migrationsPaths: parseMigrationsPaths(inputs.text('migrations-path')),
    migrate: goingBack ? 'never' : parseChoice('migrate', input('migrate'), ['auto', 'always', 'never'] as const),
    commands: {
      build: commandInput('build'),
      stop: commandInput('stop'),
      // A rollback never migrates, nor backs up before migrating: rollback/ has neither input.
      migrate: goingBack ? '' : commandInput('migrate'),
      start: commandInput('start'),
      restart: commandInput('restart'),
      status: commandInput('status'),
    },
    healthUrl: parseHealthUrl(input('health-url')),
    rollback: parseBoolean('rollback', input('rollback')),
    logsCommand: input('logs-command') ? commandInput('logs') : null,
    backupCommand: !goingBack && input('backup-command') ? commandInput('backup') : null,
    healthTimeout: parseSeconds('health-timeout', input('health-timeout')),
    lockTimeout: parseSeconds('lock-timeout', input('lock-timeout')),
    commandTimeout: parseSeconds('command-timeout', input('command-timeout')),
    dryRun: parseBoolean('dry-run', input('dry-run')),
    requester: requesterLine,
    records: parseRecords(inputs),
    goingBack,
    buildOutputs: parseBuildOutputs(inputs.text('build-outputs')),
  }
}

/** build-outputs: one path in the clone per line, plainly inside it; none: nothing is kept. */
function parseBuildOutputs(text: string): string[] {
  if (text.trim() === 'none') return []
  const paths = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
  for (const path of paths) {
    const parts = path.replace(/\/+$/, '').split('/')
    if (CONTROL.test(path) || path.startsWith('/') || path.startsWith('-') || parts.some((part) => part === '' || part === '.' || part === '..')) {
      throw new UserError(`build-outputs entry "${printable(path)}" is not a plain path inside the clone (e.g. target/debug/backend)`)
    }
  }
  const cleaned = paths.map((path) => path.replace(/\/+$/, ''))
  // A rollback moves each path back whole: two that overlap would be moved twice.
  for (const [i, path] of cleaned.entries()) {
    const other = cleaned.slice(0, i).find((earlier) => path === earlier || path.startsWith(`${earlier}/`) || earlier.startsWith(`${path}/`))
    if (other !== undefined) throw new UserError(`build-outputs lists ${printable(other)} and ${printable(path)}: list each path once, and none inside another`)
  }
  return cleaned
}

/** rollback-to: the sha of a deploy in the host's history, or null for the last one before the deployed commit (previous, or empty). */
function parseRollbackTo(to: string): string | null {
  if (!to || to === 'previous') return null
  if (!SHA_PATTERN.test(to)) {
    throw new UserError(`rollback-to must be the commit sha of a deploy in the host's history (command: status lists them) or "previous", not "${printable(to)}"`)
  }
  return to.toLowerCase()
}

const MAX_REASON = 500

/** A hold's reason: said by whoever holds the host, one line, kept on the host as text. */
function parseReason(reason: string): string {
  if (!reason) throw new UserError('reason is required for command hold: say why deploys must wait, e.g. "migrating the database by hand"')
  if (CONTROL.test(reason)) throw new UserError('reason must be one line of text: remove its line breaks and control characters')
  if (reason.length > MAX_REASON) throw new UserError(`reason is ${reason.length} characters long: keep it to ${MAX_REASON}`)
  return reason
}

function parseRecords({ input }: Inputs): RecordSettings | null {
  const environment = input('environment')
  if (!environment) return null
  checkEnvironment(environment)
  const url = input('environment-url')
  return {
    environment,
    // Kept as written (no trailing slash added): GitHub shows it as the environment's link.
    environmentUrl: url && parseUrl('environment-url', url, 'https://backend-next.catcolab.org') ? url : null,
    // Empty by default: then true for CatColab's production environment, named catcolab (backend.catcolab.org).
    production: parseBoolean('production-environment', input('production-environment') || String(environment === 'catcolab')),
    token: input('github-token'),
  }
}

/** GitHub's own limits on environment names. */
function checkEnvironment(environment: string): void {
  if (environment.length > 255 || CONTROL.test(environment)) {
    throw new UserError(`environment "${printable(environment)}" is not a GitHub environment name (at most 255 characters, no control characters)`)
  }
}

// The migrator crate (CatColab's migrations since mid 2025) is built and run with the backend.
const DEFAULT_BACKEND_PATHS = ['packages/backend/**', 'packages/automerge-doc-server/**', 'packages/migrator/**']

function parsePrReport({ input, text }: Inputs): PrReportSettings {
  const environment = input('environment')
  if (!environment) {
    throw new UserError("environment is required for command pr-report: name the environment the previews' backend is deployed to, e.g. catcolab-next")
  }
  checkEnvironment(environment)
  const migrationsPaths = parseMigrationsPaths(text('migrations-path'))
  const backendPaths = parsePathPatterns('backend-paths', text('backend-paths'), 'packages/backend/**')
  const number = input('pr-number')
  if (number && number !== 'all' && !/^[1-9]\d{0,9}$/.test(number)) {
    throw new UserError(`pr-number must be a pull request's number or "all", not "${printable(number)}"`)
  }
  const author = input('comment-author')
  if (author && !/^[A-Za-z0-9-]+(\[bot\])?$/.test(author)) {
    throw new UserError(`comment-author "${printable(author)}" is not a GitHub login (e.g. my-app[bot])`)
  }
  const token = input('github-token')
  if (!token) throw new UserError('github-token is empty: pr-report needs a token with pull-requests: write, deployments: read and contents: read')
  return {
    command: 'pr-report',
    environment,
    backendUrl: parseUrl('backend-url', input('backend-url'), 'https://backend-next.catcolab.org').href.replace(/\/$/, ''),
    // By default the migrations too, but not what their `!` entries remove (say **/mod.rs).
    backendPaths: backendPaths.length > 0 ? backendPaths : [...DEFAULT_BACKEND_PATHS, ...migrationsPaths.filter((path) => !path.startsWith('!'))],
    migrationsPaths,
    pullRequest: number === 'all' ? 'all' : number ? Number(number) : null,
    commentAuthor: author || null,
    token,
  }
}

function parseConnection({ input, text }: Inputs): ConnectionSettings {
  const given = input('host')
  if (!given) throw new UserError('host is required: set it to the SSH host name or address of the CatColab server')
  const host = hostAddress(given)
  if (host === null) throw new UserError(`host "${printable(given)}" is not a host name or IP address`)
  const port = parseInteger('port', input('port'), 1, 65535)
  const username = input('username')
  if (username === 'root') {
    throw new UserError('username "root" is refused: deploy as the catcolab user, as the documented upgrade process requires')
  }
  if (!/^[a-z_][a-z0-9_.-]*$/i.test(username)) {
    throw new UserError(`username "${printable(username)}" is not a valid user name`)
  }
  const passphrase = text('passphrase') || undefined
  const privateKey = parsePrivateKey(text('private-key'), passphrase)
  const knownHosts = text('known-hosts')
  if (!knownHosts.trim()) {
    throw new UserError(
      `known-hosts is empty: run "ssh-keyscan -p ${port} ${given}", check the fingerprint it shows against ` +
        '"ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" run on the host itself, and pass the line as known-hosts',
    )
  }
  const hostKeys = keysForHost(parseKnownHosts(knownHosts), host, port)
  return {
    host,
    port,
    username,
    connectTimeout: parseSeconds('connect-timeout', input('connect-timeout')),
    reconnectTimeout: parseSeconds('reconnect-timeout', input('reconnect-timeout')),
    privateKey,
    passphrase,
    hostKeys,
  }
}

const SUPPORTED_KEY_TYPES = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/

function parsePrivateKey(text: string, passphrase: string | undefined): string {
  // Secrets pasted into the GitHub UI sometimes lose their final newline or gain CRLF endings.
  const key = text.replace(/\r\n/g, '\n').trim() + '\n'
  if (!text.trim()) throw new UserError('private-key is required: pass the deploy key, e.g. ${{ secrets.DEPLOY_SSH_KEY }}')
  // An array for OpenSSH's format (one entry per key in the file), which @types/ssh2 leaves out.
  const parsed = parseKey(key, passphrase) as ParsedKey | ParsedKey[] | Error
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) {
      throw new UserError('private-key is encrypted: pass its passphrase as the passphrase input')
    }
    if (/bad passphrase|decrypt/i.test(parsed.message)) {
      throw new UserError('private-key could not be decrypted: the passphrase input is wrong')
    }
    throw new UserError(`private-key is not a usable private key (${parsed.message}): pass the whole OpenSSH private key text (ed25519, rsa or ecdsa)`)
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed
  if (!first?.isPrivateKey()) {
    throw new UserError('private-key holds a public key: pass the private key (the file without .pub)')
  }
  if (!SUPPORTED_KEY_TYPES.test(first.type)) {
    throw new UserError(`private-key is a ${first.type} key, which current OpenSSH servers refuse: make an ed25519 deploy key (ssh-keygen -t ed25519)`)
  }
  return key
}

/** The program a host command runs, for the preflight check: its first word after any VAR=value. */
export function commandWord(command: string): string {
  const words = command.trim().split(/\s+/)
  return words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? words[0]!
}

/** A control character: C0 (NUL to US, so also tab, CR and LF), DEL or C1 (U+0080 to U+009F). */
const CONTROL = /\p{Cc}/u

/** Hex commit sha, short or full. */
export const SHA_PATTERN = /^[0-9a-f]{7,40}$/i

/**
 * Accepts a branch, tag or commit sha. Names must follow git-check-ref-format(1) and, stricter
 * than git, use only letters, digits and . _ / + @ - : CatColab's branches and tags never need
 * more, and a ref that could mean anything to a shell is refused even though none ever sees it.
 */
export function parseRef(value: string): string {
  if (!value) throw new UserError('ref is required: set it to a branch, tag or commit sha')
  if (SHA_PATTERN.test(value)) return value.toLowerCase()
  const problem = refNameProblem(value)
  if (problem) throw new UserError(`ref "${printable(value)}" is not a valid git ref name (${problem}): pass a branch, tag or commit sha`)
  return value
}

function refNameProblem(name: string): string | null {
  if (name.startsWith('-')) return 'starts with "-"'
  if (name === '@') return 'is "@"'
  if (!/^[A-Za-z0-9._/+@-]+$/.test(name)) return 'use only letters, digits and . _ / + @ -'
  if (name.includes('..')) return 'contains ".."'
  if (name.includes('@{')) return 'contains "@{"'
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component'
  if (name.endsWith('.')) return 'ends with "."'
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'has a component starting with "."'
    if (part.endsWith('.lock')) return 'has a component ending with ".lock"'
  }
  return null
}

function parseExpectedSha(value: string): string | null {
  if (!value) return null
  if (!/^[0-9a-f]{40}$/i.test(value)) {
    throw new UserError(`expected-sha "${printable(value)}" is not a full 40-digit commit sha: pass the commit the ref must name, e.g. \${{ github.sha }}`)
  }
  return value.toLowerCase()
}

/** Branch names or globs (* and ?), one per line; `*` alone means any branch of the remote. */
function parseAllowedBranches(text: string): string[] {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  for (const pattern of patterns) {
    const plain = pattern.replace(/[*?]/g, 'x')
    if (pattern.startsWith('refs/') || refNameProblem(plain)) {
      throw new UserError(`allowed-branches "${printable(pattern)}" is not a branch name or pattern (one per line, e.g. main or release/*; * for any branch)`)
    }
  }
  return patterns
}

/**
 * A git remote's name (not a URL: a URL could select a transport that runs commands), without
 * "/": refs/remotes/origin/x/ must not be both origin's branch x/… and remote origin/x's.
 */
function parseRemote(value: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(value) || refNameProblem(value)) {
    throw new UserError(`remote "${printable(value)}" is not a git remote name: name a remote of the clone, e.g. origin`)
  }
  return value
}

function parseRepoPath(value: string): string {
  if (!value.startsWith('/')) throw new UserError(`repo-path "${printable(value)}" must be an absolute path, e.g. /var/lib/catcolab`)
  if (CONTROL.test(value)) throw new UserError('repo-path contains a control character: remove it')
  if (value.split('/').includes('..')) throw new UserError(`repo-path "${printable(value)}" must not contain ".."`)
  return value.replace(/\/+$/, '') || '/'
}

/** Paths or globs relative to the repository root, one per line (see path-patterns.ts). */
export function parseMigrationsPaths(text: string): string[] {
  const paths = parsePathPatterns('migrations-path', text, 'packages/backend/migrations')
  if (paths.length === 0) throw new UserError('migrations-path is empty: name at least one directory or glob, e.g. packages/backend/migrations')
  return paths
}

/**
 * One entry per non-empty line: a path (a file or directory) or a picomatch glob, relative to the
 * repository root; `!` before an entry removes what the entries before it matched.
 */
function parsePathPatterns(name: string, text: string, example: string): string[] {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
  let included = false
  return entries.map((entry) => {
    const exclude = entry.startsWith('!')
    const path = (exclude ? entry.slice(1) : entry).replace(/^\.\//, '').replace(/\/+$/, '')
    const bad = CONTROL.test(path)
      ? 'contains a control character'
      : path.startsWith('/')
        ? 'is absolute'
        : path.startsWith('-') || path.startsWith(':')
          ? 'starts with "-" or ":"'
          : path.startsWith('!')
            ? 'starts with "!!"'
            : path.includes('\\')
              ? 'contains "\\" (these globs have no escapes)'
              : path === '' || path.split('/').some((part) => part === '..' || part === '.' || part === '')
                ? 'is not a plain relative path'
                : parsePattern(path).glob
                  ? globProblem(path)
                  : null
    if (bad) {
      throw new UserError(`${name} "${printable(entry)}" ${bad}: use paths or globs relative to the repository root, one per line, e.g. ${example}`)
    }
    if (exclude && !included) {
      throw new UserError(`${name} "${printable(entry)}" excludes nothing: a "!" entry removes what the entries before it matched, so put it after them`)
    }
    if (!exclude) included = true
    return exclude ? `!${path}` : path
  })
}

function parseHealthUrl(value: string): string | null {
  return value ? parseUrl('health-url', value, 'http://localhost:8000/').href : null
}

function parseUrl(name: string, value: string, example: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UserError(`${name} "${printable(value)}" is not a URL, e.g. ${example}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`${name} "${printable(value)}" must be an http or https URL`)
  }
  return url
}

function parseSeconds(name: string, value: string): number {
  return parseInteger(name, value, 1, 7 * 24 * 3600)
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UserError(`${name} must be a whole number from ${min} to ${max}, not "${printable(value)}"`)
  }
  return Number(value)
}

function parseBoolean(name: string, value: string): boolean {
  if (/^true$/i.test(value)) return true
  if (/^false$/i.test(value)) return false
  throw new UserError(`${name} must be true or false, not "${printable(value)}"`)
}

function parseChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T
  throw new UserError(`${name} must be one of ${choices.join(', ')}, not "${printable(value)}"`)
}

/** Echoes a rejected value safely on one line, shortened: JSON's escapes, and text.ts's for what JSON leaves (U+2028, bidi controls). */
function printable(value: string): string {
  // JSON escapes C0 controls; text.ts's visible() the rest that hides or reorders text (DEL, C1, U+2028, bidi).
  const escaped = visible(JSON.stringify(value).slice(1, -1))
  return escaped.length > 60 ? `${escaped.slice(0, 57)}...` : escaped
}

function oneLine(value: string): string {
  return value.replace(/\p{Cc}+/gu, ' ').trim()
}
