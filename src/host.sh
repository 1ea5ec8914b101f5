#!/usr/bin/env bash
# The host side of catcolab-deploy. The action sends this text over SSH with a constant command
# line; every parameter arrives as a NUL-separated argument on stdin (or, for the detached run,
# as a file), so no input is ever parsed by a shell. State lives in the clone's git directory:
#   refs/catcolab-deploy/deployed   the last commit deployed successfully
#   catcolab-deploy/lock            flock: one deploy at a time; released by the kernel if we die
#   catcolab-deploy/current         who holds the lock (target, actor, run URL, since)
#   catcolab-deploy/runs/<id>/      params, log and result of each run, and its "alive" lock
set -u
shopt -s nullglob

RECORD_REF=refs/catcolab-deploy/deployed
KEEP_RUNS=20

problem() { printf 'catcolab-deploy: %s\n' "$*" >&2; }
one_line() { local text=${1//[$'\n\r']/ }; printf '%s' "${text:0:600}"; }
die() { problem "$@"; exit 2; }
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
  if [[ $1 =~ ^[A-Za-z0-9_./=:@%+,\ -]+$ ]]; then printf '%s' "$1"; else printf 'bash -c %s' "$(shq "$1")"; fi
}
# git_out VAR ARGS...: git's stdout into VAR. On failure, git's own words go into GIT_ERROR and
# git's exit status is returned: output that decides something is never read from a failed git.
git_out() {
  local -n _git_into=$1
  local _git_err _git_rc
  shift
  _git_err=$(mktemp) || { GIT_ERROR="cannot create a temporary file"; return 125; }
  _git_into=$(git "$@" 2>"$_git_err")
  _git_rc=$?
  GIT_ERROR=$(one_line "$(<"$_git_err")")
  rm -f -- "$_git_err"
  [ -n "$GIT_ERROR" ] || GIT_ERROR="git $1 exited $_git_rc"
  return "$_git_rc"
}
# The time in ms, into NOW, with builtins only (no date, as save_result needs no tr or sed):
# these run between the phases, some of them inside the downtime.
stamp() {
  local us=${EPOCHREALTIME//[!0-9]/}
  if [ -n "$us" ]; then NOW=$((us / 1000)); else NOW=$(date +%s%3N); fi
}
now_ms() { stamp; printf '%s\n' "$NOW"; }

# Enter the clone and find the state directory; every subcommand starts here.
enter_repo() {
  local repo=$1 dirs
  cd -- "$repo" 2>/dev/null || die "repo-path $repo does not exist on the host or is not readable by $(id -un)"
  # git's words matter here: "dubious ownership" (the clone is not the SSH user's) is common.
  git_out dirs rev-parse --show-toplevel --absolute-git-dir || die "repo-path $repo is not a git clone usable by $(id -un): $GIT_ERROR"
  [ "${dirs%$'\n'*}" = "$(pwd -P)" ] || die "repo-path $repo is inside the clone ${dirs%$'\n'*}, not its top: set repo-path to ${dirs%$'\n'*}"
  STATE="${dirs#*$'\n'}/catcolab-deploy"
  mkdir -p -- "$STATE/runs" || die "cannot create $STATE"
}

# The facts every plan and report start from, into HEAD_SHA, BRANCH and RECORD ('' when none).
# A failing git is never read as "detached" or "no record".
read_head() {
  git_out HEAD_SHA rev-parse --verify HEAD || return 1
  # The full name: --short would print heads/main once a tag main exists.
  git_out BRANCH symbolic-ref -q HEAD
  case $? in
    0) BRANCH=${BRANCH#refs/heads/} ;;
    1) BRANCH='' ;; # detached
    *) return 1 ;;
  esac
  # -q --verify exits 1, silently, only when the ref does not exist; a broken ref says so.
  git_out RECORD rev-parse -q --verify "$RECORD_REF^{commit}" && return 0
  if [ $? = 1 ] && [ "$GIT_ERROR" = 'git rev-parse exited 1' ]; then RECORD=''; else return 1; fi
}

