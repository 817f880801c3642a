/**
 * The dashboard's HTML shell. Static: every live value is filled in by /dashboard/app.js from
 * the HTTP API and the SSE stream. No inline script or style, so the page runs under a strict CSP.
 */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>breakerbox — live risk dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to the dashboard</a>
<header class="topbar" role="banner">
  <div class="brand">
    <h1>breakerbox</h1>
    <p class="subtitle">live risk dashboard</p>
  </div>
  <div class="field">
    <label for="strategy-select">Strategy</label>
    <select id="strategy-select" name="strategy"><option value="">loading…</option></select>
  </div>
  <div id="header-live" class="header-live"></div>
  <p id="global-state-help" class="visually-hidden">The most severe state of the strategy's breakers; orders pass only when no breaker is tripped, resetting or halted. UNKNOWN while the page has no live link to the server.</p>
  <div class="actions">
    <button type="button" id="halt-button" class="danger">Halt strategy…</button>
    <button type="button" id="reset-button">Reset a breaker…</button>
  </div>
</header>

<section class="credentials" aria-labelledby="credentials-title">
  <h2 id="credentials-title" class="visually-hidden">Operator credentials</h2>
  <!-- POST and no named inputs: submitted before the script loads, nothing lands in a URL (or a body). -->
  <form id="credentials-form" class="credentials-form" method="post" action="#" autocomplete="off">
    <div class="field">
      <label for="operator-name">Operator name</label>
      <input id="operator-name" type="text" maxlength="100" autocomplete="off" spellcheck="false" required>
    </div>
    <div class="field">
      <label for="operator-token">API token</label>
      <input id="operator-token" type="password" autocomplete="off" spellcheck="false" aria-describedby="token-help">
    </div>
    <button type="submit">Use for this session</button>
    <button type="button" id="forget-token" class="secondary">Forget token</button>
    <p id="token-help" class="help">Needed to halt and reset. Kept only in this tab's session storage — never in a cookie or the URL. <span id="token-status" role="status"></span></p>
  </form>
</section>

<section id="disconnected" class="disconnected-view" role="alert" aria-live="assertive"></section>

<section id="overview" class="panel overview" aria-labelledby="overview-title"></section>

<main id="main" class="grid" tabindex="-1" hidden>
  <p id="data-fault" class="data-fault" role="status" hidden></p>
  <p id="controls-use" class="controls-use" role="status" hidden></p>
  <div id="unconfirmed-cancels" class="data-fault unconfirmed-cancels" role="alert" hidden></div>

  <section class="panel span-12" aria-labelledby="breakers-title">
    <h2 id="breakers-title">Breakers</h2>
    <ul id="breaker-lights" class="lights" aria-describedby="lights-legend"></ul>
    <p id="lights-legend" class="legend">
      <span class="legend-item"><span class="light-icon state-normal" aria-hidden="true"></span> NORMAL</span>
      <span class="legend-item"><span class="light-icon state-warning" aria-hidden="true"></span> WARNING</span>
      <span class="legend-item"><span class="light-icon state-resetting" aria-hidden="true"></span> RESETTING</span>
      <span class="legend-item"><span class="light-icon state-tripped" aria-hidden="true"></span> TRIPPED</span>
      <span class="legend-item"><span class="light-icon state-halted" aria-hidden="true"></span> MANUALLY HALTED</span>
    </p>
  </section>

  <section class="panel span-8" aria-labelledby="chart-title">
    <h2 id="chart-title">Portfolio value</h2>
    <div id="value-chart" class="chart" role="img" aria-label="Portfolio value over time with the high-water mark and the drawdown trip level"></div>
    <dl id="value-summary" class="figures inline"></dl>
    <h3 class="minor">Value = positions + cash</h3>
    <dl id="reconciliation" class="figures inline"></dl>
    <h3 class="minor">Trips, halts and resets on the chart</h3>
    <ul id="chart-marks" class="marks"></ul>
  </section>

  <section class="panel span-4" aria-labelledby="pnl-title">
    <h2 id="pnl-title">P&amp;L today</h2>
    <div id="pnl"></div>
  </section>

  <section class="panel span-5" aria-labelledby="positions-title">
    <h2 id="positions-title">Positions</h2>
    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="positions-title">
      <table id="positions">
        <thead><tr><th scope="col">Symbol</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Price</th><th scope="col" class="num">Market value</th></tr></thead>
        <tbody id="positions-body"></tbody>
        <tfoot id="positions-foot"></tfoot>
      </table>
    </div>
  </section>

  <section class="panel span-7" aria-labelledby="orders-title">
    <h2 id="orders-title">Recent orders and fills</h2>
    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="orders-title">
      <table id="orders">
        <thead><tr><th scope="col">Time</th><th scope="col">Order</th><th scope="col">Side</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Price</th><th scope="col">Decision / fill</th><th scope="col">Reason</th></tr></thead>
        <tbody id="orders-body"></tbody>
      </table>
    </div>
  </section>

  <section class="panel span-6" aria-labelledby="errors-title">
    <h2 id="errors-title">Errors</h2>
    <dl id="error-counts" class="figures inline"></dl>
    <fieldset class="filter" id="error-filter"></fieldset>
    <ol id="error-log" class="log" aria-live="off"></ol>
  </section>

  <section class="panel span-6" aria-labelledby="journal-title">
    <h2 id="journal-title">Audit journal <span class="muted">(newest first)</span></h2>
    <ol id="journal" class="log"></ol>
  </section>

  <section class="panel span-12" aria-labelledby="statecharts-title">
    <h2 id="statecharts-title">Statecharts and inspector</h2>
    <p class="help">Drawn from the XState machine definitions themselves; the current state is highlighted and named. Each actor's recent events (from XState's inspection stream) are listed under its chart: choose one, or step back and forward, to see the state after it and the edge it took; “Follow live” returns to the present.</p>
    <div id="statecharts" class="statecharts"></div>
  </section>
  <!-- Filled only when this process has a cluster (the cluster breaker is enabled). -->
  <div id="firm" class="contents"></div>
