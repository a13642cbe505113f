// Drives a notebook in JupyterLab with headless Chromium and reports what a
// person would see. tests/test_browser.py starts the server, writes the
// notebook and a plan, runs `node run_notebook.mjs plan.json`, and asserts on
// the JSON this script writes to plan.result. This script only drives and
// waits; the assertions live in Python.
//
// Plan (JSON):
//   url          the notebook's /lab/tree/... URL, token included
//   origin       the only origin the page may reach (http://127.0.0.1:PORT)
//   chromium     path of the Chromium binary (never downloaded)
//   userDataDir  a fresh, empty profile directory
//   screenshot   where to write the PNG for humans
//   result       where to write the result JSON
//   cells        [{expect: {selector, text?}, shot?, drag?}], one per code cell to run,
//                in order; shot: write a screenshot of the cell's first output image
//                there; drag {handle, dx, image}: then drag the handle (a widget
//                slider's) dx pixels, wait until the image is drawn anew and the
//                kernel is idle, and report the image before and after (data
//                URLs), the slider's readout and the cell's outputs
//   complete     [{cell, type}]: type `type` into code cell `cell`, press Tab
//   reload       {cell, selector}: at the end, save the notebook, reload the page
//                and report the text of selector in code cell `cell` (widgets
//                come back from the kernel's state)
//   timeouts     {load, cell, complete} in ms
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const result = {
  kernelName: null, statusBar: null, statusBarAfter: null, dialogs: [], cells: [], completions: [],
  blocked: [], pageErrors: [], screenshot: null, error: null, timings: {},
};
const t0 = Date.now();
const mark = (name) => { result.timings[name] = (Date.now() - t0) / 1000; };

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// What a cell shows: its prompt and each output's MIME type, text, tables,
// images and progress bars.
async function snapshot(cell) {
  return cell.evaluate((el) => {
    const prompt = el.querySelector('.jp-InputArea-prompt')?.textContent.trim() ?? null;
    const outputs = [...el.querySelectorAll('.jp-OutputArea-output')].map((o) => ({
      mime: o.getAttribute('data-mime-type'),
      classes: o.className,
      text: o.innerText,
      tables: [...o.querySelectorAll('table')].map((t) =>
        [...t.querySelectorAll('tr')].map((tr) =>
          [...tr.querySelectorAll('th,td')].map((c) => c.textContent.trim()))),
      images: [...o.querySelectorAll('img')].map((img) => ({
        src: img.src.slice(0, 30), complete: img.complete,
        naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
        width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height,
      })),
      progress: [...o.querySelectorAll('progress')].map((p) => ({ value: p.value, max: p.max })),
    }));
    return { prompt, outputs };
  });
}

// drag moves a slider's handle as a person does (press, move, release) and
// waits for the plot the slider drives to be drawn again.
async function drag(page, cell, spec) {
  const img = cell.locator(spec.image).first();
  const before = await img.getAttribute('src');
  const handle = cell.locator(spec.handle).first();
  await handle.scrollIntoViewIfNeeded();
  const box = await handle.boundingBox();
  const x = box.x + box.width / 2, y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + spec.dx, y, { steps: 12 });
  await page.mouse.up();
  const deadline = Date.now() + plan.timeouts.cell;
  while (Date.now() < deadline && (await img.getAttribute('src').catch(() => before)) === before) {
    await page.waitForTimeout(100);
  }
  // Every update the drag sent has been served once the kernel is idle.
  await page.waitForFunction(
    () => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText ?? ''),
    null, { timeout: plan.timeouts.cell });
  await page.waitForTimeout(500);
  return {
    before,
    after: await img.getAttribute('src'),
    readout: (await cell.locator('.widget-readout').first().innerText()).trim(),
  };
}

// reload saves the notebook, loads the page again and reads what a cell's
// widget shows once the widget manager has fetched the kernel's state.
async function reload(page, spec) {
  const rec = { ok: false, text: null, widgetErrors: [] };
  try {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+s');
    await page.waitForFunction(
      () => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-mod-dirty, .lm-TabBar-tab.jp-mod-dirty'),
      null, { timeout: plan.timeouts.cell });
    await page.reload({ timeout: plan.timeouts.load });
    const cells = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell');
    await cells.first().waitFor({ state: 'visible', timeout: plan.timeouts.load });
    const want = cells.nth(spec.cell).locator(spec.selector).first();
    await want.waitFor({ state: 'visible', timeout: plan.timeouts.cell });
    rec.text = (await want.innerText()).trim();
    rec.widgetErrors = await page.locator('.jupyter-widgets').filter({ hasText: /Error displaying widget/ }).allInnerTexts();
    rec.ok = true;
  } catch (e) {
    rec.failure = String(e).split('\n')[0];
  }
  return rec;
}

async function dialogText(page) {
  return page.locator('.jp-Dialog').allInnerTexts().catch(() => []);
}

