// How the Actions runner and git read the action's text, for tests: the workflow commands a job
// log holds, git's C-quoted paths read back, and names git accepts in a commit.
import fc from 'fast-check'

export interface WorkflowCommand {
  name: string
  properties: Record<string, string>
  data: string
  line: string
}

// The runner's unescaping of a command's data and of its properties.
const unescapeData = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const unescapeProperty = (text: string) => unescapeData(text.replace(/%3A/g, ':').replace(/%2C/g, ','))

/**
 * The workflow commands in a job log, as the runner (actions/runner, ActionCommand.cs) finds
 * them, only more eagerly: it splits lines at LF, CR LF and a bare CR; a line is a command when it
 * is `::name …::data` after leading whitespace, or holds `##[name …]` anywhere. The runner obeys
 * only names it knows; here any name counts.
 */
export function workflowCommands(log: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  for (const line of log.split(/\r\n|\r|\n/)) {
    const v2 = /^\s*::([^]*?)::([^]*)$/.exec(line)
    if (v2) {
      const [name, ...rest] = v2[1]!.split(' ')
      const properties: Record<string, string> = {}
      for (const pair of rest.join(' ').trim().split(',').filter(Boolean)) {
        const at = pair.indexOf('=')
        if (at > 0) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1))
      }
      commands.push({ name: name!, properties, data: unescapeData(v2[2]!), line })
      continue
    }
    const legacy = /##\[([^\] ]*)[^\]]*\]([^]*)$/.exec(line)
    if (legacy) commands.push({ name: legacy[1]!, properties: {}, data: legacy[2]!, line })
  }
  return commands
}

const NAMED: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 }

/** A path as git writes it without -z (C-quoted when it must be), read back. */
export function unquotePath(text: string): string {
  if (!text.startsWith('"')) return text
  if (text.length < 2 || !text.endsWith('"')) throw new Error(`unterminated quoted path: ${text}`)
  const bytes: number[] = []
  const inner = text.slice(1, -1)
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!
    if (c === '"') throw new Error(`unescaped quote in ${text}`)
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'))
      continue
    }
    const next = inner[++i]!
    if (next in NAMED) {
      bytes.push(NAMED[next]!)
    } else if (/^[0-3][0-7]{2}$/.test(inner.slice(i, i + 3))) {
      bytes.push(parseInt(inner.slice(i, i + 3), 8))
      i += 2
    } else {
      throw new Error(`bad escape in ${text}`)
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** Pieces that attack the job log, the job summary or a one-path-per-line output. */
const attack = fc.constantFrom(
  '::',
  '::error title=x::forged',
  '::stop-commands::t0k',
  '::add-mask::x',
  '::warning::w',
  '::notice::n',
  '%0A::error::e',
  '##[warning]w',
  '##[add-mask]x',
  '`',
  '``',
  '[x](u)',
  '![i](u)',
  '<b>',
  '<img src=x>',
  '</code>',
  '<',
  '>',
  '"',
  '\\',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\n  ::error::e',
  '-',
  '--',
  ' ',
  '|',
  '*',
  '_',
  '@octocat',
  'www.evil.example',
  '%25',
  'é',
  '🙂',
  '\u202e',
  '\u2028',
  '\x1b[31m',
  '\x7f',
  '\x01',
  '\x85',
)

/** One path component git accepts in a commit and on checkout: not empty, `.` or `..`, nothing like `.git`. */
export const component = fc
  .array(fc.oneof(attack, fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join('').replace(/[/\0]/g, ''))
  .filter((name) => name !== '' && name !== '.' && name !== '..' && !/\.git|git~/i.test(name) && Buffer.byteLength(name) <= 200)

/** A relative path of one or two components. */
export const relativePath = fc.array(component, { minLength: 1, maxLength: 2 }).map((parts) => parts.join('/'))