</main>

<div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>
<div id="alerter" class="visually-hidden" role="alert" aria-live="assertive" aria-atomic="true"></div>

<dialog id="halt-dialog" aria-labelledby="halt-title" aria-describedby="halt-desc">
  <form id="halt-form" method="dialog" novalidate>
    <h2 id="halt-title">Halt strategy <span class="dialog-strategy"></span></h2>
    <p id="halt-desc">Every new order will be rejected and pending orders cancelled until an operator resets the manual breaker (with confirmation).</p>
    <fieldset class="choices" id="halt-mode">
      <legend>Mode</legend>
      <div class="field checkbox"><input type="radio" id="halt-mode-full" name="halt-mode" value="halt" checked><label for="halt-mode-full">Full halt — every new order is rejected</label></div>
      <div class="field checkbox"><input type="radio" id="halt-mode-reduce" name="halt-mode" value="reduceOnly"><label for="halt-mode-reduce">Reduce-only — only orders that move a position towards zero pass</label></div>
    </fieldset>
    <div class="field">
      <label for="halt-reason">Reason (required)</label>
      <textarea id="halt-reason" name="reason" rows="3" maxlength="1000" required></textarea>
    </div>
    <div class="field checkbox">
      <input type="checkbox" id="halt-confirm" name="confirm" required>
      <label for="halt-confirm">I confirm: halt trading for this strategy now.</label>
    </div>
    <p class="dialog-result" role="status" aria-live="polite"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-close>Cancel</button>
      <button type="submit" id="halt-submit" class="danger" value="halt">Halt now</button>
    </div>
  </form>
</dialog>

<dialog id="halt-all-dialog" aria-labelledby="halt-all-title" aria-describedby="halt-all-desc">
  <form id="halt-all-form" method="dialog" novalidate>
    <h2 id="halt-all-title">Halt every strategy of this process</h2>
    <p id="halt-all-desc">Two steps: choose the mode and give a reason, then type the confirmation. Each strategy stays halted until an operator resets its manual breaker.</p>
    <div id="halt-all-step-1">
      <fieldset class="choices">
        <legend>Mode</legend>
        <div class="field checkbox"><input type="radio" id="halt-all-mode-full" name="halt-all-mode" value="halt" checked><label for="halt-all-mode-full">Full halt — every new order is rejected, pending orders cancelled</label></div>
        <div class="field checkbox"><input type="radio" id="halt-all-mode-reduce" name="halt-all-mode" value="reduceOnly"><label for="halt-all-mode-reduce">Reduce-only — only risk-reducing orders pass</label></div>
      </fieldset>
      <div class="field">
        <label for="halt-all-reason">Reason (required)</label>
        <textarea id="halt-all-reason" rows="3" maxlength="1000" required></textarea>
      </div>
    </div>
    <div id="halt-all-step-2" hidden>
      <p id="halt-all-summary"></p>
      <div class="field">
        <label for="halt-all-typed">Type “halt all” to confirm</label>
        <input id="halt-all-typed" type="text" autocomplete="off" spellcheck="false">
      </div>
      <button type="button" id="halt-all-back" class="secondary">Back</button>
    </div>
    <p class="dialog-result" role="status" aria-live="polite"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-close>Cancel</button>
      <button type="submit" id="halt-all-submit" class="danger">Continue / Halt all</button>
    </div>
  </form>
</dialog>

<dialog id="reset-dialog" aria-labelledby="reset-title" aria-describedby="reset-desc">
  <form id="reset-form" method="dialog">
    <h2 id="reset-title">Reset a breaker <span class="dialog-strategy"></span></h2>
    <p id="reset-desc">Step 1: choose the breaker and request a reset. Step 2: confirm it before the token expires. The breaker returns to NORMAL only if its own re-check passes.</p>
    <fieldset id="reset-step-1">
      <legend>Step 1 — breaker to reset</legend>
      <div id="reset-choices" class="choices"></div>
    </fieldset>
    <div id="reset-effects" class="reset-effects" aria-live="polite"></div>
    <div id="reset-step-2" hidden>
      <p><strong>Step 2 — confirm.</strong> Reset of <strong id="reset-breaker-name"></strong> requested. The token expires in <strong id="reset-countdown" aria-live="off">–</strong>.</p>
    </div>
    <p class="dialog-result" role="status" aria-live="polite"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-close>Close</button>
      <button type="button" id="reset-request">Request reset</button>
      <button type="button" id="reset-confirm" class="primary" hidden>Confirm reset</button>
    </div>
  </form>
</dialog>
</body>
</html>
`;
}
