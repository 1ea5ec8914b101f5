// The job's environment (runner.ts): what is read from the runner's variables and the event
// file, the defaults GitHub documents, and the one line a command that needs the repository
// says outside GitHub Actions.
import { describe, expect, it } from 'vitest'
import { UserError } from '../src/errors'
import { commitUrl, readRunner, requireRepository } from '../src/runner'

const RUNNER = {
  GITHUB_REPOSITORY: 'ToposInstitute/CatColab',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_RUN_ID: '4242',
  GITHUB_ACTOR: 'octocat',
  GITHUB_EVENT_PATH: '/home/runner/work/_temp/_github_workflow/event.json',
  GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary_1',
}
const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' })
}
const event = (json: unknown) => (path: string) => {
  expect(path).toBe(RUNNER.GITHUB_EVENT_PATH)
  return typeof json === 'string' ? json : JSON.stringify(json)
}

describe('reading the runner', () => {
  it("reads the repository, the URLs, who started the run, its page and the event's pull request", () => {
    expect(readRunner(RUNNER, event({ action: 'synchronize', pull_request: { number: 7 } }))).toEqual({
      repository: 'ToposInstitute/CatColab',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      actor: 'octocat',
      runUrl: 'https://github.com/ToposInstitute/CatColab/actions/runs/4242',
      eventPullRequest: 7,
    })
  })

  it('reads a GitHub Enterprise Server', () => {
    const runner = readRunner({ ...RUNNER, GITHUB_SERVER_URL: 'https://git.example.org', GITHUB_API_URL: 'https://git.example.org/api/v3' }, noFile)
    expect(runner).toMatchObject({
      serverUrl: 'https://git.example.org',
      apiUrl: 'https://git.example.org/api/v3',
      runUrl: 'https://git.example.org/ToposInstitute/CatColab/actions/runs/4242',
    })
    expect(commitUrl(runner, 'a'.repeat(40))).toBe(`https://git.example.org/ToposInstitute/CatColab/commit/${'a'.repeat(40)}`)
  })

  it("makes up no repository outside a runner: only GitHub's documented URLs have defaults", () => {
    const runner = readRunner({}, noFile)
    expect(runner).toEqual({
      repository: null,
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      actor: '',
      runUrl: '',
      eventPullRequest: null,
    })
    expect(commitUrl(runner, 'a'.repeat(40))).toBe('')
    // Empty is unset, as the runner's own tools take it.
    expect(readRunner({ GITHUB_REPOSITORY: '', GITHUB_RUN_ID: '1', GITHUB_STEP_SUMMARY: '' }, noFile)).toMatchObject({ repository: null, runUrl: '' })
  })

  it('has no run page without the run id', () => {
    expect(readRunner({ ...RUNNER, GITHUB_RUN_ID: '' }, noFile).runUrl).toBe('')
  })

  it("takes an event's pull request number only from a pull request event's file that holds one", () => {
    const number = (json: unknown) => readRunner(RUNNER, event(json)).eventPullRequest
    expect(number({ pull_request: { number: 12 } })).toBe(12)
    expect(number({ ref: 'refs/heads/main', commits: [] })).toBeNull() // a push
    expect(number({ issue: { number: 12 } })).toBeNull()
    expect(number({ pull_request: { number: '12' } })).toBeNull()
    expect(number({ pull_request: { number: 1.5 } })).toBeNull()
    expect(number({ pull_request: { number: 0 } })).toBeNull()
    expect(number({ pull_request: null })).toBeNull()
    expect(number('null')).toBeNull()
    expect(number('{ not json')).toBeNull()
    expect(readRunner(RUNNER, noFile).eventPullRequest).toBeNull()
    // No event file named: not even looked for.
    expect(readRunner({ ...RUNNER, GITHUB_EVENT_PATH: '' }, () => '{"pull_request":{"number":3}}').eventPullRequest).toBeNull()
  })
})

describe('a command that needs the repository', () => {
  it('gets it in a runner', () => {
    expect(requireRepository(readRunner(RUNNER, noFile), 'command pr-report needs it')).toBe('ToposInstitute/CatColab')
  })

  it('refuses outside GitHub Actions with one line saying what is missing', () => {
    const error = (() => {
      try {
        requireRepository(readRunner({}, noFile), 'command pr-report needs it')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toBe('GITHUB_REPOSITORY is not set, and command pr-report needs it: run in GitHub Actions, or set GITHUB_REPOSITORY to owner/name')
  })

  it('refuses a repository that is not owner/name', () => {
    for (const repository of ['CatColab', 'a/b/c', 'a/', '/b', 'a /b']) {
      expect(() => requireRepository({ repository }, 'command pr-report needs it')).toThrow(`GITHUB_REPOSITORY must be owner/name, not ${JSON.stringify(repository)}`)
    }
  })
})
