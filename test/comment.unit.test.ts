// The pr-report comment (src/comment.ts): each fact, and that nothing a pull request controls can
// change the comment's structure, add HTML, or mention anyone, rendered by a CommonMark renderer.
import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { addFile, code, keptFiles, LIST_LIMIT, marker, renderComment, reportedHead, type CommentFacts, type DeployedFacts, type FileFacts } from '../src/comment'

const HEAD = 'a'.repeat(40)
const DEPLOYED = 'd'.repeat(40)
const REPO = 'https://github.com/ToposInstitute/CatColab'
const RUN = `${REPO}/actions/runs/77`

const deployed = (fields: Partial<DeployedFacts> = {}): DeployedFacts => ({
  sha: DEPLOYED,
  at: '2026-03-04T05:06:07Z',
  runUrl: RUN,
  base: { status: 'identical' },
  thisPullRequest: null,
  ...fields,
})

const KEY = '0123456789abcdef'

/** FileFacts as pr-report.ts makes them from GitHub's list. */
function fileFacts(backendFiles: string[], addedMigrations: string[] = [], incomplete = false): FileFacts {
  const files: FileFacts = { backendFiles: [], backendFileCount: backendFiles.length, addedMigrations: [], addedMigrationCount: addedMigrations.length, incomplete }
  for (const name of backendFiles) addFile(files.backendFiles, name)
  for (const name of addedMigrations) addFile(files.addedMigrations, name)
  return files
}

type Fields = Partial<CommentFacts> & { backendFiles?: string[]; addedMigrations?: string[]; filesIncomplete?: boolean }
const facts = ({ backendFiles = [], addedMigrations = [], filesIncomplete = false, ...fields }: Fields = {}): CommentFacts => ({
  environment: 'catcolab-next',
  backendUrl: 'https://backend-next.catcolab.org',
  repositoryUrl: REPO,
  pullRequest: { headSha: HEAD, baseRef: 'main' },
  deployed: deployed(),
  later: null,
  files: fileFacts(backendFiles, addedMigrations, filesIncomplete),
  filesKey: KEY,
  ...fields,
})

// GitHub renders comments as CommonMark (GFM) and allows some HTML; html: true is the stricter test.
const markdown = new MarkdownIt({ html: true })
const render = (f: CommentFacts) => markdown.render(renderComment(f))
/** The rendered comment without its code spans' contents. */
const outsideCode = (html: string) => html.replace(/<code>[^<]*<\/code>/g, '<code></code>').replace(/^<!-- catcolab-deploy pr-report [^\n]* -->\n/, '')

