/**
 * One SSH connection to the host, with its key checked against known-hosts before
 * authentication. Commands run as channels on that one connection, so a deploy is one login.
 * Built on ssh2 itself (not node-ssh) because a deploy must tell "the command exited" from
 * "the connection dropped" to resume the log after a reconnect; node-ssh reports both alike.
 */
// ssh2's client alone: its index also loads its server, key generator and HTTP agents, which
// every start would pay for (about 10 ms) before its first byte to sshd.
import Client from 'ssh2/lib/client.js'
import { SSH_IDENT, type takeEarly } from './early-connection'
import { UserError } from './errors'
import type { ConnectionSettings } from './inputs'
import { blobType, checkHostKey, fingerprint, hostKeyAlgorithms } from './known-hosts'

export interface ExecResult {
  /**
   * Exit status; a command killed by a signal reports 129, whatever the signal; 'stopped' when
   * onStdout said it had read enough, and the channel was closed without waiting for the exit.
   */
  code: number | 'stopped'
  stdout: Buffer
  stderr: string
}

export interface SshSession {
  /**
   * Runs a command with the given stdin; stdout chunks are also passed to onStdout as they arrive.
   * When onStdout returns true, the caller has all it needs: the channel is closed at once.
   */
  exec(command: string, stdin: string | Buffer, onStdout?: (chunk: Buffer) => boolean | void): Promise<ExecResult>
  close(): void
}

/** The host key the server proved it holds, checked against known-hosts. */
export interface VerifiedHostKey {
  /** The negotiated host-key algorithm, e.g. rsa-sha2-512 for an ssh-rsa key. */
  algorithm: string
  type: string
  fingerprint: string
}

/** The connection ended while a command was running: the command's outcome is unknown. */
export class ConnectionLost extends UserError {
  override name = 'ConnectionLost'
}

/** The host's key is not one known-hosts trusts: retrying cannot help. */
export class HostKeyRejected extends UserError {
  override name = 'HostKeyRejected'
}

// A 20-minute Rust build prints nothing for minutes: keepalives keep NAT and firewalls from
// dropping the idle session, and notice a dead peer within two minutes.
const KEEPALIVE_INTERVAL_MS = 15_000
const KEEPALIVE_COUNT_MAX = 8

/**
 * Connects and authenticates; first: the connection the step opened as it started (index.ts),
 * taken for these settings, or null for a connection of ssh2's own.
 */
export function connect(settings: ConnectionSettings, first: ReturnType<typeof takeEarly> = null): Promise<SshSession & { hostKey: VerifiedHostKey }> {
  if (first && 'error' in first) return Promise.reject(connectError(first.error, settings, null, hostKeyAlgorithms(settings.hostKeys)))
  const sock = first?.socket

  return new Promise((resolve, reject) => {
    try {
      const client = new Client()
      let hostKeyProblem: string | null = null
      let algorithm = ''
      let presented: Buffer = Buffer.alloc(0)
      const offered = hostKeyAlgorithms(settings.hostKeys)
      client.once('handshake', (negotiated) => (algorithm = negotiated.serverHostKey))
      // on, not once: a refused handshake can be followed by ECONNRESET, and an 'error' with no
      // listener would end the process. The first error decides; a promise settles once.
      const failed = (error: Error & { code?: string; level?: string }) => {
        client.end()
        reject(connectError(error, settings, hostKeyProblem, offered))
      }
      client.on('error', failed)
      client.once('ready', () => {
        // From here on, session() listens for errors.
        client.removeListener('error', failed)
        resolve({ ...session(client), hostKey: { algorithm, type: blobType(presented) ?? '', fingerprint: fingerprint(presented) } })
      })
      client.connect({
        host: settings.host,
        port: settings.port,
        ...(sock && { sock }),
        ident: SSH_IDENT,
        username: settings.username,
        privateKey: settings.privateKey,
        passphrase: settings.passphrase,
        readyTimeout: settings.connectTimeout * 1000,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: KEEPALIVE_COUNT_MAX,
        // Only the key given: no agent, no keyboard-interactive prompts.
        tryKeyboard: false,
        // The types known-hosts pins for the host first, as OpenSSH does, so that pinning any one
        // of the host's keys works.
        algorithms: { serverHostKey: offered },
        hostVerifier: (key: Buffer) => {
          presented = key
          const verdict = checkHostKey(settings.hostKeys, key)
          if (!verdict.ok) hostKeyProblem = verdict.reason
          return verdict.ok
        },
      })
      // Each command is a few small packets; Nagle's algorithm would hold each one for an ACK.
      client.setNoDelay(true)
    } catch (error) {
      // Failed before ssh2 took the early socket over (its settings refused, say): nothing else
      // would close it.
      sock?.destroy()
      throw error
    }
  })
}

