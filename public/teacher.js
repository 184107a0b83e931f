// The teachers' page (/ui/teacher.html): reads GET /v1/teacher/progress (with a teacher
// token when the server has tokens) and draws one row per student: sessions with their
// tasks, and quiz scores.
import { get, token } from './api.js';
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

function sessionLine(s) {
  return h('div', { 'data-testid': 'session' }, h('strong', {}, s.labId), ` (${s.mode}) ${s.tasksPassed}/${s.taskCount} `, ...s.tasks.map(taskCell));
}

const studentRow = (st) =>
  h(
    'tr',
    { 'data-testid': 'student' },
    h('td', {}, st.student),
    h('td', {}, ...(st.sessions.length ? st.sessions.map(sessionLine) : [none()])),
    h('td', {}, ...(st.quizzes.length ? st.quizzes.map(quizLine) : [none()])),
  );

async function load() {
  const status = $('status');
  const table = $('progress');
  try {
    const { students } = await get('/v1/teacher/progress');
    table.querySelector('tbody').replaceChildren(...students.map(studentRow));
    table.hidden = false;
    status.textContent = students.length ? `${students.length} student(s)` : 'No sessions or submissions yet.';
  } catch (error) {
    table.hidden = true;
    status.textContent = error.message;
  }
}

const input = $('token');
input.value = token.get();
input.addEventListener('change', () => {
  token.set(input.value.trim());
  busy(load);
});
$('refresh').addEventListener('click', () => busy(load));
busy(load);
