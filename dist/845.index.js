"use strict";
exports.id = 845;
exports.ids = [845];
exports.modules = {

/***/ 9248:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CI: () => (/* binding */ partsOf),
/* harmony export */   Q8: () => (/* binding */ apiErrorMessage),
/* harmony export */   aB: () => (/* binding */ gitHubApi),
/* harmony export */   fr: () => (/* binding */ pullRequestAccess),
/* harmony export */   tX: () => (/* binding */ rateLimitOf),
/* harmony export */   xC: () => (/* binding */ apiStep)
/* harmony export */ });
/* unused harmony exports MAX_RATE_LIMIT_WAIT_S, REQUEST_TIMEOUT_MS */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6856);
/* harmony import */ var _errors__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3916);
/**
 * The only module that talks to the GitHub REST API. The rest of the action asks it questions in
 * domain terms (deployments, their statuses, commit statuses; pull requests, their files and
 * comments); tests pass plain objects that implement GitHubApi. Octokit comes from
 * @actions/github, with the retry plugin (5xx and network errors) and the throttling plugin (rate
 * limits, and GitHub's advice to space writes: 1 s apart, 3 s for ones that notify, as comments do).
 */




/**
 * GitHub's documented prefix of installation access tokens (the workflow's GITHUB_TOKEN, a GitHub
 * App's). GET /user always answers 403 for them, so it is not asked.
 */
const INSTALLATION_TOKEN = /^ghs_/;
/** Rate-limit waits the client accepts: longer is not worth it for a record or a comment. */
const MAX_RATE_LIMIT_WAIT_S = 60;
/**
 * One call, retries and an accepted rate-limit wait included, may take this long: a hung API must
 * never hold a deploy, and a wait the client accepts must fit (the retry follows the wait).
 */
