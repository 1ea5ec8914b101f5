// Client and host on different CPUs, as they are in real life: the bench pins itself (every
// thread) to the host's CPU while createHost starts PostgreSQL, sshd and the service, which
// inherit it, and everything a login starts inherits it from sshd; then it moves itself to the
// client's CPU, where the probe runs and where every client it starts afterwards (ssh, the
// action's Node processes) inherits it.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TestHost } from '../test/fixture/host'
import { check } from '../test/fixture/proc'
import { spawnNode } from '../test/run-action'

export interface CpuSplit {
  client: number
  host: number
}

/** The first two CPUs this process may run on; null when it may run on one only (then nothing is pinned). */
export function cpuSplit(): CpuSplit | null {
  const ids = cpuList(/^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '')
  return ids.length >= 2 ? { client: ids[0]!, host: ids[1]! } : null
}

/** "0-2,5" → [0, 1, 2, 5] */
function cpuList(list: string): number[] {
  return list
    .split(',')
    .filter(Boolean)
    .flatMap((range) => {
      const [lo, hi = lo] = range.split('-').map(Number)
      return Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i)
    })
}

/** Moves every thread of this process to cpu; what it starts afterwards inherits that. */
export async function pinSelf(cpu: number): Promise<void> {
  await check('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)])
}

/** The CPUs a process (each of its threads) may run on, as /proc says: "1", or "0,1" when its threads differ. */
function allowed(pid: number): string {
  const lists = new Set<string>()
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8')
    lists.add(/^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1] ?? '?')
  }
  return [...lists].join(' and ')
}

/** What a Node process started as the action's steps are started may run on. */
async function spawnedNode(): Promise<string> {
  const child = spawnNode(['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/status', 'utf8'))"], { PATH: process.env['PATH'] ?? '' })
  let status = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (status += d))
  child.stderr.resume()
  await new Promise((resolve) => child.on('close', resolve))
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1] ?? '?'
}

/** What a shell started by a login may run on: the command to run over ssh. */
export const LOGIN_CPUS = "sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status"

/** The header line saying where each side runs, read back from /proc, not assumed; login: LOGIN_CPUS's output. */
export async function pinningReport(h: TestHost, split: CpuSplit | null, login: string): Promise<string> {
  if (!split) return 'pinning: none, this process may run on one CPU only: client and host share it'
  // PostgreSQL's socket lock file starts with the postmaster's pid; the service's pid file is the fixture's.
  const postmaster = Number(readFileSync(join(h.postgres.host, `.s.PGSQL.${h.postgres.port}.lock`), 'utf8').split('\n')[0])
  const service = Number(readFileSync(join(h.root, 'run', 'service.pid'), 'utf8'))
  const host = { sshd: allowed(h.sshdPid), "a login's shell": login.trim(), postgres: allowed(postmaster), service: allowed(service) }
  const client = { bench: allowed(process.pid), 'a spawned node': await spawnedNode() }
  const on = (side: Record<string, string>, cpu: number) => Object.values(side).every((list) => list === String(cpu))
  const list = (side: Record<string, string>) =>
    Object.entries(side)
      .map(([name, cpus]) => `${name} ${cpus}`)
      .join(', ')
  const ok = on(host, split.host) && on(client, split.client)
  return `pinning: host side on CPU ${split.host} (${list(host)}), client side on CPU ${split.client} (${list(client)})${ok ? '' : ' — NOT as intended'}`
}
