// Writes every file generated from action-spec.yml, the one source of the action's inputs and
// outputs: action.yml (every command, kept for compatibility), <command>/action.yml for each
// command, src/input-defaults.ts (the defaults the code falls back to, so nothing parses YAML at
// run time), the inputs and outputs tables in README.md and pr-report's in docs/pr-comments.md. `npm run build` runs it;
// test/generated.test.ts fails when a file is not current.
//   node scripts/generate.mjs           writes the files
//   node scripts/generate.mjs --check   writes nothing; lists the files that are not current, exit 1
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { format, resolveConfig } from 'prettier'
import { parse, stringify } from 'yaml'

const ROOT = join(import.meta.dirname, '..')
/** Where users find the actions: `uses: <REPOSITORY>/<command>@v1`. */
const REPOSITORY = 'ToposInstitute/catcolab-deploy'
const BEGIN = '<!-- BEGIN GENERATED: inputs and outputs, from action-spec.yml by npm run build; do not edit -->'
/** Docs about one command show its own action's tables. */
const COMMAND_DOCS = { 'docs/pr-comments.md': 'pr-report' }
const commandBegin = (command) => `<!-- BEGIN GENERATED: ${command}/action.yml's inputs and outputs, from action-spec.yml by npm run build; do not edit -->`
const END = '<!-- END GENERATED -->'
const HEADER = '# Generated from action-spec.yml by scripts/generate.mjs (npm run build): do not edit.\n'
const BRANDING = { icon: 'upload-cloud', color: 'blue' }

/** The spec, checked: every command named exists, required inputs are read and have no default. */
function readSpec() {
  const text = readFileSync(join(ROOT, 'action-spec.yml'), 'utf8')
  const spec = parse(text, { merge: true })
  // The failsafe schema reads every scalar as the string written, as the runner passes inputs.
  const written = parse(text, { schema: 'failsafe' })
  const commands = Object.keys(spec.commands)
  const known = (where, names) => {
    for (const name of names) if (!commands.includes(name)) throw new Error(`action-spec.yml: ${where} names no command "${name}"`)
  }
  for (const [name, input] of Object.entries(spec.inputs)) {
    input.for ??= []
    input.required ??= []
    known(`input ${name}`, [...input.for, ...input.required, ...commands.filter((command) => command in input)])
    if (input.for.length === 0) throw new Error(`action-spec.yml: input ${name} is for no command`)
    if (input.required.some((command) => !input.for.includes(command))) throw new Error(`action-spec.yml: input ${name} is required by a command that does not read it`)
    if (input.required.length > 0 && (input.default ?? '') !== '') throw new Error(`action-spec.yml: input ${name} is required somewhere, so it has no default`)
    // YAML's own schema would read an unquoted 22 or true as a number or boolean: quote those.
    if (input.default !== undefined && typeof input.default !== 'string')
      throw new Error(`action-spec.yml: quote the default of input ${name} ("${written.inputs[name].default}")`)
  }
  for (const [name, output] of Object.entries(spec.outputs)) known(`output ${name}`, [...output.for, ...commands.filter((command) => command in output)])
  return spec
}

const code = (text) => `\`${text}\``
const list = (names) => names.map(code).join(', ')
/** action.yml descriptions are plain text but for `code`: a [link](to) keeps its text. */
const plain = (markdown) => markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
const lowerFirst = (text) => (/^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text)

/** Whom an input or output is for, in words: "every command but `pr-report`" or a list. */
function commandsWords(spec, names) {
  const all = Object.keys(spec.commands)
  if (names.length === all.length) return 'every command'
  const missing = all.filter((name) => !names.includes(name))
  if (missing.length === 1 && names.length > 2) return `every command but ${code(missing[0])}`
  return list(names)
}

/** An input's or output's description in action.yml, where every command shares it. */
function sharedDescription(spec, item) {
  const own = item.for.filter((command) => command in item)
  let text = item.description
  if (item.for.length === 1) {
    const [command] = item.for
    text = `${code(command)}${item.required?.includes(command) ? ' (required)' : ''}: ${lowerFirst(text)}`
  } else {
    // A command with words of its own says there that it requires the input.
    const required = (item.required ?? []).filter((command) => !own.includes(command))
    if (required.length) text += ` Required for ${commandsWords(spec, required)}.`
  }
  for (const command of own) text += ` For ${code(command)}${item.required?.includes(command) ? ' (required)' : ''}: ${lowerFirst(item[command])}`
  return text
}

