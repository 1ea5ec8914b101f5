import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utils } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserError } from '../src/errors'
import { checkHostKey, fingerprint, hostKeyAlgorithms, keysForHost, parseKnownHosts } from '../src/known-hosts'

/** A real key made by ssh-keygen, with ssh-keygen's own fingerprint of it. */
interface Key {
  name: string
  type: string
  base64: string
  blob: Buffer
  pub: string
  keygenFingerprint: string
}

let dir: string
let ed: Key // the host's key in most tests
let ed2: Key // another host's key, or an impostor's
let rsa: Key
let ecdsa: Key
let ecdsa384: Key
let ecdsa521: Key

function generate(name: string, args: string[]): Key {
  const file = join(dir, name)
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-C', name, '-f', file])
  const pub = readFileSync(`${file}.pub`, 'utf8').trim()
  const [type, base64] = pub.split(' ') as [string, string]
  // "256 SHA256:xxx comment (ED25519)"
  const keygenFingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!
  return { name, type, base64, blob: Buffer.from(base64, 'base64'), pub, keygenFingerprint }
}

/** Hashes lines with OpenSSH itself (`ssh-keygen -H`), one hashed line per host name. */
function hashWithKeygen(lines: string[]): string[] {
  const file = join(dir, 'known_hosts')
  writeFileSync(file, `${lines.join('\n')}\n`)
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'pipe' })
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
}

const entry = (hosts: string, key: Key) => `${hosts} ${key.type} ${key.base64}`

function check(text: string, host: string, port: number, presented: Key) {
  return checkHostKey(keysForHost(parseKnownHosts(text), host, port), presented.blob)
}

