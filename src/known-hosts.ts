/**
 * Parses the `known-hosts` input (known_hosts lines as `ssh-keyscan` prints them) and decides
 * whether the host key the server presents during the SSH handshake is one of them.
 * Follows sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT". Pure: node:crypto only, no I/O.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { ServerHostKeyAlgorithm } from 'ssh2'
import { UserError } from './errors'

export interface HostKey {
  type: string
  blob: Buffer
  fingerprint: string
  line: number
}

/** Keys the known-hosts text trusts and revokes for host:port. */
export interface HostKeys {
  trusted: HostKey[]
  revoked: HostKey[]
  /** Set by keysForHost, only to word checkHostKey's reasons. */
  host?: string
  port?: number
  /** Keys listed for other hosts, e.g. `example.com ssh-ed25519 SHA256:… (line 2)`. */
  elsewhere?: string[]
}

export interface KnownHostsEntry {
  line: number
  revoked: boolean
  /** The host field as written: patterns, or `|1|salt|hash`. */
  hosts: string
  key: HostKey
}

// The types ssh-keyscan can print; certificates and DSA are left out on purpose.
const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
])

const KEYSCAN = 'paste the lines ssh-keyscan prints for the host'

/** `"text"` cut to about 40 characters; JSON quoting keeps the message on one line. */
function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)
}

function badLine(line: number, text: string, why: string): UserError {
  return new UserError(`known-hosts line ${line} is not a known_hosts entry (${quote(text)}): ${why}; ${KEYSCAN}`)
}

/** Strict base64: Buffer.from silently skips junk, so require the canonical encoding. */
function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : null
}

/**
 * Every SSH public key blob is a sequence of uint32-length-prefixed fields, the first being
 * the key type; returns the type, or null when the blob is truncated or not a key.
 */
export function blobType(blob: Buffer): string | null {
  const fields: Buffer[] = []
  for (let at = 0; at < blob.length;) {
    if (at + 4 > blob.length) return null
    const end = at + 4 + blob.readUInt32BE(at)
    if (end > blob.length) return null
    fields.push(blob.subarray(at + 4, end))
    at = end
  }
  return fields.length >= 2 ? fields[0]!.toString('latin1') : null
}

/** Same text as `ssh-keygen -lf`: SHA256 of the blob, base64 without padding. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

/** A `|1|salt|hash` host field: HMAC-SHA1 of the host name, keyed by the salt. */
function parseHashed(field: string): { salt: Buffer; hash: Buffer } | null {
  const [empty, magic, salt, hash, ...rest] = field.split('|')
  if (empty !== '' || magic !== '1' || salt === undefined || hash === undefined || rest.length > 0) return null
  const saltBytes = decodeBase64(salt)
  const hashBytes = decodeBase64(hash)
  if (saltBytes?.length !== 20 || hashBytes?.length !== 20) return null
  return { salt: saltBytes, hash: hashBytes }
}

export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1
    const content = raw.trim()
    if (content === '' || content.startsWith('#')) return
    // Checked first so a mistakenly pasted private key is never echoed back.
    if (content.includes('PRIVATE KEY')) {
      throw new UserError(`known-hosts line ${line} is part of a private key: known-hosts takes the host's public key lines; ${KEYSCAN}`)
    }
    const fields = content.split(/\s+/)
    let revoked = false
    if (fields[0]!.startsWith('@')) {
      const marker = fields.shift()!
      if (marker === '@cert-authority') {
        throw new UserError(
          `known-hosts line ${line} is a @cert-authority line, and certificate authorities are not supported: put the host's own key line instead (ssh-keyscan prints it)`,
        )
      }
      if (marker !== '@revoked') throw badLine(line, content, `unknown marker ${quote(marker)} (only @revoked is supported)`)
      revoked = true
    }
    // A host's .pub file pasted as is: the key type comes first, the host names are missing.
    if (KEY_TYPES.has(fields[0]!)) {
      throw badLine(line, content, 'the host names are missing before the key type')
    }
    if (fields.length < 3) throw badLine(line, content, 'expected "HOSTS KEY-TYPE BASE64-KEY"')
    const [hosts, type, base64] = fields as [string, string, string]
    if (hosts.startsWith('|') && !parseHashed(hosts)) throw badLine(line, content, 'the hashed host name is damaged')
    if (!KEY_TYPES.has(type)) throw badLine(line, content, `unsupported key type ${quote(type)}`)
    const blob = decodeBase64(base64)
    if (!blob) throw badLine(line, content, 'the key is not valid base64')
    const embedded = blobType(blob)
    if (embedded !== type) {
      throw badLine(line, content, embedded ? `the key is a ${quote(embedded)} key, not ${type}` : 'the key is truncated or damaged')
    }
    entries.push({ line, revoked, hosts, key: { type, blob, fingerprint: fingerprint(blob), line } })
  })
  if (entries.length === 0) {
    throw new UserError(
      'known-hosts is empty: run "ssh-keyscan -p PORT HOST" and compare its fingerprint with "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" run on the host itself, then paste its lines',
    )
  }
  return entries
}

/** `*` and `?` glob, anchored, as OpenSSH's match_pattern. */
function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 's').test(name)
}

/**
 * Like OpenSSH's match_hostname: a negated match (`!pattern`) excludes the line whatever
 * else matches. Hashed fields hold a single name.
 */
