/**
 * The pull request comment of the pr-report command: facts in, markdown out (pure).
 *
 * Everything a pull request's author controls (file names, branch names) and everything read
 * back from records (refs, status descriptions) goes into code spans, with control and
 * bidirectional characters shown as escapes: inside a code span GitHub renders no markdown and
 * no HTML, and links no @mentions or #references.
 *
 * The comment also keeps what the pull request's files said (FileFacts) in a hidden last line, so
 * a later run for the same head can write it again without reading the files. Anyone who can edit
 * the comment can edit that line: keptFiles reads it back strictly, and what it holds only ever
 * reaches the comment as it did the first time, in code spans and as counts.
 */
import { codeSpan, shortSha } from './text'

/** Files listed by name before "and N more". */
export const LIST_LIMIT = 10
/** GitHub lists at most this many files of a pull request. */
export const FILES_LIMIT = 3000
/** Longest name shown in full. */
const NAME_MAX = 300
/** GitHub refuses a comment body longer than this (422). */
const BODY_MAX = 65_536

export interface CommentFacts {
  /** The GitHub environment, e.g. catcolab-next. */
  environment: string
  /** The backend the preview talks to, e.g. https://backend-next.catcolab.org. */
  backendUrl: string
  /** e.g. https://github.com/ToposInstitute/CatColab */
  repositoryUrl: string
  pullRequest: { headSha: string; baseRef: string }
  /** What the environment runs by our records; null when no deploy there ever succeeded. */
  deployed: DeployedFacts | null
  /** Our newest record when it is newer than the deployed one and did not succeed. */
  later: LaterDeploy | null
  files: FileFacts
  /** What else the file facts depend on (the path settings that sorted them), kept with them. */
  filesKey: string
}

/** What a pull request's files say, as much as the comment shows. */
export interface FileFacts {
  /** The first LIST_LIMIT changed files under the backend paths (renames: either path), as GitHub lists them, clipped as shown. */
  backendFiles: string[]
  /** How many there are in all. */
  backendFileCount: number
  /** The first LIST_LIMIT files the pull request adds under a migrations path, clipped as shown. */
  addedMigrations: string[]
  addedMigrationCount: number
  /** GitHub lists at most FILES_LIMIT files of a pull request: the counts may be short. */
  incomplete: boolean
}

export interface DeployedFacts {
  sha: string
  /** ISO time of the success status. */
  at: string
  /** The deploying run; '' when unknown. */
  runUrl: string
  /** base...deployed; null when GitHub could not compare them. */
  base: BaseComparison | null
  /** Whether the environment runs this pull request: its head, an earlier commit of its branch, or neither. */
  thisPullRequest: 'head' | 'earlier' | null
}

export type BaseComparison =
  { status: 'identical' } | { status: 'ahead'; aheadBy: number } | { status: 'behind'; behindBy: number } | { status: 'diverged'; aheadBy: number; behindBy: number }

export interface LaterDeploy {
  sha: string
  /** The latest status's state; '' when it has none yet. */
  state: string
  description: string
  at: string
  runUrl: string
}

const MARKER_PREFIX = '<!-- catcolab-deploy pr-report'

/** The hidden first line that finds the comment again (with its author), one comment per environment. */
export function marker(environment: string): string {
  return `${MARKER_PREFIX} environment=${encodeURIComponent(environment)} `
}

/** The head a comment was written for, from its marker; null when it has none. */
export function reportedHead(body: string): string | null {
  return /^<!-- catcolab-deploy pr-report [^\n]*? head=([0-9a-f]{40}) -->/.exec(body)?.[1] ?? null
}

/** Adds a file to FileFacts: counted, and listed (clipped as shown) while the list is short. */
export function addFile(list: string[], name: string): void {
  if (list.length < LIST_LIMIT) list.push(clip(name))
}

const DATA_PREFIX = '<!-- catcolab-deploy files='

/** The hidden last line: the file facts as base64 JSON, with the head, base and key they hold for. */
function dataLine(facts: Pick<CommentFacts, 'pullRequest' | 'filesKey' | 'files'>): string {
  const { backendFiles, backendFileCount, addedMigrations, addedMigrationCount, incomplete } = facts.files
  const data = {
    v: 1,
    head: facts.pullRequest.headSha,
    base: facts.pullRequest.baseRef,
    key: facts.filesKey,
    backendFiles,
    backendFileCount,
    addedMigrations,
    addedMigrationCount,
    incomplete,
  }
  return `${DATA_PREFIX}${Buffer.from(JSON.stringify(data), 'utf8').toString('base64')} -->`
}

