// The teachers' page (/ui/teacher.html): reads GET /v1/teacher/progress (with a teacher
// token when the server has tokens) and draws the assignments with every student's grade,
// then one row per student: sessions with their tasks, and quiz scores. Download CSV saves
// GET /v1/teacher/progress.csv (fetched with the token: a plain link could not send it).
// The page keeps the teacher token under its own key: a student token stored in the same
// browser stays the viewer's.
import { actAs, get, getText, tokens } from './api.js';
import { $, busy, h } from './dom.js';

const shown = (v) => (v && typeof v === 'object' ? JSON.stringify(v) : String(v));
const none = () => h('span', { class: 'muted' }, 'none');

/** A task cell: passed or not, and its prediction: right, wrong, or its call not run yet. */
function taskCell(task) {
  const fields = Object.entries(task.predictions ?? {});
  const pending = fields.some(([, p]) => p.correct === undefined);
  const right = fields.length > 0 && !pending && fields.every(([, p]) => p.correct);
  const verdict = fields.length === 0 ? '' : pending ? 'pending' : right ? 'right' : 'wrong';
  const mark = { '': '', pending: '\u2026', right: '\u2713', wrong: '\u2717' }[verdict];
  const lines = [`task ${task.n}${task.passed ? `: passed ${task.passedAt ?? ''}` : ''}`];
  if (task.predictedAt) lines.push(`predicted ${task.predictedAt}`);
  for (const [field, p] of fields)
    lines.push(
      `${field}: predicted ${shown(p.given)}${p.correct === undefined ? ', call not run yet' : `, kernel did ${shown(p.actual)} (${p.correct ? 'right' : 'wrong'})`}`,
    );
  return h(
    'span',
    { class: ['task', task.passed ? 'passed' : '', verdict].join(' ').trim(), title: lines.join('\n'), 'data-prediction': verdict },
    `${task.n}${mark}`,
    task.passed ? h('span', { class: 'sr-only' }, ' passed') : null,
  );
}

/** A quiz: best and first score of the student's attempts, and how many. */
function quizLine(q) {
  const title = `first ${q.first.score}/${q.of} at ${q.first.submittedAt}\nbest ${q.best.score}/${q.of} at ${q.best.submittedAt}\nlast ${q.last.score}/${q.of} at ${q.last.submittedAt}`;
  return h(
    'div',
    { 'data-testid': 'quiz', title },
    `${q.topic}: best ${q.best.score}/${q.of}, first ${q.first.score}/${q.of}, ${q.count} attempt${q.count === 1 ? '' : 's'}`,
  );
}

/** A session's tasks, and a link to its lab page, read with the teacher token (which changes nothing of it). */
function sessionLine(s, student) {
  const page = `/#/labs/${encodeURIComponent(s.labId)}/sessions/${encodeURIComponent(s.sessionId)}?as=teacher`;
  return h(
    'div',
    { 'data-testid': 'session' },
    h('strong', {}, s.labId),
    ` (${s.mode}) ${s.tasksPassed}/${s.taskCount} `,
    ...s.tasks.map(taskCell),
    ' ',
    h(
      'a',
      {
        href: page,
        'data-testid': 'open-session',
        title: "the student's lab page, read-only",
        'aria-label': `open ${student}'s ${s.labId} lab page, read-only`,
      },
      'open',
    ),
  );
}

const studentRow = (st) =>
  h(
    'tr',
    { 'data-testid': 'student' },
    h('td', {}, st.student),
    h('td', {}, ...(st.sessions.length ? st.sessions.map((s) => sessionLine(s, st.student)) : [none()])),
    h('td', {}, ...(st.quizzes.length ? st.quizzes.map(quizLine) : [none()])),
  );

/** One student's grade for an assignment: score of out-of, and what did not count. */
function gradeLine(g) {
  const extra = [g.started ? '' : 'not started', g.late ? `${g.late} late` : ''].filter(Boolean).join(', ');
  const title = g.attempts === undefined ? '' : `${g.attempts} attempt(s), ${g.counted} counted`;
  return h('div', { 'data-testid': 'grade', title }, `${g.student}: ${g.score}/${g.outOf}${extra ? ` (${extra})` : ''}`);
}

const assignmentRow = (a) =>
  h(
    'tr',
    { 'data-testid': 'assignment' },
    h('td', {}, h('strong', {}, a.title), ` ${a.kind} ${a.item}${a.mode ? ` (${a.mode})` : ''}`),
    h('td', {}, a.deadline ?? 'none'),
    h('td', {}, ...(a.students.length ? a.students.map(gradeLine) : [none()])),
  );

async function downloadCsv() {
  try {
    const csv = await getText('/v1/teacher/progress.csv');
    const href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    h('a', { href, download: 'progress.csv' }).click();
    // The download has started from the blob by then; revoking at once may cancel it.
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  } catch (error) {
    showProblem(error);
  }
}

/** A refusal: a 401 or 403 asks for a teacher token, in plain words; anything else as the server said it. */
function showProblem(error) {
  const status = $('status');
  const ask = {
    401: 'This server runs with tokens: paste your teacher token in the field above.',
    403: 'This token is not a teacher token: paste your teacher token in the field above.',
  }[error.status];
  status.textContent = ask ? `${ask} (${error.detail ?? error.message})` : error.message;
  status.setAttribute('role', 'alert');
  if (ask) $('token').focus();
}

async function load() {
  const status = $('status');
  const table = $('progress');
  try {
    const { students, assignments } = await get('/v1/teacher/progress');
    const section = $('assignments');
    section.querySelector('tbody').replaceChildren(...assignments.map(assignmentRow));
    section.hidden = assignments.length === 0;
    table.querySelector('tbody').replaceChildren(...students.map(studentRow));
    table.hidden = false;
    status.textContent = students.length ? `${students.length} student(s)` : 'No sessions or submissions yet.';
  } catch (error) {
    table.hidden = true;
    $('assignments').hidden = true;
    showProblem(error);
  }
}

actAs('teacher');
const input = $('token');
const logout = $('logout');
const showToken = () => {
  input.value = tokens.teacher.get();
  logout.hidden = !tokens.teacher.get();
};
const useToken = (value) => {
  tokens.teacher.set(value);
  showToken();
  busy(load);
};
showToken();
input.addEventListener('change', () => useToken(input.value.trim()));
logout.addEventListener('click', () => useToken(''));
$('refresh').addEventListener('click', () => busy(load));
$('download-csv').addEventListener('click', () => busy(downloadCsv));
busy(load);
