// Entry point: wires the viewer, the labs and the side-by-side view, and routes by the URL's
// hash so every view is bookmarkable without a server route:
//   #/                                   viewer + lab catalogue
//   #/labs/<labId>/sessions/<sessionId>  lab page: the session's tasks beside the viewer
//   #/compare?vms=<id>,<id>[,<id>]       side by side
import { token } from './api.js';
import { $, busy } from './dom.js';
import { createCompare } from './compare.js';
import { createLabs, student } from './labs.js';
import { createViewer } from './viewer.js';

function showError(e) {
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

/** Which page the hash names; the same parse serves the router and the tests' URLs. */
export function parseRoute(hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'labs' && parts[2] === 'sessions' && parts[3]) return { page: 'lab', labId: parts[1], sessionId: parts[3] };
  if (parts[0] === 'compare') return { page: 'compare', params: new URLSearchParams(query) };
  return { page: 'viewer' };
}

const route = () => busy(showRoute);

async function showRoute() {
  const r = parseRoute(location.hash);
  document.body.dataset.page = r.page;
  $('viewer-page').hidden = r.page === 'compare';
  $('compare-page').hidden = r.page !== 'compare';
  $('labs-panel').hidden = r.page !== 'viewer';
  $('lab-page').hidden = r.page !== 'lab';
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

function wireHeader() {
  const tokenInput = $('token');
  tokenInput.value = token.get();
  tokenInput.addEventListener('change', () => {
    token.set(tokenInput.value.trim());
    location.reload();
  });
  const who = $('student');
  who.value = student.get();
  who.addEventListener('change', () => student.set(who.value.trim()));
}

async function main() {
  wireHeader();
  viewer.wire();
  labs.wire();
  compare.wire(navigate);
  window.addEventListener('hashchange', route);
  await busy(() => labs.loadCatalogue()).catch(showError);
  await route();
}

main();