/**
 * The file facts a comment keeps, when they hold for this head, base and key; null when the
 * comment has none or they are not exactly what renderComment writes (someone edited them).
 */
export function keptFiles(body: string, expected: { headSha: string; baseRef: string; filesKey: string }): FileFacts | null {
  const encoded = new RegExp(`\n${DATA_PREFIX}([A-Za-z0-9+/]+={0,2}) -->\n$`).exec(body)?.[1]
  if (!encoded) return null
  let data: unknown
  try {
    data = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))
  } catch {
    return null
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null
  const d = data as Record<string, unknown>
  const keys = ['v', 'head', 'base', 'key', 'backendFiles', 'backendFileCount', 'addedMigrations', 'addedMigrationCount', 'incomplete']
  if (Object.keys(d).length !== keys.length || !keys.every((key) => Object.hasOwn(d, key))) return null
  if (d['v'] !== 1 || d['head'] !== expected.headSha || d['base'] !== expected.baseRef || d['key'] !== expected.filesKey || typeof d['incomplete'] !== 'boolean')
    return null
  const backendFiles = namesOf(d['backendFiles'], d['backendFileCount'])
  const addedMigrations = namesOf(d['addedMigrations'], d['addedMigrationCount'])
  if (!backendFiles || !addedMigrations) return null
  const files = {
    backendFiles,
    backendFileCount: d['backendFileCount'] as number,
    addedMigrations,
    addedMigrationCount: d['addedMigrationCount'] as number,
    incomplete: d['incomplete'],
  }
  // Exactly as renderComment writes it, byte for byte.
  const written = dataLine({ pullRequest: { headSha: expected.headSha, baseRef: expected.baseRef }, filesKey: expected.filesKey, files })
  return written === `${DATA_PREFIX}${encoded} -->` ? files : null
}

/** A kept list of names, when it is one addFile could have made for that count. */
function namesOf(names: unknown, count: unknown): string[] | null {
  if (!Number.isSafeInteger(count) || (count as number) < 0 || (count as number) > FILES_LIMIT) return null
  if (!Array.isArray(names) || names.length !== Math.min(count as number, LIST_LIMIT)) return null
  if (!names.every((name) => typeof name === 'string' && clip(name) === name)) return null
  return [...(names as string[])]
}

export function renderComment(facts: CommentFacts): string {
  const body = renderVisible(facts)
  // Without the facts (only a comment near GitHub's limit), the next run reads the files again.
  const withData = `${body}\n${dataLine(facts)}\n`
  return withData.length <= BODY_MAX ? withData : body
}

function renderVisible(facts: CommentFacts): string {
  const { deployed, environment } = facts
  const base = code(facts.pullRequest.baseRef)
  const backend = link(hostOf(facts.backendUrl), facts.backendUrl)
  const lines = [`${marker(environment)}head=${facts.pullRequest.headSha} -->`, '### Backend for this preview', '']

  if (deployed) {
    const commit = link(code(shortSha(deployed.sha)), `${facts.repositoryUrl}/commit/${deployed.sha}`)
    const run = deployed.runUrl ? ` (${link('deploy run', deployed.runUrl)})` : ''
    lines.push(`The preview talks to **${backend}** (environment ${code(environment)}), which runs ${commit}, deployed ${when(deployed.at)}${run}.`)
  } else {
    lines.push(
      `The preview talks to **${backend}** (environment ${code(environment)}). No deploy to ${code(environment)} by catcolab-deploy has succeeded yet, ` +
        'so which commit it runs is unknown.',
    )
  }
  lines.push('')

  if (deployed) lines.push(`- **Base ${base}:** ${baseLine(deployed.base, base)}`)

  const { files } = facts
  const backendChanges = files.backendFileCount
  if (backendChanges === 0) {
    lines.push(`- **Backend changes:** none${files.incomplete ? ` among the first ${FILES_LIMIT} files GitHub lists` : ''}.`)
  } else {
    // The sentence before the list: after it, it would continue the last item.
    const counted = `${count(backendChanges, 'file')}${files.incomplete ? ` (of the first ${FILES_LIMIT} files GitHub lists)` : ''}`
    lines.push(`- **Backend changes:** ${counted}. ${previewLine(deployed, base)}`)
    lines.push(...list(files.backendFiles, backendChanges))
  }
  if (backendChanges === 0 && deployed?.thisPullRequest === 'head') lines.push("- ✅ The backend runs this pull request's head.")
  if (backendChanges === 0 && deployed?.thisPullRequest === 'earlier') {
    lines.push(`- The backend runs an earlier commit of this pull request's branch, ${code(shortSha(deployed.sha))}.`)
  }

  const migrations = files.addedMigrationCount
  lines.push(
    migrations === 0
      ? '- **Migrations:** none added.'
      : `- **Migrations:** adds ${count(migrations, 'migration')}, applied to the backend's database when it is deployed:`,
  )
  if (migrations > 0) lines.push(...list(files.addedMigrations, migrations))

  if (facts.later) lines.push('', laterLine(facts.later, environment))
  lines.push(
    '',
    `<sub>Updated by catcolab-deploy for this pull request's head ${code(shortSha(facts.pullRequest.headSha))}; edits to this comment are overwritten.</sub>`,
  )
  return lines.join('\n') + '\n'
}

