// Entry point: wires the viewer, the labs and the side-by-side view, and routes by the URL's
// hash so every view is bookmarkable without a server route:
//   #/                                   viewer + lab catalogue
//   #/labs/<labId>/sessions/<sessionId>  lab page: the session's tasks beside the viewer
//   #/compare?vms=<id>,<id>[,<id>]       side by side
// `?as=teacher` on a lab page's hash reads it with the teacher token (the teacher page's links).
import { actAs, activeRole, serverIsOpen, teacherTokenWorks, tokens } from './api.js';
import { $, busy } from './dom.js';
import { createCompare } from './compare.js';
import { createForms } from './create.js';
import { createLabs, student } from './labs.js';
import { createViewer } from './viewer.js';

/** A 401: the server needs a token this browser does not have (or has a wrong one): ask for it, and keep asking. */
function askForToken(e) {
  const prompt = $('token-prompt');
  $('token-prompt-detail').textContent = activeRole() ? `The ${activeRole()} token was refused: ${e.detail ?? e.message}` : (e.detail ?? e.message);
  prompt.querySelector(`input[value="${activeRole() ?? 'student'}"]`).checked = true;
  if (prompt.hidden) {
    prompt.hidden = false;
    $('token-prompt-input').focus();
  }
}

function showError(e) {
  if (e?.status === 401) return askForToken(e);
  const box = $('error');
  box.textContent = e instanceof Error ? e.message : String(e);
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => (box.hidden = true), 8000);
}

const navigate = (hash) => {
  if (location.hash === hash) route();
  else location.hash = hash;
};

const viewer = createViewer({ onError: showError });
const labs = createLabs({ viewer, onError: showError, navigate });
const compare = createCompare({ onError: showError });
const forms = createForms({ viewer, onError: showError });
viewer.onVm = forms.followVm;

/** Which page the hash names; the same parse serves the router and the tests' URLs. */
export function parseRoute(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'labs' && parts[2] === 'sessions' && parts[3])
    return { page: 'lab', labId: parts[1], sessionId: parts[3], as: new URLSearchParams(query).get('as') };
  if (parts[0] === 'compare') return { page: 'compare', params: new URLSearchParams(query) };
  return { page: 'viewer' };
}

/** Which token the route's calls send: the teacher's for a page opened `as=teacher`, else the stored one. */
const actForRoute = (r) => actAs(r.as === 'teacher' ? 'teacher' : null);

const route = () => busy(showRoute);

async function showRoute() {
  const r = parseRoute(location.hash);
  document.body.dataset.page = r.page;
  actForRoute(r);
  showTokens();
  $('viewer-page').hidden = r.page === 'compare';
  $('compare-page').hidden = r.page !== 'compare';
  $('labs-panel').hidden = r.page !== 'viewer';
  $('lab-page').hidden = r.page !== 'lab';
  $('create-panel').hidden = r.page !== 'viewer';
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.page === r.page);
  try {
    if (r.page === 'lab') await labs.open(r.labId, r.sessionId);
    else {
      labs.close();
      if (r.page === 'compare') await compare.open(r.params);
      else await viewer.loadVms();
    }
  } catch (e) {
    showError(e);
  }
}

/** The header says which tokens this browser keeps, each with its log-out. */
function showTokens() {
  $('token').value = tokens.student.get();
  $('logout-student').hidden = !tokens.student.get();
  $('teacher-signed-in').hidden = !tokens.teacher.get();
}

/** The Teacher link, for a stored teacher token the server accepts as one, or on an open server (no roles: its page answers everyone). */
async function showTeacherLink() {
  $('nav-teacher').hidden = !(serverIsOpen() || (await teacherTokenWorks()));
}

/** A new or dropped token: start over with it (every panel was loaded with the old one). */
function useToken(role, value) {
  tokens[role].set(value);
  if (role === 'teacher' && !value && parseRoute(location.hash).as === 'teacher') location.hash = '#/';
  location.reload();
}

function wireHeader() {
  const tokenInput = $('token');
  tokenInput.addEventListener('change', () => useToken('student', tokenInput.value.trim()));
  $('logout-student').addEventListener('click', () => useToken('student', ''));
  $('logout-teacher').addEventListener('click', () => useToken('teacher', ''));
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    useToken(String(f.get('role')), String(f.get('token')).trim());
  });
  showTokens();
  const who = $('student');
  who.value = student.get();
  who.addEventListener('change', () => student.set(who.value.trim()));
}

async function main() {
  actForRoute(parseRoute(location.hash));
  wireHeader();
  viewer.wire();
  labs.wire();
  compare.wire(navigate);
  forms.wire();
  window.addEventListener('hashchange', route);
  await busy(() => labs.loadCatalogue()).catch(showError);
  await route();
  await busy(showTeacherLink).catch(showError);
}

main();
