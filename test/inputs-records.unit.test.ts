// The inputs for deployment records: environment, environment-url, production-environment, github-token.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, expect, it } from 'vitest'
import { UserError } from '../src/errors'
import { parseSettings, type DeploySettings } from '../src/inputs'

let key: string
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')])
  key = readFileSync(join(dir, 'key'), 'utf8')
})

function records(inputs: Record<string, string>) {
  const all: Record<string, string> = {
    host: 'backend.catcolab.org',
    'private-key': key,
    'known-hosts': 'backend.catcolab.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
    ref: 'v1.2.3',
    'github-token': 'ghs_token',
    ...inputs,
  }
  return (parseSettings((name) => all[name] ?? '', { actor: '', runUrl: '' }) as DeploySettings).records
}

function problem(inputs: Record<string, string>): string {
  try {
    records(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as Error).message
  }
  throw new Error('expected a UserError')
}

it('records nothing without an environment', () => {
  expect(records({})).toBeNull()
  expect(records({ environment: '  ' })).toBeNull()
})

it('takes catcolab for production unless told otherwise', () => {
  expect(records({ environment: 'catcolab' })).toEqual({ environment: 'catcolab', environmentUrl: null, production: true, token: 'ghs_token' })
  expect(records({ environment: 'catcolab-next' })?.production).toBe(false)
  expect(records({ environment: 'catcolab', 'production-environment': 'false' })?.production).toBe(false)
  expect(records({ environment: 'staging', 'production-environment': 'true' })?.production).toBe(true)
})

it('keeps the environment URL as written', () => {
  expect(records({ environment: 'catcolab-next', 'environment-url': ' https://backend-next.catcolab.org ' })?.environmentUrl).toBe('https://backend-next.catcolab.org')
})

it('names the input in each problem', () => {
  expect(problem({ environment: 'x'.repeat(256) })).toMatch(/^environment ".*" is not a GitHub environment name/)
  expect(problem({ environment: 'a\tb' })).toMatch(/^environment "a\\tb" is not a GitHub environment name/)
  expect(problem({ environment: 'e', 'environment-url': 'backend.catcolab.org' })).toMatch(/^environment-url "backend.catcolab.org" is not a URL/)
  expect(problem({ environment: 'e', 'environment-url': 'ftp://x' })).toMatch(/^environment-url "ftp:\/\/x" must be an http or https URL/)
  expect(problem({ environment: 'e', 'production-environment': 'yes' })).toMatch(/^production-environment must be true or false/)
})