function baseLine(comparison: BaseComparison | null, base: string): string {
  if (!comparison) return `could not compare the deployed commit with ${base} (GitHub could not find a common history).`
  switch (comparison.status) {
    case 'identical':
      return `✅ up to date: the deployed commit is ${base}'s head.`
    case 'ahead':
      return `✅ up to date: the deployed commit contains ${base}, plus ${count(comparison.aheadBy, 'commit')} not on ${base}.`
    case 'behind':
      return `⚠️ ${count(comparison.behindBy, 'commit')} behind: the backend lacks what was merged into ${base} since it was deployed.`
    case 'diverged':
      return (
        `⚠️ diverged: the deployed commit is not on ${base}; it lacks ${count(comparison.behindBy, 'commit')} of ${base} ` +
        `and has ${count(comparison.aheadBy, 'commit')} that ${base} does not.`
      )
  }
}

function previewLine(deployed: DeployedFacts | null, base: string): string {
  if (deployed?.thisPullRequest === 'head') return "✅ The backend runs this pull request's head, so the preview **includes** these changes:"
  if (deployed?.thisPullRequest === 'earlier') {
    return (
      `⚠️ The backend runs an earlier commit of this pull request's branch, ${code(shortSha(deployed.sha))}: ` +
      'the preview includes its backend changes up to that commit, **not** the ones pushed since:'
    )
  }
  return `⚠️ The preview does **not** exercise these changes: the backend runs them only once they are merged into ${base} and deployed:`
}

function laterLine(later: LaterDeploy, environment: string): string {
  const run = later.runUrl ? `, ${link('run', later.runUrl)}` : ''
  const what = `of ${code(shortSha(later.sha))} (${when(later.at)}${run})`
  if (later.state === 'failure' || later.state === 'error') {
    const description = later.description ? `: ${code(later.description)}` : ''
    return (
      `> [!NOTE]\n> A later deploy to ${code(environment)} ${what} ended in **${later.state}**${description}. ` +
      'The commit above is the last one deployed successfully; a failed deploy rolls back to it unless rollback is off, as its description then says.'
    )
  }
  return `> [!NOTE]\n> A deploy to ${code(environment)} ${what} has not finished (${code(later.state || 'no status')}); this comment is updated once a deploy succeeds.`
}

/** The first LIST_LIMIT of `total` items, then how many more. */
function list(items: string[], total: number): string[] {
  const shown = items.slice(0, LIST_LIMIT).map((item) => `  - ${code(item)}`)
  if (total > shown.length) shown.push(`  - and ${total - shown.length} more`)
  return shown
}

/** Long text shortened to NAME_MAX characters, never between the two halves of a surrogate pair. */
function clip(text: string): string {
  if (text.length <= NAME_MAX) return text
  const end = /[\ud800-\udbff]/.test(text[NAME_MAX - 2]!) ? NAME_MAX - 2 : NAME_MAX - 1
  return `${text.slice(0, end)}…`
}

/**
 * A code span holding text exactly, on one line: a fence longer than any run of backticks in it,
 * control, line-separating and bidirectional characters as escapes (text.ts codeSpan: \x0a, \u{202e}), long text shortened.
 */
export function code(text: string): string {
  return codeSpan(clip(text))
}

/** A link to a URL this action built or was configured with; plain text when it is not a plain http(s) URL. */
function link(text: string, url: string): string {
  return /^https?:\/\/[^\s()<>[\]]+$/.test(url) ? `[${text}](${url})` : text
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url
}

function when(iso: string): string {
  const time = Date.parse(iso)
  return Number.isNaN(time) ? 'at an unknown time' : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
