// Labs: the catalogue (Start / Start in predict mode) and the lab page of one session at
// #/labs/<labId>/sessions/<sessionId>: tasks in their own column beside the viewer, the
// session's VMs named by their role, predictions before the calls, Check and Reset. The
// session is the server's LabSession as openapi.yaml has it (the page ships with its server).
import { api, get, post } from './api.js';
import { $, busy, h } from './dom.js';

const STUDENT = 'prefault-lab.student';
const CLIENT = 'prefault-lab.client';
const enc = encodeURIComponent;

/** The student's name, if they gave one (without tokens the same name is the same student, whichever browser). */
export const student = {
  get: () => localStorage.getItem(STUDENT) ?? '',
  set: (v) => (v ? localStorage.setItem(STUDENT, v) : localStorage.removeItem(STUDENT)),
};

/**
 * This browser's id: without tokens and without a name, the server keeps one session per
 * lab and id (no shared "anonymous" student). getRandomValues, not randomUUID: the latter
 * needs a secure context, and a class server may be plain http on the LAN.
 */
function clientId() {
  let id = localStorage.getItem(CLIENT);
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(CLIENT, id);
  }
  return id;
}

/** `{vm:<name>}` in a task's path -> that session VM's id. */
const resolve = (path, vms) => path.replace(/\{vm:([A-Za-z0-9_-]+)\}/g, (whole, name) => vms.find((v) => v.name === name)?.id ?? whole);

const ROOT_ROLES = [
  null,
  ...[4, 5].flatMap((level) =>
    [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ].map(([smm, guestMode]) => ({ smm, guestMode, level })),
  ),
];
const roleLabel = (r) => (r ? `level ${r.level}, smm ${+r.smm}, guest_mode ${+r.guestMode}` : 'no root (refused before a root is chosen)');

/** One input for a prediction field; `choices` from the server win over the built-in ones. */
function predictInput(p) {
  const name = p.field;
  if (p.choices?.length)
    return h(
      'select',
      { name, 'data-testid': `predict-${name}` },
      ...p.choices.map((c, i) => h('option', { value: String(i) }, typeof c === 'object' && c !== null ? roleLabel(c) : String(c))),
    );
  if (name === 'rootRole')
    return h('select', { name, 'data-testid': `predict-${name}` }, ...ROOT_ROLES.map((r, i) => h('option', { value: String(i) }, roleLabel(r))));
  if (name === 'level')
    return h(
      'select',
      { name, 'data-testid': `predict-${name}` },
      ...['4K', '2M', '1G'].map((l) => h('option', {}, l)),
      h('option', { value: '' }, 'none'),
    );
  if (name === 'iterations') return h('input', { name, type: 'number', min: 0, size: 5, 'data-testid': `predict-${name}` });
  return h('input', {
    name,
    size: 12,
    placeholder: name === 'ret' ? '0, -22, -EINVAL' : name === 'errno' ? 'EINVAL' : '',
    'data-testid': `predict-${name}`,
  });
}

/** The form's values as the prediction body (ret stays text when it is an errno name). */
function predictBody(form, fields) {
  const body = {};
  for (const p of fields) {
    const raw = form.elements[p.field]?.value ?? '';
    if (p.choices?.length) body[p.field] = p.choices[Number(raw)];
    else if (p.field === 'rootRole') body.rootRole = ROOT_ROLES[Number(raw)];
    else if (raw.trim() === '') continue;
    else if (p.field === 'iterations') body.iterations = Number(raw);
    else if (p.field === 'ret') body.ret = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw.trim();
    else body[p.field] = raw.trim();
  }
  return body;
}

/** Linux errno numbers of the returns the labs ask about, for showing a ret by its name. */
const ERRNO_NAMES = {
  2: 'ENOENT',
  4: 'EINTR',
  5: 'EIO',
  8: 'ENOEXEC',
  11: 'EAGAIN',
  12: 'ENOMEM',
  14: 'EFAULT',
  17: 'EEXIST',
  22: 'EINVAL',
  25: 'ENOTTY',
  95: 'EOPNOTSUPP',
  133: 'EHWPOISON',
};

