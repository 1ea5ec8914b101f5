/**
 * The status command: what the host runs, whether a deploy is under way, how the last one
 * ended, and the status command's text. Changes nothing.
 */
import { sshHost } from './host'
import type { StatusSettings } from './inputs'
import type { DeployIO } from './deploy'
import { escape } from './summary'

export type StatusIO = Pick<DeployIO, 'connect' | 'info' | 'warning' | 'setOutput' | 'startGroup' | 'endGroup' | 'writeSummary'>

export async function status(settings: StatusSettings, io: StatusIO): Promise<void> {
  const session = await io.connect()
  try {
    const host = sshHost(session, settings.repoPath)
    const state = await host.state()
    const deployed = state.record || state.head || ''
    const lines: string[] = []
    const say = (line: string) => {
      io.info(line)
      lines.push(line)
    }
    say(state.record ? `last deployed commit: ${state.record}` : `no deploy recorded on the host; HEAD is ${state.head}`)
    if (state.record && state.head !== state.record) {
      io.warning(`HEAD on the host (${state.head}) is not the last deployed commit (${state.record}): someone checked out by hand`)
    }
    if (state.running === 'true') {
      say(
        `a deploy is running now: target ${state.current_target ?? '?'}, started by ${state.current_actor || '?'} ` +
          `(${state.current_run_url || 'no run URL'}) since ${state.current_since ?? '?'}`,
      )
    } else {
      say('no deploy is running now')
    }
    if (state.last_run) {
      const interrupted = state.last_outcome === 'running' && state.last_alive !== 'true'
      say(
        interrupted
          ? `last run ${state.last_run} was interrupted at phase ${state.last_phase}: its process died before it finished`
          : state.last_outcome === 'running'
            ? `run ${state.last_run} is under way, at phase ${state.last_phase}`
            : `last run ${state.last_run}: ${state.last_outcome} at phase ${state.last_phase}: ${state.last_message ?? ''}`,
      )
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