# exact_ref VAR REF: the commit the full ref name REF (refs/...) points to, into VAR, or '' when
# REF does not exist. Exact: rev-parse would also take refs/tags/refs/tags/X for refs/tags/X.
exact_ref() {
  local -n _exact_into=$1
  local _exact_refs _exact_line _exact_sha=''
  _exact_into=''
  git_out _exact_refs for-each-ref --format='%(objectname) %(refname)' -- "$2" || die "git for-each-ref $2 failed: $GIT_ERROR"
  # The pattern also matches refs below REF/: keep REF itself only.
  while IFS= read -r _exact_line; do
    if [ "${_exact_line#* }" = "$2" ]; then _exact_sha=${_exact_line%% *}; fi
  done <<<"$_exact_refs"
  [ -n "$_exact_sha" ] || return 0
  git_out _exact_into rev-parse -q --verify --end-of-options "$_exact_sha^{commit}" \
    || die "$2 names $_exact_sha, which is not a commit: $GIT_ERROR"
}

# The commit a ref names: a tag only as refs/tags/X, a branch of REMOTE only as refs/heads/X, a
# bare name as whichever it is (refused when it is both, at different commits), a full sha as
# itself (fetched when no ref reaches it), a short sha when no tag or branch has that name.
# Into TARGET ('' when nothing matches); a failing git is never read as "no such ref".
resolve_ref() {
  local remote=$1 ref=$2 tag branch name fetched
  TARGET=''
  if [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
    if ! git cat-file -e "$ref^{commit}" 2>/dev/null; then
      # A commit that no branch or tag reaches (a PR head, say) is fetched by its sha.
      fetched=$(flock -w 600 "$STATE/fetch.lock" git fetch --quiet "$remote" "$ref" 2>&1) \
        || die "git fetch of commit $ref from $remote failed in $(pwd -P): $(one_line "${fetched:-no fetch.lock within 600 s}")"
    fi
    git_out TARGET rev-parse -q --verify --end-of-options "$ref^{commit}" || die "$ref is not a commit: $GIT_ERROR"
    return 0
  fi
  case $ref in
    refs/tags/*) exact_ref TARGET "$ref" ;;
    refs/heads/*) exact_ref TARGET "refs/remotes/$remote/${ref#refs/heads/}" ;;
    refs/*) die "ref $ref is neither refs/tags/NAME nor refs/heads/NAME: pass a tag, a branch or a commit sha" ;;
    *)
      name=$ref
      exact_ref tag "refs/tags/$name"
      exact_ref branch "refs/remotes/$remote/$name"
      if [ -n "$tag" ] && [ -n "$branch" ] && [ "$tag" != "$branch" ]; then
        die "ref $name is both a tag (commit $tag) and a branch of $remote (commit $branch): pass refs/tags/$name or refs/heads/$name"
      fi
      TARGET=${tag:-$branch}
      if [ -z "$TARGET" ] && [[ $ref =~ ^[0-9a-f]{7,39}$ ]]; then short_sha "$remote" "$ref"; fi
      ;;
  esac
  return 0
}

# short_sha REMOTE HEX: the one commit whose name starts with HEX, into TARGET ('' if none). As an
# object name only: rev-parse would take a local branch named like the hex first.
short_sha() {
  local objects object type commits=()
  git_out objects rev-parse --disambiguate="$2" || die "git rev-parse failed on the short sha $2: $GIT_ERROR"
  while IFS= read -r object; do
    [ -n "$object" ] || continue
    git_out type cat-file -t "$object" || die "git cat-file failed on $object: $GIT_ERROR"
    if [ "$type" = commit ]; then commits+=("$object"); fi
  done <<<"$objects"
  ((${#commits[@]} <= 1)) || die "ref $2 is not a branch or tag of $1, and as a short sha it names ${#commits[@]} commits: ${commits[*]}; pass more digits"
  TARGET=${commits[0]:-}
}

# The remote's branches must be exactly what refs/remotes/REMOTE/ holds: a clone whose remote
# also fetches, say, pull requests there would let a fork's commit pass for a branch.
check_refspec() {
  local remote=$1 specs
  git_out specs config --get-all "remote.$remote.fetch" || die "remote $remote has no fetch refspec in $(pwd -P): $GIT_ERROR"
  [ "$specs" = "+refs/heads/*:refs/remotes/$remote/*" ] \
    || die "remote $remote of $(pwd -P) fetches more or other than its branches ($(one_line "$specs")): refs/remotes/$remote/ must hold its branches only; on the host run: git config --replace-all remote.$remote.fetch '+refs/heads/*:refs/remotes/$remote/*'"
}

# prepare REPO REMOTE REF EXPECTED BRANCHES NEED_CURL COMMAND_WORD...
# Preflight (every problem reported, nothing changed), then fetch and resolve REF to one commit.
# EXPECTED: a commit (or tag object) REF must still name, or ''. BRANCHES: newline-separated
# patterns of REMOTE's branches; the ones that contain the target are reported.
cmd_prepare() {
  local repo=$1 remote=$2 ref=$3 expected=$4 branches=$5 need_curl=$6 tool word failed=0
  local status entry count=0 listed='' fetched expected_commit='' older=false containing='' heads head pattern ignored
  shift 6
  for tool in git flock setsid timeout tail date mktemp; do
    command -v "$tool" >/dev/null || { problem "the host lacks $tool, which the deploy needs"; failed=1; }
  done
  if [ "$need_curl" = true ] && ! command -v curl >/dev/null; then
    problem "the host lacks curl, which health-url needs"; failed=1
  fi
  for word in "$@"; do
    command -v -- "$word" >/dev/null || { problem "command $word is not on the PATH of $(id -un) on the host"; failed=1; }
  done
  [ "$failed" = 0 ] || exit 2
  enter_repo "$repo"
  # Not through a pipeline, so git's own exit status counts; paths come C-quoted as git quotes
  # them, one per line.
  git_out status status --porcelain --untracked-files=no \
    || die "git status failed in $repo, so it is not known whether tracked files were modified: $GIT_ERROR"
  if [ -n "$status" ]; then
    while IFS= read -r entry; do
      count=$((count + 1))
      ((count <= 10)) && listed+="${entry:3} "
    done <<<"$status"
  fi
  if ((count > 0)); then
    ((count > 10)) && listed+="and $((count - 10)) more "
    die "tracked files are modified in $repo: ${listed% }; commit, stash or discard them on the host first (untracked files are fine)"
  fi
  git remote get-url "$remote" >/dev/null 2>&1 || die "remote $remote is not configured in $repo: check the remote input"
  check_refspec "$remote"
  fetched=$(flock -w 600 "$STATE/fetch.lock" git fetch --quiet --tags --force --prune "$remote" 2>&1) \
    || die "git fetch from $remote failed in $repo: $(one_line "${fetched:-another fetch held $STATE/fetch.lock for 600 s}")"
  resolve_ref "$remote" "$ref"
  [ -n "$TARGET" ] || die "ref $ref is not a branch or tag of $remote, nor a commit in $repo after fetching"
  read_head || die "git failed in $repo reading HEAD or $RECORD_REF: $GIT_ERROR"
  if [ -n "$expected" ]; then
    # A tag object (github.event.after of an annotated tag) counts as the commit it tags.
    git_out expected_commit rev-parse -q --verify --end-of-options "$expected^{commit}" \
      || die "expected-sha $expected is not a commit of $remote in $repo after fetching"
  fi
  if [ -n "$RECORD" ] && [ "$RECORD" != "$TARGET" ]; then
    git_out ignored merge-base --is-ancestor "$TARGET" "$RECORD"
    case $? in
      0) older=true ;;
      1) ;;
      *) die "git merge-base failed in $repo comparing $TARGET with the deployed $RECORD: $GIT_ERROR" ;;
    esac
  fi
  if [ -n "$branches" ]; then
    git_out heads for-each-ref --contains "$TARGET" --format='%(refname)' "refs/remotes/$remote/" \
      || die "git for-each-ref failed in $repo: $GIT_ERROR"
    while IFS= read -r head; do
      head=${head#"refs/remotes/$remote/"}
      if [ -z "$head" ] || [ "$head" = HEAD ]; then continue; fi
      while IFS= read -r pattern; do
        # shellcheck disable=SC2053 # the pattern is a glob: trusted configuration
        if [ -n "$pattern" ] && [[ $head == $pattern ]]; then containing+="$head "; break; fi
      done <<<"$branches"
    done <<<"$heads"
  fi
  printf 'head=%s\nbranch=%s\nrecord=%s\ntarget=%s\nexpected=%s\nolder=%s\ncontaining=%s\n' \
    "$HEAD_SHA" "$BRANCH" "$RECORD" "$TARGET" "$expected_commit" "$older" "${containing% }"
}

# diff REPO BASE TARGET PATH...: whether BASE is an ancestor, then git's name-status, NUL-separated,
# of the files below the literal PATHs (no PATH: every file).
cmd_diff() {
  local repo=$1 base=$2 target=$3 ancestor=false ignored err
  shift 3
  enter_repo "$repo"
  git_out ignored merge-base --is-ancestor "$base" "$target"
  case $? in
    0) ancestor=true ;;
    1) ;;
    *) die "git merge-base failed in $repo comparing $base with $target: $GIT_ERROR" ;;
  esac
  printf 'ancestor=%s\n' "$ancestor"
  err="$STATE/diff.$$.err"
  if ! git --literal-pathspecs diff --no-renames --name-status -z "$base" "$target" -- "$@" 2>"$err"; then
    ignored=$(one_line "$(<"$err")")
    rm -f -- "$err"
    die "git diff $base $target failed: $ignored"
  fi
  rm -f -- "$err"
}

# start REPO TOKEN KEY=VALUE...: launch the deploy detached from this SSH session; print its run
# id, <host time>-<TOKEN>. Idempotent per token: sent again after a dropped connection, it finds
# the run the first one started instead of starting a second.
cmd_start() {
  local repo=$1 token=$2 run dir old existing
  shift 2
  [[ $token =~ ^[0-9a-f]{24}$ ]] || die "start needs a token of 24 hex digits"
  enter_repo "$repo"
  # The connection that asked may drop at any moment: finish starting regardless (and say nothing
  # until the end), so that a second start with this token finds the run whole.
  trap '' HUP PIPE
  exec 7>>"$STATE/start.lock"
  flock 7 || die "cannot lock $STATE/start.lock"
  existing=("$STATE"/runs/*-"$token")
  if ((${#existing[@]})); then
    printf 'run=%s\n' "${existing[-1]##*/}"
    return 0
  fi
  # Sortable: the newest run is the last name (status and pruning rely on it).
  run=$(date -u +%Y%m%dT%H%M%S.%NZ) || die "date failed on the host"
  run+="-$token"
  dir="$STATE/runs/$run"
  mkdir -- "$dir" || die "cannot create $dir"
  # A run directory exists whole or not at all: a start sent again would adopt a half-made one.
  {
    printf '%s\0' "$@" >"$dir/params" \
      && printf '%s\n' "$BASH_EXECUTION_STRING" >"$dir/host.sh" \
      && : >"$dir/log" \
      && exec 8>>"$dir/alive"
  } || { rm -rf -- "$dir"; die "cannot write the run's files in $dir"; }
  # The run holds runs/<id>/alive locked for as long as it lives (the kernel lets go when it
  # dies, even by SIGKILL): that is how follow and status know it ended. Taken here, before
  # the launch, so nobody can see the run as ended before it began.
  flock -n 8 || { rm -rf -- "$dir"; die "cannot lock $dir/alive"; }
  # A new session: neither a dropped connection nor a cancelled workflow can signal it. It gets
  # the default signal handling back, and not the start lock.
  (
    trap - HUP PIPE INT QUIT
    exec setsid bash "$dir/host.sh" run "$dir" </dev/null >>"$dir/log" 2>&1 7>&-
  ) &
  exec 8>&-
  # Keep the newest runs' logs; run ids sort by time.
  local runs=("$STATE"/runs/*)
  if ((${#runs[@]} > KEEP_RUNS)); then
    for old in "${runs[@]:0:${#runs[@]}-KEEP_RUNS}"; do
      # A run still waiting for the lock is old by name but alive: keep it.
      flock -n "$old/alive" true 2>/dev/null && rm -rf -- "$old"
    done
  fi
  printf 'run=%s\n' "$run"
}

# This shell's parent process id, now ($PPID is fixed at start).
parent_pid() {
  local _pid _comm _state ppid
  read -r _pid _comm _state ppid _ </proc/$$/stat
  printf '%s\n' "$ppid"
}

# follow REPO RUN OFFSET: the run's log from byte OFFSET, live until the run ends.
cmd_follow() {
  local repo=$1 run=$2 offset=$3 dir size ended
  enter_repo "$repo"
  dir="$STATE/runs/$run"
  [ -f "$dir/log" ] || die "no deploy run $run on this host"
  local parent
  parent=$(parent_pid)
  while :; do
    # Whether it ended is read before the size, so the last bytes are always sent.
    ended=false
    flock -n "$dir/alive" true 2>/dev/null && ended=true
    size=$(stat -c %s -- "$dir/log" 2>/dev/null) || die "the log of run $run disappeared"
    # The SSH session that asked is gone (sshd exited, we were re-parented): stop polling.
    [ "$(parent_pid)" = "$parent" ] || exit 0
    if ((size > offset)); then
      tail -c "+$((offset + 1))" -- "$dir/log" | head -c "$((size - offset))"
      offset=$size
    fi
    [ "$ended" = true ] && return 0
    # Wait for the run to end and let go of its lock, at once when it does: the deploy never
    # waits on this poll. Meanwhile, new output is sent every half second: a job log may lag
    # that much, and polling (processes) competes with the services starting. A flock that
    # refuses a fractional -w fails at once and falls back to sleeping.
    flock -w 0.5 "$dir/alive" true 2>/dev/null || sleep 0.05
  done
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
  cat -- "$STATE/runs/$run/result" 2>/dev/null || die "deploy run $run left no result"
}

# state REPO: what is deployed, whether a deploy runs now, and how the newest run went.
cmd_state() {
  local runs last running=false alive=false key value
  enter_repo "$1"
  flock -n "$STATE/lock" true || running=true
  read_head || die "git failed in $1 reading HEAD or $RECORD_REF: $GIT_ERROR"
  printf 'head=%s\nbranch=%s\nrecord=%s\nrunning=%s\n' "$HEAD_SHA" "$BRANCH" "$RECORD" "$running"
  if [ "$running" = true ] && [ -f "$STATE/current" ]; then
    while IFS='=' read -r key value; do printf 'current_%s=%s\n' "$key" "$value"; done <"$STATE/current"
  fi
  runs=("$STATE"/runs/*/result)
  ((${#runs[@]})) || return 0
  last=${runs[-1]%/result}
  flock -n "$last/alive" true || alive=true
  printf 'last_alive=%s\n' "$alive"
  while IFS='=' read -r key value; do printf 'last_%s=%s\n' "$key" "$value"; done <"$last/result"
}

# command REPO COMMAND: run one of the host's trusted commands in the clone, bounded in time
# and output (a logs-command such as "journalctl -f" must not hang the job).
cmd_command() {
  enter_repo "$1"
  timeout --kill-after=10 300 bash -c "$2" </dev/null 2>&1 | head -c 1000000
  return "${PIPESTATUS[0]}"
}

# ---- the detached deploy run -------------------------------------------------------------

declare -A P R

save_result() {
  local key value
  for key in "${!R[@]}"; do
    value=${R[$key]//[$'\n\r']/ }
    printf '%s=%s\n' "$key" "${value%"${value##*[! ]}"}"
  done >"$DIR/result.tmp"
  mv -f -- "$DIR/result.tmp" "$DIR/result"
}
mark() { printf '@@%s %s\n' "${P[nonce]}" "$*"; }
say() { printf '%s\n' "$*"; }

# phase NAME COMMAND...: run one step between markers the action turns into a log group.
phase() {
  local name=$1 rc
  shift
  R[phase]=$name
  save_result
  stamp
  mark phase "$name" begin "$NOW"
  # A start or restart may leave services running: they must not inherit fds 8 and 9 (the
  # run's locks). Every other command keeps them, so if this run is killed, a build or migration
  # it left running still holds the host until it ends.
  case $name in
    *start | start-again) (
      exec 8>&- 9>&-
      "$@"
    ) ;;
    *) "$@" ;;
  esac
  rc=$?
  stamp
  mark phase "$name" end "$rc" "$NOW"
  return "$rc"
}

# One of the host's commands, bounded by command-timeout.
host_command() {
  local rc
  timeout --kill-after=30 "${P[command_timeout]}" bash -c "$1" </dev/null
  rc=$?
  [ "$rc" = 124 ] && say "timed out after ${P[command_timeout]} s (command-timeout)"
  return "$rc"
}

health_check() {
  local deadline=$((SECONDS + P[health_timeout]))
  # 2xx only (curl -f would let a 3xx redirect pass); -q: no ~/.curlrc, -g: no URL globbing.
  until [[ $(curl -qgsS -o /dev/null -w '%{http_code}' --max-time 5 --url "${P[health_url]}" 2>/dev/null) == 2?? ]]; do
    if ((SECONDS >= deadline)); then
      say "${P[health_url]} did not answer 2xx within ${P[health_timeout]} s"
      return 1
    fi
    sleep 0.1
  done
  say "${P[health_url]} answers"
}

# finish OUTCOME MESSAGE: write the result, release the host, exit.
finish() {
  local checkout
  R[outcome]=$1
  R[message]=$2
  R[running]=$SERVING
  git_out checkout rev-parse --verify HEAD || checkout=''
  R[checkout]=$checkout
  R[finished]=$(now_ms)
  save_result
  say "$2"
  [ "$HOLDING" = true ] && rm -f -- "$STATE/current"
  exit 0
}

# A run that ends without finish() (a bug, set -u, a signal) still leaves an honest result.
on_unexpected_exit() {
  [ "${R[outcome]:-}" = running ] || return
  R[outcome]=failed
  R[message]="the deploy process on the host ended unexpectedly during ${R[phase]}; see its log in $DIR"
  save_result
}

# Puts the checkout from before the deploy back (its branch, if it was on one).
restore_checkout() {
  git checkout -q "${BRANCH:-$PREVIOUS}" 2>/dev/null || git checkout -q --detach "$PREVIOUS"
}

# bring_back NAME: restarts the services as phase NAME (restart also starts stopped ones, and
# replaces any a failed start left running), on the build of what is checked out.
bring_back() {
  if ! phase "$1" host_command "${P[restart]}"; then
    SERVING=''
    return 1
  fi
  SERVICES=running
  # Restarted on what is checked out; if git cannot say what that is, nor can we.
  git_out SERVING rev-parse --verify HEAD || SERVING=''
  R[downtime_end]=$(now_ms)
}

# by_hand STEP...: the commands a human runs on the host to finish what failed, pasteable as is:
# STEP is checkout (of the previous commit), build or restart.
by_hand() {
  local text step
  text="cd -- $(shq "${P[repo]}")"
  for step in "$@"; do
    case $step in
      checkout) text+=" && git checkout $PREVIOUS" ;;
      build) text+=" && $(shcmd "${P[build]}")" ;;
      restart) text+=" && $(shcmd "${P[restart]}")" ;;
    esac
  done
  printf 'on the host run: %s' "$text"
}

