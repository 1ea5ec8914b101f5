import { describe, expect, it } from 'vitest'
import { formatDuration, RunLog } from '../src/run-log'
import { logLine } from '../src/text'

function recorder() {
  const lines: string[] = []
  return {
    lines,
    sink: {
      info: (line: string) => lines.push(line),
      startGroup: (title: string) => lines.push(`::group::${title}`),
      endGroup: () => lines.push('::endgroup::'),
    },
  }
}

describe('RunLog', () => {
  it('groups phases, prefixes host lines, and times each phase', () => {
    const { lines, sink } = recorder()
    const log = new RunLog('n0nce', sink)
    log.push(Buffer.from('waiting\n@@n0nce phase build begin 1000\ncompil'))
    log.push(Buffer.from('ing\n::set-output name=x::y\n@@n0nce phase build end 0 3500\n@@n0nce phase restart begin 4000\n'))
    log.push(Buffer.from('@@n0nce phase restart end 3 4200\ndone'))
    log.flush()
    expect(lines).toEqual([
      '| waiting',
      '::group::build',
      '| compiling',
      '| ::set-output name=x::y',
      '::endgroup::',
      '✔ build (2.5 s)',
      '::group::restart',
      '::endgroup::',
      '✘ restart failed with exit status 3 after 0.2 s',
      '| done',
    ])
    expect(log.phases).toEqual([
      { name: 'build', begin: 1000, end: 3500, code: 0, output: ['compiling', '::set-output name=x::y'] },
      { name: 'restart', begin: 4000, end: 4200, code: 3, output: [] },
    ])
  })

  it('takes the result the run repeats at the end of its log, and says when the log ended', () => {
    const { lines, sink } = recorder()
    const log = new RunLog('n0nce', sink)
    expect(log.push(Buffer.from('deployed abc\n@@n0nce result outcome=success\n@@n0nce result mess'))).toBe(false)
    expect(log.result).toBeNull()
    // A forged end (wrong nonce) ends nothing; the real one ends the log, even mid-chunk.
    expect(log.push(Buffer.from('age=deployed abc = done\n@@guess end\n@@n0nce end\nafter\nhalf a li'))).toBe(true)
    log.flush()
    expect(log.result).toBe('outcome=success\nmessage=deployed abc = done')
    expect(lines).toEqual(['| deployed abc', '| @@guess end'])
  })

  it('has no result for a log that stopped without its end (the run died)', () => {
    const log = new RunLog('n0nce', recorder().sink)
    log.push(Buffer.from('@@n0nce result outcome=success\n'))
    log.flush()
    expect(log.result).toBeNull()
  })

  it('treats a marker with the wrong nonce as plain output', () => {
    const { lines, sink } = recorder()
    const log = new RunLog('secret', sink)
    log.push(Buffer.from('@@guess phase build begin 1\n'))
    expect(lines).toEqual(['| @@guess phase build begin 1'])
    expect(log.phases).toEqual([])
  })

  it('never lets host output act as a workflow command, even after a bare CR, once the job log escapes it', () => {
    const { lines, sink } = recorder()
    // What src/log.ts does to every line it writes.
    const log = new RunLog('n', { ...sink, info: (line) => sink.info(logLine(line)) })
    log.push(Buffer.from('progress 50%\r::add-mask::x\r::stop-commands::t\n\x1b[31mred ##[warning]w\n'))
    expect(lines).toEqual(['| progress 50%\\x0d::add-mask::x\\x0d::stop-commands::t', '| \\x1b[31mred ##\\x5bwarning]w'])
  })

  it('finds a marker that follows output without a final newline', () => {
    const { lines, sink } = recorder()
    const log = new RunLog('n', sink)
    log.push(Buffer.from('@@n phase status begin 0\nall good@@n phase status end 0 5\n'))
    expect(lines).toEqual(['::group::status', '| all good', '::endgroup::', '✔ status (0.0 s)'])
    expect(log.phases[0]).toMatchObject({ name: 'status', code: 0, output: ['all good'] })
  })

  it('reassembles a UTF-8 character split across chunks', () => {
    const { lines, sink } = recorder()
    const log = new RunLog('n', sink)
    const bytes = Buffer.from('✔ ok\n')
    log.push(bytes.subarray(0, 1))
    log.push(bytes.subarray(1))
    expect(lines).toEqual(['| ✔ ok'])
  })
})

describe('formatDuration', () => {
  it('reads well at every scale', () => {
    expect(formatDuration(1234)).toBe('1.2 s')
    expect(formatDuration(65_000)).toBe('65 s')
    expect(formatDuration(20 * 60_000 + 5_000)).toBe('20 min 5 s')
    expect(formatDuration(179_700)).toBe('3 min 0 s')
  })
})