function hostsMatch(hosts: string, name: string): boolean {
  const hashed = parseHashed(hosts)
  if (hashed) {
    const hmac = createHmac('sha1', hashed.salt).update(name).digest()
    return timingSafeEqual(hmac, hashed.hash)
  }
  let matched = false
  for (const pattern of hosts.toLowerCase().split(',')) {
    if (pattern.startsWith('!')) {
      if (globMatch(pattern.slice(1), name)) return false
    } else if (globMatch(pattern, name)) {
      matched = true
    }
  }
  return matched
}

/**
 * The host input as a host name or IP address (brackets around an IPv6 address dropped), or null
 * when it is not one: a leading "-" could be read as an option by tools; the rest is what DNS
 * names and IPs use.
 */
export function hostAddress(text: string): string | null {
  if (!/^[A-Za-z0-9_.:[\]%-]+$/.test(text) || text.startsWith('-')) return null
  return text.replace(/^\[(.*)\]$/, '$1')
}

/** The name known_hosts lists a host under: `host` for port 22, else `[host]:port`. */
function knownHostsName(host: string, port: number): string {
  const lower = host.toLowerCase()
  return port === 22 ? lower : `[${lower}]:${port}`
}

export function keysForHost(entries: KnownHostsEntry[], host: string, port: number): HostKeys {
  const name = knownHostsName(host, port)
  const keys: HostKeys = { trusted: [], revoked: [], host, port, elsewhere: [] }
  for (const entry of entries) {
    if (hostsMatch(entry.hosts, name)) {
      if (entry.revoked) keys.revoked.push(entry.key)
      else keys.trusted.push(entry.key)
    } else if (!entry.revoked) {
      const hosts = entry.hosts.startsWith('|') ? 'a hashed host' : entry.hosts
      keys.elsewhere!.push(`${hosts} ${describe(entry.key)}`)
    }
  }
  return keys
}

function describe(key: HostKey): string {
  return `${key.type} ${key.fingerprint} (line ${key.line})`
}

/**
 * The host-key algorithms OpenSSH 9 offers by default, less those ssh2 cannot verify (the sk-*
 * security-key types) and the certificate types, which known-hosts does not accept. Legacy
 * `ssh-rsa` (RSA with SHA-1) is left out, as OpenSSH has since 8.8.
 */
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256']

/** The key type an algorithm's key has: RSA keys are signed with rsa-sha2-512 and rsa-sha2-256. */
function algorithmKeyType(algorithm: ServerHostKeyAlgorithm): string {
  return algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm
}

/**
 * The host-key algorithms to offer, in order, as OpenSSH's order_hostkeyalgs: first those of the
 * key types known-hosts trusts for the host, then the rest. The server takes the first one it
 * has, so it presents a pinned key whenever it has one, and a key of another type only when it
 * has none of the pinned types (checkHostKey then says so).
 */
export function hostKeyAlgorithms(keys: HostKeys): ServerHostKeyAlgorithm[] {
  const pinned = new Set(keys.trusted.map((key) => key.type))
  const first = HOST_KEY_ALGORITHMS.filter((algorithm) => pinned.has(algorithmKeyType(algorithm)))
  return [...first, ...HOST_KEY_ALGORITHMS.filter((algorithm) => !first.includes(algorithm))]
}

/** Decide on a key the server presented (raw key blob). */
export function checkHostKey(keys: HostKeys, presented: Buffer): { ok: true } | { ok: false; reason: string } {
  const shown = `${blobType(presented) ?? 'unknown-type'} ${fingerprint(presented)}`
  const target = keys.host === undefined ? 'the host' : `${keys.host}:${keys.port}`
  // Checked before trusted keys: OpenSSH refuses a revoked key even when it is also listed.
  const revoked = keys.revoked.find((key) => key.blob.equals(presented))
  if (revoked) {
    return {
      ok: false,
      reason: `host key of ${target} is revoked: the server presented ${shown}, which known-hosts line ${revoked.line} marks @revoked; give the host a new host key and put that in known-hosts`,
    }
  }
  if (keys.trusted.some((key) => key.blob.equals(presented))) return { ok: true }
  if (keys.trusted.length === 0) {
    const name = keys.host === undefined ? 'the host' : knownHostsName(keys.host, keys.port ?? 22)
    const has = keys.elsewhere?.length ? `; it has keys for ${keys.elsewhere.join(', ')}` : ''
    return {
      ok: false,
      reason: `known-hosts has no key for ${name} (the server presented ${shown})${has}: add the lines "ssh-keyscan -p ${keys.port ?? 'PORT'} ${keys.host ?? 'HOST'}" prints, after checking their fingerprints on the host itself`,
    }
  }
  const presentedType = blobType(presented)
  if (!keys.trusted.some((key) => key.type === presentedType)) {
    // hostKeyAlgorithms offered the pinned types first: the server has none of them.
    const types = [...new Set(keys.trusted.map((key) => key.type))].join(', ')
    return {
      ok: false,
      reason: `${target} has no host key of the types known-hosts pins for it (${types}): it presented ${shown}, known-hosts expects ${keys.trusted.map(describe).join(', ')}; if the host's keys were changed on purpose, check that fingerprint with ssh-keygen -lf on the host itself and add the line ssh-keyscan prints for it, otherwise someone may be intercepting the connection`,
    }
  }
  return {
    ok: false,
    reason: `host key mismatch for ${target}: the server presented ${shown}, known-hosts expects ${keys.trusted.map(describe).join(', ')}; if the host key was changed on purpose update known-hosts, otherwise someone may be intercepting the connection`,
  }
}