const REQUEST_TIMEOUT_MS = (MAX_RATE_LIMIT_WAIT_S + 30) * 1000;
/** Not retried on failure: plugin-retry's list, plus 429, which throttling waits out as GitHub says. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
function gitHubApi(options) {
    const [owner = '', repo = ''] = options.repository.split('/');
    const onLimit = (kind) => (retryAfter, request, _octokit, retryCount) => {
        const retrying = retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
        const at = new Date(Date.now() + retryAfter * 1000).toISOString().slice(11, 19);
        const what = kind === 'primary'
            ? `GitHub's rate limit for this token is used up until ${at} UTC (${retryAfter} s)`
            : `GitHub's secondary rate limit asks to wait ${retryAfter} s (until ${at} UTC)`;
        const then = retrying
            ? 'waits, then retries'
            : retryCount > 0
                ? 'gives up: the limit was hit again after its wait'
                : `gives up: that is longer than ${MAX_RATE_LIMIT_WAIT_S} s`;
        // The URL is Octokit's route template (/repos/{owner}/{repo}/…): which call, not which values.
        options.warn(`${what}: ${request.method} ${pathOf(request.url)} ${then}`);
        return retrying;
    };
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(options.token, {
        baseUrl: options.baseUrl,
        retry: { doNotRetry: DO_NOT_RETRY },
        throttle: {
            onRateLimit: onLimit('primary'),
            onSecondaryRateLimit: onLimit('secondary'),
        },
    }, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_1__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_2__/* .throttling */ .A);
    // Registered after the plugins, this wrap runs outside them: the deadline covers retries and
    // rate-limit waits, and the count every request a call makes. Every hook of a call is handed
    // the same options object (before-after-hook binds it; what a hook passes to request() reaches
    // none of the hooks inside it), so both go into that object, as a new request object: the one
    // there may be Octokit's defaults.
    let requests = 0;
    octokit.hook.wrap('request', (request, endpoint) => {
        const fetch = endpoint.request?.fetch ?? globalThis.fetch;
        const counted = (...args) => {
            requests++;
            return fetch(...args);
        };
        const deadline = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
        endpoint.request = { ...endpoint.request, fetch: counted, signal: deadline };
        // At the deadline the call fails at once: plugin-retry would otherwise retry the aborted
        // request with its backoff (14 s more), each try aborted as it starts.
        let timer;
        const late = new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`GitHub did not answer ${endpoint.method} ${pathOf(endpoint.url)} within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
        });
        return Promise.race([request(endpoint), late]).finally(() => clearTimeout(timer));
    });
    const repository = { owner, repo };
    return {
        requestCount: () => requests,
        async createDeployment(deployment) {
            const response = await octokit.rest.repos.createDeployment({
                ...repository,
                ref: deployment.sha,
                task: 'deploy',
                // Never merge the default branch into the ref: deploy exactly this commit.
                auto_merge: false,
                // Omitted, GitHub refuses while any of the commit's checks is pending or failed.
                required_contexts: [],
                environment: deployment.environment,
                production_environment: deployment.production,
                transient_environment: false,
                description: deployment.description,
                payload: deployment.payload,
            });
            // 202 carries a message instead of a deployment (an auto-merge happened): not with auto_merge false.
            if (!('id' in response.data))
                throw new Error(`GitHub created no deployment: ${response.data.message ?? response.status}`);
            return response.data.id;
        },
        async setDeploymentStatus(id, status) {
            await octokit.rest.repos.createDeploymentStatus({
                ...repository,
                deployment_id: id,
                state: status.state,
                description: status.description,
                log_url: status.logUrl,
                environment_url: status.environmentUrl,
                // GitHub's default (true) would make the previous success inactive as soon as a new deploy
                // is merely in progress, leaving no record of what runs if it then fails.
                auto_inactive: status.state === 'success',
            });
        },
        async *deployments(environment) {
            const pages = octokit.paginate.iterator(octokit.rest.repos.listDeployments, { ...repository, environment, per_page: 100 });
            for await (const page of pages) {
                for (const d of page.data) {
                    yield { id: d.id, sha: d.sha, environment: d.environment ?? '', createdAt: d.created_at, payload: d.payload };
                }
            }
        },
        async latestDeploymentStatus(id) {
            // Statuses come newest first.
            const { data } = await octokit.rest.repos.listDeploymentStatuses({ ...repository, deployment_id: id, per_page: 1 });
            return data[0] ? deploymentStatusOf(data[0]) : null;
        },
        async *deploymentStatuses(id) {
            const pages = octokit.paginate.iterator(octokit.rest.repos.listDeploymentStatuses, { ...repository, deployment_id: id, per_page: 100 });
            for await (const page of pages)
                yield* page.data.map(deploymentStatusOf);
        },
        async createCommitStatus(sha, status) {
            await octokit.rest.repos.createCommitStatus({
                ...repository,
                sha,
                state: status.state,
                context: status.context,
                description: status.description,
                target_url: status.targetUrl,
            });
        },
        async tokenLogin() {
            if (INSTALLATION_TOKEN.test(options.token))
                return null;
            try {
                return (await octokit.rest.users.getAuthenticated()).data.login;
            }
            catch (error) {
                if (error.status === 403)
                    return null;
                throw error;
            }
        },
        async pullRequest(number) {
            return pullRequestOf((await octokit.rest.pulls.get({ ...repository, pull_number: number })).data);
        },
        async *openPullRequests() {
            const pages = octokit.paginate.iterator(octokit.rest.pulls.list, { ...repository, state: 'open', per_page: 100 });
            for await (const page of pages)
                yield* page.data.map(pullRequestOf);
        },
        async *pullRequestFiles(number) {
            const pages = octokit.paginate.iterator(octokit.rest.pulls.listFiles, { ...repository, pull_number: number, per_page: 100 });
            for await (const page of pages) {
                for (const f of page.data)
                    yield { path: f.filename, status: f.status, previousPath: f.previous_filename ?? null };
            }
        },
        async compare(base, head) {
            // One commit per page: only the counts are wanted, not the commit list.
            const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repository, basehead: `${base}...${head}`, per_page: 1 });
            return { status: data.status, aheadBy: data.ahead_by, behindBy: data.behind_by };
        },
        async *comments(issue) {
            const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repository, issue_number: issue, per_page: 100 });
            for await (const page of pages)
                yield* page.data.map(commentOf);
        },
        async createComment(issue, body) {
            return commentOf((await octokit.rest.issues.createComment({ ...repository, issue_number: issue, body })).data);
        },
        async updateComment(id, body) {
            return commentOf((await octokit.rest.issues.updateComment({ ...repository, comment_id: id, body })).data);
        },
        async deleteComment(id) {
            await octokit.rest.issues.deleteComment({ ...repository, comment_id: id });
        },
    };
}
function deploymentStatusOf(status) {
    return {
        state: status.state,
        description: status.description ?? '',
        logUrl: status.log_url ?? '',
        environmentUrl: status.environment_url ?? '',
        createdAt: status.created_at,
    };
}
function pullRequestOf(pr) {
    return {
        number: pr.number,
        state: pr.state,
        headSha: pr.head.sha,
        headRef: pr.head.ref,
        headRepository: pr.head.repo?.full_name ?? '',
        baseRef: pr.base.ref,
        locked: pr.locked,
    };
}
function commentOf(comment) {
    return { id: comment.id, body: comment.body ?? '', author: comment.user?.login ?? '', url: comment.html_url };
}
/** The API path of a request URL, without the host and query: what a message names. */
function pathOf(url) {
    return URL.canParse(url) ? new URL(url).pathname : url.split('?')[0];
}
function partsOf(error) {
    const e = (typeof error === 'object' && error !== null ? error : {});
    const data = (e.response?.data ?? {});
    // A validation error's reasons are in GitHub's errors array; Octokit would show them as JSON.
    const reasons = Array.isArray(data.errors) ? data.errors.map((r) => r?.message).filter((m) => typeof m === 'string') : [];
    const message = typeof data.message === 'string' && reasons.length > 0
        ? `${data.message}: ${reasons.join('; ')}`
        : // Octokit appends the docs URL: the first line, without it.
            (error instanceof Error ? error.message : String(error)).split('\n')[0].replace(/ - https:\/\/docs\.github\.com\S*$/, '');
    return {
        status: typeof e.status === 'number' ? e.status : null,
        message: message.replace(/\p{Cc}+/gu, ' '),
        headers: (e.response?.headers ?? {}),
        request: e.request ?? {},
    };
}
/** What a rate-limit answer says about waiting; null when the answer is no rate limit. */
function rateLimitOf(error) {
    const { status, message, headers } = partsOf(error);
    if (status !== 403 && status !== 429)
        return null;
    if (headers['x-ratelimit-remaining'] === '0') {
        const reset = Number(headers['x-ratelimit-reset']);
        const at = Number.isFinite(reset) && reset > 0 ? ` at ${new Date(reset * 1000).toISOString().slice(11, 19)} UTC` : '';
        return `GitHub's rate limit for this token is used up and resets${at || ' within the hour'}: run again after that`;
    }
    if (/\bsecondary rate limit\b/i.test(message) || headers['retry-after'] !== undefined) {
        const after = headers['retry-after'] ? ` GitHub asked to wait ${headers['retry-after']} s;` : '';
        return `GitHub's secondary rate limit (too many requests at once):${after} run again in a few minutes`;
    }
    return null;
}
/**
 * One line for a failed call: the HTTP status and GitHub's message, and what to do about the usual
 * ones. Only GitHub's "not accessible" 403 means a missing permission; a 404 names what GitHub
 * did not find (`missing`, else the call), which for a private repository may also be what the
 * token may not see.
 */
