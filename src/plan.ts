/**
 * The migration decision: pure code from the host's git facts to what the deploy will do.
 * The base is the last commit this action deployed successfully (recorded on the host), else
 * HEAD; new migrations are files added between base and target that migrations-path matches.
 */
import type { HistoryEntry } from './protocol'
import type { MigrateMode } from './inputs'
import { pathMatcher } from './path-patterns'
import { quotePath, shortSha } from './text'

export interface GitFacts {
  head: string
  /** The last deployed commit recorded on the host, or '' when none was recorded. */
  deployed: string
  target: string
}

export interface FileChange {
  status: 'added' | 'deleted' | 'modified'
  path: string
}

export interface Plan {
  previous: string
  target: string
  base: string
  baseSource: 'deployed' | 'head'
  newMigrations: string[]
  deletedMigrations: string[]
  modifiedMigrations: string[]
  migrate: boolean
  /** One sentence: why it migrates or not. */
  reason: string
  /** Things a maintainer should look at; the deploy goes on. */
  warnings: Warning[]
  /** The opt-out inputs this deploy needed (allow-outside-branches, allow-older): recorded with it. */
  overrides: string[]
}

export interface Warning {
  message: string
  /** The repository file it is about, for an annotation. */
  file?: string
  /** That the target does not descend from the base: what a rollback does by definition. */
  descent?: true
}

export function chooseBase(facts: GitFacts): { base: string; baseSource: 'deployed' | 'head' } {
  return facts.deployed ? { base: facts.deployed, baseSource: 'deployed' } : { base: facts.head, baseSource: 'head' }
}

/** Parses `git diff --no-renames --name-status -z`: status and path alternate, NUL-separated. */
export function parseNameStatus(output: string): FileChange[] {
  const fields = output.split('\0')
  const changes: FileChange[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const letter = fields[i]!.charAt(0)
    const path = fields[i + 1]!
    const status = letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified'
    changes.push({ status, path })
  }
  return changes
}

/**
 * The changes may hold more files than the migrations (git was given only the patterns' literal
 * directories): the patterns pick the migrations from it.
 */
export function makePlan(facts: GitFacts, diff: { ancestor: boolean; nameStatus: string }, mode: MigrateMode, migrationsPaths: readonly string[]): Plan {
  const { base, baseSource } = chooseBase(facts)
  const isMigration = pathMatcher(migrationsPaths)
  const changes = parseNameStatus(diff.nameStatus).filter((change) => isMigration(change.path))
  const of = (status: FileChange['status']) => changes.filter((c) => c.status === status).map((c) => c.path)
  const newMigrations = of('added')
  const deletedMigrations = of('deleted')
  const modifiedMigrations = of('modified')
  const warnings: Warning[] = []

  if (baseSource === 'head') {
    warnings.push({
      message:
        `no deploy by this action is recorded on the host: new migrations are counted from HEAD ${shortSha(base)}; ` +
        'if the database may be behind that commit, deploy with migrate: always',
    })
  } else if (facts.head !== facts.deployed) {
    warnings.push({
      message:
        `HEAD on the host (${shortSha(facts.head)}) is not the last deployed commit ${shortSha(facts.deployed)}: ` +
        'someone checked out by hand; new migrations are counted from the recorded commit',
    })
  }
  if (!diff.ancestor) {
    warnings.push({
      message:
        `${shortSha(facts.target)} does not descend from the base ${shortSha(base)} (a downgrade or a diverged branch): ` +
        'migrations are compared tree to tree; migrations applied on the base stay applied',
      descent: true,
    })
  }
  for (const path of deletedMigrations) {
    warnings.push({ message: `migration file ${quotePath(path)} is deleted by this deploy: sqlx refuses to run when an applied migration is missing`, file: path })
  }
  for (const path of modifiedMigrations) {
    warnings.push({ message: `migration file ${quotePath(path)} is modified by this deploy: sqlx refuses to run when an applied migration changed`, file: path })
  }

  const count = `${newMigrations.length} new migration file${newMigrations.length === 1 ? '' : 's'}`
  let migrate: boolean
  let reason: string
  if (mode === 'always') {
    migrate = true
    reason = `migrate: always (${count}): stop, migrate, start`
  } else if (mode === 'never') {
    migrate = false
    reason = `migrate: never (${count}): restart only`
    if (newMigrations.length > 0) {
      // The record moves past them: later auto deploys will not count them again. A backend
      // that applies its migrations itself at start (CatColab from September 2025) gets them
      // from the restart; any other needs the migrate command run some other way.
      warnings.push({
        message:
          `migrate: never, so the migrate command does not run for ${count}, and later deploys will not count them again: ` +
          'unless the backend applies migrations itself when it starts, run the migrate command on the host, or deploy with migrate: always',
      })
    }
  } else {
    migrate = newMigrations.length > 0
    reason = migrate ? `${count} since ${shortSha(base)}: stop, migrate, start` : `no new migration files since ${shortSha(base)}: restart only`
  }
  return {
    previous: facts.head,
    target: facts.target,
    base,
    baseSource,
    newMigrations,
    deletedMigrations,
    modifiedMigrations,
    migrate,
    reason,
    warnings,
    overrides: [],
  }
}

/** What the host says about the target, beyond the plan's git facts. */
export interface TargetFacts {
  deployed: string
  target: string
  /** The commit expected-sha names, peeled ('' when none was given). */
  expected: string
  older: boolean
  /** The allowed branches that contain the target. */
  containing: string[]
}

/** Which commits the environment admits (inputs.ts has each field's meaning). */
export interface TargetPolicy {
  ref: string
  remote: string
  expectedSha: string | null
  allowedBranches: string[]
  allowOutsideBranches: boolean
  allowOlder: boolean
}