function commandInput(spec) {
  const what = Object.entries(spec.commands).map(([name, command]) => `${code(name)} (${command.summary})`)
  return {
    description: `What to do: ${what.slice(0, -1).join(', ')} or ${what.at(-1)}. Each command also has its own action, ${code(`${REPOSITORY}/<command>@v1`)}, declaring only its inputs.`,
    default: 'deploy',
  }
}

function runs(main, post) {
  return { using: 'node24', main, ...(post ? { post: main, 'post-if': 'always()' } : {}) }
}

/** action.yml: every command, as before the commands had their own actions. */
function topAction(spec) {
  const inputs = { command: commandInput(spec) }
  for (const [name, input] of Object.entries(spec.inputs)) {
    inputs[name] = { description: plain(sharedDescription(spec, input)), ...(input.default === undefined ? {} : { default: input.default }) }
  }
  const outputs = {}
  for (const [name, output] of Object.entries(spec.outputs)) outputs[name] = { description: plain(sharedDescription(spec, output)) }
  return { name: spec.name, description: spec.description, author: spec.author, branding: BRANDING, inputs, outputs, runs: runs('dist/index.js', true) }
}

/** <command>/action.yml: that command's inputs and outputs only, its entry fixing the command. */
function commandAction(spec, command) {
  const inputs = {}
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (!input.for.includes(command)) continue
    inputs[name] = {
      description: plain(input[command] ?? input.description),
      ...(input.required.includes(command) ? { required: true } : input.default === undefined ? {} : { default: input.default }),
    }
  }
  const outputs = {}
  for (const [name, output] of Object.entries(spec.outputs)) {
    if (output.for.includes(command)) outputs[name] = { description: plain(output[command] ?? output.description) }
  }
  const { description, post } = spec.commands[command]
  return { name: `${spec.name}: ${command}`, description, author: spec.author, branding: BRANDING, inputs, outputs, runs: runs(`../dist/${command}.js`, post) }
}

function yamlFile(document) {
  return HEADER + stringify(document, { lineWidth: 0 })
}

/** A TypeScript string literal as Prettier writes it here: single quotes unless double need fewer escapes. */
function literal(value) {
  const json = JSON.stringify(value)
  const singles = value.split("'").length - 1
  const doubles = value.split('"').length - 1
  if (singles > doubles) return json
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`
}

const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name))

function inputDefaultsModule(spec) {
  const lines = [`  command: 'deploy',`]
  for (const [name, input] of Object.entries(spec.inputs)) {
    const written = input.default ?? ''
    lines.push(written.includes('${{') ? `  ${key(name)}: '', // ${written}, which the runner fills in` : `  ${key(name)}: ${literal(written)},`)
  }
  return `// Generated from action-spec.yml by scripts/generate.mjs, which npm run build runs: do not edit.
// Every input of action.yml with its default, which the runner passes when a workflow leaves the
// input out. '' when action.yml has no default, and for a default that is an expression (the
// runner evaluates it and always passes the value; only a caller that is not the runner, such as
// a test, leaves it empty).
export const INPUT_DEFAULTS = {
${lines.join('\n')}
} as const

/** The name of an input of action.yml. */
export type InputName = keyof typeof INPUT_DEFAULTS
`
}

/** A table cell: one line, its pipes escaped (GitHub ends a cell at |, even inside `code`). */
const cell = (text) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|')

function defaultCell(input) {
  if (input.readme) return input.readme
  if (input.default === undefined) return '—'
  if (input.default === '') return 'empty'
  return input.default.trim().split('\n').map(code).join(', ')
}

function requiredWords(input) {
  if (input.required.length === 0) return ''
  return input.required.length === input.for.length ? ', **required**' : ` (**required** for ${list(input.required)})`
}

