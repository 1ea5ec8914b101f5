"use strict";
exports.id = 661;
exports.ids = [661,42];
exports.modules = {

/***/ 6661:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post),
/* harmony export */   recordsFor: () => (/* binding */ recordsFor)
/* harmony export */ });
/* harmony import */ var _github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9248);
/* harmony import */ var _host__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2237);
/* harmony import */ var _protocol__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(8667);
/* harmony import */ var _inputs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(257);
/* harmony import */ var _log__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(5625);
/* harmony import */ var _records__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4845);
/* harmony import */ var _runner__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4813);
/* harmony import */ var _runner_io__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(6842);
/* harmony import */ var _ssh__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(873);









/** How long the post step waits for a run still under way (a cancelled job gets about 5 min in all). */
const POST_WAIT_MS = 3 * 60_000;
const io = {
    warning: _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.warning,
    setOutput: _runner_io__WEBPACK_IMPORTED_MODULE_6__/* .runnerIO */ .$.setOutput,
    saveState: _runner_io__WEBPACK_IMPORTED_MODULE_6__/* .runnerIO */ .$.saveState,
};
/** The observer that keeps GitHub's records of this deploy, or undefined when none is asked for. */
function recordsFor(settings, runner) {
    const records = runnerRecords(settings, runner);
    return records ? (0,_records__WEBPACK_IMPORTED_MODULE_4__/* .deploymentRecorder */ .A1)(records.api, records.context, io) : undefined;
}
/** The API client and context of the records, or null when none are kept; refuses without the repository. */
function runnerRecords(settings, runner) {
    const records = settings.records;
    if (!records)
        return null;
    if (!records.token) {
        _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.warning('github-token is empty: no deployment record is kept');
        return null;
    }
    const api = (0,_github__WEBPACK_IMPORTED_MODULE_0__/* .gitHubApi */ .aB)({
        token: records.token,
        repository: (0,_runner__WEBPACK_IMPORTED_MODULE_5__/* .requireRepository */ .Cc)(runner, `deployment records (environment: ${records.environment}) need it`),
        baseUrl: runner.apiUrl,
        warn: _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.warning,
    });
    const context = { settings: records, ref: settings.ref, runUrl: settings.requester.runUrl };
    return { api, context };
}
/**
 * The post step, when the step left a record unsettled (index.ts asks postHasWork first); runner,
 * input and state: the job's environment, the step's inputs and what it saved, read by index.ts.
 */
async function post(runner, input, state) {
    const sha = state(_runner__WEBPACK_IMPORTED_MODULE_5__/* .STATE */ .c4.sha);
    try {
        const settings = (0,_inputs__WEBPACK_IMPORTED_MODULE_2__/* .parseSettings */ .P$)(input, { actor: runner.actor, runUrl: runner.runUrl });
        if (settings.command !== 'deploy')
            return;
        const records = runnerRecords(settings, runner);
        if (!records)
            return;
        _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.info(`The deploy step ended without settling the record of ${sha}; asking the host how the deploy ended.`);
        // The run id, or, when the job died while starting it, the token its id ends in.
        const end = await hostEnd(settings, state(_runner__WEBPACK_IMPORTED_MODULE_5__/* .STATE */ .c4.run) || state(_runner__WEBPACK_IMPORTED_MODULE_5__/* .STATE */ .c4.token));
        _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.info(`${end.outcome}: ${end.message}`);
        const id = state(_runner__WEBPACK_IMPORTED_MODULE_5__/* .STATE */ .c4.deployment);
        await (0,_records__WEBPACK_IMPORTED_MODULE_4__/* .settleRecord */ .rQ)(records.api, records.context, io, { id: id ? Number(id) : null, sha }, end);
    }
    catch (error) {
        _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.warning(`could not settle the deployment record: ${error instanceof Error ? error.message : String(error)}`);
    }
}
/** How the host says the run ended; when it cannot say, an error telling where to look. */
async function hostEnd(settings, run) {
    // For the log; GitHub's record gets a description built from the outcome alone (records.ts endDescription).
    const unknown = (why) => ({
        outcome: 'error',
        running: '',
        run: 'maybe',
        message: `unknown, check the host with command: status: ${why}`,
    });
    if (!run)
        return unknown('the job ended while the deploy was starting');
    let session;
    try {
        session = await (0,_ssh__WEBPACK_IMPORTED_MODULE_7__/* .connect */ .Ng)(settings.connection);
        const host = (0,_host__WEBPACK_IMPORTED_MODULE_1__/* .sshHost */ .TE)(session, settings.repoPath);
        let result = await host.result(run);
        // Asked by token: the result names the run.
        run = result.run;
        let ended = result.outcome !== 'running';
        if (!ended) {
            _log__WEBPACK_IMPORTED_MODULE_3__/* .jobLog */ .W.info(`The host is still deploying run ${run}, detached; waiting up to ${POST_WAIT_MS / 1000} s for it to end.`);
            ended = await waitForRun(host, run, POST_WAIT_MS);
            result = await host.result(run);
        }
        return endOf(result, ended);
    }
    catch (error) {
        return unknown(`could not ask the host (${error instanceof Error ? error.message : String(error)}) how run ${run} ended`);
    }
    finally {
        session?.close();
    }
}
/** True when the run ended within ms. */
async function waitForRun(host, run, ms) {
    let timer;
    const ended = await Promise.race([
        host
            .follow(run, 0, () => { })
            .then(() => true, () => true),
        new Promise((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return ended;
}
function endOf(result, ended) {
    const running = result.serving.state === 'commit' ? result.serving.sha : '';
    const host = { outcome: result.outcome, failedPhase: result.failedPhase || result.phase };
    const down = result.serving.state === 'down';
    const { state, words } = (0,_protocol__WEBPACK_IMPORTED_MODULE_8__/* .describeRun */ .vZ)(result, !ended);
    if (result.outcome === 'success')
        return { outcome: 'success', running, message: words, host };
    if (state === 'under-way') {
        return { outcome: 'error', running, run: 'started', message: `unknown, check the host with command: status: ${words} when the job ended` };
    }
    return { outcome: 'failure', running, down, host, message: words };
}


/***/ })

};
;