export type TargetVerdict =
  | { action: 'deploy'; warnings: Warning[] }
  /** Nothing to do, and not a failure: a deploy that would go back without being asked to. */
  | { action: 'skip'; reason: string }
  | { action: 'refuse'; reason: string }

/** Whether this environment deploys the target: a moved ref, a commit off its branches, or a step back stop it. */
export function judgeTarget(facts: TargetFacts, policy: TargetPolicy): TargetVerdict {
  const warnings: Warning[] = []
  if (policy.expectedSha !== null && facts.expected !== facts.target) {
    const peeled = facts.expected !== policy.expectedSha ? ` (the tag object ${shortSha(policy.expectedSha)} tags ${shortSha(facts.expected)})` : ''
    return {
      action: 'refuse',
      reason:
        `ref ${policy.ref} names ${facts.target}, not the expected commit ${policy.expectedSha}${peeled}: ` +
        'it moved after the workflow started; nothing was deployed: run the workflow for the ref as it is now',
    }
  }
  if (policy.allowedBranches.length > 0 && facts.containing.length === 0) {
    const branches = `${policy.allowedBranches.join(', ')} of ${policy.remote}`
    if (!policy.allowOutsideBranches) {
      return {
        action: 'refuse',
        reason:
          `${shortSha(facts.target)} (ref ${policy.ref}) is on none of the branches this environment deploys from (allowed-branches: ${branches}); ` +
          'nothing was deployed: merge it first, or, to deploy it anyway, run with allow-outside-branches: true (it is recorded)',
      }
    }
    warnings.push({
      message: `${shortSha(facts.target)} (ref ${policy.ref}) is on none of the allowed branches (${branches}): deployed anyway because allow-outside-branches is true`,
    })
  }
  if (facts.older) {
    if (!policy.allowOlder) {
      return {
        action: 'skip',
        reason:
          `ref ${policy.ref} (${shortSha(facts.target)}) is older than the deployed ${shortSha(facts.deployed)}, an ancestor of it: ` +
          'skipped, nothing was changed; to go back on purpose, deploy with allow-older: true',
      }
    }
    warnings.push({
      message: `going back: ${shortSha(facts.target)} is older than the deployed ${shortSha(facts.deployed)} (allow-older is true); migrations applied since stay applied`,
    })
  }
  return { action: 'deploy', warnings }
}

/** A rollback's target, chosen from the host's history, or why there is none. */
export type RollbackChoice = { target: HistoryEntry; from: string } | { problem: string }

/**
 * Where command: rollback goes. With `to` (a sha, full or short): the newest successful deploy (or
 * rollback) in the history of that commit, unless it is what runs. Without: the newest successful
 * one of another commit than the deployed one that no later rollback went back from (rolling back
 * twice must not return to the commit the first rollback left). from: the record, else HEAD.
 */
export function chooseRollback(history: readonly HistoryEntry[], deployed: string, head: string, to: string | null): RollbackChoice {
  const from = deployed || head
  const successes = history.filter((entry) => entry.outcome === 'success')
  const listed = () => {
    const shas = [...new Set(successes.map((entry) => shortSha(entry.target)))]
    return shas.length > 0 ? `: it holds ${shas.slice(0, 10).join(', ')}` : ': it holds no successful deploy'
  }
  if (to === null) {
    // Newest first: a rollback's previous is a commit it left, which older entries must not bring back.
    const left = new Set<string>()
    for (const entry of successes) {
      if (entry.target !== from && !left.has(entry.target)) return { target: entry, from }
      if (entry.kind === 'rollback' && entry.previous) left.add(entry.previous)
    }
    return { problem: `no earlier successful deploy than ${shortSha(from)} in the host's deploy history to roll back to${listed()}` }
  }
  const matches = successes.filter((entry) => entry.target.startsWith(to))
  const target = matches[0]
  if (!target) return { problem: `${to} is no successful deploy in the host's deploy history${listed()}` }
  if (matches.some((entry) => entry.target !== target.target)) return { problem: `${to} names more than one deploy in the host's history: give more of the sha` }
  // The deployed commit again only when HEAD is elsewhere (a rollback of a failed deploy that itself failed).
  if (target.target === from && head === from) return { problem: `${shortSha(target.target)} is the deployed commit already: nothing to roll back` }
  return { target, from }
}

/**
 * A rollback plan: never migrates (a deploy plan made with migrate: never), and goes back past
 * migration files only when asked. The files the deployed commit has and the target lacks were
 * added since the target: the database keeps them. Refused (reason) unless pastMigrations; else
 * the plan, with one warning that says what to check instead of a warning per file.
 */
export function judgeRollback(plan: Plan, pastMigrations: boolean): { refuse: string } | { plan: Plan } {
  const kept = plan.deletedMigrations
  // Going back is what a rollback is for: that needs no warning.
  const expected = { ...plan, warnings: plan.warnings.filter((warning) => !warning.descent) }
  if (kept.length === 0) return { plan: expected }
  const files = kept.map(quotePath).join(', ')
  if (!pastMigrations) {
    return {
      refuse:
        `rollback to ${shortSha(plan.target)} refused: migration files were added since it, and a rollback never runs migrations backwards: ${files}; ` +
        `check that ${shortSha(plan.target)}'s code works with them applied (or undo them by hand), then roll back with rollback-past-migrations: true`,
    }
  }
  const warnings = expected.warnings.filter((warning) => warning.file === undefined || !kept.includes(warning.file))
  warnings.push({
    message:
      `rolling back past migration files added since ${shortSha(plan.target)}; they stay applied: ${files}. ` +
      `Check that ${shortSha(plan.target)}'s code works with them before the host is released`,
  })
  return { plan: { ...plan, warnings } }
}
