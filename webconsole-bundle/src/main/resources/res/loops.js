// The "Event loops" page: fills the tables from a snapshot (the first one is in the page), fetches a
// new one every 2 seconds without reloading the page, and sends the switch and reset buttons' changes
// by POST with the page's token (the plugin refuses a change without it).
(function () {
  'use strict';
  var page = document.getElementById('loopkit');
  var root = page.getAttribute('data-root');
  var token = page.getAttribute('data-token');
  var message = document.getElementById('loopkit-message');
  // Which column names an entry, and the action its button takes.
  var switches = {
    policies: { action: 'policy', label: 'Make process-wide', names: 'policyNames' },
    watchers: { action: 'watcher', label: 'Switch to', names: 'watcherNames' }
  };

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function fill(id, report, snapshot) {
    var table = document.getElementById('loopkit-' + id);
    var sw = switches[id];
    var head = document.createElement('tr');
    report.header.forEach(function (name) {
      var th = document.createElement('th');
      th.textContent = name;
      head.appendChild(th);
    });
    if (sw) {
      head.appendChild(document.createElement('th'));
    }
    table.tHead.replaceChildren(head);
    var rows = report.rows.map(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (text) { cell(tr, text); });
      // column 0 is the '*' of the current entry, column 1 its name
      if (sw) {
        var td = cell(tr, '');
        if (cells[0] !== '*' && snapshot[sw.names].indexOf(cells[1]) >= 0) {
          var button = document.createElement('button');
          button.type = 'button';
          button.textContent = sw.label + ' ' + cells[1];
          button.setAttribute('data-action', sw.action);
          button.setAttribute('data-name', cells[1]);
          button.id = 'loopkit-' + sw.action + '-' + cells[1];
          td.appendChild(button);
        }
      }
      return tr;
    });
    table.tBodies[0].replaceChildren.apply(table.tBodies[0], rows);
    document.getElementById('loopkit-' + id + '-summary').textContent = report.summary;
  }

  function show(snapshot) {
    ['policies', 'watchers', 'loops', 'children'].forEach(function (id) { fill(id, snapshot[id], snapshot); });
    page.setAttribute('data-refreshed', String(Date.now()));
  }

  function refresh() {
    return fetch(root + '/data.json', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.json();
      })
      .then(show)
      .catch(function (error) { message.textContent = 'Cannot refresh: ' + error.message; });
  }

  page.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-action]');
    if (!button) { return; }
    var body = new URLSearchParams();
    body.set('action', button.getAttribute('data-action'));
    if (button.hasAttribute('data-name')) { body.set('name', button.getAttribute('data-name')); }
    fetch(root, { method: 'POST', credentials: 'same-origin', headers: { 'X-Loopkit-Token': token }, body: body })
      .then(function (response) { return response.json(); })
      .then(function (answer) { message.textContent = answer.status || answer.error; })
      .catch(function (error) { message.textContent = 'Not sent: ' + error.message; })
      .then(refresh);
  });

  show(JSON.parse(document.getElementById('loopkit-data').textContent));
  setInterval(refresh, 2000);
}());
