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
# The time in ms, into NOW, with builtins only (no date, as save_result needs no tr or sed):
# these run between the phases, some of them inside the downtime.
stamp() {
  local us=${EPOCHREALTIME//[!0-9]/}
  if [ -n "$us" ]; then NOW=$((us / 1000)); else NOW=$(date +%s%3N); fi
}
now_ms() { stamp; printf '%s\n' "$NOW"; }

# Enter the clone and find the state directory; every subcommand starts here.
enter_repo() {
  local repo=$1 top
  cd -- "$repo" 2>/dev/null || die "repo-path $repo does not exist on the host or is not readable by $(id -un)"
  top=$(git rev-parse --show-toplevel 2>/dev/null) || die "repo-path $repo is not a git clone"
  [ "$top" = "$(pwd -P)" ] || die "repo-path $repo is inside the clone $top, not its top: set repo-path to $top"
  STATE="$(git rev-parse --absolute-git-dir)/catcolab-deploy"
  mkdir -p -- "$STATE/runs" || die "cannot create $STATE"
}

record_sha() { git rev-parse -q --verify "$RECORD_REF^{commit}" 2>/dev/null || true; }

# prepare REPO REMOTE REF NEED_CURL COMMAND_WORD...
# Preflight (every problem reported, nothing changed), then fetch and resolve REF to one commit.
cmd_prepare() {
  local repo=$1 remote=$2 ref=$3 need_curl=$4 tool word failed=0 dirty target=''
  shift 4
  for tool in git flock setsid timeout tail date; do
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
  dirty=$(git status --porcelain --untracked-files=no | cut -c4- | head -n 10 | tr '\n' ' ')
  if [ -n "$dirty" ]; then
    die "tracked files are modified in $repo: ${dirty% }; commit, stash or discard them on the host first (untracked files are fine)"
  fi
  git remote get-url "$remote" >/dev/null 2>&1 || die "remote $remote is not configured in $repo: check the remote input"
  local fetched
  fetched=$(flock -w 600 "$STATE/fetch.lock" git fetch --quiet --tags --force --prune "$remote" 2>&1) \
    || die "git fetch from $remote failed in $repo: $(one_line "$fetched")"
  if [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
    # A commit that no branch or tag reaches (a PR head, say) is fetched by its sha.
    git cat-file -e "$ref^{commit}" 2>/dev/null || git fetch --quiet "$remote" "$ref" 2>/dev/null
    target=$(git rev-parse -q --verify --end-of-options "$ref^{commit}" 2>/dev/null)
  else
    local name=${ref#refs/heads/} candidate
    name=${name#refs/tags/}
    for candidate in "refs/remotes/$remote/$name" "refs/tags/$name"; do
      target=$(git rev-parse -q --verify --end-of-options "$candidate^{commit}" 2>/dev/null) && break
    done
    if [ -z "$target" ] && [[ $ref =~ ^[0-9a-f]{7,39}$ ]]; then
      target=$(git rev-parse -q --verify --end-of-options "$ref^{commit}" 2>/dev/null)
    fi
  fi
  [ -n "$target" ] || die "ref $ref is not a branch or tag of $remote, nor a commit in $repo after fetching"
  printf 'head=%s\nbranch=%s\nrecord=%s\ntarget=%s\n' \
    "$(git rev-parse HEAD)" "$(git symbolic-ref -q --short HEAD || true)" "$(record_sha)" "$target"
}

# diff REPO BASE TARGET PATH...: whether BASE is an ancestor, then git's name-status, NUL-separated,
# of the files below the literal PATHs (no PATH: every file).
cmd_diff() {
  local repo=$1 base=$2 target=$3 ancestor=false
  shift 3
  enter_repo "$repo"
  git merge-base --is-ancestor "$base" "$target" 2>/dev/null && ancestor=true
  printf 'ancestor=%s\n' "$ancestor"
  git --literal-pathspecs diff --no-renames --name-status -z "$base" "$target" -- "$@" \
    || die "git diff $base $target failed"
}

# start REPO KEY=VALUE...: launch the deploy detached from this SSH session; print its run id.
cmd_start() {
  local repo=$1 run dir old
  shift
  enter_repo "$repo"
  # Sortable: the newest run is the last name (status and pruning rely on it).
  run="$(date -u +%Y%m%dT%H%M%S.%NZ)-$$"
  dir="$STATE/runs/$run"
  mkdir -- "$dir" || die "cannot create $dir"
  printf '%s\0' "$@" >"$dir/params"
  printf '%s\n' "$BASH_EXECUTION_STRING" >"$dir/host.sh"
  : >"$dir/log"
  # The run holds runs/<id>/alive locked for as long as it lives (the kernel lets go when it
  # dies, even by SIGKILL): that is how follow and status know it ended. Taken here, before
  # the launch, so nobody can see the run as ended before it began.
  exec 8>>"$dir/alive"
  flock -n 8 || die "cannot lock $dir/alive"
  # A new session: neither a dropped connection nor a cancelled workflow can signal it.
  setsid bash "$dir/host.sh" run "$dir" </dev/null >>"$dir/log" 2>&1 &
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
cmd_result() {
  enter_repo "$1"
  cat -- "$STATE/runs/$2/result" 2>/dev/null || die "deploy run $2 left no result"
}

# state REPO: what is deployed, whether a deploy runs now, and how the newest run went.
cmd_state() {
  local runs last running=false alive=false key value
  enter_repo "$1"
  flock -n "$STATE/lock" true || running=true
  printf 'head=%s\nbranch=%s\nrecord=%s\nrunning=%s\n' \
    "$(git rev-parse HEAD)" "$(git symbolic-ref -q --short HEAD || true)" "$(record_sha)" "$running"
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
  R[outcome]=$1
  R[message]=$2
  R[running]=$SERVING
  R[checkout]=$(git rev-parse HEAD)
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
  SERVING=$(git rev-parse HEAD)
  R[downtime_end]=$(now_ms)
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
      || finish failed "$failed failed and restarting the services failed too: they are down; on the host run: ${P[restart]}"
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
      || finish failed "$failed failed, the rollback failed at $broken, and restarting the services failed too: they are down; on the host run: cd ${P[repo]} && git checkout $PREVIOUS && ${P[build]} && ${P[restart]}"
  fi
  finish failed "$failed failed and the rollback failed at $broken; the services were restarted with whatever is built now (checkout $(git rev-parse HEAD)); on the host run: cd ${P[repo]} && git checkout $PREVIOUS && ${P[build]} && ${P[restart]}"
}

# SIGTERM, SIGHUP or SIGINT (a shutdown, logind, an admin's kill): never leave the services
# stopped. Bash runs this once the current command has ended.
on_signal() {
  trap - TERM HUP INT
  say "the deploy process got SIG$1 during ${R[phase]}"
  if [ "${SERVICES:-running}" != running ]; then
    bring_back start-again \
      || finish failed "the deploy process was stopped by SIG$1 during ${R[phase]} and restarting the services failed: they are down; on the host run: ${P[restart]}"
  fi
  finish failed "the deploy process was stopped by SIG$1 during ${R[phase]}"
}

cmd_run() {
  DIR=$1
  local key holder record dirty
  HOLDING=false
  SERVING=''
  trap on_unexpected_exit EXIT
  trap 'on_signal TERM' TERM
  trap 'on_signal HUP' HUP
  trap 'on_signal INT' INT
  while IFS= read -r -d '' key; do P[${key%%=*}]=${key#*=}; done <"$DIR/params"
  cd -- "${P[repo]}" || exit 2
  STATE="$(git rev-parse --absolute-git-dir)/catcolab-deploy"
  R[run]=${DIR##*/}
  R[target]=${P[target]}
  R[migrate]=${P[migrate]}
  R[migrated]=false
  R[started]=$(now_ms)
  R[phase]=lock
  R[outcome]=running
  save_result

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
  record=$(record_sha)
  PREVIOUS=$(git rev-parse HEAD)
  SERVING=$PREVIOUS
  if [ "$record" != "${P[expected_record]}" ] || [ "$PREVIOUS" != "${P[expected_head]}" ]; then
    finish stale "the host changed since the plan was made (another deploy ran); planning again"
  fi
  dirty=$(git status --porcelain --untracked-files=no)
  [ -z "$dirty" ] || finish failed "tracked files were modified on the host before checkout; nothing was changed"

  R[previous]=$PREVIOUS
  BRANCH=$(git symbolic-ref -q --short HEAD || true)
  if [ -z "$record" ]; then
    # What runs now is the baseline: if this first deploy dies halfway, the next one still
    # counts new migrations from here, not from a half-deployed HEAD.
    say "no deploy recorded on this host yet: recording $PREVIOUS, which runs now, as the baseline"
    git update-ref -m "catcolab-deploy baseline" "$RECORD_REF" "$PREVIOUS"
  fi
  SERVICES=running
  phase checkout git checkout -q --detach "${P[target]}" \
    || finish failed "checkout of ${P[target]} failed; nothing was changed"

  if ! phase build host_command "${P[build]}"; then
    R[failed_phase]=build
    # The services never stopped; put the previous checkout back so the files match what runs.
    phase restore restore_checkout || finish failed "build failed and restoring the checkout $PREVIOUS failed; the services, never stopped, still run it; on the host run: cd ${P[repo]} && git checkout $PREVIOUS && ${P[build]}"
    [ "${P[rollback]}" = true ] || finish failed "build failed; the previous checkout $PREVIOUS was restored; the services, never stopped, still run it (rollback is off: a half-finished build may be on disk until the next build)"
    # A failed build may have replaced some artifacts: rebuild, so a later restart runs one version.
    phase rollback-build host_command "${P[build]}" \
      || finish failed "build failed; the previous checkout $PREVIOUS was restored but rebuilding it failed too: the services, never stopped, still run it, but the files on disk may be a mix; on the host run ${P[build]} before any restart"
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
    # Arguments come NUL-separated on stdin.
    local arg args=()
    while IFS= read -r -d '' arg; do args+=("$arg"); done
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
