// The sticky comment (comment-store.ts) against a fake GitHub (test/fake-github.ts): whose
// comments are ours, creating and updating one, the oldest kept when runs race, duplicates
// removed, a locked conversation, and the one line a refusal becomes. Asserts the requests.
import { describe, expect, it } from 'vitest'
import { marker } from '../src/comment'
import { commentAuthor, commentStore, WORKFLOW_BOT } from '../src/comment-store'
import { UserError } from '../src/errors'
import { ENV, FakeGitHub } from './fake-github'

const ours = (text: string) => `${marker(ENV)}head=${'0'.repeat(40)} -->\n${text}`
const answer = (status: number, message: string) => Object.assign(new Error(message), { status })

function setup(author = WORKFLOW_BOT) {
  const api = new FakeGitHub()
  const log = { info: [] as string[], warnings: [] as string[] }
  const store = commentStore(api, { author, environment: ENV }, { info: (line) => log.info.push(line), warning: (message) => log.warnings.push(message) })
  return { api, log, store }
}

/** The message of the UserError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(UserError)
  return (error as UserError).message
}

describe('whose comments are ours', () => {
  it('takes comment-author as given, asking GitHub nothing', async () => {
    const api = new FakeGitHub()
    expect(await commentAuthor(api, 'catcolab-app[bot]')).toBe('catcolab-app[bot]')
    expect(api.requests).toEqual([])
  })

  it("asks for the token's user, and takes none for the workflow's bot", async () => {
    const api = new FakeGitHub()
    expect(await commentAuthor(api, null)).toBe(WORKFLOW_BOT)
    api.login = 'catcolab-bot'
    expect(await commentAuthor(api, null)).toBe('catcolab-bot')
    expect(api.requests).toEqual(['GET /user', 'GET /user'])
    api.refuse = () => answer(401, 'Bad credentials')
    expect(await refusal(commentAuthor(api, null))).toBe('could not find out who the token is (HTTP 401: Bad credentials: github-token is not a valid token)')
  })

  it("finds ours by this environment's marker and our author, oldest first, on every page", async () => {
    const { api, store } = setup()
    for (let i = 0; i < 150; i++) api.addComment(1, `chatter ${i}`, 'someone')
    const first = api.addComment(1, ours('first'), WORKFLOW_BOT)
    api.addComment(1, ours('forged'), 'someone')
    api.addComment(1, `<!-- catcolab-deploy pr-report environment=catcolab head=x -->\nproduction`, WORKFLOW_BOT)
    api.addComment(2, ours('another pull request'), WORKFLOW_BOT)
    const second = api.addComment(1, ours('second'), WORKFLOW_BOT)
    expect((await store.ours(1)).map((c) => c.id)).toEqual([first.id, second.id])
    expect(api.requests).toEqual(['comments 1', 'comments 1#2'])
  })

  it('says which pull request it could not read the comments of', async () => {
    const { api, store } = setup()
    api.refuse = () => answer(404, 'Not Found')
    expect(await refusal(store.ours(9))).toBe('could not read the comments of #9 (HTTP 404: pull request #9 not found)')
  })
})

describe('writing our comment', () => {
  it('creates one, then looks once more for one made at the same time', async () => {
    const { api, log, store } = setup()
    const written = await store.write(1, [], ours('new'))
    expect(written).toMatchObject({ issue: 1, body: ours('new'), author: WORKFLOW_BOT })
    expect(api.requests).toEqual(['create 1', 'comments 1'])
    expect(log.info).toEqual([`#1: created ${written!.url}`])
  })

  it('keeps the oldest when another run made one at the same time: removes its own and updates that one', async () => {
    const { api, store } = setup()
    // The other run's comment, made after this run read the comments and before it created its own.
    const other = api.addComment(1, ours('the other run'), WORKFLOW_BOT)
    const written = await store.write(1, [], ours('this run'))
    expect(written!.id).toBe(other.id)
    expect(api.stored.map((c) => [c.id, c.body])).toEqual([[other.id, ours('this run')]])
    expect(api.requests).toEqual(['create 1', 'comments 1', `delete ${other.id + 1}`, `update ${other.id}`])
  })

  it('warns, and looks no further, when the comment comes out under another author than ours', async () => {
    const { api, log, store } = setup('catcolab-app[bot]')
    await store.write(5, [], ours('new'))
    expect(api.requests).toEqual(['create 5'])
    expect(log.warnings).toEqual([
      'comments made with github-token are authored by github-actions[bot], not catcolab-app[bot]: set comment-author: github-actions[bot], or each run adds another comment',
    ])
  })

  it('updates the oldest of ours, removes the others (one already gone), and leaves an unchanged one alone', async () => {
    const { api, log, store } = setup()
    const [oldest, gone, newer] = [1, 2, 3].map((i) => api.addComment(4, ours(`old ${i}`), WORKFLOW_BOT))
    if (!oldest || !gone || !newer) throw new Error('three comments')
    const found = await store.ours(4)
    // Another run removed one since: GitHub answers 404.
    api.stored.splice(api.stored.indexOf(gone), 1)
    api.requests = []
    const written = await store.write(4, found, ours('new'))
    expect(written!.id).toBe(oldest.id)
    expect(api.requests).toEqual([`delete ${gone.id}`, `delete ${newer.id}`, `update ${oldest.id}`])
    expect(log.info.slice(-1)).toEqual([`#4: updated ${oldest.url}`])

    api.requests = []
    expect((await store.write(4, await store.ours(4), ours('new')))!.id).toBe(oldest.id)
    expect(api.requests).toEqual(['comments 4'])
    expect(log.info.at(-1)).toBe(`#4: unchanged ${oldest.url}`)
  })

  it("answers null for GitHub's refusal of a locked conversation, and one line for any other", async () => {
    const { api, store } = setup()
    api.refuse = (request) => (request === 'create 3' ? answer(403, 'Unable to create comment because issue is locked.') : undefined)
    expect(await store.write(3, [], ours('new'))).toBeNull()
    const old = api.addComment(7, ours('old'), WORKFLOW_BOT)
    api.refuse = (request) => (request === `update ${old.id}` ? answer(403, 'Resource not accessible by integration') : undefined)
    expect(await refusal(store.write(7, [old], ours('new')))).toBe(
      'could not comment on #7 (HTTP 403: Resource not accessible by integration: the job needs permissions: pull-requests: write)',
    )
    // A duplicate GitHub fails to remove stops the write.
    const duplicate = api.addComment(7, ours('duplicate'), WORKFLOW_BOT)
    api.refuse = (request) => (request === `delete ${duplicate.id}` ? answer(500, 'Internal Server Error') : undefined)
    expect(await refusal(store.write(7, [old, duplicate], ours('new')))).toBe('could not comment on #7 (HTTP 500: Internal Server Error)')
    expect(api.stored.find((c) => c.id === old.id)!.body).toBe(ours('old'))
  })
})
