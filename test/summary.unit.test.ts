import { describe, expect, it } from 'vitest'
import type { Plan } from '../src/plan'
import { deploySummary, type DeployReport } from '../src/summary'

const plan: Plan = {
  previous: '1'.repeat(40),
  target: '2'.repeat(40),
  base: '1'.repeat(40),
  baseSource: 'record',
  newMigrations: ['m/03_<b>x</b>|y.sql'],
  deletedMigrations: [],
  modifiedMigrations: [],
  migrate: true,
  reason: '1 new migration file since 111111111111: stop, migrate, start',
  warnings: [{ message: 'look at @octocat [here](http://x)' }],
  overrides: [],
}

const report: DeployReport = {
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
    expect(md).toContain(`| Target | <code>main</code> → [<code>222222222222</code>](https://github.com/ToposInstitute/CatColab/commit/${'2'.repeat(40)}) |`)
    expect(md).toContain('| Previous | [<code>111111111111</code>]')
    expect(md).toContain('| Migrations | migrate: 1 new migration file since 111111111111: stop, migrate, start |')
    expect(md).toContain('| Downtime | 3.0 s |')
    expect(md).toContain('| build | ok | 65 s |')
    expect(md).toContain('| migrate | failed (exit 1) | 0.5 s |')
    expect(md).toContain('- <code>m/03_&lt;b&gt;x&lt;/b&gt;&#124;y.sql</code>')
    expect(md).toContain('<pre>\n● backend.service &lt;active&gt;\n</pre>')
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
    expect(deploySummary({ ...report, outcome: 'failed', message: 'migrate failed' })).toMatch(/^## ❌ Deploy of main to backend-next.catcolab.org failed\n\n\*\*migrate failed\*\*/)
    const dry = deploySummary({ ...report, outcome: 'dry-run', running: plan.previous, phases: [], downtime: null })
    expect(dry).toContain('Dry run')
    expect(dry).toContain('(unchanged)')
    expect(dry).not.toContain('Downtime')
  })
})
