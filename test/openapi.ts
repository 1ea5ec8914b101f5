// Checks exchanges with the loopback GitHub stand-in (test/github-api.ts) against GitHub's own
// OpenAPI description of its REST API (@octokit/openapi, api.github.com.json, OpenAPI 3.0): the
// operation must exist; its path and query parameters must be declared, of the declared type; the
// request body must match the operation's requestBody schema; the response status must be listed;
// the response body must match that status's schema. Neither side may carry a field the schema
// does not declare, so a misspelt or invented field shows. Each finding is one Problem, readable
// as one line: `POST /repos/{owner}/{repo}/deployments 201: /payload must be object`.
//
// The description is loaded on the first check; $refs are resolved into plain JSON Schema (nullable
// becomes a "null" type) only for the operations used, and each schema is compiled once.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { Exchange } from './github-api'

export interface Problem {
  /** "METHOD /path/{template}" as the description names it; the request's own path when none matches. */
  operation: string
  /** The response status, or 'request' for the request's path, query and body. */
  at: number | 'request'
  /** JSON pointer into the body; `?name` for a query parameter, `{name}` for a path parameter; '' for the whole. */
  pointer: string
  message: string
  /** The offending value, for reading: not part of what an exception matches. */
  value?: unknown
}

/** A problem GitHub itself has: it answers what its description does not say. */
export interface KnownDifference {
  operation: string
  at: number | 'request'
  /** As in Problem, with `*` for any array index. */
  pointer: string
  message: string
  why: string
}

export function problemText(problem: Problem): string {
  const value = problem.value === undefined ? '' : ` (got ${clip(JSON.stringify(problem.value))})`
  return `${problem.operation} ${problem.at}: ${problem.pointer ? `${problem.pointer} ` : ''}${problem.message}${value}`
}

export function isKnown(problem: Problem, known: KnownDifference): boolean {
  const pointer = problem.pointer.replace(/\/\d+(?=\/|$)/g, '/*')
  return known.operation === problem.operation && known.at === problem.at && known.pointer === pointer && known.message === problem.message
}

/** "METHOD /path/{template}": the description's operation for this exchange's request, if any. */
export function operationOf(exchange: Exchange): string | undefined {
  return findOperation(exchange.request.method.toUpperCase(), exchange.target.replace(/\?.*$/s, ''))?.name
}

/** Everything about one exchange that the description contradicts. */
export function checkExchange(exchange: Exchange): Problem[] {
  const method = exchange.request.method.toUpperCase()
  const split = exchange.target.indexOf('?')
  const [rawPath, rawQuery] = split < 0 ? [exchange.target, ''] : [exchange.target.slice(0, split), exchange.target.slice(split + 1)]
  const found = findOperation(method, rawPath)
  if (!found) return [{ operation: `${method} ${exchange.request.path}`, at: 'request', pointer: '', message: 'is no operation of the description' }]
  const { name, operation, pathItem, params } = found
  const problems: Problem[] = []
  const report = (at: Problem['at'], list: Omit<Problem, 'operation' | 'at'>[]) => problems.push(...list.map((p) => ({ operation: name, at, ...p })))

  // Path and query parameters: declared, required ones present, each of its type.
  const parameters = [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])].map((p: any) => (p.$ref ? lookup(p.$ref) : p))
  const query = new URLSearchParams(rawQuery)
  for (const [key, value] of params)
    report(
      'request',
      checkParameter(
        parameters.find((p: any) => p.in === 'path' && p.name === key),
        `{${key}}`,
        value,
      ),
    )
  for (const [key, value] of query) {
    const declared = parameters.find((p: any) => p.in === 'query' && p.name === key)
    if (!declared) report('request', [{ pointer: `?${key}`, message: 'is not a parameter of the operation', value }])
    else report('request', checkParameter(declared, `?${key}`, value))
  }
  for (const p of parameters) if (p.in === 'query' && p.required && !query.has(p.name)) report('request', [{ pointer: `?${p.name}`, message: 'is required' }])

  // Request body.
  const requestBody = operation.requestBody?.$ref ? lookup(operation.requestBody.$ref) : operation.requestBody
  const requestSchema = requestBody?.content?.['application/json']?.schema
  if (exchange.request.body === undefined) {
    if (requestBody?.required) report('request', [{ pointer: '', message: 'needs a JSON body' }])
  } else if (!requestSchema) {
    report('request', [{ pointer: '', message: 'has a body; the operation takes none', value: exchange.request.body }])
  } else {
    report('request', validate(schemaOf(requestSchema), exchange.request.body))
  }

  // Response: a listed status, and a body of its schema.
  const responses: Record<string, any> = operation.responses ?? {}
  const listed = responses[String(exchange.status)] ?? responses[`${String(exchange.status)[0]}XX`] ?? responses['default']
  if (!listed) {
    report(exchange.status, [{ pointer: '', message: `is not a listed status (the description lists ${Object.keys(responses).join(', ')})` }])
    return problems
  }
  const response = listed.$ref ? lookup(listed.$ref) : listed
  const content = response.content?.['application/json']
  const contentType = (Object.entries(exchange.headers).find(([key]) => key.toLowerCase() === 'content-type')?.[1] ?? '').split(';')[0]!.trim()
  if (exchange.status === 204 && exchange.body !== undefined) report(204, [{ pointer: '', message: 'has a body', value: exchange.body }])
  if (content?.schema) {
    if (contentType !== 'application/json') report(exchange.status, [{ pointer: '', message: 'is not application/json', value: contentType }])
    if (exchange.body === undefined) report(exchange.status, [{ pointer: '', message: 'has no body; the description gives one' }])
    else report(exchange.status, validate(schemaOf(content.schema), exchange.body))
  }
  // A status the description lists without content (409 for create-deployment): GitHub still
  // sends its error body, and nothing says what it holds.
  return problems
}