describe('the comment says', () => {
  it('which backend the preview talks to, the commit it runs (linked), when it was deployed and by which run', () => {
    const body = renderComment(facts())
    expect(body).toContain(
      'The preview talks to **[backend-next.catcolab.org](https://backend-next.catcolab.org)** (environment `catcolab-next`), ' +
        `which runs [\`dddddddddddd\`](${REPO}/commit/${DEPLOYED}), deployed 2026-03-04 05:06 UTC ([deploy run](${RUN})).`,
    )
  })

  it('that nothing was deployed yet, instead of guessing', () => {
    const body = renderComment(facts({ deployed: null, backendFiles: ['packages/backend/src/main.rs'] }))
    expect(body).toContain('No deploy to `catcolab-next` by catcolab-deploy has succeeded yet, so which commit it runs is unknown.')
    expect(body).not.toContain('**Base')
    expect(body).toContain('⚠️ The preview does **not** exercise these changes: the backend runs them only once they are merged into `main` and deployed:')
  })

  it.each([
    [{ status: 'identical' } as const, "✅ up to date: the deployed commit is `main`'s head."],
    [{ status: 'ahead', aheadBy: 2 } as const, '✅ up to date: the deployed commit contains `main`, plus 2 commits not on `main`.'],
    [{ status: 'behind', behindBy: 1 } as const, '⚠️ 1 commit behind: the backend lacks what was merged into `main` since it was deployed.'],
    [{ status: 'behind', behindBy: 3 } as const, '⚠️ 3 commits behind: the backend lacks what was merged into `main` since it was deployed.'],
    [
      { status: 'diverged', aheadBy: 1, behindBy: 4 } as const,
      '⚠️ diverged: the deployed commit is not on `main`; it lacks 4 commits of `main` and has 1 commit that `main` does not.',
    ],
    [null, 'could not compare the deployed commit with `main` (GitHub could not find a common history).'],
  ])('how the deployed commit relates to the base: %j', (base, line) => {
    expect(renderComment(facts({ deployed: deployed({ base }) }))).toContain(`- **Base \`main\`:** ${line}\n`)
  })

  it('no backend changes', () => {
    const body = renderComment(facts())
    expect(body).toContain('- **Backend changes:** none.\n')
    expect(body).not.toContain('exercise')
  })

  it('the backend files changed, up to 10 then a count, and that the preview does not exercise them', () => {
    const files = Array.from({ length: 12 }, (_, i) => `packages/backend/src/f${i}.rs`)
    const body = renderComment(facts({ backendFiles: files }))
    expect(body).toContain(
      [
        '- **Backend changes:** 12 files. ⚠️ The preview does **not** exercise these changes: the backend runs them only once they are merged into `main` and deployed:',
        ...files.slice(0, 10).map((f) => `  - \`${f}\``),
        '  - and 2 more',
        '- **Migrations:**',
      ].join('\n'),
    )
    expect(body).not.toContain('f10.rs')
    expect(renderComment(facts({ backendFiles: files.slice(0, 1) }))).toContain('- **Backend changes:** 1 file. ⚠️ The preview does **not** exercise these changes')
  })

  it("that the preview includes the changes when the backend runs the pull request's head", () => {
    const body = renderComment(
      facts({ deployed: deployed({ sha: HEAD, thisPullRequest: 'head', base: { status: 'ahead', aheadBy: 1 } }), backendFiles: ['packages/backend/a.rs'] }),
    )
    expect(body).toContain(
      "- **Backend changes:** 1 file. ✅ The backend runs this pull request's head, so the preview **includes** these changes:\n  - `packages/backend/a.rs`\n",
    )
    expect(body).not.toContain('does **not** exercise')
  })

  it("that the backend runs the pull request's head even when it changes no backend file", () => {
    expect(renderComment(facts({ deployed: deployed({ thisPullRequest: 'head' }) }))).toContain(
      "- **Backend changes:** none.\n- ✅ The backend runs this pull request's head.\n",
    )
    expect(renderComment(facts({ deployed: deployed({ thisPullRequest: 'earlier' }) }))).toContain(
      "- **Backend changes:** none.\n- The backend runs an earlier commit of this pull request's branch, `dddddddddddd`.\n",
    )
  })

  it('that the backend runs an earlier commit of the branch: changes up to it, not later pushes', () => {
    const body = renderComment(facts({ deployed: deployed({ thisPullRequest: 'earlier' }), backendFiles: ['packages/backend/a.rs'] }))
    expect(body).toContain(
      "⚠️ The backend runs an earlier commit of this pull request's branch, `dddddddddddd`: the preview includes its backend changes up to that commit, **not** the ones pushed since:",
    )
  })

  it('the migrations the pull request adds, or none', () => {
    expect(renderComment(facts())).toContain('- **Migrations:** none added.\n')
    const body = renderComment(facts({ addedMigrations: ['packages/backend/migrations/20250101000000_x.up.sql'] }))
    expect(body).toContain(
      "- **Migrations:** adds 1 migration, applied to the backend's database when it is deployed:\n  - `packages/backend/migrations/20250101000000_x.up.sql`\n",
    )
  })

  it('a later deploy that failed, with its description, keeping the last success as what runs', () => {
    const later = {
      sha: 'e'.repeat(40),
      state: 'failure',
      description: 'build failed; the previous checkout … was restored',
      at: '2026-03-05T00:00:00Z',
      runUrl: `${REPO}/actions/runs/78`,
    }
    const body = renderComment(facts({ later }))
    expect(body).toContain('which runs [`dddddddddddd`]')
    expect(body).toContain(
      `> [!NOTE]\n> A later deploy to \`catcolab-next\` of \`eeeeeeeeeeee\` (2026-03-05 00:00 UTC, [run](${REPO}/actions/runs/78)) ended in **failure**: ` +
        '`build failed; the previous checkout … was restored`. The commit above is the last one deployed successfully',
    )
  })

  it('a later deploy still in progress', () => {
    const later = { sha: 'e'.repeat(40), state: 'in_progress', description: '', at: '2026-03-05T00:00:00Z', runUrl: '' }
    expect(renderComment(facts({ later }))).toContain('> A deploy to `catcolab-next` of `eeeeeeeeeeee` (2026-03-05 00:00 UTC) has not finished (`in_progress`)')
  })

  it('for which head it was written, in the hidden marker and the footer', () => {
    const body = renderComment(facts())
    expect(body.split('\n')[0]).toBe(`<!-- catcolab-deploy pr-report environment=catcolab-next head=${HEAD} -->`)
    expect(body.startsWith(marker('catcolab-next'))).toBe(true)
    expect(body.startsWith(marker('catcolab'))).toBe(false)
    expect(reportedHead(body)).toBe(HEAD)
    expect(reportedHead('<!-- catcolab-deploy pr-report environment=x -->')).toBeNull()
    expect(body).toContain("<sub>Updated by catcolab-deploy for this pull request's head `aaaaaaaaaaaa`; edits to this comment are overwritten.</sub>")
    // An HTML comment: GitHub shows nothing of it.
    expect(markdown.render(body)).toMatch(/^<!-- catcolab-deploy pr-report environment=catcolab-next head=a{40} -->\n<h3>/)
  })

  it("that GitHub listed only part of a huge pull request's files", () => {
    expect(renderComment(facts({ filesIncomplete: true }))).toContain('- **Backend changes:** none among the first 3000 files GitHub lists.')
  })
})

