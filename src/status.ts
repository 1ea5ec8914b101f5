/**
 * The status command: what the host runs, whether it is held, whether a deploy is under way,
 * how the last one ended, and the status command's text. Changes nothing.
 */
import { sshHost } from './host'
import { describeRun, type HistoryEntry } from './protocol'
import { shortSha } from './text'
import type { StatusSettings } from './inputs'
import type { DeployIO } from './deploy'
import { escape } from './summary'
import { holdWords } from './hold'

export type StatusIO = Pick<DeployIO, 'connect' | 'info' | 'warning' | 'setOutput' | 'startGroup' | 'endGroup' | 'writeSummary'>

/** How many deploys of the host's history status shows. */
const HISTORY_SHOWN = 10

/** One deploy of the history, on one line: when, what, how it ended, who. */
export function historyLine(entry: HistoryEntry): string {
  const runs = entry.serving.state === 'commit' ? `, then ran ${shortSha(entry.serving.sha)}` : entry.serving.state === 'down' ? ', left the services down' : ''
  const who = entry.actor ? ` by ${entry.actor}` : ''
  const where = entry.runUrl ? ` (${entry.runUrl})` : ''
  return `${entry.finished} ${entry.kind} of ${shortSha(entry.target)}: ${entry.outcome}${entry.migrated ? ', migrated' : ''}${runs}${who}${where}`
}

export async function status(settings: StatusSettings, io: StatusIO): Promise<void> {
  const session = await io.connect()
  try {
    const host = sshHost(session, settings.repoPath)
    const state = await host.state()
    const deployed = state.deployed || state.head
    const lines: string[] = []
    const say = (line: string) => {
      io.info(line)
      lines.push(line)
    }
    say(state.deployed ? `last deployed commit: ${state.deployed}` : `no deploy recorded on the host; HEAD is ${state.head}`)
    if (state.deployed && state.head !== state.deployed) {
      io.warning(`HEAD on the host (${state.head}) is not the last deployed commit (${state.deployed}): someone checked out by hand`)
    }
    if (state.hold) say(`the host is ${holdWords(state.hold)}: every deploy ends at once until command: release`)
    if (state.busy) {
      const holder = state.holder
      say(
        holder
          ? `a deploy is running now: target ${holder.target || '?'}, started by ${holder.actor || '?'} (${holder.runUrl || 'no run URL'}) since ${holder.since || '?'}`
          : 'a deploy is running now',
      )
    } else {
      say('no deploy is running now')
    }
    if (state.last) {
      const { state: where, words } = describeRun(state.last, state.last.alive)
      say(where === 'ended' ? `last run ${state.last.run}: ${state.last.outcome} at phase ${state.last.phase}: ${words}` : words)
    }
    if (state.unreadableHistory > 0) io.warning(`${state.unreadableHistory} line(s) of the host's deploy history are not what this action writes: left out`)
    if (state.history.length > 0) {
      say(`the last ${Math.min(state.history.length, HISTORY_SHOWN)} deploys, newest first:`)
      for (const entry of state.history.slice(0, HISTORY_SHOWN)) say(`  ${historyLine(entry)}`)
    }
    io.startGroup('status command')
    const result = await host.command(settings.statusCommand)
    for (const line of result.output.trimEnd().split('\n')) io.info(`| ${line}`)
    io.endGroup()
    if (result.code !== 0) io.warning(`the status command exited ${result.code}: the services may not be running`)
    io.setOutput('deployed-sha', deployed)
    io.setOutput('status', result.output.trimEnd())
    await io.writeSummary([`## Status of ${escape(settings.connection.host)}`, '', ...lines.map((line) => `- ${escape(line)}`), ''].join('\n'))
  } finally {
    session.close()
  }
}
