// Browser check of the running demo (issue 16, item 7): crawls same-origin
// links from the home page, the kiosk, the site map and the back-office
// dashboard of each demo role, and at 320, 390 and 1,366 CSS px fails on any
// axe-core violation (wcag2a, wcag2aa, wcag21a, wcag21aa) and on any
// horizontal overflow (document.documentElement.scrollWidth > innerWidth).
// Screenshots go to OUT. Driven by crates/gongkai/tests/browser.rs.
//
// Environment: GK_BASE (server), GK_ACCOUNTS (JSON [[user, password], …]),
// GK_OUT (screenshot directory), GK_NODE_MODULES (where axe-core and
// playwright-core are installed), GK_CHROMIUM (browser binary),
// GK_MAX_PAGES (pages per visitor, default 45), GK_PER_PATTERN (pages per
// URL shape, default 1; back-office shapes are shared by all roles).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.GK_NODE_MODULES, 'x.js'));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BASE = process.env.GK_BASE;
const OUT = process.env.GK_OUT;
const ACCOUNTS = JSON.parse(process.env.GK_ACCOUNTS || '[]');
const MAX_PAGES = Number(process.env.GK_MAX_PAGES || 45);
const PER_PATTERN = Number(process.env.GK_PER_PATTERN || 1);
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
fs.mkdirSync(OUT, { recursive: true });

// Links never followed: state switches, sign-out, and files to download.
const SKIP = [/^\/admin\/logout/, /^\/script\b/, /^\/care\b/, /^\/attachments\//, /\/download\b/, /\/feed\.(rss|atom)/,
  /\.(docx|xlsx|json|pdf|txt|svg|css|js|png|jpe?g|zip|csv|xml|rss|atom)(\?|$)/, /\/api\//, /\/export\b/, /[?&]format=/];

function shape(u) {
  // One "shape" per path with numbers replaced and the query's names only.
  const url = new URL(u);
  const names = [...url.searchParams.keys()].sort().join(',');
  return url.pathname.replace(/\d+/g, 'N') + '?' + names;
}

const failures = [];
let checked = 0;

// URL shapes already checked by any back-office visitor: roles share
// templates, so each shape is checked once across them.
const adminShapes = new Map();

async function crawl(browser, label, { care = false, login = null, start, max = MAX_PAGES }) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', acceptDownloads: false, bypassCSP: true });
  if (care) await context.addCookies([{ name: 'gk_care', value: '1', url: BASE }]);
  const page = await context.newPage();
  if (login) {
    await page.goto(BASE + '/admin/login');
    await page.fill('#username', login[0]);
    await page.fill('#password', login[1]);
    await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
    if (page.url().includes('/admin/login')) { failures.push(`${label}: login failed`); await context.close(); return; }
  }
  const queue = start.map(p => BASE + p);
  const seen = new Set(queue);
  const shapes = login ? adminShapes : new Map();
  let visited = 0;
  while (queue.length && visited < max) {
    const url = queue.shift();
    const sh = shape(url);
    // A start page is always checked, so every role's own links are followed.
    if ((shapes.get(sh) || 0) >= PER_PATTERN && !start.includes(url.slice(BASE.length))) continue;
    shapes.set(sh, (shapes.get(sh) || 0) + 1);
    visited++;
    const name = `${label}-${String(visited).padStart(2, '0')}-${sh.replace(/[^a-zA-Z0-9]+/g, '_').slice(0, 60)}`;
    // Load once at the widest size (links are collected there), then narrow
    // the viewport: media queries apply again without a reload.
    await page.setViewportSize({ width: 1366, height: 900 });
    let res;
    try { res = await page.goto(url, { waitUntil: 'load', timeout: 30000 }); } catch (e) { failures.push(`${label} ${url}: ${e.message}`); continue; }
    const status = res ? res.status() : 0;
    if (status >= 500 || status === 404) failures.push(`${label} ${url}: HTTP ${status}`);
    const ct = res ? (res.headers()['content-type'] || '') : '';
    if (!ct.startsWith('text/html')) continue;
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.href));
    await page.addScriptTag({ content: axeSource }).catch(() => {});
    for (const width of [1366, 390, 320]) {
      await page.setViewportSize({ width, height: width < 1000 ? 800 : 900 });
      await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
      const overflow = await page.evaluate(() => {
        const d = document.documentElement;
        if (d.scrollWidth <= window.innerWidth) return null;
        // Name the widest elements to make the failure actionable.
        const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ` (${Math.round(e.getBoundingClientRect().right)}px)`);
        return `${d.scrollWidth}px > ${window.innerWidth}px: ${wide.join(', ')}`;
      });
      if (overflow) failures.push(`${label} ${url} @${width}: horizontal overflow ${overflow}`);
      const result = await page.evaluate(async (tags) => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
      }, TAGS).catch(e => [`axe failed: ${e.message}`]);
      for (const v of result) failures.push(`${label} ${url} @${width}: ${v}`);
      checked++;
      if (width !== 1366 || visited <= 12) await page.screenshot({ path: path.join(OUT, `${name}-${width}.png`) }).catch(() => {});
    }
    for (const l of links) {
      let u;
      try { u = new URL(l); } catch { continue; }
      if (u.origin !== new URL(BASE).origin) continue;
      u.hash = '';
      if (SKIP.some(re => re.test(u.pathname + u.search))) continue;
      const s = u.toString();
      if (!seen.has(s)) { seen.add(s); queue.push(s); }
    }
  }
  console.log(`${label}: ${visited} pages`);
  await context.close();
}

