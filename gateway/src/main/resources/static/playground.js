// The playground: plain browser JavaScript against the gateway's own API (no build step). The API key lives in
// sessionStorage only: it goes with this tab.
'use strict';

const $ = id => document.getElementById(id);
const KEY = 'speculum.apiKey';

function apiKey() {
  return sessionStorage.getItem(KEY) || '';
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {'Authorization': 'Bearer ' + apiKey(), 'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok) {
    const error = await response.json().catch(() => ({error: {message: response.statusText}}));
    throw new Error(response.status + ': ' + error.error.message);
  }
  return response;
}

function showError(target, error) {
  target.innerHTML = '';
  const span = document.createElement('span');
  span.className = 'error';
  span.textContent = error.message;
  target.appendChild(span);
}

// ---- tabs and key -------------------------------------------------------------------------------------------

document.querySelectorAll('.tab').forEach(tab => tab.addEventListener('click', () => {
  document.querySelectorAll('.tab, .panel').forEach(e => e.classList.remove('active'));
  tab.classList.add('active');
  $(tab.dataset.tab).classList.add('active');
}));

$('key-form').addEventListener('submit', event => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $('api-key').value);
  $('api-key').value = '';
  loadModels();
});

async function loadModels() {
  try {
    const models = (await (await api('/v1/models')).json()).data;
    const fill = (select, role) => {
      select.innerHTML = '';
      models.filter(m => m.speculum && m.speculum.role === role).forEach(m => select.add(new Option(m.id, m.id)));
    };
    fill($('model'), 'verifier');
    fill($('drafter'), 'drafter');
    $('key-state').textContent = 'key set for this tab';
  } catch (error) {
    showError($('key-state'), error);
  }
}

// ---- generate -----------------------------------------------------------------------------------------------

let chart;
const positions = {drafted: [], accepted: []};

function drawAcceptance() {
  const n = positions.drafted.length;
  const xs = Array.from({length: n}, (_, i) => i + 1);
  const rates = xs.map((_, i) => positions.drafted[i] ? positions.accepted[i] / positions.drafted[i] : null);
  const data = [xs, rates];
  if (!chart) {
    chart = new uPlot({
      title: 'acceptance by draft position', width: 560, height: 220,
      scales: {x: {time: false}, y: {range: [0, 1]}},
      axes: [{label: 'draft position', incrs: [1, 2, 4, 8]}, {label: 'accepted'}],
      series: [{}, {label: 'acceptance rate', stroke: '#2a8f3a', fill: 'rgba(42,143,58,.15)', points: {size: 7}}]
    }, data, $('acceptance-chart'));
  } else {
    chart.setData(data);
  }
}

/** Who produced each token of a round: the first `accepted` are drafts, the last the verifier's own. */
function provenance(info, count) {
  const kinds = [];
  for (let i = 0; i < count; i++) {
    if (!info || info.drafted === 0) kinds.push('target');
    else if (i < info.accepted) kinds.push('accepted');
    else kinds.push(info.accepted < info.drafted ? 'correction' : 'bonus');
  }
  return kinds;
}

function addToken(text, kind, logprob, top) {
  const span = document.createElement('span');
  span.className = 'token ' + kind;
  span.textContent = text;
  span.dataset.logprob = logprob;
  const alternatives = Object.entries(top || {}).sort((a, b) => b[1] - a[1])
      .map(([t, lp]) => JSON.stringify(t).padEnd(14) + ' ' + lp.toFixed(3)).join('\n');
  const describe = kind + '  logprob ' + (logprob == null ? '–' : logprob.toFixed(3)) + '\n' + alternatives;
  span.title = describe;
  span.addEventListener('mouseenter', () => { $('hover').textContent = describe; });
  $('answer').appendChild(span);
}

