// Publishes the GitHub release for a pushed vX.Y.Z tag and moves the major tag vX to it.
// .github/workflows/release.yml runs it from a full clone (every branch and tag) after the tests
// passed, with the runner's own Node (20 or later): so Node's built-in modules and fetch only.
// RELEASING.md says how to cut a release.
//
//   GITHUB_REF_NAME=v1.2.3 GITHUB_SHA=<sha> GITHUB_REPOSITORY=owner/name \
//   GITHUB_API_URL=https://api.github.com GITHUB_TOKEN=<token> [MAJOR_TAG_TOKEN=<token>] node scripts/release.mjs
//
// "Highest" is judged over the published releases (and this one), never over git tags: a tag
// that was refused or whose tests failed stays (the tag ruleset forbids deleting it) but is no
// release. MAJOR_TAG_TOKEN, when set, is used for the vX ref alone: GitHub refuses the workflow's
// token a ref update whose commit changes .github/workflows, and no permission grants it that.
//
// Each step prints one line. A refusal prints one line saying what is wrong and what to do, and
// exits 1 having released nothing. It is safe to run again: a release that exists is kept.
import { spawnSync } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** A problem to report in one line, without a stack trace. */
export class ReleaseError extends Error {}

const VERSION_TAG = /^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/

/** `vX.Y.Z` (digits, no leading zeros but 0 itself) as its parts, kept as digit strings so any size compares exactly; null for anything else. */
export function parseVersionTag(tag) {
  const match = VERSION_TAG.exec(tag)
  return match ? { major: match[1], minor: match[2], patch: match[3], version: tag.slice(1) } : null
}

/** Two digit strings without leading zeros compare by length, then as text. */
function compareNumbers(a, b) {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

/** Negative, 0 or positive as version a is lower than, equal to or higher than b. */
export function compareVersions(a, b) {
  return compareNumbers(a.major, b.major) || compareNumbers(a.minor, b.minor) || compareNumbers(a.patch, b.patch)
}

/** Whether `version` is the highest of the strict vX.Y.Z tags (it may be among them), restricted to one major when given. */
export function isHighest(version, tags, major) {
  return tags
    .map(parseVersionTag)
    .filter((other) => other !== null && (major === undefined || other.major === major))
    .every((other) => compareVersions(version, other) >= 0)
}

/** The highest of the strict vX.Y.Z tags, restricted to one major when given; undefined when there is none. */
function highestTag(tags, major) {
  return tags
    .filter((tag) => parseVersionTag(tag) !== null && (major === undefined || parseVersionTag(tag).major === major))
    .sort((a, b) => compareVersions(parseVersionTag(b), parseVersionTag(a)))[0]
}

/**
 * CHANGELOG.md's section for a version, Keep a Changelog style: the lines after its `## [X.Y.Z]`
 * heading up to the next `## [` heading or the link references at the bottom, trimmed. null when
 * there is no such heading.
 */
export function changelogSection(changelog, version) {
  const lines = changelog.split(/\r?\n/)
  const heading = `## [${version}]`
  const start = lines.findIndex((line) => line.startsWith(heading))
  if (start < 0) return null
  const rest = lines.slice(start + 1)
  const end = rest.findIndex((line) => line.startsWith('## [') || /^\[[^\]]+\]:\s/.test(line))
  return (end < 0 ? rest : rest.slice(0, end)).join('\n').trim()
}

// ---- git ------------------------------------------------------------------------------------

function git(args) {
  return spawnSync('git', args, { encoding: 'utf8' })
}

/** git's output, trimmed; a failure is an error naming the command and git's own words. */
function gitOut(args) {
  const result = git(args)
  if (result.error) throw new ReleaseError(`could not run git ${args.join(' ')}: ${result.error.message}`)
  if (result.status !== 0) throw new ReleaseError(`git ${args.join(' ')} failed (exit ${result.status}): ${firstLine(result.stderr)}`)
  return result.stdout.trim()
}

const firstLine = (text) => text.trim().split('\n')[0] ?? ''

/** A file as the tagged commit has it (the checkout may be elsewhere). */
function fileAt(commit, path, tag) {
  const result = git(['show', `${commit}:${path}`])
  if (result.status !== 0) throw new ReleaseError(`refusing ${tag}: ${commit} has no ${path} (${firstLine(result.stderr ?? '')}); nothing was released`)
  return result.stdout
}

// ---- GitHub's REST API ----------------------------------------------------------------------

