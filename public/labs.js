// The labs panel: list labs, start a session (its VMs appear in the VM picker), show the
// tasks as the exact calls to make, and ask the server to check the session's state.
import { get, post } from './api.js';

const $ = (sel) => document.querySelector(sel);
const STORE = 'prefault-lab.session';

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const resolve = (path, vms) => path.replace(/\{vm:([A-Za-z0-9_-]+)\}/g, (whole, name) => vms.find((v) => v.name === name)?.id ?? whole);

export function createLabsPanel({ onSession, onUseCall, onError }) {
  let session = null;
  let lab = null;

  function renderTasks(grade) {
    const list = $('[data-testid="lab-tasks"]');
    list.replaceChildren();
    for (const task of lab.tasks) {
      const g = grade?.tasks.find((t) => t.n === task.n);
      const item = h('li', { 'data-testid': `lab-task-${task.n}`, ...(g ? { 'data-passed': g.passed } : {}) }, h('span', { class: 'task-title' }, task.title));
      item.append(h('p', { class: 'explain' }, task.explain));
      for (const call of task.calls) {
        const path = resolve(call.path, session.vms);
        const usable = /\/(pre-fault|access)$/.test(path) && call.method === 'POST';
        item.append(h('code', {}, `${call.method} ${path}${call.body ? ` ${JSON.stringify(call.body)}` : ''}`));
        if (usable) item.append(h('button', { type: 'button', onclick: () => onUseCall({ ...call, path }) }, 'Use in form'));
      }
      for (const c of g?.checks ?? []) item.append(h('p', { class: c.passed ? 'hint ok' : 'hint' }, c.passed ? `\u2713 ${c.detail}` : `${c.hint} (${c.detail})`));
      list.append(item);
    }
  }

  async function open(s) {
    session = s;
    lab = await get(`/v1/labs/${encodeURIComponent(s.labId)}`);
    $('[data-testid="lab-session"]').hidden = false;
    $('[data-testid="lab-session-title"]').textContent = lab.title;
    renderTasks(null);
    await onSession(s);
  }

  async function start(labId) {
    try {
      const created = await post(`/v1/labs/${encodeURIComponent(labId)}/sessions`);
      const s = { labId, sessionId: created.sessionId, vms: created.vms };
      localStorage.setItem(STORE, JSON.stringify(s));
      await open(s);
    } catch (e) {
      onError(e);
    }
  }

  async function check() {
    if (!session) return;
    try {
      const grade = await get(`/v1/labs/${encodeURIComponent(session.labId)}/sessions/${encodeURIComponent(session.sessionId)}/check`);
      renderTasks(grade);
    } catch (e) {
      onError(e);
    }
  }

  async function load() {
    const { labs } = await get('/v1/labs');
    $('[data-testid="labs"]').replaceChildren(
      ...labs.map((l) =>
        h(
          'li',
          { 'data-testid': `lab-${l.id}` },
          h('strong', {}, l.title),
          h('p', {}, l.goal),
          h('button', { type: 'button', 'data-testid': `lab-start-${l.id}`, onclick: () => start(l.id) }, 'Start'),
        ),
      ),
    );
    $('[data-testid="lab-check"]').addEventListener('click', check);
    const saved = localStorage.getItem(STORE);
    if (saved) await open(JSON.parse(saved)).catch(() => localStorage.removeItem(STORE));
  }

  return { load, check };
}