checks() {
  local prefix=$1
  phase "${prefix}status" host_command "${P[status]}" || return 1
  if [ -n "${P[health_url]}" ]; then
    phase "${prefix}health" health_check || return 1
    # Until the service answers, it is not really back.
    R[downtime_end]=$(now_ms)
  fi
}

# recover FAILED_PHASE: after a failure past the build, roll back (or not), never leave the
# services stopped, and finish with a message that says what the host runs now.
recover() {
  local failed=$1 down=''
  R[failed_phase]=$failed
  [ "$SERVICES" != running ] && down=' (the services may be down while the previous commit builds)'
  if [ "${P[rollback]}" != true ]; then
    [ "$SERVICES" = running ] \
      && finish failed "$failed failed; rollback is off, so the services were left running the new build of ${P[target]} as is"
    bring_back start-again \
      || finish failed "$failed failed and restarting the services failed too: they are down; $(by_hand restart)"
    finish failed "$failed failed; rollback is off, so the services were restarted on the build on disk (checkout ${P[target]})"
  fi
  say "rolling back to $PREVIOUS$down"
  if phase rollback-checkout restore_checkout \
    && phase rollback-build host_command "${P[build]}" \
    && bring_back rollback-start \
    && checks rollback-; then
    finish rolled-back "$failed failed; rolled back to $PREVIOUS, rebuilt and restarted"
  fi
  local broken=${R[phase]}
  if [ "$SERVICES" != running ]; then
    bring_back start-again \
      || finish failed "$failed failed, the rollback failed at $broken, and restarting the services failed too: they are down; $(by_hand checkout build restart)"
  fi
  local checkout
  git_out checkout rev-parse --verify HEAD || checkout="unknown: $GIT_ERROR"
  finish failed "$failed failed and the rollback failed at $broken; the services were restarted with whatever is built now (checkout $checkout); $(by_hand checkout build restart)"
}

