/**
 * The job summary of a deploy, as markdown: pure, so its text is tested directly.
 * Everything that comes from git or the host is shown as text: names (C-quoted paths, refs) in
 * markdown code spans, other text escaped, command output HTML-escaped in <pre>.
 */
import type { Plan, Warning } from './plan'
import { formatDuration, type PhaseTiming } from './run-log'
import { codeSpan, quotePath, shortSha } from './text'

export interface DeployReport {
  /** A rollback is a deploy of an earlier commit: only its title differs. */
  kind: 'deploy' | 'rollback'
  host: string
  ref: string
  plan: Plan
  /** 'dry-run' when nothing was executed. */
  outcome: 'success' | 'failed' | 'dry-run'
  /** The host's own last word on the run. */
  message: string
  /** The commit the host runs now. */
  running: string
  phases: PhaseTiming[]
  /** Host clock, ms: from stop/restart until the services are back; null if they were never touched. */
  downtime: { begin: number; end: number | null } | null
  statusOutput: string
  /** Output of logs-command after a failure, or null. */
  logs: string | null
  /** Links a commit, e.g. https://github.com/ToposInstitute/CatColab/commit/<sha>; '': no link (the repository is unknown). */
  commitUrl: (sha: string) => string
}

export function deploySummary(report: DeployReport): string {
  const { plan } = report
  const back = report.kind === 'rollback'
  const title =
    report.outcome === 'success'
      ? back
        ? `✅ Rolled back ${report.host} to ${shortSha(report.ref)}`
        : `✅ Deployed ${report.ref} to ${report.host}`
      : report.outcome === 'dry-run'
        ? `🔍 Dry run: ${back ? `rolling back ${report.host} to ${shortSha(report.ref)}` : `deploying ${report.ref} to ${report.host}`} would…`
        : back
          ? `❌ Rollback of ${report.host} to ${shortSha(report.ref)} failed`
          : `❌ Deploy of ${report.ref} to ${report.host} failed`
  const lines = [`## ${escape(title)}`, '']
  if (report.outcome === 'failed') lines.push(`**${escape(report.message)}**`, '')

  const rows: [string, string][] = [
    ['Target', `${codeSpan(report.ref, { table: true })} → ${commit(plan.target, report)}`],
    ['Previous', commit(plan.previous, report)],
    ['Now running', report.outcome === 'dry-run' ? `${commit(report.running, report)} (unchanged)` : commit(report.running, report)],
    ['Base', `${commit(plan.base, report)} (${plan.baseSource === 'deployed' ? 'last deploy recorded on the host' : 'HEAD: no deploy recorded yet'})`],
    ['Migrations', `${plan.migrate ? 'migrate' : 'no migration'}: ${escape(plan.reason)}`],
  ]
  if (report.downtime) {
    const { begin, end } = report.downtime
    // After a stop or a failed restart, the services may be down while the previous commit builds.
    const rollbackRebuild =
      report.phases.some((p) => p.name === 'rollback-build') && report.phases.some((p) => p.name === 'stop' || (p.name === 'restart' && p.code !== 0))
    const took = end === null ? 'services not confirmed back (see below)' : formatDuration(end - begin)
    rows.push(['Downtime', rollbackRebuild ? `${took}, including the rebuild of the previous commit` : took])
  }
  const backup = report.phases.find((phase) => phase.name === 'backup')
  if (backup) {
    const name = backupName(report.phases)
    const made = name ? codeSpan(name, { table: true }) : 'made (backup-command printed no name)'
    rows.push(['Backup', backup.code === 0 ? made : `${backup.code === null ? 'did not finish' : `failed (exit ${backup.code})`}: nothing was stopped`])
  }
  lines.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '')

  if (plan.newMigrations.length > 0) {
    lines.push('New migration files:', '', ...plan.newMigrations.map((path) => `- ${codeSpan(quotePath(path))}`), '')
  }
  if (report.phases.length > 0) {
    lines.push('| Phase | Result | Duration |', '|---|---|---|')
    for (const phase of report.phases) {
      const result = phase.code === null ? 'did not finish' : phase.code === 0 ? 'ok' : `failed (exit ${phase.code})`
      const took = phase.end === null ? '' : formatDuration(phase.end - phase.begin)
      lines.push(`| ${escape(phase.name)} | ${result} | ${took} |`)
    }
    lines.push('')
  }
  if (plan.warnings.length > 0) {
    lines.push('Warnings:', '', ...plan.warnings.map((w) => `- ⚠️ ${warningText(w)}`), '')
  }
  if (report.logs?.trim()) {
    lines.push('<details open><summary>Service logs</summary>', '', '<pre>', escapeHtml(report.logs.trimEnd()), '</pre>', '</details>', '')
  }
  if (report.statusOutput.trim()) {
    lines.push('<details><summary>Status</summary>', '', '<pre>', escapeHtml(report.statusOutput.trimEnd()), '</pre>', '</details>', '')
  }
  return lines.join('\n')
}

/** The backup a deploy made before migrating: backup-command's last output line; null when it printed none, failed or did not run. */
export function backupName(phases: PhaseTiming[]): string | null {
  const backup = phases.find((phase) => phase.name === 'backup')
  if (backup?.code !== 0) return null
  return backup.output.findLast((line) => line.trim() !== '')?.trim() ?? null
}

function commit(sha: string, report: DeployReport): string {
  return sha ? commitLink(sha, report.commitUrl) : '(none)'
}

/** A commit's short sha in a table cell, linked when commitUrl gives a link. */
function commitLink(sha: string, commitUrl: (sha: string) => string): string {
  const short = codeSpan(shortSha(sha), { table: true })
  const url = commitUrl(sha)
  return url ? `[${short}](${url})` : short
}

/** A warning's text, with the (C-quoted) path of the file it is about as a code span. */
function warningText(warning: Warning): string {
  const path = warning.file === undefined ? '' : quotePath(warning.file)
  const at = path ? warning.message.indexOf(path) : -1
  if (at === -1) return escape(warning.message)
  return `${escape(warning.message.slice(0, at))}${codeSpan(path)}${escape(warning.message.slice(at + path.length))}`
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Plain text in markdown: no markup, links, mentions or table breaks. */
export function escape(text: string): string {
  return escapeHtml(text)
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/@/g, '@\u200b')
    .replace(/\n/g, ' ')
}

/** The summary of a deploy skipped because its target is older than what runs. */
export function skipSummary(skip: { host: string; ref: string; target: string; deployed: string; reason: string; commitUrl: (sha: string) => string }): string {
  const link = (sha: string) => commitLink(sha, skip.commitUrl)
  return [
    `## ${escape(`⏭️ Skipped ${skip.ref} on ${skip.host}: nothing was changed`)}`,
    '',
    escape(skip.reason),
    '',
    '| | |',
    '|---|---|',
    `| Target | ${codeSpan(skip.ref, { table: true })} → ${link(skip.target)} |`,
    `| Last deployed | ${link(skip.deployed)} (unchanged) |`,
    '',
  ].join('\n')
}