/** The UserError parseKnownHosts throws, checked to be a one-line message. */
function parseError(text: string): string {
  try {
    parseKnownHosts(text)
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    const message = (error as UserError).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error('parseKnownHosts accepted the text')
}

/** A structurally valid blob built by hand, for types ssh-keygen cannot make without hardware. */
function sshBlob(...fields: (string | Buffer)[]): Buffer {
  return Buffer.concat(
    fields.flatMap((field) => {
      const bytes = Buffer.from(field)
      const length = Buffer.alloc(4)
      length.writeUInt32BE(bytes.length)
      return [length, bytes]
    }),
  )
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'known-hosts-test-'))
  ed = generate('ed', ['-t', 'ed25519'])
  ed2 = generate('ed2', ['-t', 'ed25519'])
  rsa = generate('rsa', ['-t', 'rsa', '-b', '2048'])
  ecdsa = generate('ecdsa', ['-t', 'ecdsa', '-b', '256'])
  ecdsa384 = generate('ecdsa384', ['-t', 'ecdsa', '-b', '384'])
  ecdsa521 = generate('ecdsa521', ['-t', 'ecdsa', '-b', '521'])
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('fingerprint', () => {
  it('equals ssh-keygen -lf for ed25519, rsa and every ecdsa size', () => {
    for (const key of [ed, ed2, rsa, ecdsa, ecdsa384, ecdsa521]) {
      expect(key.keygenFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
      expect(fingerprint(key.blob)).toBe(key.keygenFingerprint)
    }
  })

  it('is what the parsed entries carry', () => {
    const [parsed] = parseKnownHosts(entry('example.com', rsa))
    expect(parsed!.key.fingerprint).toBe(rsa.keygenFingerprint)
  })
})

describe('parseKnownHosts', () => {
  it('reads ssh-keyscan output, skipping comments and blank lines, keeping line numbers', () => {
    const text = [
      '# example.com:22 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
      '',
      `${entry('example.com', ed)} trailing comment words`,
      '   ',
      '# example.com:22 SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3',
      `\t${entry('example.com', rsa)}\r`,
    ].join('\n')
    const entries = parseKnownHosts(text)
    expect(entries.map((e) => [e.line, e.hosts, e.revoked, e.key.type, e.key.fingerprint])).toEqual([
      [3, 'example.com', false, 'ssh-ed25519', ed.keygenFingerprint],
      [6, 'example.com', false, 'ssh-rsa', rsa.keygenFingerprint],
    ])
    expect(entries[0]!.key.blob.equals(ed.blob)).toBe(true)
  })

  it('accepts all supported key types, including security-key ones', () => {
    const skEd = sshBlob('sk-ssh-ed25519@openssh.com', Buffer.alloc(32, 7), 'ssh:')
    const skEcdsa = sshBlob('sk-ecdsa-sha2-nistp256@openssh.com', 'nistp256', Buffer.alloc(65, 4), 'ssh:')
    const text = [
      ...[ed, rsa, ecdsa, ecdsa384, ecdsa521].map((key) => entry('h', key)),
      `h sk-ssh-ed25519@openssh.com ${skEd.toString('base64')}`,
      `h sk-ecdsa-sha2-nistp256@openssh.com ${skEcdsa.toString('base64')}`,
    ].join('\n')
    expect(parseKnownHosts(text).map((e) => e.key.type)).toEqual([
      'ssh-ed25519',
      'ssh-rsa',
      'ecdsa-sha2-nistp256',
      'ecdsa-sha2-nistp384',
      'ecdsa-sha2-nistp521',
      'sk-ssh-ed25519@openssh.com',
      'sk-ecdsa-sha2-nistp256@openssh.com',
    ])
  })

  it.each([
    ['nothing', ''],
    ['only blank lines', '\n  \n\r\n'],
    ['only comments', '# example.com:22 SSH-2.0-OpenSSH_9.2p1\n# nothing else'],
  ])('says how to get and verify the lines when the input has %s', (_, text) => {
    expect(parseError(text)).toBe(
      'known-hosts is empty: run "ssh-keyscan -p PORT HOST" and compare its fingerprint with "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" run on the host itself, then paste its lines',
    )
  })

  it('rejects @cert-authority lines, naming the line and what to use instead', () => {
    const message = parseError(`${entry('example.com', ed)}\n@cert-authority *.example.com ${ed.type} ${ed.base64}`)
    expect(message).toMatch(/^known-hosts line 2 is a @cert-authority line/)
    expect(message).toContain('certificate authorities are not supported')
    expect(message).toContain("put the host's own key line instead")
  })

  it.each([
    ['too few fields', () => 'example.com ssh-ed25519', 'expected "HOSTS KEY-TYPE BASE64-KEY"'],
    ['a lone word', () => 'garbage', 'expected "HOSTS KEY-TYPE BASE64-KEY"'],
    ['an unknown marker', () => `@trusted ${entry('example.com', ed)}`, 'unknown marker "@trusted"'],
    ['an unsupported key type', () => `example.com ssh-dss ${ed.base64}`, 'unsupported key type "ssh-dss"'],
    ['a certificate key type', () => `example.com ssh-ed25519-cert-v01@openssh.com ${ed.base64}`, 'unsupported key type'],
    ['bad base64 characters', () => 'example.com ssh-ed25519 AAAA!!!!', 'the key is not valid base64'],
    [
      'base64 missing its padding',
      () => {
        expect(ecdsa.base64).toMatch(/=$/) // a nistp256 blob is 104 bytes, so its base64 ends with "="
        return `example.com ${ecdsa.type} ${ecdsa.base64.replace(/=+$/, '')}`
      },
      'the key is not valid base64',
    ],
    ['a truncated key', () => `example.com ${ed.type} ${ed.base64.slice(0, 40)}`, 'the key is truncated or damaged'],
    ['a key with nothing after its type', () => `example.com ssh-ed25519 ${sshBlob('ssh-ed25519').toString('base64')}`, 'the key is truncated or damaged'],
    ['a blob of another type', () => `example.com ssh-rsa ${ed.base64}`, 'the key is a "ssh-ed25519" key, not ssh-rsa'],
    ['a damaged hashed host', () => `|1|bm90IGEgc2FsdA==|xx ${ed.type} ${ed.base64}`, 'the hashed host name is damaged'],
    ['a .pub file pasted without host names', () => ed.pub, 'the host names are missing before the key type'],
  ])('rejects %s, naming the line', (_, line, why) => {
    const text = `# scanned\n${entry('line-two.example', ed)}\n${line()}\n${entry('line-four.example', rsa)}`
    const message = parseError(text)
    expect(message).toMatch(/^known-hosts line 3 is not a known_hosts entry \(".*"\): /)
    expect(message).toContain(why)
    expect(message).toMatch(/; paste the lines ssh-keyscan prints for the host$/)
    // Only the bad line is echoed.
    expect(message).not.toMatch(/line-two|line-four/)
  })

  it('cuts the echoed line to about 40 characters', () => {
    const long = `example.com ssh-dss ${'A'.repeat(300)}`
    const message = parseError(long)
    expect(message).toContain(`("${long.slice(0, 40)}…")`)
    expect(message).not.toContain(long.slice(0, 41))
    expect(message.length).toBeLessThan(200)
  })

  it('never echoes a pasted private key', () => {
    const key = readFileSync(join(dir, 'ed'), 'utf8')
    const message = parseError(key)
    expect(message).toBe("known-hosts line 1 is part of a private key: known-hosts takes the host's public key lines; paste the lines ssh-keyscan prints for the host")
  })
})

describe('host patterns', () => {
  it('matches a plain host name on port 22 only', () => {
    const text = entry('example.com', ed)
    expect(check(text, 'example.com', 22, ed)).toEqual({ ok: true })
    expect(check(text, 'example.com', 2222, ed).ok).toBe(false)
    expect(check(text, 'other.example.com', 22, ed).ok).toBe(false)
  })

  it('matches [host]:port on that port only', () => {
    const text = entry('[example.com]:2222', ed)
    expect(check(text, 'example.com', 2222, ed)).toEqual({ ok: true })
    expect(check(text, 'example.com', 22, ed).ok).toBe(false)
    expect(check(text, 'example.com', 22222, ed).ok).toBe(false)
  })

  it('compares host names case-insensitively', () => {
    expect(check(entry('Example.COM', ed), 'example.com', 22, ed)).toEqual({ ok: true })
    expect(check(entry('[example.com]:2222', ed), 'EXAMPLE.com', 2222, ed)).toEqual({ ok: true })
  })

  it('treats dots literally, not as regular-expression wildcards', () => {
    expect(check(entry('example.com', ed), 'exampleXcom', 22, ed).ok).toBe(false)
  })

  it('matches any pattern of a comma-separated list', () => {
    const text = entry('example.com,10.0.0.5,[backup.example.com]:2200', ed)
    expect(check(text, 'example.com', 22, ed)).toEqual({ ok: true })
    expect(check(text, '10.0.0.5', 22, ed)).toEqual({ ok: true })
    expect(check(text, 'backup.example.com', 2200, ed)).toEqual({ ok: true })
    expect(check(text, 'backup.example.com', 22, ed).ok).toBe(false)
    expect(check(text, '10.0.0.6', 22, ed).ok).toBe(false)
  })

  it('supports * and ? wildcards', () => {
    expect(check(entry('*.example.com', ed), 'web.example.com', 22, ed)).toEqual({ ok: true })
    expect(check(entry('*.example.com', ed), 'example.com', 22, ed).ok).toBe(false)
    expect(check(entry('*.example.com', ed), 'web.example.com', 2222, ed).ok).toBe(false)
    expect(check(entry('[*.example.com]:2222', ed), 'web.example.com', 2222, ed)).toEqual({ ok: true })
    expect(check(entry('web?.example.com', ed), 'web1.example.com', 22, ed)).toEqual({ ok: true })
    expect(check(entry('web?.example.com', ed), 'web12.example.com', 22, ed).ok).toBe(false)
  })

  it('lets a negated pattern exclude the line whatever its position', () => {
    for (const hosts of ['*.example.com,!db.example.com', '!db.example.com,*.example.com']) {
      expect(check(entry(hosts, ed), 'web.example.com', 22, ed)).toEqual({ ok: true })
      expect(check(entry(hosts, ed), 'db.example.com', 22, ed).ok).toBe(false)
    }
    // A negation alone matches nothing.
    expect(check(entry('!db.example.com', ed), 'web.example.com', 22, ed).ok).toBe(false)
  })

  it('matches lines hashed by ssh-keygen -H, for host and [host]:port', () => {
    const [plain, bracketed] = hashWithKeygen([entry('example.com', ed), entry('[example.com]:2222', ed2)])
    expect(plain).toMatch(/^\|1\|[^|]+\|[^| ]+ ssh-ed25519 /)
    expect(bracketed).toMatch(/^\|1\|/)
    const text = `${plain}\n${bracketed}`
    expect(check(text, 'example.com', 22, ed)).toEqual({ ok: true })
    expect(check(text, 'Example.Com', 22, ed)).toEqual({ ok: true })
    expect(check(text, 'example.com', 2222, ed2)).toEqual({ ok: true })
    // Each hash names one host:port only.
    expect(check(text, 'example.com', 22, ed2).ok).toBe(false)
    expect(check(text, 'example.com', 2222, ed).ok).toBe(false)
    expect(check(text, 'example.org', 22, ed).ok).toBe(false)
  })

  it('matches every name of a comma list once ssh-keygen -H split it into hashed lines', () => {
    const hashed = hashWithKeygen([entry('example.com,10.0.0.5', ed)])
    expect(hashed).toHaveLength(2)
    const text = hashed.join('\n')
    expect(check(text, 'example.com', 22, ed)).toEqual({ ok: true })
    expect(check(text, '10.0.0.5', 22, ed)).toEqual({ ok: true })
  })
})

describe('keysForHost and checkHostKey', () => {
  it('accepts any of several keys listed for the host', () => {
    const text = [entry('example.com', ed), entry('example.com', rsa), entry('example.com', ecdsa), entry('other', ed2)].join('\n')
    const keys = keysForHost(parseKnownHosts(text), 'example.com', 22)
    expect(keys.trusted.map((k) => [k.type, k.line])).toEqual([
      ['ssh-ed25519', 1],
      ['ssh-rsa', 2],
      ['ecdsa-sha2-nistp256', 3],
    ])
    expect(keys.revoked).toEqual([])
    for (const key of [ed, rsa, ecdsa]) expect(checkHostKey(keys, key.blob)).toEqual({ ok: true })
    expect(checkHostKey(keys, ed2.blob).ok).toBe(false)
  })

  it('accepts the blob ssh2 hands to hostVerifier for the same key', () => {
    const parsed = utils.parseKey(rsa.pub)
    if (parsed instanceof Error) throw parsed
    const presented = parsed.getPublicSSH()
    expect(presented.equals(rsa.blob)).toBe(true)
    expect(checkHostKey(keysForHost(parseKnownHosts(entry('example.com', rsa)), 'example.com', 22), presented)).toEqual({ ok: true })
  })

  it('refuses a revoked key even when it is also listed as trusted', () => {
    const text = [entry('example.com', ed), entry('example.com', ed2), `@revoked * ${ed.type} ${ed.base64}`].join('\n')
    const keys = keysForHost(parseKnownHosts(text), 'example.com', 22)
    expect(keys.revoked.map((k) => k.line)).toEqual([3])
    const result = checkHostKey(keys, ed.blob)
    expect(result).toEqual({
      ok: false,
      reason: `host key of example.com:22 is revoked: the server presented ssh-ed25519 ${ed.keygenFingerprint}, which known-hosts line 3 marks @revoked; give the host a new host key and put that in known-hosts`,
    })
    // The other trusted key still works.
    expect(checkHostKey(keys, ed2.blob)).toEqual({ ok: true })
  })

  it('applies a @revoked line only to the hosts it names', () => {
    const text = [entry('example.com', ed), `@revoked other.example.com ${ed.type} ${ed.base64}`].join('\n')
    expect(check(text, 'example.com', 22, ed)).toEqual({ ok: true })
  })

  it('explains a mismatch with the presented and every expected fingerprint', () => {
    const text = [entry('example.com', ed), entry('example.com', rsa)].join('\n')
    const result = check(text, 'example.com', 22, ed2)
    expect(result.ok).toBe(false)
    const reason = (result as { reason: string }).reason
    expect(reason).toMatch(
      `host key mismatch for example.com:22: the server presented ssh-ed25519 ${ed2.keygenFingerprint}, known-hosts expects ssh-ed25519 ${ed.keygenFingerprint} (line 1), ssh-rsa ${rsa.keygenFingerprint} (line 2);`,
    )
    expect(reason).not.toContain('\n')
  })

  it('says known-hosts has no key for [host]:port, listing the keys it has', () => {
    const [hashed] = hashWithKeygen([entry('hidden.example.com', rsa)])
    const text = [entry('example.com', ed), hashed, `@revoked example.org ${ed2.type} ${ed2.base64}`].join('\n')
    const keys = keysForHost(parseKnownHosts(text), 'example.com', 2222)
    expect(keys.trusted).toEqual([])
    const result = checkHostKey(keys, ed.blob)
    expect(result).toEqual({
      ok: false,
      reason:
        `known-hosts has no key for [example.com]:2222 (the server presented ssh-ed25519 ${ed.keygenFingerprint}); ` +
        `it has keys for example.com ssh-ed25519 ${ed.keygenFingerprint} (line 1), a hashed host ssh-rsa ${rsa.keygenFingerprint} (line 2): ` +
        'add the lines "ssh-keyscan -p 2222 example.com" prints, after checking their fingerprints on the host itself',
    })
  })

  it('says known-hosts has no key for a port-22 host by its plain name', () => {
    const text = `@revoked example.com ${ed2.type} ${ed2.base64}`
    const result = check(text, 'example.com', 22, ed)
    expect(result).toEqual({
      ok: false,
      reason: `known-hosts has no key for example.com (the server presented ssh-ed25519 ${ed.keygenFingerprint}): add the lines "ssh-keyscan -p 22 example.com" prints, after checking their fingerprints on the host itself`,
    })
  })
})

describe('hostKeyAlgorithms', () => {
  // What OpenSSH 9.2 offers, less certificate and sk-* algorithms (see hostkeys.int.test.ts, which
  // compares with the real ssh client's proposal).
  const DEFAULTS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256']
  const offered = (...keys: Key[]) => hostKeyAlgorithms(keysForHost(parseKnownHosts(keys.map((key) => entry('example.com', key)).join('\n')), 'example.com', 22))

  it("offers OpenSSH's defaults, without SHA-1 ssh-rsa, when only ed25519 is pinned", () => {
    expect(offered(ed)).toEqual(DEFAULTS)
    expect(offered(ed, ed2)).toEqual(DEFAULTS)
  })

  it('offers rsa-sha2-512 and rsa-sha2-256 first for an RSA pin, never ssh-rsa', () => {
    expect(offered(rsa)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'])
  })

  it('offers only the pinned ECDSA curve first', () => {
    expect(offered(ecdsa)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'])
    expect(offered(ecdsa521)).toEqual(['ecdsa-sha2-nistp521', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'rsa-sha2-512', 'rsa-sha2-256'])
  })

  it("keeps OpenSSH's order among several pins, whatever their order in known-hosts", () => {
    expect(offered(rsa, ecdsa384)).toEqual(['ecdsa-sha2-nistp384', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp521'])
    expect(offered(rsa, ecdsa, ed)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'])
  })

  it('counts only the keys trusted for this host and port, not revoked ones or other hosts', () => {
    const text = [entry('example.com', ecdsa), entry('other.example.com', rsa), `@revoked example.com ${rsa.type} ${rsa.base64}`].join('\n')
    const keys = keysForHost(parseKnownHosts(text), 'example.com', 22)
    expect(hostKeyAlgorithms(keys)[0]).toBe('ecdsa-sha2-nistp256')
    expect(hostKeyAlgorithms(keys).slice(1, 3)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp384'])
    expect(hostKeyAlgorithms(keysForHost(parseKnownHosts(entry('[example.com]:2222', rsa)), 'example.com', 22))).toEqual(DEFAULTS)
  })
})

describe('checkHostKey with pins of several types', () => {
  it('calls a key of a pinned type that differs a mismatch', () => {
    const impostor = generate('rsa-impostor', ['-t', 'rsa', '-b', '2048'])
    const result = check(entry('example.com', rsa), 'example.com', 22, impostor)
    expect(result).toEqual({
      ok: false,
      reason: `host key mismatch for example.com:22: the server presented ssh-rsa ${impostor.keygenFingerprint}, known-hosts expects ssh-rsa ${rsa.keygenFingerprint} (line 1); if the host key was changed on purpose update known-hosts, otherwise someone may be intercepting the connection`,
    })
  })

  it('says the server has none of the pinned types when it presents a key of another type', () => {
    const text = [entry('example.com', rsa), entry('example.com', ecdsa)].join('\n')
    const result = check(text, 'example.com', 22, ed)
    expect(result).toEqual({
      ok: false,
      reason:
        `example.com:22 has no host key of the types known-hosts pins for it (ssh-rsa, ecdsa-sha2-nistp256): it presented ssh-ed25519 ${ed.keygenFingerprint}, ` +
        `known-hosts expects ssh-rsa ${rsa.keygenFingerprint} (line 1), ecdsa-sha2-nistp256 ${ecdsa.keygenFingerprint} (line 2); ` +
        "if the host's keys were changed on purpose, check that fingerprint with ssh-keygen -lf on the host itself and add the line ssh-keyscan prints for it, otherwise someone may be intercepting the connection",
    })
  })
})
