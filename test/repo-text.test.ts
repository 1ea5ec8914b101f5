// Text from the repository is shown, never obeyed: migration files with generated hostile names
// are committed to the throwaway host's origin and deployed over SSH by the bundled action. The
// job log holds only the action's own workflow commands, the summary (rendered) no link, image or
// HTML from a name and every name, and new-migrations reads back to the exact names.
import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logLine, quotePath } from '../src/text'
import { createHost, type Files, type TestHost } from './fixture/host'
import { hostInputs, hostPhases, runAction, type ActionRun } from './run-action'
import { relativePath, unquotePath, workflowCommands } from './runner-text'

const MIGRATIONS = 'packages/backend/migrations/'
const COMMIT_URL = 'https://github.com/ToposInstitute/CatColab/commit/'
const markdown = new MarkdownIt({ html: true, linkify: true })

/** Batches of names; each batch is one commit and one deploy. The first is the issue's own example. */
function batches(): string[][] {
  const used: string[] = []
  // No name may be the directory of another, in its batch or an earlier one; none is a migration the stand-in would run.
  const clashes = (name: string) => used.some((other) => other === name || other.startsWith(`${name}/`) || name.startsWith(`${other}/`))
  const pick = (names: string[]) => {
    const kept = names.filter((name) => !/^[0-9]+_/.test(name) && !clashes(name) && (used.push(name), true))
    return kept
  }
  return [
    pick(['002\n::error title=x::forged\n::stop-commands::t0k.sql', '003\r::add-mask::CatColab\n##[warning]w [x](u) ![i](u) <b>.sql']),
    ...[11, 12, 13].map((seed) => pick(fc.sample(relativePath, { numRuns: 6, seed }))),
  ]
}

/** The action's own commands in a run's log: each one it emits, and nothing else. */
function expectOnlyOwnCommands(run: ActionRun, h: TestHost, phases: string[], fileWarnings: string[]): void {
  const commands = workflowCommands(run.log)
  const keyLines = new Set(
    h.privateKey
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  )
  const own = commands.filter((c) => c.name === 'add-mask' && keyLines.has(c.data))
  const rest = commands.filter((c) => !own.includes(c))
  expect(own.length).toBe(keyLines.size)
  expect(rest.map((c) => (c.name === 'warning' ? `warning ${c.properties['file'] ?? ''}` : c.name === 'group' ? `group ${c.data}` : c.name))).toEqual([
    'group plan',
    ...fileWarnings.map((file) => `warning ${file}`),
    'endgroup',
    ...phases.flatMap((phase) => [`group ${phase}`, 'endgroup']),
  ])
  // A warning about a file names it C-quoted, on one line.
  for (const [i, file] of fileWarnings.entries()) {
    expect(rest[1 + i]!.data).toMatch(new RegExp(`^migration file ${quotePath(file).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} is (deleted|modified) by this deploy: `))
  }
}

/** The summary, rendered: no link but commit links, no image, no HTML but the summary's own; each name shown. */
function expectSummaryShows(run: ActionRun, names: string[]): void {
  const html = markdown.render(run.summary)
  const outsideCode = html.replace(/<code>[^<]*<\/code>/g, '<code></code>')
  const allowed = new Set([
    '<h2',
    '</h2',
    '<table',
    '</table',
    '<thead',
    '</thead',
    '<tbody',
    '</tbody',
    '<tr',
    '</tr',
    '<th',
    '</th',
    '<td',
    '</td',
    '<a',
    '</a',
    '<code',
    '</code',
    '<p',
    '</p',
    '<ul',
    '</ul',
    '<li',
    '</li',
    '<details',
    '<summary',
    '</summary',
    '<pre',
    '</pre',
    '</details',
  ])
  for (const tag of outsideCode.match(/<\/?[a-z0-9]+/g) ?? []) expect(allowed, `${tag} in the summary`).toContain(tag)
  for (const [, href] of outsideCode.matchAll(/<a href="([^"]*)"/g)) expect(href).toMatch(new RegExp(`^${COMMIT_URL}[0-9a-f]{40}$`))
  for (const name of names) expect(html).toContain(`<li><code>${markdown.utils.escapeHtml(quotePath(MIGRATIONS + name))}</code></li>`)
}

describe('names of migration files from the repository, deployed end to end', () => {
  let h: TestHost
  beforeAll(async () => {
    // Built and running at origin's tip: each deploy's new migrations are exactly its batch's names.
    h = await createHost({ startAt: 'F' })
  })
  afterAll(async () => {
    await h.close()
  })

  it('are shown in the log, the summary and new-migrations, never obeyed', { timeout: 120_000 }, async () => {
    const all = batches()
    for (const [i, names] of all.entries()) {
      const files: Files = Object.fromEntries(names.map((name) => [MIGRATIONS + name, 'SELECT 1;\n']))
      // The last batch also deletes a name of the first and modifies one of the second: warnings about files (deleted first).
      const fileWarnings = i === all.length - 1 ? [MIGRATIONS + all[0]![0]!, MIGRATIONS + all[1]![0]!] : []
      if (fileWarnings.length) Object.assign(files, { [fileWarnings[0]!]: null, [fileWarnings[1]!]: 'SELECT 2;\n' })
      const sha = await h.commitToOrigin(files, `batch ${i}`)
      const run = await runAction({ ...hostInputs(h), ref: sha })
      expect(run.code, run.log).toBe(0)
      expect(await h.gitOnHost(['rev-parse', 'HEAD'])).toBe(sha)

      const phases = await hostPhases(h)
      // The first deploy after createHost also warns that no deploy is recorded: not a file warning.
      const log = i === 0 ? run.log.replace(/^::warning::no deploy by this action is recorded on the host[^\n]*\n/m, '') : run.log
      expectOnlyOwnCommands({ ...run, log }, h, phases, fileWarnings)
      for (const name of names) expect(run.log).toContain(`\nnew migration: ${logLine(quotePath(MIGRATIONS + name))}\n`)
      expectSummaryShows(run, names)
      expect(run.outputs['new-migrations']!.split('\n').map(unquotePath).sort()).toEqual(names.map((name) => MIGRATIONS + name).sort())
    }
  })
})
