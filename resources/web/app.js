// Just Hungry's page: the order view (user code, motd, menu, order to a checked postcode, my
// orders) and the live view of the cluster (roles, states, lag, orders per second, a timeline of
// the front-end's events). Talks only to this front-end's /api/ (DESIGN.md §6); no build step.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  // How often the live view asks for /api/status (and, when it names a new event, /api/events).
  const LIVE_POLL_MS = 1000;
  const CHART_SAMPLES = 60;
  // An order that meets a network error or 503 is sent again with the same Idempotency-Key, at
  // most this many times, so that a failover (or a lost reply) never places it twice.
  const ORDER_TRIES = 6;

  // ------------------------------------------------------------------ talking to the front-end

  // One request; never throws. status 0: no answer (network error). body: the JSON, if any.
  async function call(method, path, { json, key } = {}) {
    const init = { method, headers: { Accept: 'application/json' }, cache: 'no-store' };
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    if (key) init.headers['Idempotency-Key'] = key;
    try {
      const response = await fetch(path, init);
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      const retryAfter = Number(response.headers.get('Retry-After')) || 0;
      return { status: response.status, body, retryAfter };
    } catch (e) {
      return { status: 0, body: null, retryAfter: 0 };
    }
  }

  // The sentence to show for a refused or failed request.
  function why(reply) {
    if (reply.status === 0) return 'The service does not answer. Check your connection and try again.';
    if (reply.body && reply.body.rejected) return reply.body.rejected.message;
    return `The service answered ${reply.status}.`;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // A new order id: one per order attempt, reused by every retry of it.
  function newOrderId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; a page opened by LAN address is not one.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function el(tag, text, className) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  }

  const pad = (n, w = 2) => String(n).padStart(w, '0');
  function clock(ms) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }

  // ------------------------------------------------------------------ views

  function showView() {
    const live = location.hash === '#live';
    $('view-order').hidden = live;
    $('view-live').hidden = !live;
    $(live ? 'tab-live' : 'tab-order').setAttribute('aria-current', 'page');
    $(live ? 'tab-order' : 'tab-live').removeAttribute('aria-current');
    if (live) startLive(); else stopLive();
  }

  // ------------------------------------------------------------------ the order view

  const order = {
    user: '',
    dish: null,        // { item, price }
    checked: null,     // the postcode's answer: { post_code, area, verified }
    attemptKey: null,  // the Idempotency-Key of the order being confirmed
    cursor: '',        // the next (older) page of my orders
  };

  function say(text, kind) {
    const m = $('message');
    m.textContent = text;
    m.className = `message ${kind || ''}`;
  }

  async function start(event) {
    event.preventDefault();
    const user = $('user-code').value.trim();
    if (!user) return;
    order.user = user;
    try { localStorage.setItem('jh-user', user); } catch (e) { /* private mode */ }
    $('start').disabled = true;
    say('');
    const [motd, menu] = await Promise.all([call('GET', '/api/motd'), call('GET', '/api/menu')]);
    $('start').disabled = false;
    if (motd.status === 200) {
      $('motd').textContent = motd.body.motd;
      $('motd').hidden = false;
    }
    if (menu.status !== 200) {
      say(why(menu), 'problem');
      return;
    }
    showMenu(menu.body.items);
    $('session').hidden = false;
    chooseDish(null);
    await loadOrders(false);
  }

  function showMenu(items) {
    const body = $('menu').tBodies[0];
    body.replaceChildren();
    for (const dish of items) {
      const row = el('tr');
      row.dataset.item = dish.item;
      row.append(el('td', dish.item), el('td', `£${dish.price}`, 'money'));
      const pick = el('button', 'Order');
      pick.type = 'button';
      pick.dataset.item = dish.item;
      pick.setAttribute('aria-label', `Order ${dish.item}, £${dish.price}`);
      pick.addEventListener('click', () => chooseDish(dish));
      const cell = el('td');
      cell.append(pick);
      row.append(cell);
      body.append(row);
    }
  }

  function chooseDish(dish) {
    order.dish = dish;
    for (const row of $('menu').tBodies[0].rows) row.classList.toggle('chosen', !!dish && row.dataset.item === dish.item);
    $('order-form').hidden = !dish;
    resetConfirmation();
    if (dish) {
      $('chosen-dish').textContent = `${dish.item} (£${dish.price})`;
      $('postcode').focus();
    }
  }

  // A changed postcode or dish is a new attempt: a new order id once it is confirmed.
  function resetConfirmation() {
    order.checked = null;
    order.attemptKey = null;
    $('confirm').hidden = true;
    $('place').disabled = false;
  }

  async function checkPostcode(event) {
    event.preventDefault();
    const typed = $('postcode').value;
    if (!order.dish || !typed.trim()) return;
    resetConfirmation();
    $('check').disabled = true;
    say('Checking the postcode…');
    const reply = await call('GET', `/api/postcodes/${encodeURIComponent(typed)}`);
    $('check').disabled = false;
    if (reply.status !== 200) {
      say(why(reply), 'problem');
      return;
    }
    say('');
    order.checked = reply.body;
    order.attemptKey = newOrderId();
    const area = reply.body.verified ? reply.body.area : 'an area that could not be checked just now';
    $('confirm-text').textContent =
      `Deliver ${order.dish.item} (£${order.dish.price}) to ${reply.body.post_code}, in ${area}?`;
    $('confirm').hidden = false;
    $('place').focus();
  }

  async function placeOrder() {
    if (!order.dish || !order.checked || !order.attemptKey) return;
    const request = { user_code: order.user, item: order.dish.item, post_code: order.checked.post_code };
    const key = order.attemptKey;
    $('place').disabled = true;
    let reply;
    for (let attempt = 1; attempt <= ORDER_TRIES; attempt++) {
      say(attempt === 1 ? 'Placing your order…' : `Trying again (${attempt} of ${ORDER_TRIES}); it cannot be placed twice…`);
      reply = await call('POST', '/api/orders', { json: request, key });
      if (reply.status !== 0 && reply.status !== 503) break;
      await sleep(Math.max(1, reply.retryAfter) * 1000);
    }
    $('place').disabled = false;
    if (reply.status === 201) {
      const o = reply.body;
      say(`Ordered ${o.item} for £${o.price} to ${o.post_code} (${o.area}). Order ${o.order_id} at ${clock(Date.parse(o.time_stamp))}.`, 'ok');
      chooseDish(null);
      $('postcode').value = '';
      await loadOrders(false);
      return;
    }
    if (reply.status === 0 || reply.status === 503) {
      say(`${why(reply)} Your order may or may not have been placed: press Confirm order again — ` +
          'it carries the same order id, so it cannot be placed twice.', 'problem');
      return;
    }
    say(why(reply), 'problem');
  }

  async function loadOrders(more) {
    if (!order.user) return;
    let path = `/api/orders?user=${encodeURIComponent(order.user)}&limit=20`;
    if (more && order.cursor) path += `&cursor=${encodeURIComponent(order.cursor)}`;
    const reply = await call('GET', path);
    if (reply.status !== 200) {
      say(why(reply), 'problem');
      return;
    }
    const body = $('orders').tBodies[0];
    if (!more) body.replaceChildren();
    for (const o of reply.body.orders) {
      const row = el('tr');
      row.dataset.orderId = o.order_id;
      const status = el('td', o.status);
      if (o.conflict) status.append(el('span', ' (a second order under one id)', 'conflict'));
      row.append(el('td', new Date(Date.parse(o.time_stamp)).toLocaleString()), el('td', o.item),
                 el('td', `£${o.price}`, 'money'), el('td', `${o.post_code}, ${o.area}`), status);
      body.append(row);
    }
    order.cursor = reply.body.next_cursor;
    $('more-orders').hidden = !order.cursor;
    $('no-orders').hidden = body.rows.length > 0;
  }

  // ------------------------------------------------------------------ the live view
  //
  // It polls /api/status every second rather than holding a server-sent event stream open: the
  // status (roles, lag, counters) is a snapshot that has to be sampled anyway, each poll is a
  // bounded request that the door's idle and header timeouts and rate limit treat like any other,
  // and a front-end that restarts is simply answered by the next poll. The events the status
  // names (last_event) are fetched with /api/events?after=N, so the timeline misses none.

  const live = {
    timer: null,
    lastEvent: 0,
    samples: [],   // { at, placed, failed }
    failingSince: 0,
  };

  function startLive() {
    if (live.timer === null) {
      live.timer = 0;
      pollLive();
    }
  }

  function stopLive() {
    if (live.timer) clearTimeout(live.timer);
    live.timer = null;
  }

  async function pollLive() {
    const status = await call('GET', '/api/status');
    if (live.timer === null) return;  // left the view meanwhile
    if (status.status === 200) {
      live.failingSince = 0;
      $('live-problem').hidden = true;
      showStatus(status.body);
      await fetchEvents(status.body.last_event);
    } else {
      if (!live.failingSince) live.failingSince = Date.now();
      $('live-problem').textContent = `The front-end does not answer (since ${clock(live.failingSince)}).`;
      $('live-problem').hidden = false;
    }
    if (live.timer !== null) live.timer = setTimeout(pollLive, LIVE_POLL_MS);
  }

  function showStatus(s) {
    $('live-primary').textContent = s.primary || 'none: orders are refused';
    const now = Date.now();
    live.samples.push({ at: now, placed: s.orders_placed, failed: s.orders_failed });
    if (live.samples.length > CHART_SAMPLES + 1) live.samples.shift();
    const rates = [];
    for (let i = 1; i < live.samples.length; i++) {
      const a = live.samples[i - 1], b = live.samples[i];
      const seconds = Math.max(0.001, (b.at - a.at) / 1000);
      // A restarted front-end counts from 0 again.
      rates.push({ ok: Math.max(0, b.placed - a.placed) / seconds, failed: Math.max(0, b.failed - a.failed) / seconds });
    }
    const last = rates[rates.length - 1];
    $('live-rate').textContent = last ? last.ok.toFixed(1) : '…';
    $('live-failed').textContent = last ? last.failed.toFixed(1) : '…';
    drawChart(rates);

    const body = $('replicas').tBodies[0];
    body.replaceChildren();
    for (const r of s.replicas) {
      const row = el('tr');
      row.dataset.name = r.name;
      row.dataset.role = r.role;
      const role = el('td');
      role.className = 'role';
      role.append(el('span', r.role, `badge ${r.role}`));
      const state = el('td', r.diverged ? `${r.state}, DIVERGED` : r.state, `state-${r.state}`);
      const seen = r.last_seen_ms_ago < 0 ? 'never' : `${(r.last_seen_ms_ago / 1000).toFixed(1)} s ago`;
      row.append(el('td', r.name), role, state, el('td', String(r.lag), 'money'),
                 el('td', String(r.order_count), 'money'), el('td', seen, 'money'));
      body.append(row);
    }
  }

  function drawChart(rates) {
    const chart = $('rate-chart');
    chart.replaceChildren();
    const top = Math.max(1, ...rates.map((r) => r.ok + r.failed));
    for (const r of rates.slice(-CHART_SAMPLES)) {
      const bar = el('span', undefined, r.failed > 0 && r.ok === 0 ? 'failed' : '');
      // CSSOM, not a style attribute: the page's policy allows no inline styles.
      bar.style.height = `${Math.round(((r.ok + r.failed) / top) * 100)}%`;
      bar.title = `${r.ok.toFixed(1)} orders/s`;
      chart.append(bar);
    }
  }

  async function fetchEvents(lastEvent) {
    if (lastEvent < live.lastEvent) {
      // The front-end restarted: its events count from 1 again.
      live.lastEvent = 0;
      $('timeline').replaceChildren();
    }
    if (lastEvent === live.lastEvent) return;
    const reply = await call('GET', `/api/events?after=${live.lastEvent}`);
    if (reply.status !== 200) return;
    const list = $('timeline');
    for (const e of reply.body.events) {
      const item = el('li');
      item.dataset.kind = e.kind;
      item.dataset.replica = e.replica;
      if (e.kind === 'promoted' || e.kind === 'hand-over') item.classList.add('primary-change');
      if (e.kind === 'replica-down' || e.kind === 'no-primary' || e.kind === 'diverged' ||
          e.kind === 'promotion-failed') item.classList.add('trouble');
      const when = el('time', clock(e.at_ms));
      when.dateTime = new Date(e.at_ms).toISOString();
      item.append(when, document.createTextNode(' ' + e.message));
      list.prepend(item);
      live.lastEvent = Math.max(live.lastEvent, e.id);
    }
    while (list.children.length > 200) list.lastElementChild.remove();
  }

  // ------------------------------------------------------------------ wiring

  $('who').addEventListener('submit', start);
  $('order-form').addEventListener('submit', checkPostcode);
  $('postcode').addEventListener('input', resetConfirmation);
  $('place').addEventListener('click', placeOrder);
  $('change').addEventListener('click', () => { resetConfirmation(); $('postcode').focus(); });
  $('more-orders').addEventListener('click', () => loadOrders(true));
  window.addEventListener('hashchange', showView);
  try { $('user-code').value = localStorage.getItem('jh-user') || ''; } catch (e) { /* private mode */ }
  showView();
})();
