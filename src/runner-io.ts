/**
 * What the action says to the Actions runner: workflow commands on stdout (::group::,
 * ::warning::, ::add-mask::, …) and file commands (GITHUB_OUTPUT, GITHUB_STATE,
 * GITHUB_STEP_SUMMARY), as GitHub documents them ("Workflow commands for GitHub Actions").
 * Written here rather than taken from @actions/core, whose entry module loads an HTTP client
 * (for OIDC tokens this action never asks for) and so cost every step about 90 ms to start.
 * Inputs and saved state are read by the caller from the environment (readRunner, inputs.ts).
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { EOL } from 'node:os'

/** Escapes a command's message: the runner decodes %25, %0D and %0A. */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
/** Escapes a command's property value: also : and , (they separate properties). */
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

function command(name: string, message: string, properties: Record<string, string> = {}): void {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',')
  process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`)
}

/**
 * Appends NAME<<DELIMITER, the value, DELIMITER to the file the runner named in `variable`: the
 * runner reads name and value from it when the step ends. The delimiter is random, so no value
 * can end its entry early.
 */
function fileCommand(variable: 'GITHUB_OUTPUT' | 'GITHUB_STATE', name: string, value: string): void {
  const file = process.env[variable]
  if (!file) {
    // A runner without file commands takes the older workflow commands (as @actions/core does):
    // the post step must still see isPost, or it would deploy again.
    command(variable === 'GITHUB_STATE' ? 'save-state' : 'set-output', value, { name })
    return
  }
  const delimiter = `ghadelimiter_${randomUUID()}`
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8')
}

export const runnerIO = {
  info: (line: string): void => void process.stdout.write(`${line}${EOL}`),
  startGroup: (title: string): void => command('group', title),
  endGroup: (): void => command('endgroup', ''),
  /** An annotation, about a repository file when file is given. */
  warning: (message: string, file?: string): void => command('warning', message, file ? { file } : {}),
  notice: (message: string): void => command('notice', message),
  /** Fails the step: an error annotation, and exit status 1 when the process ends. */
  fail: (message: string): void => {
    process.exitCode = 1
    command('error', message)
  },
  /** The runner masks every occurrence of the value in the log from here on. */
  mask: (secret: string): void => command('add-mask', secret),
  setOutput: (name: string, value: string): void => fileCommand('GITHUB_OUTPUT', name, value),
  /** For the post step, which reads it back as the environment variable STATE_<name>. */
  saveState: (name: string, value: string): void => fileCommand('GITHUB_STATE', name, value),
  /** Appends markdown to the job summary; nothing when the runner takes none. */
  appendSummary: (markdown: string): void => {
    const file = process.env['GITHUB_STEP_SUMMARY']
    if (file) appendFileSync(file, `${markdown}${EOL}`, 'utf8')
  },
}