describe('what the files said, kept in the comment', () => {
  const expected = { headSha: HEAD, baseRef: 'main', filesKey: KEY }
  const names = Array.from({ length: 12 }, (_, i) => `packages/backend/src/f${i}.rs`)

  it('is read back for the same head, base and key, and renders the same comment again', () => {
    const f = facts({ backendFiles: names, addedMigrations: ['packages/backend/migrations/1_x.up.sql'], filesIncomplete: true })
    const body = renderComment(f)
    expect(body).toMatch(/\n<sub>[^\n]*<\/sub>\n\n<!-- catcolab-deploy files=[A-Za-z0-9+/]+=* -->\n$/)
    const kept = keptFiles(body, expected)
    expect(kept).toEqual({
      backendFiles: names.slice(0, LIST_LIMIT),
      backendFileCount: 12,
      addedMigrations: ['packages/backend/migrations/1_x.up.sql'],
      addedMigrationCount: 1,
      incomplete: true,
    })
    expect(renderComment({ ...f, files: kept! })).toBe(body)
    // Hidden: GitHub shows nothing of it.
    expect(markdown.render(body)).toMatch(/<\/sub><\/p>\n<!-- catcolab-deploy files=[A-Za-z0-9+/]+=* -->\n$/)
  })

  it('is not used for another head, base or key, nor from a comment without it', () => {
    const body = renderComment(facts({ backendFiles: names }))
    expect(keptFiles(body, { ...expected, headSha: 'b'.repeat(40) })).toBeNull()
    expect(keptFiles(body, { ...expected, baseRef: 'release' })).toBeNull()
    expect(keptFiles(body, { ...expected, filesKey: 'fedcba9876543210' })).toBeNull()
    expect(keptFiles(body.replace(/\n<!-- catcolab-deploy files=.*\n$/, '\n'), expected)).toBeNull()
  })

  it('is refused unless it is exactly what the comment writes', () => {
    const body = renderComment(facts({ backendFiles: ['a.rs'] }))
    const line = /<!-- catcolab-deploy files=([^ ]+) -->/.exec(body)![1]!
    const data = JSON.parse(Buffer.from(line, 'base64').toString('utf8')) as Record<string, unknown>
    const edited = (change: Record<string, unknown> | string) => {
      const text = typeof change === 'string' ? change : JSON.stringify({ ...data, ...change })
      return body.replace(line, Buffer.from(text, 'utf8').toString('base64'))
    }
    expect(keptFiles(edited({}), expected)).not.toBeNull()
    const bad: (Record<string, unknown> | string)[] = [
      { v: 2 },
      { backendFileCount: 2 }, // one name listed for two files
      { backendFileCount: 0 },
      { backendFileCount: -1, backendFiles: [] },
      { backendFileCount: 1.5 },
      { backendFileCount: 3001, backendFiles: names.slice(0, 10) },
      { backendFileCount: '1' },
      { backendFiles: [1] },
      { backendFiles: 'a.rs' },
      { backendFiles: ['x'.repeat(301)] }, // longer than any name it shows
      { addedMigrations: null },
      { incomplete: 'no' },
      { extra: true },
      JSON.stringify({ ...data, v: undefined }),
      JSON.stringify([data]),
      JSON.stringify(data).replace('{', '{ '), // not byte for byte
      'null',
      '{',
      '\u00ff\u00fe',
    ]
    for (const change of bad) expect(keptFiles(edited(change), expected), JSON.stringify(change)).toBeNull()
    expect(keptFiles(body.replace(line, `${line}!`), expected)).toBeNull()
    expect(keptFiles(body.replace(line, line.slice(1)), expected)).toBeNull()
    expect(keptFiles(`${body}more\n`, expected)).toBeNull()
  })

  it('holds any names, shown the same when rendered again from it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 400 }), { maxLength: 14 }),
        fc.array(fc.string({ unit: 'binary' }), { maxLength: 12 }),
        (backend, migrations) => {
          const f = facts({ backendFiles: backend, addedMigrations: migrations })
          const body = renderComment(f)
          const kept = keptFiles(body, expected)
          expect(kept).toEqual(f.files)
          expect(renderComment({ ...f, files: kept! })).toBe(body)
        },
      ),
      { numRuns: 200 },
    )
  })

  it("is left out when it would take the comment over GitHub's 65,536 characters", () => {
    // Names that show at 8 times their length, and take 3 bytes a character in the kept facts.
    const huge = Array.from({ length: 10 }, (_, i) => `${i}${'\u2028'.repeat(299)}`)
    const body = renderComment(facts({ backendFiles: huge, addedMigrations: huge }))
    expect(body.length).toBeLessThanOrEqual(65_536)
    expect(body.length).toBeGreaterThan(40_000)
    expect(body.includes('<!-- catcolab-deploy files=')).toBe(false)
    expect(keptFiles(body, expected)).toBeNull()
  })
})

