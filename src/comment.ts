/**
 * The pull request comment of the pr-report command: facts in, markdown out (pure).
 *
 * Everything a pull request's author controls (file names, branch names) and everything read
 * back from records (refs, status descriptions) goes into code spans, with control and
 * bidirectional characters shown as escapes: inside a code span GitHub renders no markdown and
 * no HTML, and links no @mentions or #references.
 */

/** Files listed by name before "and N more". */
export const LIST_LIMIT = 10
/** Longest name shown in full. */
const NAME_MAX = 300

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
  /** The changed files under the backend paths (renames: either path), as GitHub lists them. */
  backendFiles: string[]
  /** GitHub lists at most 3000 files of a pull request: the lists may be incomplete. */
  filesIncomplete: boolean
  /** Files the pull request adds under a migrations path. */
  addedMigrations: string[]
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
  | { status: 'identical' }
  | { status: 'ahead'; aheadBy: number }
  | { status: 'behind'; behindBy: number }
  | { status: 'diverged'; aheadBy: number; behindBy: number }

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

export function renderComment(facts: CommentFacts): string {
  const { deployed, environment } = facts
  const base = code(facts.pullRequest.baseRef)
  const backend = link(hostOf(facts.backendUrl), facts.backendUrl)
  const lines = [`${marker(environment)}head=${facts.pullRequest.headSha} -->`, '### Backend for this preview', '']

  if (deployed) {
    const commit = link(code(short(deployed.sha)), `${facts.repositoryUrl}/commit/${deployed.sha}`)
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

  const backendChanges = facts.backendFiles.length
  if (backendChanges === 0) {
    lines.push(`- **Backend changes:** none${facts.filesIncomplete ? ' among the first 3000 files GitHub lists' : ''}.`)
  } else {
    // The sentence before the list: after it, it would continue the last item.
    const files = `${count(backendChanges, 'file')}${facts.filesIncomplete ? ' (of the first 3000 files GitHub lists)' : ''}`
    lines.push(`- **Backend changes:** ${files}. ${previewLine(deployed, base)}`)
    lines.push(...list(facts.backendFiles))
  }
  if (backendChanges === 0 && deployed?.thisPullRequest === 'head') lines.push("- ✅ The backend runs this pull request's head.")
  if (backendChanges === 0 && deployed?.thisPullRequest === 'earlier') {
    lines.push(`- The backend runs an earlier commit of this pull request's branch, ${code(short(deployed.sha))}.`)
  }

  const migrations = facts.addedMigrations.length
  lines.push(
    migrations === 0
      ? '- **Migrations:** none added.'
      : `- **Migrations:** adds ${count(migrations, 'migration')}, applied to the backend's database when it is deployed:`,
  )
  if (migrations > 0) lines.push(...list(facts.addedMigrations))

  if (facts.later) lines.push('', laterLine(facts.later, environment))
  lines.push('', `<sub>Updated by catcolab-deploy for this pull request's head ${code(short(facts.pullRequest.headSha))}; edits to this comment are overwritten.</sub>`)
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
      `⚠️ The backend runs an earlier commit of this pull request's branch, ${code(short(deployed.sha))}: ` +
      'the preview includes its backend changes up to that commit, **not** the ones pushed since:'
    )
  }
  return `⚠️ The preview does **not** exercise these changes: the backend runs them only once they are merged into ${base} and deployed:`
}

function laterLine(later: LaterDeploy, environment: string): string {
  const run = later.runUrl ? `, ${link('run', later.runUrl)}` : ''
  const what = `of ${code(short(later.sha))} (${when(later.at)}${run})`
  if (later.state === 'failure' || later.state === 'error') {
    const description = later.description ? `: ${code(later.description)}` : ''
    return (
      `> [!NOTE]\n> A later deploy to ${code(environment)} ${what} ended in **${later.state}**${description}. ` +
      'The commit above is the last one deployed successfully; a failed deploy rolls back to it unless rollback is off, as its description then says.'
    )
  }
  return `> [!NOTE]\n> A deploy to ${code(environment)} ${what} has not finished (${code(later.state || 'no status')}); this comment is updated once a deploy succeeds.`
}

function list(items: string[]): string[] {
  const shown = items.slice(0, LIST_LIMIT).map((item) => `  - ${code(item)}`)
  if (items.length > LIST_LIMIT) shown.push(`  - and ${items.length - LIST_LIMIT} more`)
  return shown
}

/**
 * A code span holding text exactly, on one line: a fence longer than any run of backticks in it,
 * control, line-separating and bidirectional characters as \u{…} escapes, long text shortened.
 */
export function code(text: string): string {
  const clipped = text.length > NAME_MAX ? `${text.slice(0, NAME_MAX - 1)}…` : text
  // eslint-disable-next-line no-control-regex
  const visible = clipped.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
  const longest = Math.max(0, ...[...visible.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  // A space on each side keeps a backtick at either end from joining the fence; GitHub strips it.
  const pad = visible === '' || /^[` ]|[` ]$/.test(visible) ? ' ' : ''
  return `${fence}${pad}${visible}${pad}${fence}`
}

/** A link to a URL this action built or was configured with; plain text when it is not a plain http(s) URL. */
function link(text: string, url: string): string {
  return /^https?:\/\/[^\s()<>\[\]]+$/.test(url) ? `[${text}](${url})` : text
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url
}

function when(iso: string): string {
  const time = Date.parse(iso)
  return Number.isNaN(time) ? 'at an unknown time' : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

function short(sha: string): string {
  return sha.slice(0, 12)
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
