// What an integration test makes and must close after it: the throwaway host (test/fixture) and
// the loopback GitHub stand-in. A test file calls throwaway() once; each test then makes its own.
import { afterEach } from 'vitest'
import { createHost, type HostOptions, type TestHost } from './fixture/host'
import { startGitHubApi, type GitHubStandIn, type StandInOptions } from './github-api'

/** The inputs that record a deploy in CatColab's development environment. */
export const NEXT = { environment: 'catcolab-next', 'environment-url': 'https://backend-next.catcolab.org' }

export function throwaway() {
  let host: TestHost | undefined
  let api: GitHubStandIn | undefined
  afterEach(async () => {
    await host?.close()
    await api?.close()
    host = api = undefined
  })
  const newHost = async (options?: HostOptions): Promise<TestHost> => (host = await createHost(options))
  const newApi = async (options?: StandInOptions): Promise<GitHubStandIn> => (api = await startGitHubApi(options))
  return {
    newHost,
    newApi,
    /** A host and the stand-in, with the runner's variables for it; the workflow's own sha is A (main when it was dispatched). */
    hostAndApi: async (): Promise<{ h: TestHost; gh: GitHubStandIn; github: Record<string, string> }> => {
      const h = await newHost()
      const gh = await newApi()
      return { h, gh, github: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: gh.token, GITHUB_SHA: h.commits.A } }
    },
  }
}