async function named(browser, label, url, width, height, care = false) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  if (care) await context.addCookies([{ name: 'gk_care', value: '1', url: BASE }]);
  const page = await context.newPage();
  await page.goto(BASE + url, { waitUntil: 'load' });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth ? document.documentElement.scrollWidth : 0);
  if (overflow) failures.push(`${label} ${url} @${width}x${height}: horizontal overflow ${overflow}px`);
  await page.screenshot({ path: path.join(OUT, `${label}.png`), fullPage: true });
  await context.close();
}

// Signed in as `account`: the dashboard, and the first letter of the organisation's cases
// (checked with axe like the crawled pages), as full-page screenshots to look at.
async function staffShots(browser, [user, password], wantLetter) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(BASE + '/admin/login');
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  await page.goto(BASE + '/admin', { waitUntil: 'load' });
  await page.screenshot({ path: path.join(OUT, `dashboard-${user}.png`), fullPage: true });
  let letter = null;
  if (wantLetter) {
    await page.goto(BASE + '/admin/applications', { waitUntil: 'load' });
    const cases = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => /^\/admin\/applications\/\d+$/.test(h)));
    for (const c of cases.slice(0, 20)) {
      await page.goto(BASE + c, { waitUntil: 'load' });
      letter = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).find(h => /^\/admin\/letters\/\d+$/.test(h)) || null);
      if (letter) break;
    }
    if (letter) {
      await page.goto(BASE + letter, { waitUntil: 'load' });
      await page.addScriptTag({ content: axeSource }).catch(() => {});
      const result = await page.evaluate(async (tags) => {
        const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
      }, TAGS).catch(e => [`axe failed: ${e.message}`]);
      for (const v of result) failures.push(`letter ${letter}: ${v}`);
      checked++;
      await page.screenshot({ path: path.join(OUT, `letter-${user}.png`), fullPage: true });
    }
  }
  await context.close();
  return letter;
}

const browser = await chromium.launch({
  executablePath: process.env.GK_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
try {
  await crawl(browser, 'public', { start: ['/', '/sitemap', '/org/yuantan', '/org/yuantan/xxgk'] });
  await crawl(browser, 'care', { care: true, max: 15, start: ['/', '/sitemap', '/org/yuantan/xxgk', '/org/yuantan/reports'] });
  await crawl(browser, 'kiosk', { start: ['/kiosk', '/org/yuantan/led'] });
  for (const [user, password] of ACCOUNTS) await crawl(browser, `admin-${user}`, { login: [user, password], start: ['/admin'] });
  // Each role's dashboard, and one letter as staff see it.
  let letterShown = false;
  for (const account of ACCOUNTS) letterShown = (await staffShots(browser, account, !letterShown)) !== null || letterShown;
  if (!letterShown) failures.push('no letter found among the demo cases to check');
  // Named screenshots to look at (full page).
  const report = (await (await fetch(BASE + '/org/yuantan/reports')).text()).match(/href="(\/org\/yuantan\/reports\/\d{4})"/);
  const item = (await (await fetch(BASE + '/org/yuantan/xxgk')).text()).match(/href="(\/item\/\d+)"/);
  // The annual report as the kiosk shows it: the first item of the 年报 column.
  const kioskOrg = await (await fetch(BASE + '/org/yuantan/kiosk')).text();
  const reportList = kioskOrg.match(/href="(\/org\/yuantan\/kiosk\/list\?cat=\d+)">信息公开年报/);
  const kioskReport = reportList ? (await (await fetch(BASE + reportList[1])).text()).match(/href="(\/org\/yuantan\/kiosk\/item\/\d+)"/) : null;
  const shots = [['home-1366', '/', 1366, 900], ['home-390', '/', 390, 844], ['column-390', '/org/yuantan/xxgk', 390, 844],
    ['column-1366', '/org/yuantan/xxgk', 1366, 900], ['item-390', item ? item[1] : '/', 390, 844], ['item-1366', item ? item[1] : '/', 1366, 900],
    ['report-390', report ? report[1] : '/', 390, 844], ['report-1366', report ? report[1] : '/', 1366, 900],
    ['kiosk-portrait', '/kiosk', 1080, 1920], ['kiosk-org-portrait', '/org/yuantan/kiosk', 1080, 1920],
    ['kiosk-report-portrait', kioskReport ? kioskReport[1] : '/kiosk', 1080, 1920],
    ['led-1920', '/org/yuantan/led', 1920, 1080], ['error-404-390', '/no-such-page', 390, 844], ['sitemap-390', '/sitemap', 390, 844],
    ['sheet-a4', item ? '/org/yuantan/board-sheet?items=' + item[1].split('/').pop() + '&paper=A4' : '/', 900, 1300],
    ['sheet-a3', item ? '/org/yuantan/board-sheet?items=' + item[1].split('/').pop() + '&paper=A3' : '/', 1200, 1700]];
  for (const [label, url, w, h] of shots) await named(browser, label, url, w, h);
  for (const [label, url] of [['care-home-390', '/'], ['care-column-390', '/org/yuantan/xxgk'], ['care-item-390', item ? item[1] : '/'], ['care-report-390', report ? report[1] : '/']]) {
    await named(browser, label, url, 390, 844, true);
  }
} finally {
  await browser.close();
}
console.log(`checked ${checked} page views; screenshots in ${OUT}`);
if (failures.length) {
  console.log(`FAILURES (${failures.length}):`);
  for (const f of failures) console.log('  ' + f);
  process.exit(1);
}
console.log('no axe violations and no horizontal overflow');
