/**
 * Text from the repository (file, ref and branch names, commit text) and from the host is shown,
 * never obeyed: in the job log, where the runner obeys workflow commands; in the job summary,
 * where GitHub renders markdown; and in outputs read one path per line. Pure.
 */

/** Characters that end a line, move the cursor, or reorder what is shown: never written as they are. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds, written out as ranges (tab is not)
const HIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g

/** Shows each hidden character as an escape: \x0a, \u{202e}. */
export function visible(text: string): string {
  return text.replace(HIDDEN, (c) => {
    const code = c.codePointAt(0)!
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

/**
 * One line of the job log (or one annotation's message) that the runner cannot take for a
 * workflow command. The runner reads its output line by line, ending lines at LF and at a bare CR,
 * and obeys a line that is `::name …::` after leading whitespace, and `##[name …]` anywhere in a
 * line. So: control, line-separating and bidirectional characters become escapes (a tab stays),
 * a leading `::` becomes `\x3a:`, and every `##[` becomes `##\x5b`.
 */
export function logLine(text: string): string {
  return visible(text)
    .replace(/^(\s*)::/, '$1\\x3a:')
    .replace(/##\[/g, '##\\x5b')
}

/** git's C-quoting table: the named escapes; other bytes that must be quoted are written in octal. */
const NAMED: Record<number, string> = { 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x22: '"', 0x5c: '\\' }

/**
 * A path as git writes it without -z, with its defaults (core.quotePath on): unchanged when every
 * byte is printable ASCII other than `"` and `\`; else in double quotes, with `"` `\` and the
 * control characters \a \b \t \n \v \f \r as backslash escapes, and every other control byte and
 * every byte of a non-ASCII character (UTF-8) as a three-digit octal escape (`é` is `\303\251`).
 */
export function quotePath(path: string): string {
  const bytes = Buffer.from(path, 'utf8')
  let quoted = ''
  let needed = false
  for (const byte of bytes) {
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) {
      quoted += String.fromCharCode(byte)
      continue
    }
    needed = true
    quoted += `\\${NAMED[byte] ?? byte.toString(8).padStart(3, '0')}`
  }
  return needed ? `"${quoted}"` : path
}

/**
 * A markdown code span that shows text exactly, on one line: a fence longer than any run of
 * backticks in it, a space inside each end when the text starts or ends with a backtick or a space
 * (CommonMark strips one), hidden characters as escapes. Inside a code span GitHub renders no
 * markdown and no HTML, and links no URL, @mention or #reference. In a table cell (`table`) a pipe
 * would end the cell even inside the span, so it is written `\|`, which the table turns back into
 * `|`. (A backslash right before a pipe reads differently on GitHub and markdown-it; ref names and
 * C-quoted paths put in tables have none.)
 */
export function codeSpan(text: string, { table = false }: { table?: boolean } = {}): string {
  let shown = visible(text)
  const longest = Math.max(0, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = shown === '' || /^[` ]|[` ]$/.test(shown) ? ' ' : ''
  if (table) shown = shown.replace(/\|/g, '\\|')
  return `${fence}${pad}${shown}${pad}${fence}`
}

/** A commit's first 12 hex digits: how the log, the summary, the records and the comments name it. */
export function shortSha(sha: string): string {
  return sha.slice(0, 12)
}
