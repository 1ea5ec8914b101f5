// Writes src/input-defaults.ts from action.yml, so each input's default is written once, in
// action.yml, and src/inputs.ts reads it without parsing YAML at run time (a slower cold start).
// `npm run build` runs it; test/input-defaults.test.ts fails when the file is not current.
//   node scripts/input-defaults.mjs            writes src/input-defaults.ts
//   node scripts/input-defaults.mjs --stdout   prints what it would write
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

const ROOT = join(import.meta.dirname, '..')
const OUT = 'src/input-defaults.ts'

/** A TypeScript string literal as Prettier writes it here: single quotes unless double need fewer escapes. */
function literal(value) {
  const json = JSON.stringify(value)
  const singles = value.split("'").length - 1
  const doubles = value.split('"').length - 1
  if (singles > doubles) return json
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`
}

function key(name) {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name)
}

function inputDefaultsModule(actionYml) {
  // The failsafe schema reads every scalar as the string written, as the runner passes inputs.
  const inputs = parse(actionYml, { schema: 'failsafe' }).inputs ?? {}
  const typed = parse(actionYml).inputs ?? {}
  const lines = []
  for (const [name, spec] of Object.entries(inputs)) {
    const written = spec?.default ?? ''
    if (typeof written !== 'string') throw new Error(`action.yml: the default of input ${name} is not a string`)
    // YAML's own schema would read an unquoted 22 or true as a number or boolean: quote those.
    if (typeof (typed[name]?.default ?? '') !== 'string') throw new Error(`action.yml: quote the default of input ${name} ("${written}")`)
    if (written.includes('${{')) {
      lines.push(`  ${key(name)}: '', // ${written}, which the runner fills in`)
    } else {
      lines.push(`  ${key(name)}: ${literal(written)},`)
    }
  }
  return `// Generated from action.yml by scripts/input-defaults.mjs, which npm run build runs: do not edit.
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

const text = inputDefaultsModule(readFileSync(join(ROOT, 'action.yml'), 'utf8'))
if (process.argv.includes('--stdout')) process.stdout.write(text)
else writeFileSync(join(ROOT, OUT), text)