# SIGTERM, SIGHUP or SIGINT (a shutdown, logind, an admin's kill): never leave the services
# stopped. Bash runs this once the current command has ended.
on_signal() {
  trap - TERM HUP INT
  say "the deploy process got SIG$1 during ${R[phase]}"
  if [ "${SERVICES:-running}" != running ]; then
    bring_back start-again \
      || finish failed "the deploy process was stopped by SIG$1 during ${R[phase]} and restarting the services failed: they are down; $(by_hand restart)"
  fi
  finish failed "the deploy process was stopped by SIG$1 during ${R[phase]}"
}

cmd_run() {
  DIR=$1
  local key holder dirty gitdir
  HOLDING=false
  SERVING=''
  trap on_unexpected_exit EXIT
  trap 'on_signal TERM' TERM
  trap 'on_signal HUP' HUP
  trap 'on_signal INT' INT
  while IFS= read -r -d '' key; do P[${key%%=*}]=${key#*=}; done <"$DIR/params"
  R[run]=${DIR##*/}
  R[target]=${P[target]}
  R[migrate]=${P[migrate]}
  R[migrated]=false
  R[started]=$(now_ms)
  R[phase]=lock
  R[outcome]=running
  save_result
  cd -- "${P[repo]}" || finish failed "cannot enter ${P[repo]}; nothing was changed"
  git_out gitdir rev-parse --absolute-git-dir || finish failed "git failed in ${P[repo]}: $GIT_ERROR; nothing was changed"
  STATE="$gitdir/catcolab-deploy"

  exec 9>>"$STATE/lock"
  if ! flock -n 9; then
    holder=$(tr '\n' ' ' 2>/dev/null <"$STATE/current")
    say "another deploy holds the host: ${holder:-unknown}; waiting up to ${P[lock_timeout]} s (lock-timeout)"
    flock -w "${P[lock_timeout]}" 9 || finish lock-timeout \
      "another deploy still held the host after ${P[lock_timeout]} s: $(tr '\n' ' ' 2>/dev/null <"$STATE/current")"
  fi
  HOLDING=true
  printf 'run=%s\ntarget=%s\nactor=%s\nrun_url=%s\nsince=%s\n' \
    "${R[run]}" "${P[target]}" "${P[actor]}" "${P[run_url]}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$STATE/current"

  # The plan was made from what the host looked like before we held the lock: re-check it.
  # The plan was made from what the host looked like before we held the lock: re-check it.
  # (Whether the target is older than the deployed commit was decided from the same record.)
  read_head || finish failed "git failed in ${P[repo]} reading HEAD or $RECORD_REF: $GIT_ERROR; nothing was changed"
  PREVIOUS=$HEAD_SHA
  SERVING=$PREVIOUS
  if [ "$RECORD" != "${P[expected_record]}" ] || [ "$PREVIOUS" != "${P[expected_head]}" ]; then
    finish stale "the host changed since the plan was made (another deploy ran); planning again"
  fi
  git_out dirty status --porcelain --untracked-files=no \
    || finish failed "git status failed in ${P[repo]}: $GIT_ERROR; nothing was changed"
  [ -z "$dirty" ] || finish failed "tracked files were modified on the host before checkout; nothing was changed"

  R[previous]=$PREVIOUS
  if [ -z "$RECORD" ]; then
    # What runs now is the baseline: if this first deploy dies halfway, the next one still
    # counts new migrations from here, not from a half-deployed HEAD.
    say "no deploy recorded on this host yet: recording $PREVIOUS, which runs now, as the baseline"
    git update-ref -m "catcolab-deploy baseline" "$RECORD_REF" "$PREVIOUS" \
      || finish failed "could not record the baseline $PREVIOUS in $RECORD_REF; nothing was changed"
  fi
  SERVICES=running
  phase checkout git checkout -q --detach "${P[target]}" \
    || finish failed "checkout of ${P[target]} failed; nothing was changed"

  if ! phase build host_command "${P[build]}"; then
    R[failed_phase]=build
    # The services never stopped; put the previous checkout back so the files match what runs.
    phase restore restore_checkout || finish failed "build failed and restoring the checkout $PREVIOUS failed; the services, never stopped, still run it; $(by_hand checkout build)"
    [ "${P[rollback]}" = true ] || finish failed "build failed; the previous checkout $PREVIOUS was restored; the services, never stopped, still run it (rollback is off: a half-finished build may be on disk until the next build)"
    # A failed build may have replaced some artifacts: rebuild, so a later restart runs one version.
    phase rollback-build host_command "${P[build]}" \
      || finish failed "build failed; the previous checkout $PREVIOUS was restored but rebuilding it failed too: the services, never stopped, still run it, but the files on disk may be a mix; before any restart, $(by_hand build)"
    finish failed "build failed; the previous checkout $PREVIOUS was restored and rebuilt; the services, never stopped, still run it"
  fi

  R[downtime_begin]=$(now_ms)
  if [ "${P[migrate]}" = true ]; then
    SERVICES=stopped
    phase stop host_command "${P[stop]}" || recover stop
    phase migrate host_command "${P[migrate_command]}" || recover migrate
    R[migrated]=true
    phase start host_command "${P[start]}" || recover start
  else
    SERVICES=unknown
    phase restart host_command "${P[restart]}" || recover restart
  fi
  SERVICES=running
  SERVING=${P[target]}
  R[downtime_end]=$(now_ms)
  phase status host_command "${P[status]}" || recover status
  if [ -n "${P[health_url]}" ]; then
    phase health health_check || recover health
    R[downtime_end]=$(now_ms)
  fi
  phase record git update-ref -m "catcolab-deploy ${R[run]}" "$RECORD_REF" "${P[target]}" \
    || finish failed "could not record the deployed commit in $RECORD_REF; the services run ${P[target]}"
  finish success "deployed ${P[target]}"
}

main() {
  local sub
  if [ "$#" -eq 0 ]; then
    # Arguments come NUL-separated on stdin, after their count: a connection that dropped while
    # sending must not pass for a shorter list (read drops an unterminated last argument).
    local arg count args=()
    if ! IFS= read -r -d '' count || [[ ! $count =~ ^[0-9]+$ ]]; then die "the arguments arrived incomplete (did the connection drop?)"; fi
    while ((${#args[@]} < count)) && IFS= read -r -d '' arg; do args+=("$arg"); done
    ((${#args[@]} == count)) || die "the arguments arrived incomplete (did the connection drop?)"
    set -- "${args[@]}"
  fi
  sub=${1:-}
  shift || true
  case "$sub" in
    prepare | diff | start | follow | result | state | command | run) "cmd_$sub" "$@" ;;
    *) die "unknown subcommand ${sub:-(none)}" ;;
  esac
}

main "$@"
