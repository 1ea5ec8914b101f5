/**
 * The sticky comment of the pr-report command: one comment per pull request and environment,
 * found again by its hidden marker (comment.ts marker) and its author, the token's own identity.
 * Writing creates it or updates it in place; a duplicate left by two runs at once is removed by
 * whichever run sees it, keeping the oldest. Every call goes through apiStep: a failure is one
 * line saying what could not be done and which permission it needs.
 */
import { marker } from './comment'
import { apiStep, partsOf, pullRequestAccess, type IssueComment, type PullRequestApi } from './github'

/** Who authors comments made with the workflow's GITHUB_TOKEN (GitHub refuses GET /user for it). */
export const WORKFLOW_BOT = 'github-actions[bot]'

export interface CommentStoreIO {
  info(line: string): void
  warning(message: string): void
}

export interface CommentStore {
  /** Our comments on a pull request, oldest first. */
  ours(number: number): Promise<IssueComment[]>
  /**
   * Makes body our one comment on the pull request: updates the oldest of `found` (what ours()
   * answered), or creates one, and removes our duplicates. Null when GitHub refused because the
   * conversation is locked.
   */
  write(number: number, found: IssueComment[], body: string): Promise<IssueComment | null>
}

/** Whose comments are ours: comment-author when set, else the token's user, else the workflow's bot. */
export async function commentAuthor(api: Pick<PullRequestApi, 'tokenLogin'>, configured: string | null): Promise<string> {
  if (configured !== null) return configured
  const login = await apiStep('find out who the token is', { permission: 'pull-requests', level: 'read', missing: "the token's user" }, () => api.tokenLogin())
  return login ?? WORKFLOW_BOT
}

export function commentStore(api: PullRequestApi, who: { author: string; environment: string }, io: CommentStoreIO): CommentStore {
  const { author } = who
  const prefix = marker(who.environment)

  const ourComments = async (number: number): Promise<IssueComment[]> => {
    const ours: IssueComment[] = []
    for await (const comment of api.comments(number)) {
      if (comment.author === author && comment.body.startsWith(prefix)) ours.push(comment)
    }
    return ours
  }

  /** Updates our oldest comment, or creates one; removes duplicates of ours. */
  const upsert = async (number: number, found: IssueComment[], body: string): Promise<IssueComment> => {
    let ours = found
    if (ours.length === 0) {
      const created = await api.createComment(number, body)
      io.info(`#${number}: created ${created.url}`)
      if (created.author !== author) {
        io.warning(
          `comments made with github-token are authored by ${created.author}, not ${author}: set comment-author: ${created.author}, ` +
            'or each run adds another comment',
        )
        return created
      }
      // Another run may have created one at the same time: the oldest stays, whichever run sees both.
      ours = await ourComments(number)
      if (!ours.some((comment) => comment.id < created.id)) return created
    }
    const [keep, ...duplicates] = ours as [IssueComment, ...IssueComment[]]
    for (const duplicate of duplicates) {
      await api.deleteComment(duplicate.id).catch((error: unknown) => {
        if (partsOf(error).status !== 404) throw error // 404: the other run removed it
      })
      io.info(`#${number}: removed the duplicate ${duplicate.url}`)
    }
    if (keep.body === body) {
      io.info(`#${number}: unchanged ${keep.url}`)
      return keep
    }
    const updated = await api.updateComment(keep.id, body)
    io.info(`#${number}: updated ${updated.url}`)
    return updated
  }

  return {
    ours: (number) => apiStep(`read the comments of #${number}`, pullRequestAccess(number, 'read'), () => ourComments(number)),
    write: (number, found, body) =>
      apiStep(`comment on #${number}`, pullRequestAccess(number, 'write'), () =>
        upsert(number, found, body).catch((error: unknown) => {
          // Locked after it was read: GitHub answers 403 saying so.
          if (lockedAnswer(error)) return null
          throw error
        }),
      ),
  }
}

/** GitHub's refusal of a comment on a locked conversation. */
function lockedAnswer(error: unknown): boolean {
  const { status, message } = partsOf(error)
  return status === 403 && /\bis locked\b/i.test(message)
}