/** A ret as the student writes it: 0, or -EOPNOTSUPP rather than the -95 the server stores. */
const retText = (v) => (typeof v === 'number' && v < 0 && ERRNO_NAMES[-v] ? `-${ERRNO_NAMES[-v]}` : String(v));

const show = (v, field) =>
  v === undefined ? '?' : v && typeof v === 'object' ? roleLabel(v) : v === null ? 'none' : field === 'ret' ? retText(v) : String(v);

/**
 * The task's predictions, { field: { given, actual?, correct? } } (GradedPrediction):
 * `actual` and `correct` appear once the graded call ran after the prediction.
 */
function gradedList(n, graded) {
  const entries = Object.entries(graded ?? {});
  if (entries.length === 0) return null;
  return h(
    'ul',
    { class: 'graded', 'data-testid': `predict-graded-${n}` },
    ...entries.map(([field, { given, actual, correct }]) => {
      if (correct === undefined)
        return h(
          'li',
          { 'data-field': field, class: 'pending' },
          `\u2026 ${field}: you predicted ${show(given, field)}; make the call to see what the kernel does`,
        );
      return h(
        'li',
        { 'data-field': field, 'data-correct': correct, 'data-actual': JSON.stringify(actual ?? null), class: correct ? 'ok' : 'wrong' },
        `${correct ? '\u2713' : '\u2717'} ${field}: you predicted ${show(given, field)}, the kernel did ${show(actual, field)}`,
      );
    }),
  );
}