/** An input's or output's description in the README's table: the shared words, then each command's own. */
const meaning = (item) => [item.description, ...item.for.filter((command) => command in item).map((command) => `${code(command)}: ${item[command]}`)].join(' ')

function readmeBlock(spec) {
  const out = []
  out.push('### The actions', '')
  out.push('| action | does | post step |', '|---|---|---|')
  out.push(`| ${code(`${REPOSITORY}@v1`)} | the command given by its \`command\` input: every input below | settles a record the step left in progress |`)
  for (const [name, command] of Object.entries(spec.commands)) {
    out.push(`| ${code(`${REPOSITORY}/${name}@v1`)} | ${cell(command.description)} | ${command.post ? 'settles a record the step left in progress' : 'none'} |`)
  }
  out.push('', '### Inputs', '')
  out.push('| input | default | for | meaning |', '|---|---|---|---|')
  out.push(`| \`command\` | \`deploy\` | ${code(`${REPOSITORY}@v1`)} only | ${cell(commandInput(spec).description)} |`)
  for (const [name, input] of Object.entries(spec.inputs)) {
    out.push(`| ${code(name)} | ${cell(defaultCell(input))} | ${commandsWords(spec, input.for)}${requiredWords(input)} | ${cell(meaning(input))} |`)
  }
  out.push('', '### Outputs', '')
  out.push('| output | set by | meaning |', '|---|---|---|')
  for (const [name, output] of Object.entries(spec.outputs)) out.push(`| ${code(name)} | ${commandsWords(spec, output.for)} | ${cell(meaning(output))} |`)
  return out.join('\n')
}

/** One command's own action: its inputs and outputs, as a doc about that command shows them. */
function commandBlock(spec, command) {
  const out = ['| input | default | meaning |', '|---|---|---|']
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (!input.for.includes(command)) continue
    const fallback = input.required.includes(command) ? '**required**' : defaultCell(input)
    out.push(`| ${code(name)} | ${cell(fallback)} | ${cell(input[command] ?? input.description)} |`)
  }
  out.push('', '| output | meaning |', '|---|---|')
  for (const [name, output] of Object.entries(spec.outputs)) {
    if (output.for.includes(command)) out.push(`| ${code(name)} | ${cell(output[command] ?? output.description)} |`)
  }
  return out.join('\n')
}

/** The Markdown file with its generated block (between begin and END) made anew. */
function withBlock(path, text, begin, block) {
  const at = text.indexOf(begin)
  const end = text.indexOf(END, at)
  if (at < 0 || end < at) throw new Error(`${path} has no generated block: put the lines\n${begin}\n${END}\nwhere the tables go`)
  return `${text.slice(0, at + begin.length)}\n\n${block}\n\n${text.slice(end)}`
}

async function pretty(path, text) {
  return format(text, { ...(await resolveConfig(join(ROOT, path))), filepath: join(ROOT, path) })
}

const spec = readSpec()
const files = {
  'action.yml': await pretty('action.yml', yamlFile(topAction(spec))),
  'src/input-defaults.ts': inputDefaultsModule(spec),
  // Prettier leaves Markdown alone here (.prettierignore): the block is written as it is.
  'README.md': withBlock('README.md', readFileSync(join(ROOT, 'README.md'), 'utf8'), BEGIN, readmeBlock(spec)),
}
for (const [path, command] of Object.entries(COMMAND_DOCS)) {
  files[path] = withBlock(path, readFileSync(join(ROOT, path), 'utf8'), commandBegin(command), commandBlock(spec, command))
}
for (const command of Object.keys(spec.commands)) {
  files[`${command}/action.yml`] = await pretty(`${command}/action.yml`, yamlFile(commandAction(spec, command)))
}

const check = process.argv.includes('--check')
const stale = []
for (const [path, text] of Object.entries(files)) {
  const full = join(ROOT, path)
  if (existsSync(full) && readFileSync(full, 'utf8') === text) continue
  stale.push(path)
  if (!check) {
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, text)
  }
}
if (check && stale.length > 0) {
  console.error(`not generated from action-spec.yml as it is now: ${stale.join(', ')}; run npm run build and commit them`)
  process.exit(1)
}