// ---------------------------------------------------------------------------------------------
// The description, loaded once, and its operations.

const DESCRIPTION = join(__dirname, '../node_modules/@octokit/openapi/generated/api.github.com.json')
let description: any
const doc = (): any => (description ??= JSON.parse(readFileSync(DESCRIPTION, 'utf8')))

interface Template {
  path: string
  segments: string[]
  /** Literal segments: among templates that match, the most literal wins (pulls/comments over pulls/{pull_number}). */
  literals: number
}
let templates: Template[] | undefined

function findOperation(method: string, path: string) {
  // GitHub's Link headers name the repository by id (/repositories/<id>/…), a form the description
  // does not list: such a page is checked as the /repos/{owner}/{repo}/… operation it continues.
  const rawPath = path.replace(/^\/repositories\/\d+\//, '/repos/by-id/repository/')
  templates ??= Object.keys(doc().paths).map((path) => {
    const segments = path.split('/')
    return { path, segments, literals: segments.filter((s) => !s.startsWith('{')).length }
  })
  const segments = rawPath.split('/')
  let best: { template: Template; params: [string, string][] } | undefined
  for (const template of templates) {
    if (template.segments.length !== segments.length || (best && best.template.literals >= template.literals)) continue
    const params: [string, string][] = []
    const matches = template.segments.every((s, i) => {
      const param = /^\{(.+)\}$/.exec(s)
      if (param) params.push([param[1]!, decodeURIComponent(segments[i]!)])
      return param ? segments[i] !== '' : s === segments[i]
    })
    if (matches) best = { template, params }
  }
  if (!best) return undefined
  const pathItem = doc().paths[best.template.path]
  const operation = pathItem[method.toLowerCase()]
  return operation ? { name: `${method} ${best.template.path}`, operation, pathItem, params: best.params } : undefined
}

function lookup(ref: string): any {
  if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref}`)
  return ref
    .slice(2)
    .split('/')
    .reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc())
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schemas as JSON Schema, for ajv.

const converted = new Map<string, any>()
const convertedInline = new WeakMap<object, any>()
const converting = new Set<string>()
/** The keywords that validate; the rest (description, example, default, x-*, discriminator, readOnly...) only document. */
const VALIDATING = new Set([
  'type',
  'enum',
  'format',
  'required',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
])

/** A resolved, converted schema: the same object for the same source, so compiled validators can be cached on it. */
function schemaOf(schema: any): any {
  if (typeof schema !== 'object' || schema === null) return schema
  if (!convertedInline.has(schema)) convertedInline.set(schema, convert(schema))
  return convertedInline.get(schema)
}

function convert(schema: any): any {
  if (typeof schema.$ref === 'string') {
    const ref: string = schema.$ref
    if (converted.has(ref)) return converted.get(ref)
    if (converting.has(ref)) throw new Error(`recursive schema ${ref}: resolve it with ajv's own $ref instead`)
    converting.add(ref)
    const result = schemaOf(lookup(ref))
    converting.delete(ref)
    converted.set(ref, result)
    return result
  }
  const out: any = {}
  for (const [key, value] of Object.entries<any>(schema)) {
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, schemaOf(s)]))
    else if (key === 'items' || key === 'additionalProperties' || key === 'not') out[key] = schemaOf(value)
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = value.map(schemaOf)
    else if (VALIDATING.has(key)) out[key] = value
  }
  if (schema.nullable !== true) return out
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null']
    if (out.enum) out.enum = [...out.enum, null]
    return out
  }
  return { anyOf: [out, { type: 'null' }] }
}

let ajvInstance: Ajv | undefined
const compiled = new WeakMap<object, ValidateFunction>()

function validator(schema: object): ValidateFunction {
  let compiledSchema = compiled.get(schema)
  if (!compiledSchema) {
    if (!ajvInstance) {
      ajvInstance = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true })
      addFormats(ajvInstance)
      // GitHub's own formats, which say nothing checkable.
      for (const format of ['repo.nwo', 'timestamp']) ajvInstance.addFormat(format, true)
    }
    compiledSchema = ajvInstance.compile(schema)
    compiled.set(schema, compiledSchema)
  }
  return compiledSchema
}

