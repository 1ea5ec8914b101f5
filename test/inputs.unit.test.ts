import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { UserError } from '../src/errors'
import { commandWord, parseMigrationsPaths, parseRef, parseSettings, type DeploySettings } from '../src/inputs'

let key: string
let encryptedKey: string
let publicKey: string
let dsaKey: string
const HOST_KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'plain')])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', join(dir, 'encrypted')])
  execFileSync('ssh-keygen', ['-q', '-t', 'dsa', '-N', '', '-f', join(dir, 'dsa')])
  dsaKey = readFileSync(join(dir, 'dsa'), 'utf8')
  key = readFileSync(join(dir, 'plain'), 'utf8')
  encryptedKey = readFileSync(join(dir, 'encrypted'), 'utf8')
  publicKey = readFileSync(join(dir, 'plain.pub'), 'utf8')
})

const requester = { actor: 'octocat', runUrl: 'https://github.com/o/r/actions/runs/1' }

function settings(inputs: Record<string, string>) {
  const all: Record<string, string> = {
    host: 'backend-next.catcolab.org',
    'private-key': key,
    'known-hosts': `backend-next.catcolab.org ssh-ed25519 ${HOST_KEY}`,
    ref: 'main',
    ...inputs,
  }
  return parseSettings((name) => all[name] ?? '', requester)
}

const inputsFor = (command: string): Record<string, string> => ({ host: 'h', 'private-key': key, 'known-hosts': `h ssh-ed25519 ${HOST_KEY}`, command })