function apiErrorMessage(error, permission, level = 'write', missing) {
    const { status, message, request } = partsOf(error);
    if (status === null)
        return message;
    const limit = rateLimitOf(error);
    if (limit)
        return `HTTP ${status}: ${message}: ${limit}`;
    if (status === 401)
        return `HTTP 401: ${message}: github-token is not a valid token`;
    if (status === 403 && /resource not accessible by integration/i.test(message))
        return `HTTP 403: ${message}: the job needs permissions: ${permission}: ${level}`;
    if (status === 403 && /resource not accessible by personal access token/i.test(message))
        return `HTTP 403: ${message}: github-token needs the ${permission} permission (${level})`;
    if (status === 404 && missing)
        return `HTTP 404: ${missing} not found`;
    if (status === 404) {
        const what = request.url ? `${request.method ?? 'GET'} ${pathOf(request.url)}` : 'what was asked for';
        return `HTTP 404: ${message}: GitHub found nothing at ${what} (or github-token may not see it)`;
    }
    return `HTTP ${status}: ${message}`;
}
/** What a call about one pull request (or its comments) needs. */
function pullRequestAccess(number, level) {
    return { permission: 'pull-requests', level, missing: `pull request #${number}` };
}
/**
 * Runs the calls of one step; a failure becomes one UserError line saying what could not be done
 * and why (apiErrorMessage): "could not <what> (HTTP 403: …)". A UserError passes through as it is.
 */
