// Drives a running JupyterLab 4 or Notebook 7 with Debian's Chromium through
// playwright-core, as a person would, and prints what it saw as one JSON line.
//
//   NODE_PATH=.tlx/npm/node_modules node drive.js CONFIG.json
//
// CONFIG: {"url": "http://127.0.0.1:PORT", "token": "...", "frontEnd": "lab" | "notebook",
//          "notebook": "fixture.ipynb", "mode": "run" | "open", "liveMarker": "text in the live view",
//          "screenshot": "OUT.png", "timeoutMs": 240000}
// mode "run" runs all cells, waits for the kernel to go idle and saves the
// notebook; "open" only opens it and lets its outputs render. The Go test
// (browser_test.go) judges the report; this script only observes.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

async function main() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const deadline = Date.now() + cfg.timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  // A last resort: whatever hangs, the script ends (the Go test also kills it).
  setTimeout(() => { console.error("drive.js: out of time"); process.exit(3); }, cfg.timeoutMs + 5000).unref();

  const report = { frontEnd: cfg.frontEnd, mode: cfg.mode, blocked: [], console: [], steps: [] };
  const step = (s) => report.steps.push(`${((Date.now() - deadline + cfg.timeoutMs) / 1000).toFixed(1)}s ${s}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "tlx-playwright-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: flags,
    viewport: { width: 1280, height: 3300 }, timeout: left(),
  });
  try {
    // Loopback only: anything else is refused and reported.
    await context.route("**/*", (route) => {
      const u = new URL(route.request().url());
      if (u.protocol === "data:" || u.protocol === "blob:" || u.hostname === "127.0.0.1") return route.continue();
      report.blocked.push(route.request().url());
      return route.abort();
    });
    const page = context.pages()[0] || await context.newPage();
    page.on("console", (m) => { if (m.type() === "error" && report.console.length < 20) report.console.push(m.text()); });
    page.on("pageerror", (e) => { if (report.console.length < 20) report.console.push("pageerror: " + String(e.stack || e.message).slice(0, 600)); });

    const where = cfg.frontEnd === "lab" ? "lab/tree" : "notebooks";
    await page.goto(`${cfg.url}/${where}/${cfg.notebook}?token=${cfg.token}`, { timeout: left() });
    step("page loaded");
    await page.waitForFunction(findPanelSource(cfg.notebook), null, { timeout: left(), polling: 200 });
    await page.waitForFunction((nb) => {
      const p = window.__tlxPanel(nb);
      const k = p.sessionContext.session && p.sessionContext.session.kernel;
      return p.context.isReady && k && k.status === "idle";
    }, cfg.notebook, { timeout: left(), polling: 200 });
    step("notebook open, kernel idle");

    await page.evaluate(defineInkedPixels);
    if (cfg.mode === "run") {
      // Count the live view's states: every distinct text of the output that
      // holds liveMarker, seen after any change to the page.
      await page.evaluate((marker) => {
        window.__tlxTestLive = new Set();
        const seen = () => {
          for (const o of document.querySelectorAll(".jp-OutputArea-output")) {
            const text = o.textContent;
            if (text.includes(marker)) window.__tlxTestLive.add(text.slice(0, 300));
          }
        };
        new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
        // And whether its chart drew while it trained: the most inked
        // pixels of a canvas in it, sampled ten times a second.
        const ink = window.__tlxTestLiveInk = { inked: 0, pixels: 0, samples: 0, charts: 0, ticks: 0, states: [], error: "", html: "" };
        setInterval(() => {
          try {
            ink.ticks++;
            for (const o of document.querySelectorAll(".jp-OutputArea-output")) {
              if (!o.textContent.includes(marker)) continue;
              if (/epoch [2-9]/.test(o.textContent) && !ink.html) ink.html = o.innerHTML.slice(0, 3000);
              for (const el of o.querySelectorAll('[id^="tlx-chart-"]')) {
                ink.charts++;
                const st = el.getAttribute("data-tlx") || "none";
                if (!ink.states.includes(st)) ink.states.push(st);
                for (const cv of el.querySelectorAll("canvas")) {
                  const n = window.inkedPixels(cv);
                  ink.samples++;
                  if (n > ink.inked) { ink.inked = n; ink.pixels = cv.width * cv.height; }
                }
              }
            }
          } catch (e) { ink.error = String(e); }
        }, 100);
      }, cfg.liveMarker);
      await page.evaluate((nb) => {
        const p = window.__tlxPanel(nb);
        window.__tlxBusySeen = false;
        p.sessionContext.session.kernel.statusChanged.connect((_, s) => { if (s === "busy") window.__tlxBusySeen = true; });
        window.jupyterapp.commands.execute("notebook:run-all-cells").then(
          () => { window.__tlxRan = "done"; }, (e) => { window.__tlxRan = "failed: " + e; });
      }, cfg.notebook);
      step("run all cells");
      await page.waitForFunction((nb) => {
        const p = window.__tlxPanel(nb);
        const k = p.sessionContext.session.kernel;
        const cells = p.content.widgets.filter((c) => c.model.type === "code");
        return window.__tlxRan && window.__tlxBusySeen && k.status === "idle" &&
          cells.every((c) => c.model.executionCount !== null || c.model.outputs.length > 0);
      }, cfg.notebook, { timeout: left(), polling: 250 });
      step("kernel idle after running: " + await page.evaluate(() => window.__tlxRan));
      report.liveStates = await page.evaluate(() => [...window.__tlxTestLive]);
      report.liveInk = await page.evaluate(() => window.__tlxTestLiveInk);
    }

    // Let the charts' scripts run, then bring each chart into view once
    // (the notebook may skip painting cells off screen).
    await page.waitForTimeout(1500);
    await page.evaluate(async () => {
      for (const el of document.querySelectorAll('[id^="tlx-chart-"]')) {
        el.scrollIntoView();
        await new Promise((r) => setTimeout(r, 200));
      }
      const first = document.querySelector(".jp-Cell");
      if (first) first.scrollIntoView();
    });
    await page.waitForTimeout(500);
    Object.assign(report, await page.evaluate(observe, [cfg.notebook, cfg.liveMarker]));
    step("observed");

    if (cfg.mode === "run") {
      await page.evaluate((nb) => window.jupyterapp.commands.execute("docmanager:save"), cfg.notebook);
      await page.waitForFunction((nb) => !window.__tlxPanel(nb).context.model.dirty, cfg.notebook, { timeout: left() });
      step("saved");
    }
    await page.screenshot({ path: cfg.screenshot, timeout: left() });
    step("screenshot");
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify(report));
}

// findPanelSource returns a page function that defines window.__tlxPanel
// (the notebook's panel, by path) and is true once the panel exists.
function findPanelSource(nb) {
  return `(() => {
    const app = window.jupyterapp;
    if (!app || !app.shell) return false;
    window.__tlxPanel = (p) => {
      for (const w of app.shell.widgets("main")) {
        if (w.context && w.context.path === p && w.content && w.sessionContext) return w;
      }
      return null;
    };
    return !!window.__tlxPanel(${JSON.stringify(nb)});
  })()`;
}

// defineInkedPixels gives the page window.inkedPixels(canvas): how many of
// its pixels are painted and not near white.
function defineInkedPixels() {
  window.inkedPixels = (cv) => {
    if (!cv.width || !cv.height) return 0;
    const data = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] + data[i + 1] + data[i + 2]) / 3 < 240) n++;
    }
    return n;
  };
}

// observe runs in the page: what each cell's outputs are (from the model and
// as drawn) and, for every chart, whether a canvas drew and whether its
// preview picture shows.
function observe([nb, marker]) {
  const p = window.__tlxPanel(nb);
  const cells = p.content.widgets.map((c, i) => {
    const out = { index: i, type: c.model.type, trusted: c.model.trusted, outputs: [], errorsShown: [], liveOutputs: 0 };
    if (c.model.type !== "code") return out;
    for (const o of c.model.outputs.toJSON()) {
      out.outputs.push({ type: o.output_type, ename: o.ename, evalue: o.evalue && String(o.evalue).slice(0, 200) });
    }
    for (const el of c.node.querySelectorAll(".jp-OutputArea-output")) {
      if (el.textContent.includes(marker)) out.liveOutputs++;
    }
    for (const el of c.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
      out.errorsShown.push(el.textContent.slice(0, 300));
    }
    return out;
  });
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== "none" && s.visibility !== "hidden";
  };
  const shown = (img) => visible(img) && img.complete && img.naturalWidth > 0;
  const cellOf = (el) => p.content.widgets.findIndex((c) => c.node.contains(el));
  const charts = [...p.content.node.querySelectorAll('[id^="tlx-chart-"]')].map((el) => {
    const canvases = [...el.querySelectorAll("canvas")];
    let inked = 0, pixels = 0;
    for (const cv of canvases) {
      pixels += cv.width * cv.height;
      inked += inkedPixels(cv);
    }
    const area = el.closest(".jp-OutputArea-output") || el.parentNode;
    const previews = [...area.querySelectorAll("img")].filter((i) => i.getAttribute("data-tlx-for") === el.id || el.contains(i));
    return {
      id: el.id, cell: cellOf(el), canvases: canvases.length, canvasPixels: pixels, canvasInked: inked,
      state: el.getAttribute("data-tlx"), shown: visible(el),
      previewsShown: previews.filter(shown).length, inlineSVGs: el.querySelectorAll("svg").length,
      text: el.textContent.replace(/\s+/g, " ").slice(0, 160),
    };
  });
  // Every preview picture, whether or not its chart's div survived the
  // sanitizer of an untrusted notebook.
  const previews = [...p.content.node.querySelectorAll(".jp-OutputArea-output img")]
    .filter((i) => (i.getAttribute("src") || "").startsWith("data:image/svg+xml"))
    .map((i) => ({ cell: cellOf(i), shown: shown(i), width: i.naturalWidth }));
  const canvases = p.content.node.querySelectorAll(".jp-OutputArea-output canvas").length;
  const notes = [...p.content.node.querySelectorAll(".tlx-note")].map((n) => n.textContent.slice(0, 200));
  return { cells, charts, previews, canvases, notes };
}

main().catch((e) => { console.error("drive.js:", e && e.stack || e); process.exit(2); });
