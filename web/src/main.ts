/** Dashboard entry: routes, navigation state, live connection indicator. */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { h } from './dom.ts';
import { startLive, onLiveStatus } from './live.ts';
import { devicePage, labelPage } from './pages/device.ts';
import { devicesPage } from './pages/devices.ts';
import { findingPage, findingsPage } from './pages/findings.ts';
import { overviewPage } from './pages/overview.ts';
import { uploadPage } from './pages/upload.ts';
import { profilePage, profilesPage } from './pages/profiles.ts';
import { sensorsPage } from './pages/sensors.ts';
import { currentLocation, match, route, type Cleanup } from './router.ts';
import { errorNotice } from './widgets.ts';
import { paletteCssVariables } from '../../src/output/palette.ts';

route('/', 'Overview', overviewPage);
route('/devices', 'Devices', devicesPage);
route('/devices/:id', 'Device', devicePage);
route('/devices/:id/label', 'Security label', labelPage);
route('/findings', 'Findings', findingsPage);
route('/findings/:id', 'Finding', findingPage);
route('/sensors', 'Sensors', sensorsPage);
route('/upload', 'Upload', uploadPage);
route('/profiles', 'Device profiles', profilesPage);
route('/profiles/:mac', 'Device profile', profilePage);

// Grade, severity and verdict colours: the one palette (CSSOM custom properties, allowed by the strict CSP).
for (const [name, value] of Object.entries(paletteCssVariables())) document.documentElement.style.setProperty(name, value);

const main = document.getElementById('main') as HTMLElement;
let cleanup: Cleanup | undefined;

async function render(): Promise<void> {
  const { parts, query } = currentLocation();
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } cleanup = undefined; }
  const found = match(parts);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav.site a')) {
    const section = a.getAttribute('href')?.replace(/^#\/?/, '') ?? '';
    if (section === (parts[0] ?? '')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!found) {
    main.replaceChildren(h('h1', null, 'Page not found'), h('p', null, h('a', { href: '#/' }, 'Back to the overview')));
    document.title = 'Not found · Bulwark';
    return;
  }
  document.title = `${found.route.title} · Bulwark`;
  window.scrollTo(0, 0);
  try {
    cleanup = (await found.route.page(main, found.params, query)) ?? undefined;
  } catch (err) {
    main.replaceChildren(errorNotice(err));
  }
  // Move focus to the new page's heading for screen-reader and keyboard users.
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => void render());
const indicator = document.getElementById('live');
onLiveStatus((connected) => {
  if (!indicator) return;
  indicator.textContent = connected ? 'Live' : 'Offline';
  indicator.className = connected ? 'live on' : 'live off';
  indicator.title = connected ? 'Receiving live updates from the server' : 'Not receiving live updates; pages refresh when opened';
});
startLive();
void render();

// The skip link must not change the hash (that is the router's).
document.querySelector('a.skip')?.addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