async function apiStep(what, access, step) {
    try {
        return await step();
    }
    catch (error) {
        if (error instanceof _errors__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .y)
            throw error;
        throw new _errors__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .y(`could not ${what} (${apiErrorMessage(error, access.permission, access.level, access.missing)})`);
    }
}


/***/ }),

/***/ 4845:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   A1: () => (/* binding */ deploymentRecorder),
/* harmony export */   QS: () => (/* binding */ deployedRecord),
/* harmony export */   rQ: () => (/* binding */ settleRecord)
/* harmony export */ });
/* unused harmony exports PAYLOAD_KEY, SWEEP_LIMIT, ourPayload, endDescription */
/* harmony import */ var _github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9248);
/* harmony import */ var _runner__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4813);
/* harmony import */ var _text__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8992);



const PAYLOAD_KEY = 'catcolab-deploy';
/** GitHub's limit for status descriptions. */
const DESCRIPTION_MAX = 140;
/** How many of our newest earlier records a success looks at to make inactive. */
const SWEEP_LIMIT = 10;
function ourPayload(deployment) {
    const payload = deployment.payload;
    if (typeof payload !== 'object' || payload === null)
        return null;
    const ours = payload[PAYLOAD_KEY];
    if (typeof ours !== 'object' || ours === null || ours.version !== 1)
        return null;
    return ours;
}
/**
 * What runs in the environment, by our records: the newest of ours whose status history holds a
 * success, read newest first. Its latest status may be inactive and still count: GitHub's own
 * deployment for a job with `environment:` ends success after our record, and GitHub's
 * auto-inactivation then marks ours inactive. A record that failed and was later made inactive
 * by our sweep never held a success, so it never counts. Newer records of ours without a success
 * (failed, unfinished, superseded or skipped) are handed to `skipped`, newest first, each with
 * its history newest first, for readers that mention them.
 */
async function deployedRecord(api, environment, skipped) {
    for await (const deployment of api.deployments(environment)) {
        const payload = ourPayload(deployment);
        if (!payload)
            continue;
        const history = [];
        for await (const status of api.deploymentStatuses(deployment.id)) {
            if (status.state === 'success')
                return { deployment, payload, status };
            history.push(status);
        }
        skipped?.(deployment, payload, history);
    }
    return null;
}
/**
 * Keeps the record of one deploy run; main.ts passes it to deploy() as its observer and awaits
 * done() before the step ends. Updates go out in order, alongside the deploy: the deploy never
 * waits for GitHub (a rate-limit wait on a record must not delay the host's run). What the post
 * step needs is saved at once.
 */