const userDataDir = plan.userDataDir;
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: plan.chromium,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 2000 },
  });
  // The page may reach the Jupyter server and nothing else.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(plan.origin + '/') || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    result.blocked.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => result.pageErrors.push(String(e)));

  await page.goto(plan.url, { timeout: plan.timeouts.load });
  const cells = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell');
  await cells.first().waitFor({ state: 'visible', timeout: plan.timeouts.load });
  mark('notebook_open');

  // The kernel: the toolbar names it, the status bar says it is idle. The
  // widget manager talks to the kernel right after it connects (a comm
  // message is busy, then idle, as in ipykernel): idle twice, a second
  // apart, is idle for good.
  const statusBar = page.locator('#jp-main-statusbar');
  const idle = () => page.waitForFunction(
    () => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText ?? ''),
    null, { timeout: plan.timeouts.load });
  try {
    await idle();
    await page.waitForTimeout(1000);
    await idle();
  } catch (e) {
    result.dialogs = await dialogText(page);
    throw new Error(`kernel never became idle; status bar: ${await statusBar.innerText()}`);
  }
  mark('kernel_idle');
  result.kernelName = (await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="kernelName"]')
    .first().innerText()).trim();
  result.statusBar = (await statusBar.innerText()).replace(/\s+/g, ' ').trim();

  // Run the cells one by one, as a person does: click into it, Shift+Enter.
  for (const [i, spec] of plan.cells.entries()) {
    const cell = cells.nth(i);
    const rec = { index: i, ok: false, seconds: null, waited: null };
    result.cells.push(rec);
    const start = Date.now();
    try {
      await cell.locator('.cm-content').click();
      await page.keyboard.press('Shift+Enter');
      // Finished when the prompt shows an execution count: "[ ]" before, "[*]" while running.
      await cell.locator('.jp-InputArea-prompt').filter({ hasText: /\[\d+\]/ })
        .waitFor({ timeout: plan.timeouts.cell });
      if (spec.expect) {
        rec.waited = spec.expect;
        let want = cell.locator(spec.expect.selector);
        if (spec.expect.text) want = want.filter({ hasText: new RegExp(spec.expect.text) });
        await want.first().waitFor({ state: 'visible', timeout: plan.timeouts.cell });
      }
      if (spec.shot) {
        await cell.locator('.jp-OutputArea-output img').first().screenshot({ path: spec.shot });
        rec.shot = spec.shot;
      }
      if (spec.drag) rec.drag = await drag(page, cell, spec.drag);
      rec.ok = true;
    } catch (e) {
      rec.failure = String(e).split('\n')[0];
    }
    rec.seconds = (Date.now() - start) / 1000;
    Object.assign(rec, await snapshot(cell));
    await cell.scrollIntoViewIfNeeded().catch(() => {});
  }
  mark('cells_run');

  // Code completion: type, press Tab, see the completer (or an inline
  // completion when there is a single match).
  for (const [k, spec] of (plan.complete ?? []).entries()) {
    const cell = cells.nth(spec.cell);
    const editor = cell.locator('.cm-content');
    const rec = { typed: spec.type, popup: false, items: [], editorText: null };
    result.completions.push(rec);
    try {
      await editor.click();
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Backspace');
      await page.keyboard.type(spec.type, { delay: 20 });
      await page.keyboard.press('Tab');
      const completer = page.locator('.jp-Completer:not(.lm-mod-hidden)');
      const deadline = Date.now() + plan.timeouts.complete;
      while (Date.now() < deadline) {
        if (await completer.isVisible()) { rec.popup = true; break; }
        const text = await editor.innerText();
        if (text.trim() !== spec.type) break; // completed inline
        await page.waitForTimeout(100);
      }
      if (rec.popup) {
        rec.items = (await completer.locator('.jp-Completer-item .jp-Completer-match').allInnerTexts())
          .map((s) => s.trim());
      }
      rec.editorText = (await editor.innerText()).trim();
      // The last probe keeps its popup open for the screenshot.
      if (k < plan.complete.length - 1) await page.keyboard.press('Escape');
    } catch (e) {
      rec.failure = String(e).split('\n')[0];
    }
  }
  mark('completion');

  // Answering completions must leave the kernel idle again.
  await page.waitForFunction(
    () => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText ?? ''),
    null, { timeout: plan.timeouts.complete }).catch(() => {});
  result.statusBarAfter = (await statusBar.innerText()).replace(/\s+/g, ' ').trim();

  await page.screenshot({ path: plan.screenshot });
  result.screenshot = plan.screenshot;
  await page.keyboard.press('Escape').catch(() => {});
  if (plan.reload) result.reload = await reload(page, plan.reload);
} catch (e) {
  result.error = String(e.stack ?? e);
  try {
    const page = context?.pages()[0];
    if (page) {
      result.dialogs = await dialogText(page);
      await page.screenshot({ path: plan.screenshot });
      result.screenshot = plan.screenshot;
    }
  } catch { /* the error above is what matters */ }
} finally {
  await context?.close().catch(() => {});
  mark('closed');
  fs.writeFileSync(plan.result, JSON.stringify(result, null, 2));
}