async function generate() {
  $('answer').innerHTML = '';
  $('hover').textContent = '';
  positions.drafted = [];
  positions.accepted = [];
  let rounds = 0, committed = 0, accepted = 0, tokens = 0;
  const started = performance.now();
  const body = {
    model: $('model').value, prompt: $('prompt').value, max_tokens: Number($('max-tokens').value),
    temperature: Number($('temperature').value), stream: true, logprobs: 5,
    speculum: {stats: true, speculation: {mode: 'fixed', drafter: $('drafter').value, k: Number($('k').value)}}
  };
  try {
    const response = await api('/v1/completions', body);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trim()).join('');
        if (!data || data === '[DONE]') continue;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(chunk.error.message);
        const choice = chunk.choices[0];
        if (!choice) continue;
        const info = chunk.speculum;
        const lp = choice.logprobs;
        if (lp && lp.tokens.length > 0) {
          const kinds = provenance(info, lp.tokens.length);
          lp.tokens.forEach((t, i) => addToken(t, kinds[i], lp.token_logprobs[i], lp.top_logprobs[i]));
          tokens += lp.tokens.length;
        } else if (choice.text) {
          addToken(choice.text, 'target', null, null);
        }
        if (info && info.round > 0) {
          rounds++;
          committed += info.tokens;
          accepted += info.accepted;
          for (let p = 0; p < info.drafted; p++) {
            positions.drafted[p] = (positions.drafted[p] || 0) + 1;
            positions.accepted[p] = (positions.accepted[p] || 0) + (p < info.accepted ? 1 : 0);
          }
        }
        $('tau').textContent = rounds ? ((accepted + rounds) / rounds).toFixed(2) : '–';
        $('tps').textContent = (tokens / ((performance.now() - started) / 1000)).toFixed(1);
        $('rounds').textContent = rounds;
        drawAcceptance();
      }
    }
  } catch (error) {
    showError($('answer'), error);
  }
}

$('run').addEventListener('click', generate);

// ---- detect -------------------------------------------------------------------------------------------------

async function detect() {
  $('decision').textContent = '';
  $('evidence').innerHTML = '';
  try {
    const reply = await (await api('/v1/detect', {text: $('detect-text').value, tokens: true})).json();
    const result = reply.results[0];
    const decision = result.decision;
    $('decision').textContent = decision
        ? decision.label + ' · P(machine) ' + (decision.probability == null ? '–' : decision.probability.toFixed(3))
          + ' · ' + decision.method + ' score ' + decision.score.toFixed(3) + ' vs threshold ' + decision.threshold.toFixed(3)
        : 'no calibrated decision method';
    const text = $('detect-text').value;
    const tokens = result.tokens || [];
    const scale = Math.max(1e-9, ...tokens.map(t => Math.abs(t.contribution)));
    let at = 0;
    for (const token of tokens) {
      if (token.start > at) $('evidence').appendChild(document.createTextNode(text.slice(at, token.start)));
      const span = document.createElement('span');
      span.className = 'token evidence';
      span.textContent = text.slice(token.start, token.end);
      const strength = Math.min(1, Math.abs(token.contribution) / scale);
      // red: evidence of a machine, blue: of a person
      span.style.background = token.contribution > 0 ? `rgba(220,40,40,${strength})` : `rgba(40,90,220,${strength})`;
      span.title = `logprob ${token.logProb.toFixed(3)} · rank ${token.rank} · contribution ${token.contribution.toFixed(3)}`;
      $('evidence').appendChild(span);
      at = token.end;
    }
    if (at < text.length) $('evidence').appendChild(document.createTextNode(text.slice(at)));
  } catch (error) {
    showError($('decision'), error);
  }
}

$('run-detect').addEventListener('click', detect);

// ---- cascade ------------------------------------------------------------------------------------------------

async function cascade() {
  $('cascade-answer').textContent = '';
  $('cascade-why').textContent = '';
  try {
    const reply = await (await api('/v1/completions', {model: 'cascade', prompt: $('cascade-prompt').value, max_tokens: 48,
      temperature: 0})).json();
    $('cascade-answer').textContent = reply.choices[0].text;
    const c = reply.speculum.cascade;
    $('cascade-why').textContent = `answered by the ${c.answered_by} model: ${c.rule} score ${c.score.toFixed(3)} `
        + (c.deferred ? '>' : '≤') + ` threshold ${c.threshold.toFixed(3)}` + (c.deferred ? ' (deferred)' : ' (kept)');
  } catch (error) {
    showError($('cascade-why'), error);
  }
}

$('run-cascade').addEventListener('click', cascade);

if (apiKey()) loadModels();
