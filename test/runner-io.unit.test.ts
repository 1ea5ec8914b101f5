// runner-io writes workflow commands and file commands as the runner reads them: a message or
// property can never end its command early, nor a value its file-command entry.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { runnerIO } from '../src/runner-io'

let dir: string
let written: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-io-'))
  written = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk)
    return true
  })
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  process.exitCode = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('workflow commands', () => {
  it('escape %, CR and LF in messages, and also : and , in properties', () => {
    runnerIO.warning('50% done\r\nnext: a, b', 'packages/backend/migrations/1_a:b,c.sql')
    runnerIO.notice('line\nline')
    runnerIO.startGroup('build %0A')
    runnerIO.endGroup()
    runnerIO.mask('se\ncret')
    runnerIO.info('plain text')
    expect(written.split('\n')).toEqual([
      '::warning file=packages/backend/migrations/1_a%3Ab%2Cc.sql::50%25 done%0D%0Anext: a, b',
      '::notice::line%0Aline',
      '::group::build %250A',
      '::endgroup::',
      '::add-mask::se%0Acret',
      'plain text',
      '',
    ])
  })

  it('fails the step: an error annotation and exit status 1', () => {
    runnerIO.fail('deploy failed: x')
    expect(written).toBe('::error::deploy failed: x\n')
    expect(process.exitCode).toBe(1)
  })
})

describe('file commands', () => {
  it('append NAME<<DELIMITER entries the runner reads back whole, whatever the value holds', () => {
    const output = join(dir, 'output')
    const state = join(dir, 'state')
    writeFileSync(output, 'earlier<<X\nkept\nX\n')
    writeFileSync(state, '')
    vi.stubEnv('GITHUB_OUTPUT', output)
    vi.stubEnv('GITHUB_STATE', state)
    runnerIO.setOutput('status', 'line 1\nEOF\nghadelimiter_\n')
    runnerIO.saveState('isPost', 'true')
    const entries = [...readFileSync(output, 'utf8').matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]])
    expect(entries).toEqual([
      ['earlier', 'kept'],
      ['status', 'line 1\nEOF\nghadelimiter_\n'],
    ])
    expect(readFileSync(state, 'utf8')).toMatch(/^isPost<<(ghadelimiter_[0-9a-f-]{36})\ntrue\n\1\n$/)
    expect(written).toBe('')
  })

  it('fall back to the older workflow commands on a runner without file commands', () => {
    vi.stubEnv('GITHUB_OUTPUT', '')
    vi.stubEnv('GITHUB_STATE', '')
    runnerIO.saveState('isPost', 'true')
    runnerIO.setOutput('status', 'a, b: c\nd')
    expect(written).toBe('::save-state name=isPost::true\n::set-output name=status::a, b: c%0Ad\n')
  })

  it('append to the job summary, and write no summary without a runner', () => {
    const summary = join(dir, 'summary')
    writeFileSync(summary, '## before\n')
    vi.stubEnv('GITHUB_STEP_SUMMARY', summary)
    runnerIO.appendSummary('## Deploy')
    expect(readFileSync(summary, 'utf8')).toBe('## before\n## Deploy\n')
    vi.stubEnv('GITHUB_STEP_SUMMARY', '')
    runnerIO.appendSummary('lost')
    expect(readFileSync(summary, 'utf8')).toBe('## before\n## Deploy\n')
    expect(written).toBe('')
  })
})
