/**
 * The TCP connection to the host, opened as the step's process starts, before the bundle loads
 * ssh2 and parses the inputs (some 40 to 80 ms on a runner). index.ts loads the rest in steps with
 * a turn of the event loop between them, in which the connection moves on (the host name
 * resolved, TCP connected, our SSH identification line sent: RFC 4253 4.2 lets either side send
 * it as soon as the connection is up), so these overlap with loading instead of following it.
 * ssh.ts hands the socket to ssh2 for the first connection, when it goes to the host and port the
 * inputs name once parsed; otherwise ssh2 connects as it always does. Loaded as the step starts:
 * node:net, and known-hosts.ts (node:crypto).
 */
import { connect, type Socket } from 'node:net'
import { hostAddress, parseKnownHosts } from './known-hosts'

/** Our SSH software version (no spaces or minus signs, RFC 4253 4.2); sshd logs it. */
export const SSH_IDENT = 'catcolab_deploy'
/** The identification line as sent: ssh2 sends `SSH-2.0-<ident>\r\n` for its `ident` option too. */
export const IDENT_LINE = Buffer.from(`SSH-2.0-${SSH_IDENT}\r\n`, 'latin1')

export interface EarlyConnection {
  host: string
  port: number
  socket: Socket
  /** The first error the socket had before ssh2 took it over; null while none. */
  error: Error | null
}

/**
 * Connects to host:port as the inputs give them, when they plainly name one, a private key is
 * given and known-hosts is given and parses: a mistake there is still reported without connecting. Else null.
 * The socket is unref'd, and main.ts closes it when it is not taken, so a step that fails before
 * connecting ends as it would have.
 */
export function connectEarly(input: (name: string) => string, defaultPort: string): EarlyConnection | null {
  const host = hostAddress(input('host').trim())
  const portText = input('port').trim() || defaultPort
  const port = Number(portText)
  if (!host || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) return null
  if (!input('private-key').trim() || !input('known-hosts').trim()) return null
  try {
    parseKnownHosts(input('known-hosts'))
  } catch {
    return null
  }
  const early: EarlyConnection = { host, port, socket: connect({ host, port }), error: null }
  early.socket.unref()
  early.socket.setNoDelay(true)
  early.socket.once('connect', () => early.socket.write(IDENT_LINE))
  early.socket.on('error', (error) => (early.error ??= error))
  return early
}

/**
 * The socket for ssh2, once, if it goes to host:port and is still open; else null (the early
 * connection is closed). Its next write, ssh2's own identification line, is the one already
 * sent, and is left out.
 */
export function takeEarly(early: EarlyConnection | null, host: string, port: number): { socket: Socket } | { error: Error } | null {
  if (!early) return null
  const { socket, error } = early
  if (early.host !== host || early.port !== port) {
    socket.destroy()
    return null
  }
  if (error) return { error }
  if (socket.destroyed || !socket.writable) {
    // The host closed it meanwhile: ssh2 makes its own.
    socket.destroy()
    return null
  }
  socket.ref()
  // The next write is an identification line: ssh2's own (ours went out on connect), left out; or,
  // when the connection is still being made, ours, and ssh2's then goes out alone. Once either way.
  socket.write = (chunk: unknown) => {
    Reflect.deleteProperty(socket, 'write')
    if (Buffer.isBuffer(chunk) && chunk.equals(IDENT_LINE)) return true
    // Anything else would follow our identification unseen by ssh2: stop rather than speak past it.
    socket.destroy(new Error(`ssh2 began with something other than its identification line: ${String(chunk).slice(0, 40)}`))
    return false
  }
  return { socket }
}
