#!/usr/bin/env bash
# shellcheck disable=SC2250 # the one file-wide exception: braces where they are needed only;
# every expansion is quoted or inside [[ ]], so "${repo}" for "$repo" would add nothing but noise.
#
# The host side of catcolab-deploy. The action sends this text over SSH with a constant command
# line; every parameter arrives as a NUL-separated argument on stdin (or, for the detached run,
# as a file), so no input is ever parsed by a shell.
#
# State, all in the clone's git directory:
#   refs/catcolab-deploy/deployed   the last commit deployed successfully
#   catcolab-deploy/lock            flock: one deploy at a time; released by the kernel if we die
#   catcolab-deploy/current         who holds the lock (run, target, actor, run URL, since)
#   catcolab-deploy/fetch.lock      flock: one git fetch at a time
#   catcolab-deploy/history         the runs that took the lock (not stale, not held), newest last (TAB-
#                                   separated: HISTORY_FIELDS); the newest 50 to 100 are kept
#   catcolab-deploy/builds/<commit>/ the build outputs kept after a successful deploy of <commit>
#                                   (files/<path>, then manifest, written last); the newest 2 are kept
#   catcolab-deploy/hold            the hold (hold/release): reason, actor, run_url, since; while it
#                                   exists, no deploy fetches or runs (set under the host lock, which
#                                   the run checks it under; hold and release also take the fetch lock)
#   catcolab-deploy/start.lock      flock: one start at a time, so a start sent again finds its run
#   catcolab-deploy/runs/<id>/      each run's params, host.sh, log, result, progress and git.err, and its
#                                   "alive" lock, held for as long as it lives; the newest 20 are kept
#
# In this file: helpers; the subcommands prepare, start, follow, result, state, command, hold and
# release;
# the detached run (its phase tables, what each phase runs, recover, cmd_run); the dispatch.
#
# Failures are checked where they happen: every command whose status decides something is tested
# right there, each member of a pipeline through PIPESTATUS, and each $(…) in an assignment of
# its own. No errexit: bash turns it off inside any function called from a condition, which is
# where every phase runs, so it would guard little and blur which failure is handled how. An exit
# nobody planned (a bug, a signal without a handler) still ends through the EXIT trap, which
# starts the services again if the run left them down.
set -u
shopt -s nullglob

DEPLOYED_REF=refs/catcolab-deploy/deployed
KEEP_RUNS=20
KEEP_HISTORY=50
KEEP_BUILDS=2
# A build is kept only when its copy leaves this much free on the filesystem (KiB; 1 GiB): a
# full disk would stop PostgreSQL and the services, far worse than a rollback that must build.
KEEP_FREE_KIB=1048576
# A history line's fields, in order (protocol.ts HISTORY_FIELDS).
# finished: UTC time; kind: deploy or rollback; running: what runs after it (a commit, down or unknown).
HISTORY_FIELDS=(finished kind outcome target previous running migrated actor run_url run)

# Every global, and the one function that sets it:
STATE=''     # enter_repo (cmd_run, for the run): the state directory, <git dir>/catcolab-deploy
GIT_ERROR='' # git_out: git's own words for its last failure, on one line
GIT_ERR_FILE='' # git_out (cmd_run, for the run): where git's error output goes, one file per process
HEAD_SHA=''  # read_head: the commit checked out,
BRANCH=''    #   its branch ('' when HEAD is detached),
DEPLOYED=''    #   and the last commit deployed ('' when none was recorded)
TARGET=''    # resolve_ref: the commit a ref names ('' when none)

# The detached run's state, and nothing else, carries over from one of its phases to the next:
declare -A P=() # its parameters, as the action sent them; never changed
declare -A R=() # its result (KEY=VALUE), rewritten to runs/<id>/result at each phase (not while the services are down) and at the end
DIR=''          # its directory, runs/<id>
PREVIOUS=''     # the commit checked out when it took the lock
BACK=''         # what a rollback goes back to: the last commit deployed (the record), else PREVIOUS
KEPT=false      # whether the commit this run builds (a rollback's target), or goes back to, has a usable kept build
FINISHED=''     # "OUTCOME MESSAGE" once the run's work is done and only keeping its build is left
SERVING=unknown # what the services run, as far as it knows: a commit, down, or unknown
DOWN=false      # true while the services may be down because of the run (it stopped them, or a
                # start or restart of its own is under way or failed): it starts them before it ends
HOLDING=false   # true once it holds the host lock and has said so in `current`

# ---- helpers -------------------------------------------------------------------------------

problem() { printf 'catcolab-deploy: %s\n' "$*" >&2; }
# die MESSAGE: a one-line problem for the action, and exit 2. It never returns. The subcommands
# use it; the detached run never does: it ends with end_run.
die() { problem "$@"; exit 2; }
# one_line VAR TEXT: TEXT on one line and at most 600 characters long, into VAR.
one_line() {
  local _text=${2//[$'\n\r']/ }
  printf -v "$1" '%s' "${_text:0:600}"
}
# lines ARRAY TEXT: TEXT's lines into ARRAY; none for an empty TEXT. It fails only when bash
# cannot make the here-string (before bash 5.1, a temporary file): then nothing was read.
lines() {
  local -n _lines=$1
  _lines=()
  [[ -z $2 ]] || mapfile -t _lines <<<"$2"
}
# modified_list VAR STATUS: the paths of git status --porcelain's STATUS (C-quoted as git quotes
# them), the first 10 and how many more, on one line.
modified_list() {
  local -n _listed=$1
  local _entries _entry
  lines _entries "$2" || return 1
  _listed=''
  for _entry in "${_entries[@]:0:10}"; do _listed+="${_entry:3} "; done
  ((${#_entries[@]} > 10)) && _listed+="and $((${#_entries[@]} - 10)) more "
  _listed=${_listed% }
}
# user_name VAR: who runs this, into VAR.
user_name() {
  local _name
  _name=$(id -un 2>/dev/null) || _name="uid $EUID"
  printf -v "$1" '%s' "$_name"
}
# Quotes a word for a human to paste into a shell: as is when plainly safe, else in single quotes.
shq() {
  local quote="'\''"
  if [[ $1 =~ ^[A-Za-z0-9_./=:@%+,-]+$ ]]; then
    printf '%s' "$1"
  elif [[ $1 == *[[:cntrl:]]* ]]; then
    # $'…' keeps a newline (a multi-line command) pasteable on one line.
    printf '%q' "$1"
  else
    printf "'%s'" "${1//\'/$quote}"
  fi
}
# A host command as a human pastes it, meaning what `bash -c` runs: as is when it is plain words.
shcmd() {
  if [[ $1 =~ ^[A-Za-z0-9_./=:@%+,\ -]+$ ]]; then
    printf '%s' "$1"
  else
    printf 'bash -c '
    shq "$1"
  fi
}
# git_out VAR ARGS...: git's stdout into VAR. On failure, git's own words go into GIT_ERROR and
# git's exit status is returned: output that decides something is never read from a failed git.
git_out() {
  local -n _git_into=$1
  local _git_rc _git_words='' _git_trap
  shift
  # One file for the whole process, made at the first git: each process costs milliseconds.
  if [[ -z $GIT_ERR_FILE ]]; then
    if ! GIT_ERR_FILE=$(mktemp); then
      GIT_ERROR="cannot create a temporary file for git's errors"
      return 125
    fi
    printf -v _git_trap 'rm -f -- %q' "$GIT_ERR_FILE"
    # shellcheck disable=SC2064 # the name is meant to expand now
    trap "$_git_trap" EXIT
  fi
  _git_into=$(git "$@" 2>"$GIT_ERR_FILE")
  _git_rc=$?
  # Only words for a human: what git said, or as much as is known. read fails at the end of the
  # file, having read it all; a file it cannot open leaves the words empty.
  IFS= read -r -d '' _git_words 2>/dev/null <"$GIT_ERR_FILE"
  one_line GIT_ERROR "$_git_words"
  [[ -n $GIT_ERROR ]] || GIT_ERROR="git $1 exited $_git_rc"
  return "$_git_rc"
}
# git_status ARGS...: git_out for a git whose exit status is the answer, its output unused.
git_status() {
  local _git_output
  git_out _git_output "$@"
}
# now VAR: the time in ms into VAR, with builtins only (no date, as save_result needs no tr or
# sed): this runs between the phases, some of them inside the downtime.
now() {
  local _us=${EPOCHREALTIME//[!0-9]/}
  # Before bash 5 there is no EPOCHREALTIME; if date fails too, the time is left out ('').
  [[ -n $_us ]] || _us=$(date +%s%6N) || _us=''
  if [[ -n $_us ]]; then printf -v "$1" '%s' "$((_us / 1000))"; else printf -v "$1" ''; fi
}
# utc_stamp VAR FORMAT [fraction]: the time now in UTC as strftime's FORMAT into VAR, with the
# nanoseconds and a Z after it when asked for the fraction; with builtins only when bash can.
utc_stamp() {
  local _t=${EPOCHREALTIME:-} _f
  if [[ -z $_t ]]; then
    # Before bash 5: date.
    if [[ ${3:-} == fraction ]]; then _f=$(date -u "+$2.%NZ"); else _f=$(date -u "+$2"); fi || return 1
    printf -v "$1" '%s' "$_f"
    return 0
  fi
  # The decimal separator is the locale's, whatever it is.
  TZ=UTC0 printf -v "$1" "%($2)T" "${_t%%[!0-9]*}"
  if [[ ${3:-} == fraction ]]; then printf -v "$1" '%s.%s000Z' "${!1}" "${_t##*[!0-9]}"; fi
}
# lock_status FILE: whether another process holds the flock on FILE: 0 no, 1 yes; anything
# else is flock failing (the file cannot be opened, say).
lock_status() { flock -n "$1" true 2>/dev/null; }

# read_hold VAR: the host's hold in words (since, by whom, the run that set it, the reason), or
# '' when it is not held. A hold file that cannot be read still holds the host.
read_hold() {
  local -n _hold=$1
  local _line _key _value _reason='' _actor='' _url='' _since=''
  _hold=''
  [[ -e $STATE/hold ]] || return 0
  if ! { while IFS= read -r _line; do
    _key=${_line%%=*}
    _value=${_line#*=}
    case $_key in
      reason) _reason=$_value ;;
      actor) _actor=$_value ;;
      run_url) _url=$_value ;;
      since) _since=$_value ;;
      *) ;;
    esac
  done <"$STATE/hold"; } 2>/dev/null; then
    _hold="held ($STATE/hold exists but cannot be read)"
    return 0
  fi
  _hold="held since ${_since:-an unknown time} by ${_actor:-someone unknown}${_url:+ ($_url)}: ${_reason:-no reason given}"
}

# Enter the clone and find the state directory; every subcommand starts here.
enter_repo() {
  local repo=$1 dirs top me said
  # Then PWD is the physical path, as git prints it (cd -P . moves nowhere).
  if ! cd -- "$repo" 2>/dev/null || ! cd -P . 2>/dev/null; then
    user_name me
    die "repo-path $repo does not exist on the host or is not readable by $me"
  fi
  # git's words matter here: "dubious ownership" (the clone is not the SSH user's) is common.
  # They are asked for only when it fails, so that a subcommand with no other git makes no file.
  if ! dirs=$(git rev-parse --show-toplevel --absolute-git-dir 2>/dev/null); then
    said=$(git rev-parse --show-toplevel 2>&1 >/dev/null)
    one_line said "${said:-git rev-parse failed}"
    user_name me
    die "repo-path $repo is not a git clone usable by $me: $said"
  fi
  top=${dirs%$'\n'*}
  [[ $top == "$PWD" ]] || die "repo-path $repo is inside the clone $top, not its top: set repo-path to $top"
  STATE="${dirs#*$'\n'}/catcolab-deploy"
  [[ -d $STATE/runs ]] || mkdir -p -- "$STATE/runs" || die "cannot create $STATE"
}

# The facts every plan and report start from, into HEAD_SHA, BRANCH and DEPLOYED ('' when none).
# A failing git is never read as "detached" or "no record".
read_head() {
  local heads
  # The commit, the deployed commit, and the full name of HEAD's branch, or HEAD when detached
  # (--short would print heads/main once a tag main exists): one git when a deploy was recorded.
  # (--symbolic-full-name applies to what follows it: the deployed ref must come before it.)
  if git_out heads rev-parse HEAD "$DEPLOYED_REF^{commit}" --symbolic-full-name HEAD \
    && [[ $heads =~ ^([0-9a-f]{40})$'\n'([0-9a-f]{40})$'\n'(.+)$ ]]; then
    HEAD_SHA=${BASH_REMATCH[1]}
    DEPLOYED=${BASH_REMATCH[2]}
    BRANCH=${BASH_REMATCH[3]}
  else
    git_out heads rev-parse HEAD --symbolic-full-name HEAD || return 1
    [[ $heads =~ ^([0-9a-f]{40})$'\n'(.+)$ ]] || { GIT_ERROR="git rev-parse HEAD printed ${heads:0:100}"; return 1; }
    HEAD_SHA=${BASH_REMATCH[1]}
    BRANCH=${BASH_REMATCH[2]}
    # -q --verify exits 1, silently, only when the ref does not exist; a broken ref says so.
    git_out DEPLOYED rev-parse -q --verify "$DEPLOYED_REF^{commit}"
    case $? in
      0) ;;
      1) if [[ $GIT_ERROR == 'git rev-parse exited 1' ]]; then DEPLOYED=''; else return 1; fi ;;
      *) return 1 ;;
    esac
  fi
  if [[ $BRANCH == HEAD ]]; then BRANCH=''; else BRANCH=${BRANCH#refs/heads/}; fi
}

