import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import type { Plan } from '../src/plan'
import { deploySummary, type DeployReport } from '../src/summary'
import { quotePath } from '../src/text'

const plan: Plan = {
  previous: '1'.repeat(40),
  target: '2'.repeat(40),
  base: '1'.repeat(40),
  baseSource: 'deployed',
  newMigrations: ['m/03_<b>x</b>|y.sql'],
  deletedMigrations: [],
  modifiedMigrations: [],
  migrate: true,
  reason: '1 new migration file since 111111111111: stop, migrate, start',
  warnings: [{ message: 'look at @octocat [here](http://x)' }],
  overrides: [],
}

const report: DeployReport = {
  kind: 'deploy',
  host: 'backend-next.catcolab.org',
  ref: 'main',
  plan,
  outcome: 'success',
  message: 'deployed',
  running: '2'.repeat(40),
  phases: [
    { name: 'build', begin: 0, end: 65_000, code: 0, output: [] },
    { name: 'stop', begin: 65_000, end: 66_000, code: 0, output: [] },
    { name: 'migrate', begin: 66_000, end: 66_500, code: 1, output: [] },
  ],
  downtime: { begin: 65_000, end: 68_000 },
  statusOutput: '● backend.service <active>',
  logs: null,
  commitUrl: (sha) => `https://github.com/ToposInstitute/CatColab/commit/${sha}`,
}

describe('deploySummary', () => {
  it('states target, previous, decision, phases, downtime, status and warnings', () => {
    const md = deploySummary(report)
    expect(md).toContain('## ✅ Deployed main to backend-next.catcolab.org')
    expect(md).toContain(`| Target | \`main\` → [\`222222222222\`](https://github.com/ToposInstitute/CatColab/commit/${'2'.repeat(40)}) |`)
    expect(md).toContain('| Previous | [`111111111111`]')
    expect(md).toContain('| Migrations | migrate: 1 new migration file since 111111111111: stop, migrate, start |')
    expect(md).toContain('| Downtime | 3.0 s |')
    expect(md).toContain('| build | ok | 65 s |')
    expect(md).toContain('| migrate | failed (exit 1) | 0.5 s |')
    expect(md).toContain('- `m/03_<b>x</b>|y.sql`')
    expect(md).toContain('<pre>\n● backend.service &lt;active&gt;\n</pre>')
  })

  it("names the backup made before migrating (backup-command's last line, as text), or says it failed and nothing was stopped", () => {
    const backup = { name: 'backup', begin: 65_000, end: 65_500, code: 0, output: ['dumping', '/var/backups/catcolab-`20261202`.dump', ''] }
    const md = deploySummary({ ...report, phases: [report.phases[0]!, backup, ...report.phases.slice(1)] })
    expect(md).toContain('| Backup | ``/var/backups/catcolab-`20261202`.dump`` |')
    expect(md).toContain('| backup | ok | 0.5 s |')
    const silent = deploySummary({ ...report, phases: [{ ...backup, output: [] }] })
    expect(silent).toContain('| Backup | made (backup-command printed no name) |')
    const failed = deploySummary({ ...report, outcome: 'failed', phases: [{ ...backup, code: 1, output: ['pg_dump: error'] }] })
    expect(failed).toContain('| Backup | failed (exit 1): nothing was stopped |')
    expect(deploySummary(report)).not.toContain('| Backup |')
  })

  it('titles a rollback as one', () => {
    const sha = '2'.repeat(40)
    expect(deploySummary({ ...report, kind: 'rollback', ref: sha })).toContain('## ✅ Rolled back backend-next.catcolab.org to 222222222222')
    expect(deploySummary({ ...report, kind: 'rollback', ref: sha, outcome: 'failed' })).toContain('## ❌ Rollback of backend-next.catcolab.org to 222222222222 failed')
  })

  it('shows commits without links when the repository is unknown (outside GitHub Actions)', () => {
    const md = deploySummary({ ...report, commitUrl: () => '' })
    expect(md).toContain('| Target | `main` → `222222222222` |')
    expect(md).toContain('| Previous | `111111111111`')
    expect(md).not.toContain('](')
  })

  it('escapes mentions and links in text from the host', () => {
    const md = deploySummary(report)
    expect(md).toContain('- ⚠️ look at @\u200boctocat \\[here\\]\\(http://x\\)')
    expect(md).not.toMatch(/@octocat/)
  })

  it('shows the service logs after a failure, and says when downtime includes a rollback rebuild', () => {
    const phases = [...report.phases, { name: 'rollback-build', begin: 66_500, end: 70_000, code: 0, output: [] }]
    const md = deploySummary({ ...report, outcome: 'failed', phases, logs: 'backend: panicked at <main.rs>' })
    expect(md).toContain('<details open><summary>Service logs</summary>\n\n<pre>\nbackend: panicked at &lt;main.rs&gt;\n</pre>')
    expect(md).toContain('| Downtime | 3.0 s, including the rebuild of the previous commit |')
    expect(deploySummary(report)).not.toContain('Service logs')
  })

  it('leads a failure with the host message, and a dry run says nothing changed', () => {
    expect(deploySummary({ ...report, outcome: 'failed', message: 'migrate failed' })).toMatch(
      /^## ❌ Deploy of main to backend-next.catcolab.org failed\n\n\*\*migrate failed\*\*/,
    )
    const dry = deploySummary({ ...report, outcome: 'dry-run', running: plan.previous, phases: [], downtime: null })
    expect(dry).toContain('Dry run')
    expect(dry).toContain('(unchanged)')
    expect(dry).not.toContain('Downtime')
  })
})

describe('names from the repository in the summary', () => {
  const markdown = new MarkdownIt({ html: true, linkify: true })
  const names = ['002\n::error::x.sql', '[x](u) ![i](u).sql', '<img src=x>`a``.sql', 'a"b\\c|d.sql', ' www.evil.example @octocat.sql', 'café\u202e.sql']
  const hostile: DeployReport = {
    ...report,
    host: 'backend-next', // a configured host name is linked like any domain
    ref: 'feature/[x](u)`|<b>',
    plan: {
      ...plan,
      newMigrations: names,
      deletedMigrations: [names[1]!],
      warnings: [{ message: `migration file ${quotePath(names[1]!)} is deleted by this deploy: sqlx refuses to run`, file: names[1]! }],
    },
  }

  it('are C-quoted code spans: no link, image or HTML from them, each shown', () => {
    const html = markdown.render(deploySummary(hostile))
    const outsideCode = html.replace(/<code>[^<]*<\/code>/g, '<code></code>')
    expect(outsideCode).not.toMatch(/<img|<b>|evil|octocat/)
    for (const [, href] of outsideCode.matchAll(/<a href="([^"]*)"/g)) expect(href).toMatch(/^https:\/\/github\.com\/ToposInstitute\/CatColab\/commit\/[0-9a-f]{40}$/)
    for (const name of names) expect(html).toContain(`<li><code>${markdown.utils.escapeHtml(quotePath(name))}</code></li>`)
    expect(html).toContain('<li><code>&quot;002\\n::error::x.sql&quot;</code></li>')
    expect(html).toContain('<li><code>&quot;caf\\303\\251\\342\\200\\256.sql&quot;</code></li>')
    expect(html).toContain('<td><code>feature/[x](u)`|&lt;b&gt;</code> → <a href=')
    expect(html).toContain('<li>⚠️ migration file <code>[x](u) ![i](u).sql</code> is deleted by this deploy: sqlx refuses to run</li>')
  })
})