export function createLabs({ viewer, onError, navigate }) {
  let session = null;
  let lab = null;
  let grade = null;
  /** What the student last entered per task, so a re-render keeps it on screen. */
  const typed = new Map();

  const sessionPath = () => `/v1/labs/${enc(session.labId)}/sessions/${enc(session.sessionId)}`;

  function taskItem(task) {
    const g = grade?.tasks.find((t) => t.n === task.n);
    const passed = task.passed || (g?.passed ?? false);
    const item = h('li', { 'data-testid': `lab-task-${task.n}`, 'data-passed': passed }, h('span', { class: 'task-title' }, task.title));
    if (task.prompt) item.append(h('p', { class: 'prompt' }, task.prompt));
    if (task.explain) item.append(h('p', { class: 'explain' }, task.explain));
    if (task.predict?.length) {
      // The check's grading is the newer one; the session view's until a check has run.
      const stored = g?.predictions ?? task.predictions;
      // The first prediction is the graded one: once stored, the form gives way to a locked
      // note, and the list below says what was predicted (inputs would show defaults).
      const locked = Boolean(task.predictedAt) || Object.keys(stored ?? {}).length > 0;
      const form = h(
        'form',
        { class: 'predict', 'data-testid': `predict-form-${task.n}`, 'data-locked': locked },
        h('strong', {}, 'Your prediction'),
        ...(locked
          ? [
              h(
                'span',
                { class: 'muted', 'data-testid': `predict-locked-${task.n}` },
                'Locked: your first prediction is the one graded. Reset starts the session over.',
              ),
            ]
          : [
              ...task.predict.map((p) => {
                const input = predictInput(p);
                const last = typed.get(task.n)?.[p.field];
                if (last !== undefined) input.value = last;
                return h('label', {}, `${p.label ?? p.field} `, input);
              }),
              h('button', { type: 'submit', 'data-testid': `predict-submit-${task.n}` }, 'Store prediction'),
            ]),
      );
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        typed.set(task.n, Object.fromEntries(task.predict.map((p) => [p.field, form.elements[p.field]?.value])));
        busy(() => predict(task.n, predictBody(form, task.predict))).catch(onError);
      });
      item.append(form);
      const list = gradedList(task.n, stored);
      if (list) item.append(list);
    }
    if (task.hidden)
      item.append(
        h(
          'p',
          { class: 'muted', 'data-testid': `calls-hidden-${task.n}` },
          'Predict first: the calls to make appear once your prediction is stored.',
        ),
      );
    for (const [i, call] of (task.calls ?? []).entries()) {
      const path = resolve(call.path, session.vms);
      // predict[].call (1-based) names the call whose outcome grades a field.
      const grades = (task.predict ?? []).filter((p) => p.call === i + 1).map((p) => p.field);
      const usable = /\/(pre-fault|access)$/.test(path) && call.method === 'POST';
      const vm = session.vms.find((v) => path.includes(v.id));
      // Shown with the VM's role in place of its id (the id stays in the title and data).
      const shown = vm ? path.replace(vm.id, `{${vm.name}}`) : path;
      item.append(
        h(
          'code',
          { title: path, 'data-vm-id': vm?.id, 'data-path': path },
          `${call.method} ${shown}${call.body ? ` ${JSON.stringify(call.body)}` : ''}`,
        ),
      );
      if (grades.length) item.append(h('span', { class: 'grades' }, `this call grades your ${grades.join(', ')} `));
      if (usable) item.append(h('button', { type: 'button', onclick: () => viewer.useCall({ ...call, path }).catch(onError) }, 'Use in form'));
      // Calls the viewer has no form for (vCPU mode, memslots, GET roots) run as they are.
      else
        item.append(
          h(
            'button',
            {
              type: 'button',
              'data-testid': 'run-call',
              onclick: () => busy(() => runCall(call.method, path, shown, call.body, vm?.id)).catch(onError),
            },
            'Run',
          ),
        );
    }
    // Hints would give the outcome away: the server withholds them (and the rule) until the
    // predicted calls have run after the prediction.
    if (g?.withheld && !task.hidden)
      item.append(
        h('p', { class: 'muted', 'data-testid': `hints-withheld-${task.n}` }, 'The rule and the hints appear once the calls you predicted have run.'),
      );
    for (const c of task.hidden || g?.withheld ? [] : (g?.checks ?? []))
      item.append(
        h(
          'p',
          { class: c.passed ? 'hint ok' : 'hint' },
          c.passed ? `\u2713 ${c.vm ? `[${c.vm}] ` : ''}${c.detail}` : c.hint ? `${c.hint} (${c.detail})` : c.detail,
        ),
      );
    return item;
  }

  function render() {
    $('lab-page-title').textContent = lab.title;
    // A session kept per browser (no name given) is labelled "client:<id>": not worth showing.
    const named = session.student && !session.student.startsWith('client:');
    $('lab-page-meta').textContent = `${session.mode} mode${named ? `, student ${session.student}` : ''}, session ${session.sessionId.slice(0, 8)}`;
    $('lab-goal').textContent = lab.goal;
    $('lab-vms').replaceChildren(
      ...session.vms.map((v) =>
        h(
          'button',
          { type: 'button', class: 'vm-chip', 'data-testid': `lab-vm-${v.name}`, onclick: () => busy(() => viewer.selectVm(v.id)).catch(onError) },
          v.name,
        ),
      ),
      ...(session.vms.length > 1
        ? [h('a', { href: `#/compare?vms=${session.vms.map((v) => v.id).join(',')}`, 'data-testid': 'lab-compare' }, 'side by side')]
        : []),
    );
    $('lab-tasks').replaceChildren(...session.tasks.map(taskItem));
  }

  const fetchSession = (labId, sessionId) => get(`/v1/labs/${enc(labId)}/sessions/${enc(sessionId)}`);
  /** The lab page of session `s` (its URL is the route). */
  const goToSession = (s) => navigate(`#/labs/${enc(s.labId)}/sessions/${enc(s.sessionId)}`);

  /** The lab page for one session (the route #/labs/<labId>/sessions/<sessionId>). */
  async function open(labId, sessionId) {
    grade = null;
    typed.clear();
    [session, lab] = await Promise.all([fetchSession(labId, sessionId), get(`/v1/labs/${enc(labId)}`)]);
    render();
    await viewer.loadVms(session.vms[0]?.id, session);
    await check();
  }

  function close() {
    session = null;
  }

  /** Start is idempotent on the server: the student's session of this lab if there is one (200), else a new one. */
  async function start(labId, mode) {
    const who = student.get();
    const body = { client: clientId(), ...(who ? { student: who } : {}) };
    try {
      goToSession(await post(`/v1/labs/${enc(labId)}/sessions`, { ...body, mode }));
    } catch (e) {
      if (e.status !== 409) throw e;
      // The student has this lab in the other mode: a Start without mode gives that session.
      offerOtherMode(labId, await post(`/v1/labs/${enc(labId)}/sessions`, body), mode);
    }
  }

  /** Beside the lab in the catalogue: open the session as it is, or start it over in `mode`. */
  function offerOtherMode(labId, existing, mode) {
    const open = () => goToSession(existing);
    const startOver = async () => goToSession(await post(`/v1/labs/${enc(labId)}/sessions/${enc(existing.sessionId)}/reset`, { mode }));
    const offer = h(
      'p',
      { class: 'mode-conflict', 'data-testid': `lab-mode-conflict-${labId}` },
      `You already have this lab in ${existing.mode} mode. `,
      h('button', { type: 'button', 'data-testid': `lab-open-existing-${labId}`, onclick: open }, `Open it (${existing.mode})`),
      ' ',
      h(
        'button',
        { type: 'button', 'data-testid': `lab-start-over-${labId}`, onclick: () => busy(startOver).catch(onError) },
        `Start over in ${mode} mode (fresh VMs, progress cleared)`,
      ),
    );
    $(`lab-${labId}`).querySelector('.mode-conflict')?.remove();
    $(`lab-${labId}`).append(offer);
  }

  async function runCall(method, path, shown, body, vmId) {
    const answer = await api(method, path, method === 'GET' ? undefined : (body ?? {}));
    viewer.showAnswer(`${method} ${shown}`, answer);
    await viewer.selectVm(vmId ?? viewer.vmId);
    await check();
  }

  async function check() {
    if (!session) return;
    grade = await get(`${sessionPath()}/check`);
    // Predict mode: a task's rule arrives with the session view once its predicted calls ran.
    if (grade.tasks.some((t) => t.predictions && !t.withheld && !session.tasks.find((s) => s.n === t.n)?.explain))
      session = await fetchSession(session.labId, session.sessionId);
    render();
  }

  async function refreshSession() {
    session = await fetchSession(session.labId, session.sessionId);
    render();
  }

  async function reset() {
    session = await post(`${sessionPath()}/reset`);
    grade = null;
    typed.clear();
    viewer.clearCall();
    render();
    await viewer.loadVms(session.vms[0]?.id, session);
  }

  async function predict(n, body) {
    try {
      await post(`${sessionPath()}/tasks/${n}/prediction`, body);
    } finally {
      // Stored now (or already, from another tab: a 409): the session view shows the task's
      // calls and the locked prediction; a fresh check grades it.
      await refreshSession().catch(() => render());
      await check();
    }
  }

  async function loadCatalogue() {
    const { labs } = await get('/v1/labs');
    $('labs').replaceChildren(
      ...labs.map((l) =>
        h(
          'li',
          { 'data-testid': `lab-${l.id}` },
          h('strong', {}, l.title),
          h('p', {}, l.goal),
          h(
            'button',
            { type: 'button', 'data-testid': `lab-start-${l.id}`, onclick: () => busy(() => start(l.id, 'guided')).catch(onError) },
            'Start',
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              'data-testid': `lab-predict-${l.id}`,
              onclick: () => busy(() => start(l.id, 'predict')).catch(onError),
              title: 'calls and outcomes stay hidden until you predict them',
            },
            'Start in predict mode',
          ),
        ),
      ),
    );
  }

  function wire() {
    $('lab-check').addEventListener('click', () => busy(check).catch(onError));
    $('lab-reset').addEventListener('click', () => {
      if (confirm('Reset this session? Its VMs are created afresh and progress is cleared.')) busy(reset).catch(onError);
    });
    viewer.onCall = () => (session ? check() : undefined);
  }

  return { wire, loadCatalogue, open, close, check };
}
