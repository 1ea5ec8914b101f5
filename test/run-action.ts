// Runs the bundled action the way the Actions runner does: an action.yml's runs.main as a fresh
// Node process, with INPUT_* variables (that action.yml's defaults applied) and GITHUB_OUTPUT /
// GITHUB_STEP_SUMMARY / GITHUB_STATE files; runPost runs runs.post, with the state the step saved.
// The action is the top-level action.yml unless `action` names a command's own (deploy/action.yml, ...).
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import type { Command } from '../src/inputs'
import type { TestHost } from './fixture/host'
import { onInterrupt } from './fixture/interrupt'

const ROOT = join(__dirname, '..')

export interface ActionFile {
  inputs: Record<string, { default?: string; required?: boolean }>
  outputs: Record<string, unknown>
  runs: { main: string; post?: string }
}

/** action.yml, or a command's own action.yml; its entries resolved as the runner resolves them, from its directory. */
export function actionFile(command?: Command): ActionFile & { dir: string } {
  const dir = command ? join(ROOT, command) : ROOT
  const action = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionFile
  return { ...action, outputs: action.outputs ?? {}, dir }
}

const top = actionFile()

export interface ActionRun {
  code: number | null
  /** The job log: everything the action printed. */
  log: string
  outputs: Record<string, string>
  summary: string
  /** What the step saved for its post step (core.saveState). */
  state: Record<string, string>
  /** When the process was started and when it had ended, its output closed (epoch ms). */
  started: number
  ended: number
}

/** Starts this Node binary (the runner's node24 here) with args, as every step is started. */
export function spawnNode(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
}

/**
 * Every input as the runner would set it: the given value, else the action's default. The runner
 * also passes an input the action does not declare (with a warning); a test doing so is a mistake,
 * but for `undeclared`, the inputs a test passes on purpose.
 */
export function runnerEnv(
  inputs: Record<string, string>,
  github: Record<string, string> = {},
  action: ActionFile = top,
  undeclared: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    const fallback = (spec.default ?? '').replace('${{ github.sha }}', github['GITHUB_SHA'] ?? '').replace('${{ github.token }}', github['GITHUB_TOKEN'] ?? '')
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? fallback
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in action.inputs)) throw new Error(`the action has no input ${name}`)
  }
  for (const [name, value] of Object.entries(undeclared)) env[`INPUT_${name.toUpperCase()}`] = value
  return env
}

export async function runAction(
  inputs: Record<string, string>,
  options: {
    github?: Record<string, string>
    onLog?: (text: string) => void
    /** Sends signal once the log matches pattern (a function is also asked every 50 ms, between lines). */
    signalAfter?: { pattern: RegExp | ((log: string) => boolean); signal: NodeJS.Signals }
    /** Run as the post step, with this saved state. */
    postState?: Record<string, string>
    /** A command's own action (deploy/action.yml, ...) instead of action.yml. */
    action?: Command
    /** Inputs the action does not declare, passed anyway, as the runner does. */
    undeclared?: Record<string, string>
  } = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  const stateFile = join(dir, 'state')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  writeFileSync(stateFile, '')
  const github = {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'ToposInstitute/CatColab',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SHA: '',
    ...options.github,
  }
  const action = options.action ? actionFile(options.action) : top
  const step = options.postState ? action.runs.post : action.runs.main
  if (!step) throw new Error(`${join(action.dir, 'action.yml')} has no runs.post: the runner runs no post step`)
  const entry = join(action.dir, step)
  const env = {
    PATH: process.env['PATH'] ?? '',
    ...github,
    ...runnerEnv(inputs, github, action, options.undeclared),
    ...Object.fromEntries(Object.entries(options.postState ?? {}).map(([name, value]) => [`STATE_${name}`, value])),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    RUNNER_TEMP: dir,
  }
  const started = Date.now()
  const child = spawnNode([entry], env)
  let log = ''
  const signalIfDue = () => {
    const due = options.signalAfter
    if (due && (typeof due.pattern === 'function' ? due.pattern(log) : due.pattern.test(log))) {
      child.kill(due.signal)
      options.signalAfter = undefined
    }
  }
  const poll = typeof options.signalAfter?.pattern === 'function' ? setInterval(signalIfDue, 50) : undefined
  const collect = (chunk: Buffer) => {
    log += chunk.toString('utf8')
    options.onLog?.(log)
    signalIfDue()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
  const unregister = onInterrupt(async () => {
    child.kill('SIGKILL')
    await closed
    rmSync(dir, { recursive: true, force: true })
  })
  const code = await closed
  const ended = Date.now()
  clearInterval(poll)
  unregister()
  const outputs = parseOutputs(readFileSync(outputFile, 'utf8'))
  const result = {
    code,
    log,
    outputs,
    summary: readFileSync(summaryFile, 'utf8'),
    state: parseOutputs(readFileSync(stateFile, 'utf8')),
    started,
    ended,
  }
  rmSync(dir, { recursive: true, force: true })
  // The runner passes on outputs an action does not declare; here that is the action's mistake.
  const undeclaredOutputs = Object.keys(outputs).filter((name) => !(name in action.outputs))
  if (undeclaredOutputs.length > 0) throw new Error(`${join(action.dir, 'action.yml')} does not declare the outputs it set: ${undeclaredOutputs.join(', ')}`)
  return result
}

/** The post step: the runner runs runs.post with the state the step saved. */
export function runPost(inputs: Record<string, string>, state: Record<string, string>, github?: Record<string, string>): Promise<ActionRun> {
  return runAction(inputs, { github, postState: state })
}

/** GITHUB_OUTPUT's (and GITHUB_STATE's) format: name<<DELIMITER, value lines, DELIMITER; a later value wins. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const pattern = /^(.+?)<<(.+)\n([\s\S]*?)\n?\2$/gm
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!
  return outputs
}

/** The inputs that point the action at a test host. */
export function hostInputs(host: TestHost): Record<string, string> {
  return {
    host: host.host,
    port: String(host.sshPort),
    username: host.user,
    'private-key': host.privateKey,
    'known-hosts': host.knownHostsLine,
    'repo-path': host.repoPath,
  }
}

/** known-hosts for the host reached through a loopback proxy on port: sshd's line, under the proxy's port. */
export function proxyKnownHosts(h: TestHost, port: number): string {
  return h.knownHostsLine.replace(`:${h.sshPort} `, `:${port} `)
}

/** The action's state on a test host: catcolab-deploy in the clone's git directory. */
export async function stateDir(h: TestHost): Promise<string> {
  return join(await h.gitOnHost(['rev-parse', '--absolute-git-dir']), 'catcolab-deploy')
}

/** Asks condition every 50 ms until it holds; fails after tries. */
export async function waitFor(condition: () => boolean | Promise<boolean>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('condition never became true')
}

/** The phases the host itself recorded for its newest run, from the markers in its run log. */
export async function hostPhases(h: TestHost): Promise<string[]> {
  const runs = join(await stateDir(h), 'runs')
  const newest = readdirSync(runs).sort().at(-1)!
  const log = readFileSync(join(runs, newest, 'log'), 'utf8')
  return [...log.matchAll(/^@@\S+ phase (\S+) begin /gm)].map((m) => m[1]!)
}

/** The ::error:: line the action ended with, decoded. */
export function errorLine(log: string): string {
  const line = log.split('\n').find((l) => l.startsWith('::error::'))
  return (line ?? '').slice('::error::'.length).replace(/%0A/g, '\n').replace(/%25/g, '%')
}