function gitHub({ apiUrl, token, repository }) {
  const base = `${apiUrl.replace(/\/+$/, '')}/repos/${repository}`
  return async function request(method, path, body) {
    const url = `${base}${path}`
    let response
    try {
      response = await fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/vnd.github+json',
          'X-GitHub-Api-Version': '2022-11-28',
          'User-Agent': 'catcolab-deploy-release',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A hung connection must not hold the job until its timeout.
        signal: AbortSignal.timeout(60_000),
      })
    } catch (error) {
      throw new ReleaseError(`${method} ${url} failed: ${error?.cause?.message ?? error?.message ?? String(error)}`)
    }
    const text = await response.text()
    let json
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { method, status: response.status, json, say: () => `${method} ${url} answered ${response.status}: ${apiMessage(json, text)}` }
  }
}

/** GitHub's message, with the reasons a 422 lists (`Release tag_name already_exists`). */
function apiMessage(json, text) {
  if (typeof json?.message !== 'string') return text.trim().slice(0, 200) || '(no message)'
  const reasons = Array.isArray(json.errors)
    ? json.errors.map((e) => (typeof e === 'string' ? e : (e.message ?? [e.resource, e.field, e.code].filter(Boolean).join(' '))))
    : []
  return reasons.length > 0 ? `${json.message} (${reasons.join('; ')})` : json.message
}

const alreadyExists = (reply) => reply.status === 422 && Array.isArray(reply.json?.errors) && reply.json.errors.some((e) => e?.code === 'already_exists')

const PER_PAGE = 100

/** The tags of the published releases (drafts left out), every page: GitHub lists them newest first. */
async function releasedTags(api) {
  const tags = []
  for (let page = 1; ; page++) {
    const reply = await api('GET', `/releases?per_page=${PER_PAGE}&page=${page}`)
    if (reply.status !== 200 || !Array.isArray(reply.json)) throw new ReleaseError(reply.say())
    for (const release of reply.json) if (release?.draft === false && typeof release.tag_name === 'string') tags.push(release.tag_name)
    if (reply.json.length < PER_PAGE) return tags
  }
}

// ---- the release ----------------------------------------------------------------------------

function required(env, name) {
  const value = env[name]
  if (!value) throw new ReleaseError(`${name} is not set: run this from .github/workflows/release.yml, which the runner gives it`)
  return value
}

/** An unset secret reaches the step as '': null then. */
function optional(env, name) {
  return env[name] || null
}