function problem(inputs: Record<string, string>): string {
  try {
    settings(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error('expected a UserError')
}

describe('parseSettings', () => {
  it('echoes a rejected value on one line, whatever it holds (JSON escapes, and U+2028 and bidi controls as escapes)', () => {
    expect(problem({ ref: '\u0000\u2028\u0000' })).toBe(
      'ref "\\u0000\\u{2028}\\u0000" is not a valid git ref name (use only letters, digits and . _ / + @ -): pass a branch, tag or commit sha',
    )
    expect(problem({ remote: 'a\u202eb' })).toMatch(/^remote "a\\u\{202e\}b" is not a git remote name/)
  })

  it('applies the documented defaults', () => {
    const s = settings({}) as DeploySettings
    expect(s).toMatchObject({
      command: 'deploy',
      connection: { host: 'backend-next.catcolab.org', port: 22, username: 'catcolab', passphrase: undefined, connectTimeout: 30, reconnectTimeout: 300 },
      ref: 'main',
      repoPath: '/var/lib/catcolab',
      remote: 'origin',
      migrationsPaths: ['packages/backend/migrations'],
      migrate: 'auto',
      commands: {
        build: 'catcolab-build',
        stop: 'catcolab-stop',
        migrate: 'catcolab-migrate',
        start: 'catcolab-start',
        restart: 'catcolab-restart',
        status: 'catcolab-status',
      },
      healthUrl: null,
      rollback: true,
      logsCommand: null,
      backupCommand: null,
      healthTimeout: 60,
      lockTimeout: 3600,
      commandTimeout: 3600,
      dryRun: false,
      requester,
      expectedSha: null,
      allowedBranches: [],
      allowOutsideBranches: false,
      allowOlder: false,
    })
    expect(s.connection.hostKeys.trusted).toHaveLength(1)
  })

  it('reads what a target must be: expected-sha, allowed-branches and the opt-outs', () => {
    const sha = 'ABCDEF0123456789abcdef0123456789abcdef01'
    const s = settings({
      ref: 'refs/tags/v0.8.0',
      'expected-sha': sha,
      'allowed-branches': 'main\n\n  release/*  \n*',
      'allow-outside-branches': 'true',
      'allow-older': 'TRUE',
    }) as DeploySettings
    expect(s).toMatchObject({
      ref: 'refs/tags/v0.8.0',
      expectedSha: sha.toLowerCase(),
      allowedBranches: ['main', 'release/*', '*'],
      allowOutsideBranches: true,
      allowOlder: true,
    })
    expect(problem({ 'expected-sha': 'abc1234' })).toMatch(/^expected-sha "abc1234" is not a full 40-digit commit sha/)
    expect(problem({ 'allowed-branches': 'refs/heads/main' })).toMatch(/^allowed-branches "refs\/heads\/main" is not a branch name or pattern/)
    expect(problem({ 'allowed-branches': 'main\nfeature..x' })).toMatch(/^allowed-branches "feature\.\.x"/)
    expect(problem({ 'allow-older': 'yes' })).toBe('allow-older must be true or false, not "yes"')
  })

  it('reads every input', () => {
    const s = settings({
      port: '2222',
      username: 'deploy',
      'repo-path': '/srv/catcolab/',
      remote: 'upstream',
      'migrations-path': 'packages/backend/migrations\n./packages/migrator/src/migrations/\n',
      migrate: 'always',
      'build-command': 'make build',
      'health-url': 'http://localhost:8000/',
      'health-timeout': '5',
      'dry-run': 'TRUE',
      rollback: 'false',
      'logs-command': 'journalctl -u backend -n 50 --no-pager',
      'backup-command': 'catcolab-backup',
      'connect-timeout': '5',
      'known-hosts': `[backend-next.catcolab.org]:2222 ssh-ed25519 ${HOST_KEY}`,
    }) as DeploySettings
    expect(s.connection).toMatchObject({ port: 2222, username: 'deploy' })
    expect(s.connection.hostKeys.trusted).toHaveLength(1)
    expect(s.repoPath).toBe('/srv/catcolab')
    expect((settings({ 'repo-path': '//' }) as DeploySettings).repoPath).toBe('/')
    expect(s.remote).toBe('upstream')
    expect(s.migrationsPaths).toEqual(['packages/backend/migrations', 'packages/migrator/src/migrations'])
    expect(s.migrate).toBe('always')
    expect(s.commands.build).toBe('make build')
    expect(s.healthUrl).toBe('http://localhost:8000/')
    expect(s.healthTimeout).toBe(5)
    expect(s.dryRun).toBe(true)
    expect(s.rollback).toBe(false)
    expect(s.logsCommand).toBe('journalctl -u backend -n 50 --no-pager')
    expect(s.backupCommand).toBe('catcolab-backup')
    expect(s.connection.connectTimeout).toBe(5)
  })

  it('parses status with only what status needs', () => {
    expect(settings({ command: 'status', ref: '' })).toMatchObject({ command: 'status', statusCommand: 'catcolab-status' })
  })

  it('parses rollback as a deploy of a commit from the history: admitted, never migrating, ref ignored, rollback-to a sha or previous', () => {
    const back = parseSettings(
      (name) => ({ ...inputsFor('rollback'), ref: 'main', migrate: 'always', 'allowed-branches': 'main' })[name] ?? '',
      requester,
    ) as DeploySettings
    expect(back).toMatchObject({
      command: 'rollback',
      ref: '',
      migrate: 'never',
      allowOlder: true,
      allowedBranches: [],
      expectedSha: null,
      goingBack: { to: null, pastMigrations: false, hold: true },
    })
    const to = (value: string) => (parseSettings((name) => ({ ...inputsFor('rollback'), 'rollback-to': value })[name] ?? '', requester) as DeploySettings).goingBack?.to
    expect(to('previous')).toBeNull()
    expect(to('')).toBeNull()
    expect(to('ABCDEF1')).toBe('abcdef1')
    expect(to('F'.repeat(40))).toBe('f'.repeat(40))
    expect(() => to('main')).toThrow(/^rollback-to must be the commit sha of a deploy in the host's history \(command: status lists them\) or "previous", not "main"$/)
    const opts = parseSettings(
      (name) => ({ ...inputsFor('rollback'), 'rollback-past-migrations': 'true', 'hold-after-rollback': 'false' })[name] ?? '',
      requester,
    ) as DeploySettings
    expect(opts.goingBack).toEqual({ to: null, pastMigrations: true, hold: false })
    expect((settings({}) as DeploySettings).goingBack).toBeNull()
  })

  it("reads build-outputs as plain paths in the clone: CatColab's by default, nothing for none", () => {
    expect((settings({}) as DeploySettings).buildOutputs).toEqual([
      'target/debug/backend',
      'packages/automerge-doc-server/dist',
      'packages/automerge-doc-server/node_modules',
    ])
    expect((settings({ 'build-outputs': ' target/ \n\n dist ' }) as DeploySettings).buildOutputs).toEqual(['target', 'dist'])
    expect((settings({ 'build-outputs': 'none' }) as DeploySettings).buildOutputs).toEqual([])
    expect(problem({ 'build-outputs': 'target\n../outside' })).toBe('build-outputs entry "../outside" is not a plain path inside the clone (e.g. target/debug/backend)')
    for (const bad of ['/etc', 'a/./b', 'a//b', '-rf', 'a/..'])
      expect(problem({ 'build-outputs': bad }), bad).toMatch(/^build-outputs entry .* is not a plain path inside the clone/)
    expect(problem({ 'build-outputs': 'target\ntarget/' })).toBe('build-outputs lists target and target: list each path once, and none inside another')
    expect(problem({ 'build-outputs': 'a/b\na' })).toBe('build-outputs lists a/b and a: list each path once, and none inside another')
    expect(problem({ 'build-outputs': 'a\na/b' })).toBe('build-outputs lists a and a/b: list each path once, and none inside another')
    expect((settings({ 'build-outputs': 'ab\na' }) as DeploySettings).buildOutputs).toEqual(['ab', 'a'])
  })

  it('parses hold and release with only what they need: a hold needs a one-line reason', () => {
    expect(settings({ command: 'hold', reason: '  migrating by hand  ', ref: '' })).toEqual({
      command: 'hold',
      connection: expect.objectContaining({ host: 'backend-next.catcolab.org' }),
      repoPath: '/var/lib/catcolab',
      reason: 'migrating by hand',
      lockTimeout: 3600,
      dryRun: false,
      requester,
    })
    expect(settings({ command: 'release', reason: 'ignored', 'lock-timeout': '5' })).toMatchObject({ command: 'release', reason: '', lockTimeout: 5 })
    expect(problem({ command: 'hold' })).toMatch(/^reason is required for command hold/)
    expect(problem({ command: 'hold', reason: 'one\ntwo' })).toMatch(/^reason must be one line of text/)
    expect(problem({ command: 'hold', reason: 'tab\there' })).toMatch(/^reason must be one line/)
    expect(problem({ command: 'hold', reason: 'x'.repeat(501) })).toMatch(/^reason is 501 characters long: keep it to 500/)
    expect(problem({ command: 'hold', reason: 'r', host: '' })).toMatch(/^host is required/)
  })

  it('names the input in each problem', () => {
    expect(problem({ command: 'destroy' })).toMatch(/^command must be "deploy", "rollback", "status", "hold", "release" or "pr-report"/)
    expect(problem({ host: '' })).toMatch(/^host is required/)
    expect(problem({ host: '-oProxyCommand=x' })).toMatch(/^host .* is not a host name/)
    expect(problem({ port: '0' })).toMatch(/^port must be a whole number from 1 to 65535/)
    expect(problem({ port: '22x' })).toMatch(/^port must be/)
    expect(problem({ username: 'root' })).toMatch(/^username "root" is refused/)
    expect(problem({ username: 'a b' })).toMatch(/^username .* is not a valid user name/)
    expect(problem({ 'private-key': '' })).toMatch(/^private-key is required/)
    expect(problem({ 'private-key': 'not a key' })).toMatch(/^private-key is not a usable private key/)
    expect(problem({ 'private-key': publicKey })).toMatch(/^private-key holds a public key/)
    expect(problem({ 'private-key': encryptedKey })).toMatch(/^private-key is encrypted: pass its passphrase/)
    expect(problem({ 'private-key': encryptedKey, passphrase: 'wrong' })).toMatch(/^private-key could not be decrypted/)
    expect(problem({ 'private-key': dsaKey })).toMatch(/^private-key is a ssh-dss key, which current OpenSSH servers refuse/)
    expect(problem({ 'private-key': key.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!') })).toMatch(/^private-key is not a usable private key/)
    expect(problem({ 'known-hosts': '' })).toMatch(/^known-hosts is empty: run "ssh-keyscan -p 22 backend-next.catcolab.org"/)
    expect(problem({ ref: '' })).toMatch(/^ref is required/)
    expect(problem({ ref: 'main;reboot' })).toMatch(/^ref "main;reboot" is not a valid git ref name/)
    expect(problem({ 'repo-path': 'catcolab' })).toMatch(/^repo-path "catcolab" must be an absolute path/)
    expect(problem({ 'repo-path': '/var/../etc' })).toMatch(/^repo-path .* must not contain "\.\."/)
    expect(problem({ remote: 'https://evil.example/x.git' })).toMatch(/^remote .* is not a git remote name/)
    expect(problem({ remote: '-u' })).toMatch(/^remote "-u" is not a git remote name/)
    expect(problem({ 'migrations-path': '/etc' })).toMatch(/^migrations-path "\/etc" is absolute/)
    expect(problem({ 'migrations-path': '../x' })).toMatch(/^migrations-path "\.\.\/x" is not a plain relative path/)
    expect(problem({ 'migrations-path': ':(exclude)x' })).toMatch(/starts with "-" or ":"/)
    expect(problem({ migrate: 'yes' })).toMatch(/^migrate must be one of auto, always, never/)
    expect(problem({ 'health-url': 'localhost:8000' })).toMatch(/^health-url .* must be an http or https URL/)
    expect(problem({ 'health-url': 'not a url' })).toMatch(/^health-url .* is not a URL/)
    expect(problem({ 'lock-timeout': '-1' })).toMatch(/^lock-timeout must be a whole number/)
    expect(problem({ 'dry-run': 'maybe' })).toMatch(/^dry-run must be true or false/)
    expect(problem({ rollback: 'sometimes' })).toMatch(/^rollback must be true or false/)
    expect(problem({ 'reconnect-timeout': '0' })).toMatch(/^reconnect-timeout must be a whole number/)
  })

  it('accepts the encrypted key with its passphrase', () => {
    const s = settings({ 'private-key': encryptedKey, passphrase: 'secret' })
    expect((s as DeploySettings).connection.passphrase).toBe('secret')
  })

  it('echoes a rejected value escaped on one line', () => {
    expect(problem({ ref: 'a\nb' })).toBe('ref "a\\nb" is not a valid git ref name (use only letters, digits and . _ / + @ -): pass a branch, tag or commit sha')
    expect(problem({ remote: 'a\x7fb\u0085' })).toMatch(/^remote "a\\x7fb\\x85" is not a git remote name/)
  })

  it('refuses control characters (C0, DEL and C1) in paths and environment names, and keeps them out of the requester', () => {
    for (const c of ['\0', '\x1b', '\x7f', '\u0085', '\u009b']) {
      expect(problem({ 'repo-path': `/srv/a${c}b` })).toBe('repo-path contains a control character: remove it')
      expect(problem({ 'migrations-path': `a${c}b` })).toMatch(/^migrations-path ".*" contains a control character: /)
      expect(problem({ environment: `a${c}b` })).toMatch(/^environment ".*" is not a GitHub environment name/)
    }
    const all: Record<string, string> = { host: 'h', 'private-key': key, 'known-hosts': `h ssh-ed25519 ${HOST_KEY}`, ref: 'main' }
    const s = parseSettings((name) => all[name] ?? '', { actor: 'octo\u009bcat\n', runUrl: 'https://github.com/o/r/actions/runs/1\r\n' }) as DeploySettings
    expect(s.requester).toEqual({ actor: 'octo cat', runUrl: 'https://github.com/o/r/actions/runs/1' })
  })
})

describe('parseRef', () => {
  it.each(['main', 'v0.7.0', 'feature/x-y_z', 'refs/heads/main', 'refs/tags/v1.2.3', 'a1b2c3d', 'A1B2C3D4E5F60718293a4b5c6d7e8f9012345678'])('accepts %s', (ref) =>
    expect(parseRef(ref)).toBe(SHA(ref) ? ref.toLowerCase() : ref),
  )
  it.each([
    '-f',
    '--upload-pack=x',
    'a..b',
    'a b',
    'x;y',
    '$(id)',
    '`id`',
    'a\nb',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[',
    'a\\b',
    'a@{1}',
    '@',
    '/a',
    'a/',
    'a//b',
    'a.',
    '.a',
    'a/.b',
    'a.lock',
    'a\0b',
  ])('rejects %j', (ref) => expect(() => parseRef(ref)).toThrow(UserError))
})

function SHA(ref: string) {
  return /^[0-9a-f]{7,40}$/i.test(ref)
}

describe('parseMigrationsPaths', () => {
  it('keeps one path per non-empty line, normalized', () => {
    expect(parseMigrationsPaths(' a/b/ \n\n./c\r\n')).toEqual(['a/b', 'c'])
  })
  it('refuses an empty list', () => {
    expect(() => parseMigrationsPaths('\n \n')).toThrow(/migrations-path is empty/)
  })
  it('keeps globs and "!" entries in order, normalized', () => {
    expect(parseMigrationsPaths('packages/backend/migrations\n ./packages/migrator/src/migrations/ \n!./packages/migrator/src/migrations/mod.rs\n!**/*.md/\n')).toEqual([
      'packages/backend/migrations',
      'packages/migrator/src/migrations',
      '!packages/migrator/src/migrations/mod.rs',
      '!**/*.md',
    ])
    expect(parseMigrationsPaths('packages/migrator/src/migrations/m[0-9]*.rs')).toEqual(['packages/migrator/src/migrations/m[0-9]*.rs'])
  })
  it('refuses, in one line, a "!" entry with nothing before it to exclude from, and paths that leave the repository', () => {
    const problem = (text: string) => {
      try {
        parseMigrationsPaths(text)
      } catch (error) {
        expect(error).toBeInstanceOf(UserError)
        expect((error as Error).message).not.toMatch(/\n/)
        return (error as Error).message
      }
      throw new Error(`accepted ${JSON.stringify(text)}`)
    }
    expect(problem('!**/mod.rs')).toBe('migrations-path "!**/mod.rs" excludes nothing: a "!" entry removes what the entries before it matched, so put it after them')
    expect(problem('!**/mod.rs\npackages/migrator/src/migrations')).toMatch(/^migrations-path "!\*\*\/mod.rs" excludes nothing/)
    expect(problem('a\n!!b')).toMatch(/^migrations-path "!!b" starts with "!!"/)
    expect(problem('a\n!/etc/x')).toMatch(/^migrations-path "!\/etc\/x" is absolute/)
    expect(problem('a\n!')).toMatch(/^migrations-path "!" is not a plain relative path/)
    expect(problem('packages/**/../../x/*.rs')).toMatch(/^migrations-path ".*" is not a plain relative path: use paths or globs relative to the repository root/)
    expect(problem(String.raw`a/\*.rs`)).toBe(
      String.raw`migrations-path "a/\\*.rs" contains "\" (these globs have no escapes): use paths or globs relative to the repository root, one per line, e.g. packages/backend/migrations`,
    )
    expect(problem(`a/*${'x'.repeat(70_000)}`)).toMatch(/^migrations-path "a\/\*x+\.\.\." Input length: 70003, exceeds maximum allowed length: 65536/)
  })
})

describe('commandWord', () => {
  it('names the program a command runs, past environment assignments', () => {
    expect(commandWord('catcolab-build')).toBe('catcolab-build')
    expect(commandWord('  sudo systemctl restart backend')).toBe('sudo')
    expect(commandWord('RUST_LOG=info CARGO_TERM_COLOR=never catcolab-build --release')).toBe('catcolab-build')
  })
})