# exact_ref VAR REF: the commit the full ref name REF (refs/...) points to, into VAR, or '' when
# REF does not exist. Exact: rev-parse would also take refs/tags/refs/tags/X for refs/tags/X.
exact_ref() {
  local -n _exact_into=$1
  local _exact_refs _exact_lines _exact_line _exact_sha=''
  _exact_into=''
  git_out _exact_refs for-each-ref --format='%(objectname) %(objecttype) %(refname)' -- "$2" || die "git for-each-ref $2 failed: $GIT_ERROR"
  lines _exact_lines "$_exact_refs" || die "cannot read git's list of refs $2 (no temporary file?)"
  # The pattern also matches refs below REF/: keep REF itself only.
  for _exact_line in "${_exact_lines[@]}"; do
    if [[ ${_exact_line#* * } == "$2" ]]; then _exact_sha=${_exact_line%% * *}; fi
  done
  [[ -n $_exact_sha ]] || return 0
  # A commit is what it names; a tag object is peeled to the commit it tags.
  if [[ $_exact_line == "$_exact_sha commit $2" ]]; then
    _exact_into=$_exact_sha
    return 0
  fi
  git_out _exact_into rev-parse -q --verify --end-of-options "$_exact_sha^{commit}" \
    || die "$2 names $_exact_sha, which is not a commit: $GIT_ERROR"
}

# The commit a ref names: a tag only as refs/tags/X, a branch of REMOTE only as refs/heads/X, a
# bare name as whichever it is (refused when it is both, at different commits), a full sha as
# itself (fetched when no ref reaches it), a short sha when no tag or branch has that name.
# Into TARGET ('' when nothing matches); a failing git is never read as "no such ref".
resolve_ref() {
  local remote=$1 ref=$2 tag branch fetched said
  TARGET=''
  if [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
    git_out TARGET rev-parse -q --verify --end-of-options "$ref^{commit}" && return 0
    # A commit that no branch or tag reaches (a PR head, say) is fetched by its sha, still under
    # prepare's fetch lock (fd 6), which git must not inherit: a gc it leaves running would hold it.
    if ! fetched=$(git fetch --quiet "$remote" "$ref" 2>&1 6>&-); then
      one_line said "$fetched"
      die "git fetch of commit $ref from $remote failed in $PWD: $said"
    fi
    git_out TARGET rev-parse -q --verify --end-of-options "$ref^{commit}" || die "$ref is not a commit: $GIT_ERROR"
    return 0
  fi
  case $ref in
    refs/tags/*) exact_ref TARGET "$ref" ;;
    refs/heads/*) exact_ref TARGET "refs/remotes/$remote/${ref#refs/heads/}" ;;
    refs/*) die "ref $ref is neither refs/tags/NAME nor refs/heads/NAME: pass a tag, a branch or a commit sha" ;;
    *)
      exact_ref tag "refs/tags/$ref"
      exact_ref branch "refs/remotes/$remote/$ref"
      if [[ -n $tag && -n $branch && $tag != "$branch" ]]; then
        die "ref $ref is both a tag (commit $tag) and a branch of $remote (commit $branch): pass refs/tags/$ref or refs/heads/$ref"
      fi
      TARGET=${tag:-$branch}
      if [[ -z $TARGET && $ref =~ ^[0-9a-f]{7,39}$ ]]; then short_sha "$remote" "$ref"; fi
      ;;
  esac
  return 0
}

# short_sha REMOTE HEX: the one commit whose name starts with HEX, into TARGET ('' if none). As an
# object name only: rev-parse would take a local branch named like the hex first.
short_sha() {
  local objects list object type commits=()
  git_out objects rev-parse --disambiguate="$2" || die "git rev-parse failed on the short sha $2: $GIT_ERROR"
  lines list "$objects" || die "cannot read git's objects named $2 (no temporary file?)"
  for object in "${list[@]}"; do
    [[ -n $object ]] || continue
    git_out type cat-file -t "$object" || die "git cat-file failed on $object: $GIT_ERROR"
    if [[ $type == commit ]]; then commits+=("$object"); fi
  done
  ((${#commits[@]} <= 1)) || die "ref $2 is not a branch or tag of $1, and as a short sha it names ${#commits[@]} commits: ${commits[*]}; pass more digits"
  TARGET=${commits[0]:-}
}

# The remote's branches must be exactly what refs/remotes/REMOTE/ holds: a clone whose remote
# also fetches, say, pull requests there would let a fork's commit pass for a branch.
check_refspec() {
  local remote=$1 specs said
  if ! git_out specs config --get-all "remote.$remote.fetch"; then
    git remote get-url "$remote" >/dev/null 2>&1 || die "remote $remote is not configured in $PWD: check the remote input"
    die "remote $remote has no fetch refspec in $PWD: $GIT_ERROR"
  fi
  if [[ $specs != "+refs/heads/*:refs/remotes/$remote/*" ]]; then
    one_line said "$specs"
    die "remote $remote of $PWD fetches more or other than its branches ($said): refs/remotes/$remote/ must hold its branches only; on the host run: git config --replace-all remote.$remote.fetch '+refs/heads/*:refs/remotes/$remote/*'"
  fi
}

# ---- the subcommands the action calls over SSH ---------------------------------------------

# prepare REPO REMOTE REF EXPECTED BRANCHES NEED_CURL PATH_COUNT PATH... COMMAND_WORD...
# Preflight (every problem reported, nothing changed), then fetch and resolve REF to one commit.
# EXPECTED: a commit (or tag object) REF must still name, or ''. BRANCHES: newline-separated
# patterns of REMOTE's branches; the ones that contain the target are reported. It prints KEY=VALUE
# lines, then the facts a plan needs, for each commit the plan may count from (the deployed one,
# and HEAD when it differs): `diff=BASE ANCESTOR`, a line, then git's name-status, NUL-separated,
# of the files below the literal PATHs (no PATH: every file), ended by one more NUL. Which base
# counts, and what the changes mean, plan.ts decides.
cmd_prepare() {
  local repo=$1 remote=$2 ref=$3 expected=$4 branches=$5 need_curl=$6 path_count=$7 tool word failed=0 me=''
  local status held listed fetched said expected_commit='' older=false containing='' bases hold
  local deployed_ancestor=false
  local heads head branch_refs branch_ref patterns pattern paths
  shift 7
  if [[ ! $path_count =~ ^[0-9]+$ ]] || (($# < path_count)); then die "prepare needs a count of paths, then the paths"; fi
  paths=("${@:1:path_count}")
  shift "$path_count"
  for tool in git flock setsid timeout tail head date mktemp; do
    command -v "$tool" >/dev/null || { problem "the host lacks $tool, which the deploy needs"; failed=1; }
  done
  if [[ $need_curl == true ]] && ! command -v curl >/dev/null; then
    problem "the host lacks curl, which health-url needs"
    failed=1
  fi
  for word in "$@"; do
    if ! command -v -- "$word" >/dev/null; then
      [[ -n $me ]] || user_name me
      problem "command $word is not on the PATH of $me on the host"
      failed=1
    fi
  done
  ((failed == 0)) || exit 2
  enter_repo "$repo"
  # The hold is read under the fetch lock, which hold also takes: a held host is never fetched.
  exec 6>>"$STATE/fetch.lock" || die "cannot open $STATE/fetch.lock"
  flock -w 600 6 || die "another fetch held $STATE/fetch.lock for 600 s"
  read_hold hold
  [[ -z $hold ]] || die "the host is $hold; nothing was fetched or changed (command: release lets deploys run again)"
  # A deploy that holds the host may be mid-checkout, its files half changed; its run checks them
  # again under the host lock before its checkout, so the refusal is left to it when the host
  # lock is held before or after git status looks (a checkout under way holds it throughout).
  lock_status "$STATE/lock"
  held=$?
  # --no-optional-locks: a git status that refreshes the index takes index.lock for it, which
  # would make that run's checkout fail ("index.lock: File exists").
  git_out status --no-optional-locks status --porcelain --untracked-files=no \
    || die "git status failed in $repo, so it is not known whether tracked files were modified: $GIT_ERROR"
  if [[ -n $status ]] && ((held != 1)) && { lock_status "$STATE/lock"; (($? != 1)); }; then
    modified_list listed "$status" || die "cannot read git status's output in $repo (no temporary file?)"
    die "tracked files are modified in $repo: $listed; commit, stash or discard them on the host first (untracked files are fine)"
  fi
  check_refspec "$remote"
  if ! fetched=$(git fetch --quiet --tags --force --prune "$remote" 2>&1 6>&-); then
    one_line said "$fetched"
    die "git fetch from $remote failed in $repo: $said"
  fi
  resolve_ref "$remote" "$ref"
  exec 6>&-
  [[ -n $TARGET ]] || die "ref $ref is not a branch or tag of $remote, nor a commit in $repo after fetching"
  read_head || die "git failed in $repo reading HEAD or $DEPLOYED_REF: $GIT_ERROR"
  if [[ -n $expected ]]; then
    # A tag object (github.event.after of an annotated tag) counts as the commit it tags.
    git_out expected_commit rev-parse -q --verify --end-of-options "$expected^{commit}" \
      || die "expected-sha $expected is not a commit of $remote in $repo after fetching"
  fi
  # Older: the target is behind the deployed commit. Both questions about the pair, one git.
  if [[ -n $DEPLOYED && $DEPLOYED != "$TARGET" ]]; then
    git_out bases merge-base --all "$DEPLOYED" "$TARGET"
    case $? in
      0) ;;
      1) bases='' ;; # no common ancestor
      *) die "git merge-base failed in $repo comparing $TARGET with the deployed $DEPLOYED: $GIT_ERROR" ;;
    esac
    # One of the two is an ancestor of the other exactly when it is their only merge base.
    if [[ $bases == "$TARGET" ]]; then older=true; fi
    if [[ $bases == "$DEPLOYED" ]]; then deployed_ancestor=true; fi
  fi
  if [[ -n $branches ]]; then
    git_out heads for-each-ref --contains "$TARGET" --format='%(refname)' "refs/remotes/$remote/" \
      || die "git for-each-ref failed in $repo: $GIT_ERROR"
    lines branch_refs "$heads" || die "cannot read git's list of branches in $repo (no temporary file?)"
    lines patterns "$branches" || die "cannot read the branch patterns (no temporary file?)"
    for branch_ref in "${branch_refs[@]}"; do
      head=${branch_ref#"refs/remotes/$remote/"}
      if [[ -z $head || $head == HEAD ]]; then continue; fi
      for pattern in "${patterns[@]}"; do
        # shellcheck disable=SC2053 # the pattern is a glob: trusted configuration
        if [[ -n $pattern && $head == $pattern ]]; then
          containing+="$head "
          break
        fi
      done
    done
  fi
  printf 'head=%s\nbranch=%s\ndeployed=%s\ntarget=%s\nexpected=%s\nolder=%s\ncontaining=%s\n' \
    "$HEAD_SHA" "$BRANCH" "$DEPLOYED" "$TARGET" "$expected_commit" "$older" "${containing% }"
  # The deployed commit, and HEAD when it differs.
  # (${paths[@]+…}: an empty list under set -u, before bash 4.4.)
  [[ -z $DEPLOYED ]] || changes_since "$DEPLOYED" "$deployed_ancestor" ${paths[@]+"${paths[@]}"}
  [[ $HEAD_SHA == "$DEPLOYED" ]] || changes_since "$HEAD_SHA" '' ${paths[@]+"${paths[@]}"}
}

# changes_since BASE ANCESTOR PATH...: for prepare, `diff=BASE ANCESTOR` (whether BASE is an
# ancestor of TARGET: true or false when known, '' to ask git), then git's name-status of
# BASE..TARGET below the literal PATHs, NUL-separated, and a NUL.
changes_since() {
  local base=$1 ancestor=$2 said=''
  shift 2
  if [[ $base == "$TARGET" ]]; then ancestor=true; fi
  if [[ -z $ancestor ]]; then
    ancestor=false
    git_status merge-base --is-ancestor "$base" "$TARGET"
    case $? in
      0) ancestor=true ;;
      1) ;;
      *) die "git merge-base failed comparing $base with $TARGET: $GIT_ERROR" ;;
    esac
  fi
  printf 'diff=%s %s\n' "$base" "$ancestor"
  # Straight out (NUL-separated, so not through a variable); its errors where git_out keeps them.
  if ! git --literal-pathspecs diff --no-renames --name-status -z "$base" "$TARGET" -- "$@" 2>"$GIT_ERR_FILE"; then
    IFS= read -r -d '' said 2>/dev/null <"$GIT_ERR_FILE"
    one_line said "$said"
    die "git diff $base $TARGET failed: $said"
  fi
  printf '\0'
}

# start REPO TOKEN OFFSET KEY=VALUE...: launch the deploy detached from this SSH session; print
# its run id, <host time>-<TOKEN>, as `run=ID`, then follow its log from byte OFFSET (follow).
# Idempotent per token: sent again after a dropped connection, it finds the run the first one
# started instead of starting a second, and goes on following it from OFFSET.
cmd_start() {
  local repo=$1 token=$2 offset=$3 run dir existing
  shift 3
  [[ $token =~ ^[0-9a-f]{24}$ ]] || die "start needs a token of 24 hex digits"
  [[ $offset =~ ^[0-9]+$ ]] || die "start needs a byte offset"
  enter_repo "$repo"
  # The connection that asked may drop at any moment: finish starting regardless (and say nothing
  # until the end), so that a second start with this token finds the run whole.
  trap '' HUP PIPE
  exec 7>>"$STATE/start.lock" || die "cannot open $STATE/start.lock"
  flock 7 || die "cannot lock $STATE/start.lock"
  existing=("$STATE"/runs/*-"$token")
  if ((${#existing[@]})); then
    exec 7>&-
    trap - HUP PIPE
    printf 'run=%s\n' "${existing[-1]##*/}"
    follow_log "${existing[-1]##*/}" "$offset"
    return
  fi
  # Sortable: the newest run is the last name (status and pruning rely on it).
  utc_stamp run %Y%m%dT%H%M%S fraction || die "date failed on the host"
  run+="-$token"
  dir="$STATE/runs/$run"
  mkdir -- "$dir" || die "cannot create $dir"
  # A run directory exists whole or not at all: a start sent again would adopt a half-made one.
  if ! {
    printf '%s\0' "$@" >"$dir/params" \
      && printf '%s\n' "$BASH_EXECUTION_STRING" >"$dir/host.sh" \
      && : >"$dir/log" \
      && exec 8>>"$dir/alive"
  }; then
    rm -rf -- "$dir" || die "cannot write the run's files in $dir, nor remove it: remove it by hand"
    die "cannot write the run's files in $dir"
  fi
  # The run holds runs/<id>/alive locked for as long as it lives (the kernel lets go when it
  # dies, even by SIGKILL): that is how follow and status know it ended. Taken here, before
  # the launch, so nobody can see the run as ended before it began.
  if ! flock -n 8; then
    rm -rf -- "$dir" || die "cannot lock $dir/alive, nor remove $dir: remove it by hand"
    die "cannot lock $dir/alive"
  fi
  # A new session: neither a dropped connection nor a cancelled workflow can signal it. It gets
  # the default signal handling back, and not the start lock. Whatever goes wrong from here is
  # in its log: if it never starts, its alive lock goes, and no result says so.
  (
    trap - HUP PIPE INT QUIT
    exec setsid bash "$dir/host.sh" run "$dir" </dev/null >>"$dir/log" 2>&1 7>&-
  ) &
  exec 8>&-
  exec 7>&-
  trap - HUP PIPE
  printf 'run=%s\n' "$run"
  follow_log "$run" "$offset"
}

# follow REPO RUN OFFSET: the run's log from byte OFFSET, live until the run ends.
cmd_follow() {
  enter_repo "$1"
  [[ $3 =~ ^[0-9]+$ ]] || die "follow needs a byte offset"
  follow_log "$2" "$3"
}

# follow_log RUN OFFSET: the run's log from byte OFFSET, each write as it lands, until the run has
# ended and its last byte is out. tail follows the file (inotify: no polling delay) and ends once
# the process given by --pid has; that process waits for the run's alive lock, which the run holds
# for as long as it lives (even a SIGKILL lets go of it). The run's own last line says it ended
# (a marker with its result, run-log.ts), so the action need not wait for tail to notice.
follow_log() {
  local run=$1 offset=$2 dir waiter status
  dir="$STATE/runs/$run"
  [[ -f $dir/log ]] || die "no deploy run $run on this host"
  lock_status "$dir/alive"
  (($? <= 1)) || die "cannot tell whether run $run still runs: flock failed on $dir/alive"
  flock "$dir/alive" true 2>/dev/null &
  waiter=$!
  # By name: a log removed under it ends tail (no files remaining) instead of following it forever.
  # When the SSH session goes, tail's next write fails, or tail sees its output closed, and ends.
  tail -c "+$((offset + 1))" --follow=name --pid="$waiter" -s 0.05 -- "$dir/log" 2>/dev/null
  status=$?
  kill "$waiter" 2>/dev/null
  ((status == 0)) || [[ -f $dir/log ]] || die "the log of run $run disappeared"
  return "$status"
}

# result REPO RUN: the run's result, KEY=VALUE lines.
# RUN may also be the token a run id ends in (the post step may know only that).
cmd_result() {
  local run=$2 found
  enter_repo "$1"
  if [[ $run =~ ^[0-9a-f]{24}$ ]]; then
    found=("$STATE"/runs/*-"$run")
    ((${#found[@]})) || die "no deploy run was started with token $run"
    run=${found[-1]##*/}
  fi
  print_result '' "$STATE/runs/$run" 2>/dev/null || die "deploy run $run left no result"
}

# print_as PREFIX FILE: FILE's KEY=VALUE lines, each key after PREFIX. Fails when FILE cannot be
# read (it was removed meanwhile, say).
print_as() {
  local line
  [[ -r $2 ]] || return 1
  while IFS= read -r line; do printf '%s%s\n' "$1" "$line"; done <"$2"
}

# print_result PREFIX DIR: the result of the run in DIR, as print_as prints it. While it says
# outcome=running, the run's progress instead, when whole (its last line is "."): the result file
# lags while the services are down, the progress never does.
print_result() {
  local result progress line running=false
  mapfile -t result 2>/dev/null <"$2/result" || return 1
  # (${result[@]+…}: an empty result under set -u, before bash 4.4.)
  for line in ${result[@]+"${result[@]}"}; do
    if [[ $line == outcome=running ]]; then running=true; fi
  done
  if [[ $running == true ]] && mapfile -t progress 2>/dev/null <"$2/progress" \
    && ((${#progress[@]} > 1)) && [[ ${progress[-1]} == . ]]; then
    result=("${progress[@]:0:${#progress[@]}-1}")
  fi
  for line in ${result[@]+"${result[@]}"}; do printf '%s%s\n' "$1" "$line"; done
}

# state REPO: what is deployed, whether a deploy runs now, the hold if any, and how the newest run went.
cmd_state() {
  local results last running alive entries i
  enter_repo "$1"
  lock_status "$STATE/lock"
  case $? in
    0) running=false ;;
    1) running=true ;;
    *) die "cannot tell whether a deploy runs: flock failed on $STATE/lock" ;;
  esac
  read_head || die "git failed in $1 reading HEAD or $DEPLOYED_REF: $GIT_ERROR"
  printf 'head=%s\nbranch=%s\ndeployed=%s\nrunning=%s\n' "$HEAD_SHA" "$BRANCH" "$DEPLOYED" "$running"
  # Who runs it; nothing when that deploy has just ended and emptied the file.
  if [[ $running == true ]]; then print_as current_ "$STATE/current" 2>/dev/null; fi
  if [[ -e $STATE/hold ]]; then print_as hold_ "$STATE/hold" || printf 'hold_reason=(%s cannot be read)\n' "$STATE/hold"; fi
  # The history, newest first: each line as the run wrote it.
  if [[ -e $STATE/history ]]; then
    mapfile -t entries <"$STATE/history" 2>/dev/null || die "cannot read $STATE/history"
    for ((i = ${#entries[@]} - 1; i >= 0; i--)); do printf 'history=%s\n' "${entries[i]}"; done
  fi
  results=("$STATE"/runs/*/result)
  ((${#results[@]})) || return 0
  last=${results[-1]%/result}
  lock_status "$last/alive"
  case $? in
    0) alive=false ;;
    1) alive=true ;;
    *) die "cannot tell whether run ${last##*/} still runs: flock failed on $last/alive" ;;
  esac
  printf 'last_alive=%s\n' "$alive"
  print_result last_ "$last" || die "cannot read the result of run ${last##*/}"
}

# command REPO COMMAND: run one of the host's trusted commands in the clone, bounded in time
# and output (a logs-command such as "journalctl -f" must not hang the job). Its exit status is
# the command's, also when its output was cut at 1 MB and it then died of SIGPIPE.
cmd_command() {
  local statuses
  enter_repo "$1"
  # shellcheck disable=SC2312 # each member's status is read from PIPESTATUS
  timeout --kill-after=10 300 bash -c "$2" </dev/null 2>&1 | first_bytes 1000000
  statuses=("${PIPESTATUS[@]}")
  if ((statuses[1] == 3 && statuses[0] == 141)); then return 0; fi
  return "${statuses[0]}"
}
# first_bytes N: copies the first N bytes of stdin, then stops reading. Exits 3 when there was
# more (so a writer that dies of SIGPIPE then was cut by us), else with head's status.
first_bytes() {
  head -c "$1" || return
  LC_ALL=C IFS= read -r -d '' -n 1 _ || return 0
  return 3
}

# ---- kept builds -------------------------------------------------------------------------
#
# After a successful deploy, the run copies the build outputs (P[outputs], paths in the clone, one
# per line) into builds/<commit>/files, then writes builds/<commit>/manifest: a copy without a
# manifest naming its commit and the same outputs is never used. Copies, never hard links: a build
# rewrites its files in place. Going back puts a kept build back by rename (never by copying over
# a running binary); that uses the copy up, so the run keeps it again once the services are back.
# builds/order lists the kept commits, newest first: the newest KEEP_BUILDS stay.

# output_paths VAR: P[outputs] as an array in VAR, each path once; a path that is not plainly
# inside the clone, or lies inside another listed one, is left out, saying so.
output_paths() {
  local -n _paths=$1
  local _path _other _clash
  _paths=()
  while IFS= read -r _path; do
    _path=${_path%/}
    [[ -n $_path ]] || continue
    if [[ $_path == /* || /$_path/ == */../* || /$_path/ == */./* || /$_path/ == *//* ]]; then
      say "build output $_path is not a path inside the clone: left out"
      continue
    fi
    _clash=''
    for _other in ${_paths[@]+"${_paths[@]}"}; do
      if [[ $_path == "$_other" || $_path == "$_other"/* || $_other == "$_path"/* ]]; then _clash=$_other; fi
    done
    if [[ -n $_clash ]]; then
      say "build output $_path is, or overlaps, $_clash: left out"
      continue
    fi
    _paths+=("$_path")
  done <<<"${P[outputs]:-}"
}

# one_device PATH...: whether the paths are all on one filesystem, so that renames between them
# are renames (mv across filesystems copies instead).
one_device() {
  local devices first line
  devices=$(stat -c %d -- "$@" 2>/dev/null) || return 1
  first=${devices%%$'\n'*}
  while IFS= read -r line; do [[ $line == "$first" ]] || return 1; done <<<"$devices"
}

# parents_of VAR PATH...: the directory each PATH lies in, in the clone ("." at its top, and
# while the directory is missing), into the array VAR. Builtins only: it runs in the downtime.
parents_of() {
  local -n _dirs=$1
  local _path
  shift
  _dirs=()
  for _path in "$@"; do
    if [[ $_path == */* && -d ${_path%/*} ]]; then _dirs+=("${_path%/*}"); else _dirs+=(.); fi
  done
}

# decide_kept COMMIT: KEPT=true when COMMIT has a usable kept build: a manifest naming it and the
# outputs asked for now, on the clone's filesystem; else false, saying why it is built instead.
decide_kept() {
  local dir="$STATE/builds/$1" line listed=() outputs=() named=false path parents=()
  KEPT=false
  output_paths outputs
  ((${#outputs[@]})) || return 0
  if [[ ! -e $dir/manifest ]]; then
    if [[ -e $dir ]]; then say "the kept build of $1 has no manifest (never finished, or in use): building it instead"; else say "no kept build of $1: building it"; fi
    return 0
  fi
  while IFS= read -r line; do
    if [[ $line == "commit=$1" ]]; then named=true; fi
    if [[ $line == path=* ]]; then listed+=("${line#path=}"); fi
  done 2>/dev/null <"$dir/manifest"
  if [[ $named != true ]]; then say "the manifest in $dir does not name $1: building it instead"; return 0; fi
  if [[ ${listed[*]-} != "${outputs[*]}" ]]; then say "the kept build of $1 holds other build outputs (${listed[*]-}) than asked now: building it instead"; return 0; fi
  parents_of parents "${outputs[@]}"
  if ! one_device "$dir/files" "${parents[@]}"; then say "the kept build of $1 is on another filesystem than its outputs (a rename would copy): building it instead"; return 0; fi
  KEPT=true
  say "$1 has a kept build: putting it back instead of building"
}

# restore_build COMMIT: puts COMMIT's kept build back in the clone by rename; the outputs there
# now (also ones the kept build lacks) are moved aside, then removed. The manifest is moved away
# first, so a copy half used is never used again. On a failure it moves back what it moved.
restore_build() {
  local dir="$STATE/builds/$1" trash line path kept=() paths=() moved=() aside=() i
  while IFS= read -r line; do
    if [[ $line == path=* ]]; then paths+=("${line#path=}"); fi
    if [[ $line == kept=* ]]; then kept+=("${line#kept=*$'\t'}"); fi
  done 2>/dev/null <"$dir/manifest"
  ((${#kept[@]})) || { say "the manifest of the kept build of $1 lists no output"; return 1; }
  mv -- "$dir/manifest" "$dir/manifest.in-use" || return 1
  trash=$(mktemp -d "$STATE/builds/.aside-XXXXXX") || { mv -- "$dir/manifest.in-use" "$dir/manifest"; return 1; }
  for path in "${paths[@]}"; do
    if [[ -e $path || -L $path ]]; then
      if [[ $path == */* ]]; then mkdir -p -- "$trash/${path%/*}" || break; fi
      mv -- "$path" "$trash/$path" || break
      aside+=("$path")
    fi
    if [[ " ${kept[*]} " == *" $path "* ]]; then
      if [[ $path == */* ]]; then mkdir -p -- "${path%/*}" || break; fi
      mv -- "$dir/files/$path" "$path" || break
      moved+=("$path")
    fi
  done
  if ((${#moved[@]} != ${#kept[@]})); then
    say "putting the kept build of $1 back failed: moving back what was moved"
    for ((i = ${#moved[@]} - 1; i >= 0; i--)); do mv -- "${moved[i]}" "$dir/files/${moved[i]}"; done
    for ((i = ${#aside[@]} - 1; i >= 0; i--)); do mv -- "$trash/${aside[i]}" "${aside[i]}"; done
    rm -rf -- "$trash"
    mv -- "$dir/manifest.in-use" "$dir/manifest"
    return 1
  fi
  rm -rf -- "$dir" "$trash" || say "cannot remove $dir or $trash"
  say "put back the kept build of $1 (${kept[*]}) by rename: nothing was built"
}

# kib VAR N: N KiB in words, into VAR.
kib() {
  local -n _words=$1
  if (($2 < 10240)); then _words="$2 KiB"; else _words="$(($2 / 1024)) MiB"; fi
}

# free_kib VAR DIR: the KiB free for an unprivileged user on DIR's filesystem (stat -f: blocks
# available and their size, whatever df would print for the device's name).
free_kib() {
  local -n _free=$1
  local _out
  _out=$(stat -f -c '%a %S' -- "$2") || return 1
  [[ $_out =~ ^([0-9]+)\ ([0-9]+)$ ]] || return 1
  _free=$((BASH_REMATCH[1] * BASH_REMATCH[2] / 1024))
}

# keep_build COMMIT: keeps the build of COMMIT, checked out and built: after a success, under the
# host lock, outside the downtime. Says what it kept and the space the kept builds take; it never
# fails the run. It makes room first: the newest other kept build stays, the rest goes.
keep_build() {
  local commit=$1 builds="$STATE/builds" tmp path outputs=() kept=() missing=() sizes=() line entry total=0 du_out
  local order=() keep=() parents=() free size
  output_paths outputs
  ((${#outputs[@]})) || return 0
  for path in "${outputs[@]}"; do
    if [[ -L $path ]]; then
      say "build output $path is a symbolic link, which a rollback could not put back by rename: the build of $commit is not kept"
      return 0
    fi
    if [[ -e $path ]]; then kept+=("$path"); else missing+=("$path"); fi
  done
  if ((${#kept[@]} == 0)); then
    say "none of the build outputs exists (${outputs[*]}): the build of $commit is not kept"
    return 0
  fi
  mkdir -p -- "$builds" || { say "cannot create $builds: the build of $commit is not kept"; return 0; }
  parents_of parents "${kept[@]}"
  if ! one_device "$builds" "${parents[@]}"; then
    say "$builds is on another filesystem than the build outputs, so a rollback could not put them back by rename: the build of $commit is not kept"
    return 0
  fi
  # Room first: the previous good build stays, anything else (an older copy of this commit, a
  # half-made one) goes.
  if [[ -r $builds/order ]]; then mapfile -t order <"$builds/order"; fi
  for line in ${order[@]+"${order[@]}"}; do
    if [[ $line != "$commit" && -e $builds/$line/manifest ]] && ((${#keep[@]} < KEEP_BUILDS - 1)); then keep+=("$line"); fi
  done
  for entry in "$builds"/* "$builds"/.new-* "$builds"/.aside-*; do
    [[ -d $entry && " ${keep[*]-} " != *" ${entry##*/} "* ]] || continue
    rm -rf -- "$entry" || say "cannot remove $entry"
  done
  tmp="$builds/.new-${R[run]}"
  if ((${#missing[@]})); then say "build outputs that do not exist, not kept: ${missing[*]}"; fi
  # Sizes in KiB, a line per path ("KiB<TAB>path"), as du prints them: of the outputs, so that the
  # copy is known to fit before it is made.
  if ! du_out=$(du -sk -- "${kept[@]}"); then
    say "cannot measure the build outputs: the build of $commit is not kept"
    return 0
  fi
  mapfile -t sizes <<<"$du_out"
  for line in "${sizes[@]}"; do total=$((total + ${line%%$'\t'*})); done
  if ! free_kib free "$builds"; then
    say "cannot tell the free space on the filesystem of $builds: the build of $commit is not kept"
    return 0
  fi
  if ((free - total < KEEP_FREE_KIB)); then
    kib size "$total"
    kib free "$free"
    say "copying the build outputs ($size) would leave less than 1 GiB free on the filesystem of $builds ($free free now): the build of $commit is not kept; going back to it will build it; free space there to keep builds again"
    return 0
  fi
  for path in "${kept[@]}"; do
    if [[ $path == */* ]] && ! mkdir -p -- "$tmp/files/${path%/*}"; then kept=(); break; fi
    if ! { mkdir -p -- "$tmp/files" && cp -a -- "$path" "$tmp/files/$path"; }; then kept=(); break; fi
  done
  if ((${#kept[@]} == 0)); then
    rm -rf -- "$tmp"
    say "copying the build outputs failed: the build of $commit is not kept"
    return 0
  fi
  # The manifest last: a copy without one is never used.
  if ! {
    printf 'commit=%s\nbuild=%s\n' "$commit" "${P[build]//$'\n'/ }"
    for path in "${outputs[@]}"; do printf 'path=%s\n' "$path"; done
    for line in "${sizes[@]}"; do printf 'kept=%s\n' "$line"; done
    for path in ${missing[@]+"${missing[@]}"}; do printf 'missing=%s\n' "$path"; done
  } >"$tmp/manifest"; then
    rm -rf -- "$tmp"
    say "cannot write the manifest: the build of $commit is not kept"
    return 0
  fi
  if ! mv -- "$tmp" "$builds/$commit"; then rm -rf -- "$tmp"; say "cannot store the build of $commit: not kept"; return 0; fi
  printf '%s\n' "$commit" ${keep[@]+"${keep[@]}"} >"$builds/order" || say "cannot write $builds/order"
  du_out=$(du -sk -- "$builds") || du_out=0
  kib total "$total"
  kib du_out "${du_out%%$'\t'*}"
  say "kept the build of $commit (${kept[*]}): $total; the kept builds take $du_out in $builds"
}

# ---- the detached deploy run ---------------------------------------------------------------
#
# The phases of a deploy, in order. WHEN says in which deploys a phase runs; RUNS is the
# function below that does it; IF IT FAILS is the rule recover follows:
#   give-up    nothing was changed yet: say so
#   restore    only the checkout moved, the services never stopped: check out the previous commit
#              again and, with rollback on, rebuild it (a failed build may have replaced some of it)
#   roll-back  the services were touched: check out, rebuild, restart and check the previous commit
#              (ROLLBACK_PHASES), unless rollback is off
#   report     the services run the target and passed the checks: say what was left undone
DEPLOY_PHASES=(
  # NAME         WHEN        RUNS              IF IT FAILS
  checkout       always      checkout_target   give-up
  restore-build  kept        restore_target    restore
  build          not-kept    build             restore
  backup         backing-up  back_up           restore
  stop           migrating   stop_services     roll-back
  migrate        migrating   migrate           roll-back
  start          migrating   start_services    roll-back
  restart        restarting  restart_services  roll-back
  status         always      check_status      roll-back
  health         health-url  check_health      roll-back
  mark-deployed  always      mark_deployed     report
)
# The phases of a rollback, in order. A failure of any of them stops it: the services are then
# started on whatever is built (start-again) if they may be down, and the message gives the
# commands that finish the rollback by hand.
ROLLBACK_PHASES=(
  # NAME              WHEN        RUNS              IF IT FAILS
  rollback-checkout   always      restore_checkout  by-hand
  rollback-restore    kept        restore_back      by-hand
  rollback-build      not-kept    build             by-hand
  rollback-start      always      restart_services  by-hand
  rollback-status     always      check_status      by-hand
  rollback-health     health-url  check_health      by-hand
)
# Whatever the rule, and also after a signal or an exit nobody planned, services the run left
# down are started again (start-again) before it ends; the deployed commit is recorded only by
# the last phase of a deploy that passed every other.

# applies WHEN: whether phases marked WHEN run in this deploy.
applies() {
  case $1 in
    always) return 0 ;;
    migrating) [[ ${P[migrate]} == true ]] ;;
    restarting) [[ ${P[migrate]} != true ]] ;;
    backing-up) [[ ${P[migrate]} == true && -n ${P[backup]} ]] ;;
    kept) [[ $KEPT == true ]] ;;
    not-kept) [[ $KEPT != true ]] ;;
    health-url) [[ -n ${P[health_url]} ]] ;;
    *) return 1 ;; # a WHEN the tables do not use
  esac
}

# run_phases FAILED_VAR RULE_VAR TABLE...: runs the phases of TABLE (rows of four words, as
# above) that apply, in order, and returns 0 when all passed. At the first that fails, it stops
# and returns 1, with the phase's name in FAILED_VAR and its rule in RULE_VAR.
run_phases() {
  local -n _failed=$1 _rule=$2
  shift 2
  while (($# >= 4)); do
    if applies "$2" && ! phase "$1" "$3"; then
      _failed=$1
      _rule=$4
      return 1
    fi
    shift 4
  done
}

# phase NAME STEP: runs STEP (a function below) between the markers the action turns into a log
# group named NAME; returns STEP's status.
phase() {
  local name=$1 step=$2 status begin end
  R[phase]=$name
  # The result as of this phase, written with builtins only (no process), ended by a line "."
  # so a reader knows it is whole; while the run is under way, readers prefer it. The result file
  # itself needs an mv, a process, which waits while a deploy has the services down: between its
  # stop and start the run does nothing but their commands. A recovery saves it all.
  { result_lines '' && printf '.\n'; } >"$DIR/progress" || say "cannot write the run's progress in $DIR"
  if [[ $DOWN == false || -n ${R[failed_phase]:-} ]]; then save_result; fi
  now begin
  mark phase "$name" begin "$begin"
  "$step"
  status=$?
  now end
  mark phase "$name" end "$status" "$end"
  return "$status"
}

# What the phases run. Each returns the status of its command; the run's state changes here,
# in the run's own shell, and nowhere else. restore_checkout puts back the checkout from before
# the deploy, on its branch if it was on one. Restart also starts stopped services, and replaces
# any a failed start left running: rollbacks and start-again use it too. Until the health URL
# answers, the services are not really back: the downtime ends then.
checkout_target() { git checkout -q --detach "${P[target]}"; }
restore_checkout() {
  if [[ $BACK != "$PREVIOUS" ]]; then git checkout -q --detach "$BACK"; return; fi
  git checkout -q "${BRANCH:-$PREVIOUS}" 2>/dev/null || git checkout -q --detach "$PREVIOUS"
}
build() { host_command "${P[build]}"; }
# A kept build that cannot be put back is built instead: the phase fails only if that fails.
restore_target() { restore_build "${P[target]}" || { say "building ${P[target]} instead"; build; }; }
restore_back() { restore_build "$BACK" || { say "building $BACK instead"; build; }; }
back_up() { host_command "${P[backup]}"; }
stop_services() { going_down && host_command "${P[stop]}"; }
migrate() { host_command "${P[migrate_command]}" && R[migrated]=true; }
start_services() { starting "${P[start]}"; }
restart_services() { going_down && starting "${P[restart]}"; }
check_status() { host_command "${P[status]}"; }
check_health() { health_check && now 'R[downtime_end]'; }
mark_deployed() { git update-ref -m "catcolab-deploy ${R[run]}" "$DEPLOYED_REF" "${P[target]}"; }

# The services may go down from here on; the downtime begins the first time they do.
going_down() {
  DOWN=true
  SERVING=down
  [[ -n ${R[downtime_begin]:-} ]] || now 'R[downtime_begin]'
  return 0
}
# starting COMMAND: a host command that starts the services, which then run what is checked out.
# They must not inherit fds 8 and 9 (the run's locks): bash keeps its own copies of them
# meanwhile, close-on-exec. Every other command keeps them, so if this run is killed, a build or
# a migration it left running still holds the host until it ends.
starting() {
  host_command "$1" 8>&- 9>&- || return
  now 'R[downtime_end]'
  DOWN=false
  # If git cannot say what is checked out, nor can we say what runs.
  git_out SERVING rev-parse --verify HEAD || SERVING=unknown
}

# One of the host's commands, bounded by command-timeout.
host_command() {
  local status
  timeout --kill-after=30 "${P[command_timeout]}" bash -c "$1" </dev/null
  status=$?
  ((status != 124)) || say "timed out after ${P[command_timeout]} s (command-timeout)"
  return "$status"
}

health_check() {
  local deadline=$((SECONDS + 10#${P[health_timeout]})) code
  while :; do
    # 2xx only (curl -f would let a 3xx redirect pass); -q: no ~/.curlrc, -g: no URL globbing.
    # curl's own status adds nothing: when no answer came, it prints 000.
    code=$(curl -qgsS -o /dev/null -w '%{http_code}' --max-time 5 --url "${P[health_url]}" 2>/dev/null)
    [[ $code == 2?? ]] && break
    if ((SECONDS >= deadline)); then
      say "${P[health_url]} did not answer 2xx within ${P[health_timeout]} s"
      return 1
    fi
    sleep 0.1
  done
  say "${P[health_url]} answers"
}

mark() { printf '@@%s %s\n' "${P[nonce]}" "$*"; }
say() { printf '%s\n' "$*"; }

# result_lines PREFIX: R as KEY=VALUE lines, each after PREFIX, each value on one line.
result_lines() {
  local key value
  for key in "${!R[@]}"; do
    value=${R[$key]//[$'\n\r']/ }
    printf '%s%s=%s\n' "$1" "$key" "${value%"${value##*[! ]}"}"
  done
}
# Writes R to the result file, whole or not at all. A failure is said in the log, which the
# action shows; the run goes on (stopping now would leave the host worse off).
save_result() {
  if ! { result_lines '' >"$DIR/result.tmp" && mv -f -- "$DIR/result.tmp" "$DIR/result"; }; then
    say "cannot write the run's result in $DIR"
    return 1
  fi
}

# by_hand VAR STEP...: into VAR, the commands a human runs on the host to finish what failed,
# pasteable as is: STEP is checkout (of the previous commit), build or restart.
by_hand() {
  local -n _text=$1
  local _step _word
  shift
  _word=$(shq "${P[repo]}")
  _text="on the host run: cd -- $_word"
  for _step in "$@"; do
    case $_step in
      checkout) _text+=" && git checkout $BACK" ;;
      build) _word=$(shcmd "${P[build]}") && _text+=" && $_word" ;;
      restart) _word=$(shcmd "${P[restart]}") && _text+=" && $_word" ;;
      *) ;;
    esac
  done
}

# end_run OUTCOME MESSAGE: the run's last word: its result, with what the services run and what is
# checked out, and the host given back to the next deploy. It returns; its callers return next.
end_run() {
  local checkout
  R[outcome]=$1
  R[message]=$2
  R[running]=$SERVING
  # A deploy that succeeded checked out its target; after a failure, git says what is checked out.
  if [[ $1 == success ]]; then checkout=${P[target]}; else git_out checkout rev-parse --verify HEAD || checkout=''; fi
  R[checkout]=$checkout
  now 'R[finished]'
  save_result
  say "$2"
  if [[ $HOLDING == true ]]; then
    add_history
    # Emptied, not removed (no process): it is read only while someone holds the lock.
    : >"$STATE/current" || say "cannot empty $STATE/current"
    # The host is free from here (unless a command the run started, left running, still holds it).
    exec 9>&-
  fi
  # The log's last lines: the result, and that the run ended. The action following the log takes
  # them as the run's end (run-log.ts): it needs to wait for nothing more, nor ask.
  if [[ -v P[nonce] ]]; then
    result_lines "@@${P[nonce]} result "
    mark end
  fi
  prune_runs
}
# add_history: the ended run as a line of the history, under the host lock; a run that found the
# plan stale or the host held is left out. Past twice KEEP_HISTORY lines, the newest KEEP_HISTORY stay.
add_history() {
  local field stamp line='' entries left=${R[previous]:-}
  [[ ${R[outcome]} != @(stale|held) ]] || return 0
  # A rollback's previous is what it went back from: the last deploy (the record).
  if [[ ${P[kind]:-} == rollback && -n $BACK ]]; then left=$BACK; fi
  utc_stamp stamp %Y-%m-%dT%H:%M:%SZ || stamp=unknown
  local -A entry=(
    [finished]=$stamp [kind]=${P[kind]:-deploy} [outcome]=${R[outcome]} [target]=${P[target]} [previous]=$left
    [running]=${R[running]} [migrated]=${R[migrated]:-false} [actor]=${P[actor]} [run_url]=${P[run_url]} [run]=${R[run]}
  )
  for field in "${HISTORY_FIELDS[@]}"; do line+="${line:+$'\t'}${entry[$field]//[$'\t\n\r']/ }"; done
  if ! printf '%s\n' "$line" >>"$STATE/history"; then
    say "cannot add this run to $STATE/history"
    return 0
  fi
  mapfile -t entries <"$STATE/history" 2>/dev/null || return 0
  ((${#entries[@]} > 2 * KEEP_HISTORY)) || return 0
  { printf '%s\n' "${entries[@]: -KEEP_HISTORY}" >"$STATE/history.tmp" && mv -f -- "$STATE/history.tmp" "$STATE/history"; } \
    || say "cannot shorten $STATE/history"
}

# Keeps the newest runs' directories; run ids sort by time. A run still waiting for the lock is
# old by name but alive: it is kept. One that cannot be removed now is removed by a later run.
# The run does this last, when nobody waits for it.
prune_runs() {
  local runs old
  # A run that ended before it found its state directory (no parameters, no clone) has none.
  [[ -n $STATE ]] || return 0
  runs=("$STATE"/runs/*)
  ((${#runs[@]} > KEEP_RUNS)) || return 0
  for old in "${runs[@]:0:${#runs[@]}-KEEP_RUNS}"; do
    if lock_status "$old/alive"; then rm -rf -- "$old"; fi
  done
}
# give_up MESSAGE: ends a run that changed nothing.
give_up() { end_run failed "$1; nothing was changed"; }

# start_again: starts the services the run left down, on whatever is built.
start_again() { phase start-again restart_services; }

# recover RULE WHAT: the one way a failed run ends. RULE: one of the tables' (WHAT is the phase
# that failed), or `interrupted` (WHAT says what stopped the run: a signal or an unplanned exit).
recover() {
  local rule=$1 what=$2 fix broken checkout
  case $rule in
    give-up)
      give_up "$what of ${P[target]} failed"
      ;;
    restore)
      R[failed_phase]=$what
      if ! phase restore restore_checkout; then
        by_hand fix checkout build
        end_run failed "$what failed and restoring the checkout $BACK failed; the services, never stopped, still run it; $fix"
      elif [[ ${P[rollback]} != true ]]; then
        end_run failed "$what failed; the previous checkout $BACK was restored; the services, never stopped, still run it (rollback is off: a half-finished build may be on disk until the next build)"
      elif decide_kept "$BACK" && [[ $KEPT == true ]]; then
        if phase rollback-restore restore_back; then
          FINISHED="failed $what failed; the previous checkout $BACK was restored, and its kept build put back; the services, never stopped, still run it"
          keep_build "$BACK"
          end_run "${FINISHED%% *}" "${FINISHED#* }"
        else
          by_hand fix build
          end_run failed "$what failed; the previous checkout $BACK was restored but neither putting its kept build back nor building it worked: the services, never stopped, still run it, but the files on disk may be a mix; before any restart, $fix"
        fi
      elif ! phase rollback-build build; then
        by_hand fix build
        end_run failed "$what failed; the previous checkout $BACK was restored but rebuilding it failed too: the services, never stopped, still run it, but the files on disk may be a mix; before any restart, $fix"
      else
        FINISHED="failed $what failed; the previous checkout $BACK was restored and rebuilt; the services, never stopped, still run it"
        keep_build "$BACK"
        end_run "${FINISHED%% *}" "${FINISHED#* }"
      fi
      ;;
    roll-back)
      R[failed_phase]=$what
      if [[ ${P[rollback]} != true ]]; then
        if [[ $DOWN == false ]]; then
          end_run failed "$what failed; rollback is off, so the services were left running the new build of ${P[target]} as is"
        elif start_again; then
          end_run failed "$what failed; rollback is off, so the services were restarted on the build on disk (checkout ${P[target]})"
        else
          by_hand fix restart
          end_run failed "$what failed and restarting the services failed too: they are down; $fix"
        fi
        return
      fi
      decide_kept "$BACK"
      if [[ $DOWN == true && $KEPT != true ]]; then
        say "rolling back to $BACK (the services may be down while the previous commit builds)"
      else
        say "rolling back to $BACK"
      fi
      if run_phases broken rule "${ROLLBACK_PHASES[@]}"; then
        if [[ $KEPT == true ]]; then
          FINISHED="rolled-back $what failed; rolled back to $BACK, its kept build put back (no build) and restarted"
        else
          FINISHED="rolled-back $what failed; rolled back to $BACK, rebuilt and restarted"
        fi
        # Putting it back used the copy up: the build that runs again is kept again.
        keep_build "$BACK"
        end_run "${FINISHED%% *}" "${FINISHED#* }"
        return
      fi
      by_hand fix checkout build restart
      if [[ $DOWN == false ]]; then
        git_out checkout rev-parse --verify HEAD || checkout="unknown: $GIT_ERROR"
        end_run failed "$what failed and the rollback failed at $broken; the services were left as they are (checkout $checkout); $fix"
      elif start_again; then
        git_out checkout rev-parse --verify HEAD || checkout="unknown: $GIT_ERROR"
        end_run failed "$what failed and the rollback failed at $broken; the services were restarted with whatever is built now (checkout $checkout); $fix"
      else
        end_run failed "$what failed, the rollback failed at $broken, and restarting the services failed too: they are down; $fix"
      fi
      ;;
    report)
      R[failed_phase]=$what
      end_run failed "could not record the deployed commit in $DEPLOYED_REF; the services run ${P[target]}"
      ;;
    interrupted)
      if [[ $DOWN == true ]] && ! start_again; then
        by_hand fix restart
        end_run failed "$what and restarting the services failed: they are down; $fix"
      else
        end_run failed "$what"
      fi
      ;;
    *)
      recover interrupted "the deploy process on the host has no rule $rule for a failure of $what (a bug)"
      ;;
  esac
}

# While the run recovers from a signal or an unplanned exit, another signal is said in the log
# but stops nothing: the services come first. (Trapped, not ignored: the commands it starts
# get the default handling back.)
on_signal_again() { say "got SIG$1 again; the services are started first"; }
hold_signals() {
  local sig
  for sig in TERM HUP INT; do
    # shellcheck disable=SC2064 # $sig is meant to expand now
    trap "on_signal_again $sig" "$sig"
  done
}
# SIGTERM, SIGHUP or SIGINT (a shutdown, logind, an admin's kill): no rollback, but never leave
# the services down. Bash runs this once the current command has ended. It ends the process.
on_signal() {
  local cause="the deploy process was stopped by SIG$1 during ${R[phase]}"
  # The run is ending already (end_run is writing its result): let it finish.
  [[ ${R[outcome]} == running ]] || return 0
  hold_signals
  # Only keeping the build was left: the run ended as it would have, without it.
  if [[ -n $FINISHED ]]; then
    end_run "${FINISHED%% *}" "${FINISHED#* } (SIG$1 while keeping the build: not kept)"
    exit 0
  fi
  say "the deploy process got SIG$1 during ${R[phase]}"
  recover interrupted "$cause"
  exit 0
}
# An exit without end_run (a bug, set -u, a signal without a handler): the same as a signal.
on_exit() {
  local status=$?
  [[ ${R[outcome]:-} == running ]] || return 0
  hold_signals
  if [[ -n $FINISHED ]]; then
    end_run "${FINISHED%% *}" "${FINISHED#* } (the deploy process ended unexpectedly while keeping the build, exit status $status: not kept)"
    return
  fi
  recover interrupted "the deploy process on the host ended unexpectedly during ${R[phase]} (exit status $status); see its log in $DIR"
}

# read_params FILE PROBLEM_VAR: the run's parameters into P. Fails, saying why in PROBLEM_VAR,
# when FILE cannot be read or a parameter the run uses is missing or malformed.
read_params() {
  local -n _problem=$2
  local _entry _key
  if ! { while IFS= read -r -d '' _entry; do P[${_entry%%=*}]=${_entry#*=}; done <"$1"; } 2>/dev/null; then
    _problem="cannot read $1"
    return 1
  fi
  for _key in repo target expected_deployed expected_head migrate build backup stop migrate_command \
    start restart status health_url rollback health_timeout lock_timeout command_timeout nonce kind \
    hold_reason outputs actor run_url; do
    [[ -v P[$_key] ]] || { _problem="no $_key"; return 1; }
  done
  [[ ${P[kind]} =~ ^(deploy|rollback)$ ]] || { _problem="kind is neither deploy nor rollback"; return 1; }
  [[ ${P[hold_reason]}${P[actor]}${P[run_url]} != *[$'\n\r']* ]] || { _problem="hold_reason, actor and run_url are not one line each"; return 1; }
  for _key in migrate rollback; do
    [[ ${P[$_key]} =~ ^(true|false)$ ]] || { _problem="$_key is neither true nor false"; return 1; }
  done
  for _key in health_timeout lock_timeout command_timeout; do
    [[ ${P[$_key]} =~ ^[0-9]+$ ]] || { _problem="$_key is not a number of seconds"; return 1; }
  done
}

# holder_of VAR [said]: who holds the host lock, from `current`, on one line; '' when it does not
# say, or with `said`, how to find out.
holder_of() {
  local -n _holder=$1
  local _line
  _holder=''
  # The holder may remove the file meanwhile: then who it was is not known.
  if [[ -r $STATE/current ]]; then
    {
      while IFS= read -r _line; do _holder+="${_holder:+ }$_line"; done <"$STATE/current"
    } 2>/dev/null || true
  fi
  if [[ -z $_holder && ${2:-} == said ]]; then
    _holder="no run names itself in $STATE/current; fuser -v $STATE/lock or lsof $STATE/lock on the host shows which process has the lock open (a command a deploy started may still run)"
  fi
}

# run DIR: the deploy itself, detached (cmd_start launched it), its log on stdout and stderr.
cmd_run() {
  DIR=$1
  GIT_ERR_FILE="$DIR/git.err"
  local problem holder status dirty listed since failed rule hold
  R[run]=${DIR##*/}
  R[phase]=lock
  R[outcome]=running
  now 'R[started]'
  trap on_exit EXIT
  trap 'on_signal TERM' TERM
  trap 'on_signal HUP' HUP
  trap 'on_signal INT' INT
  if ! read_params "$DIR/params" problem; then
    give_up "the run's parameters are not what this host.sh needs: $problem"
    return
  fi
  R[target]=${P[target]}
  R[migrate]=${P[migrate]}
  R[migrated]=false
  save_result

  if ! cd -- "${P[repo]}"; then
    give_up "cannot enter ${P[repo]}"
    return
  fi
  # The run's directory is STATE/runs/<id>.
  STATE=${DIR%/runs/*}

  # One deploy at a time: wait for the host lock, saying who holds it.
  if ! exec 9>>"$STATE/lock"; then
    give_up "cannot open $STATE/lock"
    return
  fi
  flock -n 9
  status=$?
  if ((status == 1)); then
    holder_of holder
    # A look at the lock (lock_status: a deploy planning, status) holds it a moment and names no
    # holder: give it that moment before saying another deploy holds the host.
    if [[ -z $holder ]]; then
      flock -w 1 9
      status=$?
      ((status != 1)) || holder_of holder said
    fi
  fi
  if ((status == 1)); then
    say "another deploy holds the host: $holder; waiting up to ${P[lock_timeout]} s (lock-timeout)"
    flock -w "${P[lock_timeout]}" 9
    status=$?
    if ((status == 1)); then
      holder_of holder said
      end_run lock-timeout "another deploy still held the host after ${P[lock_timeout]} s: $holder"
      return
    fi
  fi
  if ((status != 0)); then
    give_up "cannot lock $STATE/lock (flock exited $status)"
    return
  fi
  HOLDING=true
  utc_stamp since %Y-%m-%dT%H:%M:%SZ || since=unknown
  printf 'run=%s\ntarget=%s\nactor=%s\nrun_url=%s\nsince=%s\n' \
    "${R[run]}" "${P[target]}" "${P[actor]}" "${P[run_url]}" "$since" >"$STATE/current" \
    || say "cannot write $STATE/current: a deploy waiting for this one cannot say who holds the host"

  # A hold set since prepare looked: it ends the run before anything changes.
  read_hold hold
  if [[ -n $hold ]]; then
    end_run held "the host is $hold; nothing was changed (command: release lets deploys run again)"
    return
  fi
  # The plan was made from what the host looked like before we held the lock: re-check it.
  # (Whether the target is older than the deployed commit was decided from the same record.)
  if ! read_head; then
    give_up "git failed in ${P[repo]} reading HEAD or $DEPLOYED_REF: $GIT_ERROR"
    return
  fi
  PREVIOUS=$HEAD_SHA
  BACK=${DEPLOYED:-$PREVIOUS}
  SERVING=$PREVIOUS
  if [[ $DEPLOYED != "${P[expected_deployed]}" || $PREVIOUS != "${P[expected_head]}" ]]; then
    end_run stale "the host changed since the plan was made (another deploy ran); planning again"
    return
  fi
  if ! git_out dirty status --porcelain --untracked-files=no; then
    give_up "git status failed in ${P[repo]}: $GIT_ERROR"
    return
  fi
  if [[ -n $dirty ]]; then
    modified_list listed "$dirty" || listed='(git status could not be read)'
    give_up "tracked files were modified in ${P[repo]} before checkout: $listed; commit, stash or discard them on the host first"
    return
  fi
  R[previous]=$PREVIOUS
  if [[ -z $DEPLOYED ]]; then
    # What runs now is the baseline: if this first deploy dies halfway, the next one still
    # counts new migrations from here, not from a half-deployed HEAD.
    say "no deploy recorded on this host yet: recording $PREVIOUS, which runs now, as the baseline"
    if ! git update-ref -m "catcolab-deploy baseline" "$DEPLOYED_REF" "$PREVIOUS"; then
      give_up "could not record the baseline $PREVIOUS in $DEPLOYED_REF"
      return
    fi
  fi

  # A rollback puts back the target's kept build when there is a usable one, instead of building.
  KEPT=false
  if [[ ${P[kind]} == rollback ]]; then decide_kept "${P[target]}"; fi
  if run_phases failed rule "${DEPLOY_PHASES[@]}"; then
    FINISHED="success deployed ${P[target]}"
    keep_build "${P[target]}"
    if [[ ${P[kind]} != rollback ]]; then
      end_run success "deployed ${P[target]}"
    elif [[ -z ${P[hold_reason]} ]]; then
      end_run success "rolled back to ${P[target]}"
    elif write_hold "${P[hold_reason]}" "${P[actor]}" "${P[run_url]}"; then
      R[hold]='set'
      end_run success "rolled back to ${P[target]}; the host is held until command: release, so that no deploy puts back what it rolled back from"
    else
      R[hold]=failed
      end_run success "rolled back to ${P[target]}; holding the host failed (cannot write $STATE/hold): hold it with command: hold before the next deploy"
    fi
  else
    recover "$rule" "$failed"
  fi
}

# ---- hold and release ----------------------------------------------------------------------

# lock_host SECONDS: takes the host lock (fd 9) and the fetch lock (fd 6), waiting up to SECONDS
# for a deploy and up to 600 s for a fetch; dies saying who held it.
lock_host() {
  local holder
  exec 9>>"$STATE/lock" || die "cannot open $STATE/lock"
  if ! flock -w "$1" 9; then
    holder_of holder said
    die "another deploy still held the host after $1 s: $holder (lock-timeout)"
  fi
  exec 6>>"$STATE/fetch.lock" || die "cannot open $STATE/fetch.lock"
  flock -w 600 6 || die "a git fetch held $STATE/fetch.lock for 600 s"
}

# hold REPO LOCK_TIMEOUT ACTOR RUN_URL REASON: holds the host, between deploys: no deploy fetches
# or runs until release. Replaces a hold already there. Prints the hold as state prints it, and
# `replaced=` the one it replaced, in words.
cmd_hold() {
  local repo=$1 timeout=$2 actor=$3 url=$4 reason=$5 old
  [[ $timeout =~ ^[0-9]+$ ]] || die "hold needs a lock timeout in seconds"
  [[ $reason$actor$url != *[$'\n\r']* ]] || die "a hold's reason, actor and run URL are one line each"
  enter_repo "$repo"
  lock_host "$timeout"
  read_hold old
  write_hold "$reason" "$actor" "$url" || die "cannot write $STATE/hold"
  print_as hold_ "$STATE/hold" || die "cannot read $STATE/hold back"
  printf 'replaced=%s\n' "$old"
}

# write_hold REASON ACTOR RUN_URL: holds the host, since now. Whole or not at all: a reader never
# sees half a hold. The caller holds the host lock.
write_hold() {
  local since
  utc_stamp since %Y-%m-%dT%H:%M:%SZ || since=unknown
  printf 'reason=%s\nactor=%s\nrun_url=%s\nsince=%s\n' "$1" "$2" "$3" "$since" >"$STATE/hold.tmp" \
    && mv -f -- "$STATE/hold.tmp" "$STATE/hold"
}

# release REPO LOCK_TIMEOUT: removes the hold. Prints `released=` the hold it removed, in words
# ('' when the host was not held).
cmd_release() {
  local repo=$1 timeout=$2 old
  [[ $timeout =~ ^[0-9]+$ ]] || die "release needs a lock timeout in seconds"
  enter_repo "$repo"
  lock_host "$timeout"
  read_hold old
  rm -f -- "$STATE/hold" || die "cannot remove $STATE/hold"
  printf 'released=%s\n' "$old"
}

# ---- dispatch ------------------------------------------------------------------------------

main() {
  local sub arg count args=()
  if (($# == 0)); then
    # Arguments come NUL-separated on stdin, after their count: a connection that dropped while
    # sending must not pass for a shorter list (read drops an unterminated last argument).
    if ! IFS= read -r -d '' count || [[ ! $count =~ ^[0-9]+$ ]]; then die "the arguments arrived incomplete (did the connection drop?)"; fi
    while ((${#args[@]} < count)) && IFS= read -r -d '' arg; do args+=("$arg"); done
    ((${#args[@]} == count)) || die "the arguments arrived incomplete (did the connection drop?)"
    set -- "${args[@]}"
  fi
  sub=${1:-}
  if (($#)); then shift; fi
  case $sub in
    prepare | start | follow | result | state | command | hold | release | run) "cmd_$sub" "$@" ;;
    *) die "unknown subcommand ${sub:-(none)}" ;;
  esac
}

main "$@"