export async function release(env = process.env, log = console.log) {
  const tag = required(env, 'GITHUB_REF_NAME')
  const pushedSha = required(env, 'GITHUB_SHA')
  const repository = required(env, 'GITHUB_REPOSITORY')
  const apiUrl = required(env, 'GITHUB_API_URL')
  const token = required(env, 'GITHUB_TOKEN')
  const majorTagToken = optional(env, 'MAJOR_TAG_TOKEN')

  // 1. The tag names a version, the one package.json gives at the tagged commit. refs/tags/ so a
  // branch of the same name cannot stand in for the tag; ^{commit} so an annotated tag counts as
  // the commit it tags.
  const version = parseVersionTag(tag)
  if (!version) throw new ReleaseError(`refusing ${tag}: a release tag is vX.Y.Z in digits without leading zeros (v1.2.3); nothing was released`)
  const commit = gitOut(['rev-parse', '--verify', `refs/tags/${tag}^{commit}`])
  const tagObject = gitOut(['rev-parse', '--verify', `refs/tags/${tag}`])
  if (pushedSha !== commit && pushedSha !== tagObject) {
    throw new ReleaseError(`refusing ${tag}: it names ${commit} now, not ${pushedSha} as when it was pushed; a release tag must not move; nothing was released`)
  }
  const packageVersion = JSON.parse(fileAt(commit, 'package.json', tag)).version
  if (packageVersion !== version.version) {
    throw new ReleaseError(
      `refusing ${tag}: package.json's version at ${commit} is ${packageVersion}, not ${version.version}; set both the version and CHANGELOG.md in one commit on main and tag that commit; nothing was released`,
    )
  }
  log(`${tag}: version ${version.version}, as package.json says, at ${commit}`)

  // 2. Its commit is on main. Exit status 1 says it is not; anything else is git failing.
  const onMain = git(['merge-base', '--is-ancestor', commit, 'refs/remotes/origin/main'])
  if (onMain.error || (onMain.status !== 0 && onMain.status !== 1)) {
    throw new ReleaseError(`could not tell whether ${commit} is on main: git merge-base --is-ancestor failed: ${onMain.error?.message ?? firstLine(onMain.stderr)}`)
  }
  if (onMain.status === 1) {
    throw new ReleaseError(
      `refusing ${tag}: its commit ${commit} is not on main; releases are cut from main: merge the change and tag a commit on main; nothing was released`,
    )
  }
  log(`${commit} is on main`)

  // 3. The release notes are the changelog's section for the version.
  const notes = changelogSection(fileAt(commit, 'CHANGELOG.md', tag), version.version)
  if (!notes) {
    const what = notes === null ? 'has no section' : 'has an empty section'
    throw new ReleaseError(
      `refusing ${tag}: CHANGELOG.md at ${commit} ${what} for ${version.version}; write its changes under "## [${version.version}] - YYYY-MM-DD"; nothing was released`,
    )
  }
  log(`release notes: CHANGELOG.md's section for ${version.version}, ${notes.split('\n').length} lines`)

  const api = gitHub({ apiUrl, token, repository })
  // The vX ref alone with MAJOR_TAG_TOKEN: it can change workflow files, so it does nothing else.
  const refs = majorTagToken ? gitHub({ apiUrl, token: majorTagToken, repository }) : api

  // 4. The release, unless a run before this one made it. Latest only if no published release is
  // higher: a tag never released (refused, or its tests failed) does not count.
  const existing = await api('GET', `/releases/tags/${encodeURIComponent(tag)}`)
  if (existing.status !== 200 && existing.status !== 404) throw new ReleaseError(existing.say())
  const released = [...(await releasedTags(api)), tag]
  if (existing.status === 200) {
    log(`release ${tag} exists already (${existing.json?.html_url}): not creating another`)
  } else {
    const latest = isHighest(version, released)
    const created = await api('POST', '/releases', { tag_name: tag, name: tag, body: notes, make_latest: String(latest) })
    if (alreadyExists(created)) log(`release ${tag} was created meanwhile by another run: not creating another`)
    else if (created.status !== 201) throw new ReleaseError(created.say())
    else log(`release ${tag} created: ${created.json?.html_url}${latest ? ', the latest release' : `, not the latest (${highestTag(released)} is a higher release)`}`)
  }

  // 5. vX follows the highest vX.Y.Z release, so a backport to an older minor does not pull users back.
  const major = `v${version.major}`
  if (!isHighest(version, released, version.major)) {
    log(`${major} left where it is: ${highestTag(released, version.major)} is a higher ${major} release`)
    return
  }
  const failed = (reply) => new ReleaseError(moveFailed(reply, major, commit, majorTagToken !== null))
  // The ref in one path segment, tags%2Fv1, as Octokit sends it.
  const refPath = encodeURIComponent(`tags/${major}`)
  const ref = await refs('GET', `/git/ref/${refPath}`)
  if (ref.status === 404) {
    const made = await refs('POST', '/git/refs', { ref: `refs/tags/${major}`, sha: commit })
    if (made.status !== 201) throw failed(made)
    log(`${major} created at ${commit}`)
  } else if (ref.status !== 200) {
    throw failed(ref)
  } else if (ref.json?.object?.sha === commit) {
    log(`${major} names ${commit} already`)
  } else {
    const moved = await refs('PATCH', `/git/refs/${refPath}`, { sha: commit, force: true })
    if (moved.status !== 200) throw failed(moved)
    log(`${major} moved from ${ref.json?.object?.sha} to ${commit}`)
  }
}

/** The API's refusal, why when it can tell, and the command that moves the tag by hand (the release itself is made). */
function moveFailed(reply, major, commit, withMajorTagToken) {
  const byHand = `git push --force origin ${commit}:refs/tags/${major}`
  const made = `${reply.say()}; the release is made, but ${major} was not moved`
  if (withMajorTagToken && (reply.status === 401 || reply.status === 403)) {
    return `${made}: the secret MAJOR_TAG_TOKEN was refused (it needs Contents and Workflows read and write on this repository, and must not have expired): mend the secret and re-run this workflow, or move it by hand: ${byHand}`
  }
  // The workflow's token may move a ref only where .github/workflows stays the same, and no
  // permissions: grants it more (RELEASING.md). Creating vX is not such a move.
  if (reply.status === 403 && reply.method === 'PATCH') {
    return `${made}: GitHub refuses the workflow's token a tag move that changes .github/workflows; set the secret MAJOR_TAG_TOKEN (RELEASING.md) and re-run this workflow, or move it by hand: ${byHand}`
  }
  return `${made}: run this workflow again, or move it by hand: ${byHand}`
}

async function main() {
  try {
    await release()
  } catch (error) {
    console.error(error instanceof ReleaseError ? error.message : `release failed: ${error?.message ?? String(error)}`)
    process.exitCode = 1
  }
}

// Run only as a script, so tests can import the functions above.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main()