function deploymentRecorder(api, context, io) {
    const keeper = recordKeeper(api, context, io);
    let current = null;
    let queue = Promise.resolve();
    // Each update waits for the one before. attempt() turns API failures into warnings; anything
    // else is a bug, and a warning too: recording never fails a deploy.
    const then = (update) => {
        queue = queue.then(update).catch((error) => io.warning(`could not update the deployment record: ${error instanceof Error ? error.message : String(error)}`));
    };
    return {
        planned(plan) {
            if (current?.sha === plan.target)
                return;
            const replaced = current;
            const record = { id: null, sha: plan.target };
            current = record;
            keeper.saveBegun(record);
            then(async () => {
                // Planned again after another deploy changed the host, and the ref now names another commit.
                if (replaced)
                    await keeper.settle(replaced, 'error', `not deployed: ${context.ref} named ${(0,_text__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(plan.target)} by the time the host was free`);
                await keeper.begin(record, plan.previous, plan.overrides);
            });
        },
        starting(token) {
            io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.token, token);
        },
        started(run) {
            io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.run, run);
        },
        finished(end) {
            const record = current;
            if (!record)
                return;
            then(() => (end.outcome === 'skipped' ? keeper.skip(record, end) : keeper.finish(record, { ...end, outcome: end.outcome })));
        },
        done: () => queue,
    };
}
/** Gives a record left unsettled its final status (the post step, after the job was cancelled). */
async function settleRecord(api, context, io, record, end) {
    await recordKeeper(api, context, io).finish(record, end);
}
/**
 * The one line GitHub shows for how a deploy ended, built from facts only: never the host's
 * messages, commands or output, which anyone who can read the repository would see (log masking
 * does not reach API calls). It starts with what the host runs, so a description GitHub clips
 * still says it. The log says the rest: what failed, and what to run.
 */