describe('what a pull request controls stays text', () => {
  const hostile = [
    '`; rm -rf / `',
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '@ToposInstitute/maintainers please merge',
    'x\n\n# heading\n\n<details open>',
    '[click](javascript:alert(1))',
    '](https://evil.example)',
    '**bold** _it_ ~~s~~ #123 GH-1',
    '<!-- -->',
    '``` ```',
    'a\u202eexe.txt',
    '\\`',
    ' leading and trailing ',
    '|a|b|',
  ]

  it('the file list nests under its item, and nothing follows the last file in its item', () => {
    const html = render(facts({ backendFiles: ['a', 'b'] }))
    expect(html).toContain('<li><code>a</code></li>\n<li><code>b</code></li>\n</ul>\n</li>\n<li><strong>Migrations:</strong>')
  })

  it('each file name is one code span in one list item', () => {
    const html = render(facts({ backendFiles: hostile.slice(0, 10), addedMigrations: hostile.slice(10) }))
    expect(html.match(/<li>/g)).toHaveLength(hostile.length + 3) // and the base, backend and migrations items
    for (const tag of ['<script', '<img', '<details', '<h1', '<h2', 'javascript:', 'evil.example', '<strong>bold']) expect(outsideCode(html)).not.toContain(tag)
    expect(outsideCode(html)).not.toContain('@')
    expect(html).toContain('<code>@ToposInstitute/maintainers please merge</code>')
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>')
    expect(html).toContain('<code>a\\u{202e}exe.txt</code>')
    expect(html).toContain('<code>x\\x0a\\x0a# heading\\x0a\\x0a&lt;details open&gt;</code>')
    expect(html).toContain('<code>`; rm -rf / `</code>')
    expect(html).toContain('<code> leading and trailing </code>')
  })

  it('holds for any string as a file name, migration or base branch', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 20 }), (names, base) => {
        const html = render(facts({ backendFiles: names, addedMigrations: names, pullRequest: { headSha: HEAD, baseRef: base } }))
        const rest = outsideCode(html)
        // The structure stays: the same list items, and only the tags the comment itself makes.
        expect(html.match(/<li>/g)).toHaveLength(3 + 2 * names.length)
        expect(new Set(rest.match(/<\/?[a-z0-9]+/g))).toEqual(
          new Set(['<h3', '</h3', '<p', '</p', '<a', '</a', '<strong', '</strong', '<code', '</code', '<ul', '</ul', '<li', '</li', '<sub', '</sub']),
        )
        expect(rest).not.toContain('@')
        // Each name shows as itself (control characters as escapes).
        for (const name of names)
          expect(html).toContain(
            markdown
              .render(code(name))
              .trim()
              .replace(/^<p>|<\/p>$/g, ''),
          )
      }),
      { numRuns: 300 },
    )
  })

  it('keeps a code span intact whatever backticks and spaces the text has', () => {
    for (const text of ['`', '``', 'a`b', '`a', 'a`', ' ', ' ` ', 'x``y```z']) {
      expect(markdown.renderInline(code(text))).toBe(`<code>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`)
    }
  })
})