function connectError(error: Error & { code?: string; level?: string }, settings: ConnectionSettings, hostKeyProblem: string | null, offered: readonly string[]): Error {
  const where = `${settings.host}:${settings.port}`
  const username = settings.username
  if (hostKeyProblem) {
    // The reason already says what to do; add that the connection ended before authenticating.
    return new HostKeyRejected(`${hostKeyProblem} (the connection was closed before authenticating)`)
  }
  if (/no matching host key format/.test(error.message)) {
    return new UserError(
      `cannot connect to ${where}: the server signs its host key with none of ${offered.join(', ')} (only legacy ssh-rsa or ssh-dss, which OpenSSH 8.8 and later refuse too); give sshd an ed25519 host key (ssh-keygen -A) and pin its line`,
    )
  }
  if (error.level === 'client-authentication') {
    return new UserError(`${username}@${where} refused the private key: add its public key to ~${username}/.ssh/authorized_keys on the host`)
  }
  switch (error.code) {
    case 'ECONNREFUSED':
      return new UserError(`cannot connect to ${where}: connection refused; check host and port, and that sshd runs there`)
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserError(`cannot connect to ${where}: the host name does not resolve; check the host input`)
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UserError(`cannot connect to ${where}: no route to the host; check the host input and the firewall`)
  }
  if (/timed out/i.test(error.message)) {
    return new UserError(`cannot connect to ${where}: no SSH answer within ${settings.connectTimeout} s (connect-timeout); check host, port and the firewall`)
  }
  return new UserError(`cannot connect to ${where}: ${error.message}`)
}

function session(client: Client): SshSession {
  let closed = false
  const onClose = new Set<() => void>()
  client.on('close', () => {
    closed = true
    for (const notify of onClose) notify()
  })
  // After 'ready', errors surface as a closed connection to whichever command is running.
  client.on('error', () => {})

  return {
    exec(command, stdin, onStdout) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(new ConnectionLost('the SSH connection is closed'))
        const lost = () =>
          reject(new ConnectionLost(`the SSH connection dropped: a deploy that had started goes on to its end on the host; check it with command: status`))
        onClose.add(lost)
        client.exec(command, (error, channel) => {
          if (error) {
            onClose.delete(lost)
            return reject(closed ? new ConnectionLost(error.message) : error)
          }
          const stdout: Buffer[] = []
          const stderr: Buffer[] = []
          let code: number | 'stopped' | null = null
          const done = () => {
            onClose.delete(lost)
            resolve({ code: code!, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') })
          }
          channel.on('data', (chunk: Buffer) => {
            if (code === 'stopped') return
            stdout.push(chunk)
            let enough: boolean | void
            try {
              enough = onStdout?.(chunk)
            } catch (error) {
              // The reader cannot take this output: it fails the command, not the process.
              enough = true
              reject(error instanceof Error ? error : new Error(String(error)))
            }
            if (enough !== true) return
            code = 'stopped'
            channel.close()
            done()
          })
          channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
          channel.on('exit', (status: number | null, signal?: string) => {
            if (code !== 'stopped') code = status ?? (signal ? 129 : null)
          })
          channel.on('close', () => {
            if (code === 'stopped') return
            if (code === null) {
              onClose.delete(lost)
              return lost()
            }
            done()
          })
          channel.end(stdin)
        })
      })
    },
    close() {
      client.end()
    },
  }
}