function endDescription(ref, sha, end) {
    const target = (0,_text__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(sha);
    const runs = end.running ? `runs ${(0,_text__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(end.running)}` : end.down ? 'the services may be down' : 'what runs is unknown';
    const phase = end.host && /^[a-z][a-z-]{0,40}$/.test(end.host.failedPhase) ? end.host.failedPhase : '';
    const at = phase ? ` at ${phase}` : '';
    switch (end.outcome) {
        case 'success':
            return `runs ${target}: deployed${sha.startsWith(ref) ? '' : ` ${ref}`}`;
        case 'skipped':
            return `${runs}: skipped ${target}, older than what runs`;
        case 'error':
            return end.run === 'started' || end.run === 'maybe'
                ? `unknown: the action lost track of the deploy of ${target}; check the host with command: status`
                : `not deployed: the deploy of ${target} did not start; see the run's log`;
        case 'failure':
            switch (end.host?.outcome) {
                case 'lock-timeout':
                    return `${runs}: not deployed, another deploy held the host too long`;
                case 'stale':
                    return `${runs}: not deployed, other deploys kept changing the host`;
                case 'rolled-back':
                    return `${runs}: the deploy of ${target} failed${at} and was rolled back`;
                case 'running':
                    return `${runs}: the deploy of ${target} died${at}; check the host with command: status`;
                default:
                    return `${runs}: the deploy of ${target} failed${at}; see the run's log`;
            }
    }
}
function recordKeeper(api, context, io) {
    const { environment, environmentUrl, production } = context.settings;
    const statusContext = `deploy / ${environment}`;
    // A permission GitHub refused once is not asked for again: one warning, not one per call.
    const refused = new Set();
    /** Runs one API call; a failure is a warning and yields undefined. */
    async function attempt(permission, what, call) {
        if (refused.has(permission))
            return undefined;
        try {
            return await call();
        }
        catch (error) {
            // A refusal stands for the run; a rate limit passes, so later updates are still tried.
            const status = error.status;
            if (!(0,_github__WEBPACK_IMPORTED_MODULE_0__/* .rateLimitOf */ .tX)(error) && (status === 401 || status === 403 || status === 404))
                refused.add(permission);
            io.warning(`could not ${what} (${(0,_github__WEBPACK_IMPORTED_MODULE_0__/* .apiErrorMessage */ .Q8)(error, permission)}); the deploy itself is not affected`);
            return undefined;
        }
    }
    const commitStatus = (sha, state, description) => attempt('statuses', `set the commit status ${statusContext}`, async () => {
        await api.createCommitStatus(sha, { state, context: statusContext, description: clip(description), targetUrl: context.runUrl || undefined });
        return true;
    });
    const deploymentStatus = (id, state, description) => attempt('deployments', `set deployment ${id} ${state}`, async () => {
        await api.setDeploymentStatus(id, {
            state,
            description: clip(description),
            logUrl: context.runUrl || undefined,
            environmentUrl: environmentUrl ?? undefined,
        });
        return true;
    });
    return {
        /** Saves at once what the post step needs to settle a record of this commit. */
        saveBegun(record) {
            io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.sha, record.sha);
            io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.settled, '');
        },
        /** Creates the deployment (its id goes into record), in progress. overrides: the opt-out inputs the deploy needed. */
        async begin(record, previous, overrides = []) {
            const { sha } = record;
            const payload = { version: 1, ref: context.ref, previous, run_url: context.runUrl, ...(overrides.length > 0 ? { overrides } : {}) };
            const id = await attempt('deployments', `create a deployment record in ${environment}`, () => api.createDeployment({
                sha,
                environment,
                production,
                description: clip(`${context.ref} to ${environment}${overrides.length > 0 ? ` (${overrides.join(', ')}: true)` : ''}`),
                payload: { [PAYLOAD_KEY]: payload },
            }));
            if (id !== undefined) {
                record.id = id;
                io.setOutput('deployment-id', String(id));
                io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.deployment, String(id));
                await deploymentStatus(id, 'in_progress', `runs ${(0,_text__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(previous)}: deploying ${named(context.ref, sha)}`);
            }
            await commitStatus(sha, 'pending', `deploying to ${environment}`);
        },
        /** The final status; after a success, earlier records become inactive. */
        async finish(record, end) {
            const description = endDescription(context.ref, record.sha, end);
            const settled = await this.settle(record, end.outcome, description);
            if (end.outcome === 'success' && record.id !== null)
                await this.inactivateEarlier(record.id);
            if (settled)
                io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.settled, 'true');
        },
        /**
         * A record made before the deploy turned out to be skipped: the deployment inactive (it never
         * ran), the commit status success like the job, both saying it was skipped.
         */
        async skip(record, end) {
            const description = endDescription(context.ref, record.sha, end);
            const deployed = record.id === null || (await deploymentStatus(record.id, 'inactive', description)) === true;
            const committed = (await commitStatus(record.sha, 'success', description)) === true;
            if (deployed && committed)
                io.saveState(_runner__WEBPACK_IMPORTED_MODULE_1__/* .STATE */ .c4.settled, 'true');
        },
        /** True when every part of the record now has this status. */
        async settle(record, outcome, description) {
            const deployed = record.id === null || (await deploymentStatus(record.id, outcome, description)) === true;
            const committed = (await commitStatus(record.sha, outcome, description)) === true;
            return deployed && committed;
        },
        /**
         * Makes our earlier records for the environment inactive after a success: production
         * environments never get GitHub's auto-inactive, and neither do failed or stuck records.
         */
        async inactivateEarlier(currentId) {
            await attempt('deployments', `mark earlier deployments in ${environment} inactive`, async () => {
                let seen = 0;
                for await (const deployment of api.deployments(environment)) {
                    if (deployment.id >= currentId || !ourPayload(deployment))
                        continue;
                    if (++seen > SWEEP_LIMIT)
                        break;
                    if ((await api.latestDeploymentStatus(deployment.id))?.state === 'inactive')
                        continue;
                    await api.setDeploymentStatus(deployment.id, { state: 'inactive', description: `superseded by deployment ${currentId}` });
                }
            });
        },
    };
}
/** "v1.2.0 (0123456789ab)", or the short sha when the ref was the sha itself. */
function named(ref, sha) {
    return sha.startsWith(ref) ? (0,_text__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(sha) : `${ref} (${(0,_text__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(sha)})`;
}
function clip(text) {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > DESCRIPTION_MAX ? `${line.slice(0, DESCRIPTION_MAX - 1)}…` : line;
}


/***/ })

};
;