// The escaping functions of src/text.ts, over many generated strings: quotePath against git
// itself, logLine against the runner's reading of a log, codeSpan against markdown-it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { afterAll, describe, expect, it } from 'vitest'
import { codeSpan, logLine, quotePath } from '../src/text'
import { component, relativePath, unquotePath, workflowCommands } from './runner-text'

const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), component, relativePath)
const markdown = new MarkdownIt({ html: true, linkify: true })
const escapeHtml = markdown.utils.escapeHtml

describe('quotePath', () => {
  const repo = mkdtempSync(join(tmpdir(), 'quote-path-'))
  // No user or system configuration: git's own defaults, core.quotePath on.
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }
  const git = (args: string[], input?: string) => execFileSync('git', ['-C', repo, ...args], { env, input, encoding: 'utf8' })
  git(['init', '-q'])
  const blob = git(['hash-object', '-w', '--stdin'], '').trim()
  afterAll(() => rmSync(repo, { recursive: true, force: true }))

  it('writes each path exactly as git ls-files does with its defaults', () => {
    fc.assert(
      fc.property(fc.array(relativePath, { minLength: 1, maxLength: 100 }), (paths) => {
        // A directory per path: no two paths clash as file and directory.
        const entries = paths.map((path, i) => `d${i}/${path}`)
        git(['read-tree', '--empty'])
        git(['update-index', '--add', '-z', '--index-info'], entries.map((path) => `100644 ${blob}\t${path}\0`).join(''))
        const listed = git(['ls-files']).split('\n').filter(Boolean)
        expect(listed.sort()).toEqual(entries.map(quotePath).sort())
      }),
      { numRuns: 20 },
    )
  })

  it('is read back exactly, is printable ASCII, and leaves a plain path alone', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
        (path) => {
          const quoted = quotePath(path)
          expect(unquotePath(quoted)).toBe(path)
          expect(quoted).toMatch(/^[\x20-\x7e]*$/)
          if (/^[\x20-\x7e]*$/.test(path) && !/["\\]/.test(path)) expect(quoted).toBe(path)
          else expect(quoted).toMatch(/^".*"$/)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('uses the named escapes and octal as git does', () => {
    expect(quotePath('002\n::error title=x::x.sql')).toBe('"002\\n::error title=x::x.sql"')
    expect(quotePath('a"b\\c\td\re')).toBe('"a\\"b\\\\c\\td\\re"')
    expect(quotePath('caf\u00e9\x01\x7f.sql')).toBe('"caf\\303\\251\\001\\177.sql"')
    expect(quotePath('-- [x](u) <b> `x`.sql')).toBe('-- [x](u) <b> `x`.sql')
  })
})

describe('logLine', () => {
  it('is one line the runner takes for no workflow command, whatever the text', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom('', ' ', '\t', '| ', 'new migration: '), (text, prefix) => {
        const line = logLine(prefix + text)
        expect(line).not.toMatch(/[\r\n\u2028\u2029\x85]/)
        expect(workflowCommands(line)).toEqual([])
      }),
      { numRuns: 3000 },
    )
  })

  it('changes nothing in ordinary text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).filter((s) => !/^\s*::|##\[|(?!\t)\p{Cc}/u.test(s)),
        (text) => {
          expect(logLine(text)).toBe(text)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('shows what it escapes', () => {
    expect(logLine('progress 50%\r::add-mask::x')).toBe('progress 50%\\x0d::add-mask::x')
    expect(logLine(' \t::error::x')).toBe(' \t\\x3a:error::x')
    expect(logLine('a ##[warning]b ###[c')).toBe('a ##\\x5bwarning]b ###\\x5bc')
    expect(logLine('\x1b[31mred\u202e')).toBe('\\x1b[31mred\\u{202e}')
  })
})

describe('codeSpan', () => {
  /** Text without hidden characters: the span shows it exactly. */
  const shown = anyText.map((s) => s.replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu, ''))

  it('renders as one code span holding the text, in a paragraph and a list item', () => {
    fc.assert(
      fc.property(
        shown.filter((s) => !/^ *$/.test(s)),
        (text) => {
          expect(markdown.renderInline(codeSpan(text))).toBe(`<code>${escapeHtml(text)}</code>`)
          expect(markdown.render(`- ${codeSpan(text)}`)).toBe(`<ul>\n<li><code>${escapeHtml(text)}</code></li>\n</ul>\n`)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('renders in a table cell without splitting it', () => {
    fc.assert(
      fc.property(
        shown.filter((s) => !/^ *$/.test(s) && !s.includes('\\|')),
        (text) => {
          const html = markdown.render(`| a | b |\n|---|---|\n| ${codeSpan(text, { table: true })} | x |\n`)
          expect(html).toContain(`<tr>\n<td><code>${escapeHtml(text)}</code></td>\n<td>x</td>\n</tr>`)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('keeps hidden characters visible on one line', () => {
    expect(markdown.renderInline(codeSpan('a\nb\r`c'))).toBe('<code>a\\x0ab\\x0d`c</code>')
    expect(codeSpan('``x')).toBe('``` ``x ```')
  })
})