function checkParameter(parameter: any, pointer: string, text: string): Omit<Problem, 'operation' | 'at'>[] {
  if (!parameter) return [{ pointer, message: 'is not a parameter of the operation', value: text }]
  const schema = schemaOf(parameter.schema ?? {})
  const types = [schema.type].flat()
  const value =
    types.includes('integer') || types.includes('number')
      ? /^-?\d+(\.\d+)?$/.test(text)
        ? Number(text)
        : text
      : types.includes('boolean') && (text === 'true' || text === 'false')
        ? text === 'true'
        : types.includes('array')
          ? text.split(',')
          : text
  return validate(schema, value).map((p) => ({ ...p, pointer: pointer + p.pointer }))
}

function validate(schema: any, data: unknown): Omit<Problem, 'operation' | 'at'>[] {
  const check = validator(schema)
  const problems = check(data) ? [] : readable(check.errors ?? [], data)
  undeclared(schema, data, '', problems)
  return problems
}

/** ajv's errors as problems: within a failed oneOf or anyOf, only the errors of the branch that came closest. */
function readable(errors: ErrorObject[], data: unknown): Omit<Problem, 'operation' | 'at'>[] {
  let kept = errors
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length)
  for (const alternative of alternatives) {
    if (!kept.includes(alternative)) continue
    const prefix = alternative.schemaPath.replace(/\/(oneOf|anyOf)$/, `/${alternative.keyword}/`)
    const branches = new Map<string, ErrorObject[]>()
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!
      branches.set(branch, [...(branches.get(branch) ?? []), e])
    }
    // A branch whose only complaint is the value's type at the alternative itself is not the intended one.
    const wrongKind = (es: ErrorObject[]) => es.length === 1 && es[0]!.keyword === 'type' && es[0]!.instancePath === alternative.instancePath
    const candidates = [...branches.values()].filter((es) => !wrongKind(es)).sort((a, b) => a.length - b.length)
    const drop = new Set([...branches.values()].flat().filter((e) => !candidates[0]?.includes(e)))
    if (candidates.length > 0) drop.add(alternative)
    kept = kept.filter((e) => !drop.has(e))
  }
  return kept.map((e) => problemOf(e, data))
}

function problemOf(error: ErrorObject, data: unknown): Omit<Problem, 'operation' | 'at'> {
  const at = error.instancePath
  const value = at
    .split('/')
    .slice(1)
    .reduce<any>((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], data)
  switch (error.keyword) {
    case 'required':
      return { pointer: `${at}/${escape(error.params['missingProperty'])}`, message: 'is missing' }
    case 'additionalProperties':
      return { pointer: `${at}/${escape(error.params['additionalProperty'])}`, message: 'is not in the description' }
    case 'type':
      return { pointer: at, message: `must be ${[error.params['type']].flat().join(' or ')}`, value }
    case 'enum':
      return { pointer: at, message: `must be one of ${error.params['allowedValues'].map((v: unknown) => JSON.stringify(v)).join(', ')}`, value }
    case 'oneOf':
      return { pointer: at, message: error.params['passingSchemas'] ? 'matches more than one of its oneOf schemas' : 'matches none of its oneOf schemas', value }
    default:
      return { pointer: at, message: error.message ?? error.keyword, value }
  }
}

/**
 * Fields the schema does not declare, where it neither allows nor forbids others (most of GitHub's
 * schemas): valid JSON Schema, but a field GitHub never sends, or a misspelt one.
 */
function undeclared(schema: any, data: unknown, pointer: string, problems: Omit<Problem, 'operation' | 'at'>[]): void {
  if (typeof data !== 'object' || data === null || typeof schema !== 'object' || schema === null) return
  for (const branches of [schema.oneOf, schema.anyOf]) {
    const fit = branches?.find((branch: object) => validator(branch)(data))
    if (fit) undeclared(fit, data, pointer, problems)
  }
  const parts = [schema, ...(schema.allOf ?? [])]
  if (Array.isArray(data)) {
    for (const part of parts) if (part.items) data.forEach((item, i) => undeclared(part.items, item, `${pointer}/${i}`, problems))
    return
  }
  const declared = parts.filter((part) => part.properties)
  if (declared.length === 0) return // free-form, or described only by its oneOf or anyOf
  const open = parts.some((part) => part.additionalProperties !== undefined)
  for (const [key, value] of Object.entries(data)) {
    const property = declared.find((part) => key in part.properties)?.properties[key]
    if (property) undeclared(property, value, `${pointer}/${escape(key)}`, problems)
    else if (!open) problems.push({ pointer: `${pointer}/${escape(key)}`, message: 'is not in the description' })
  }
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')
const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text)
