// The Airlock console's only script, served from the console's own origin (the CSP allows no other,
// and no inline script). No framework: deadlines count down, and the inbox keeps itself current.
'use strict';

(function () {
  /** "in 1h 02m 05s", or "passed 3m ago". */
  function remaining(ms) {
    const past = ms < 0;
    const seconds = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    const two = function (n) {
      return (n < 10 ? '0' : '') + n;
    };
    const text =
      days > 0
        ? days + 'd ' + hours + 'h ' + two(minutes) + 'm'
        : hours > 0
          ? hours + 'h ' + two(minutes) + 'm ' + two(rest) + 's'
          : minutes + 'm ' + two(rest) + 's';
    return past ? 'passed ' + text + ' ago' : 'in ' + text;
  }

  /** Every `<time data-deadline>` shows the time left; the page's own text (the UTC time) stays as its title. */
  function tick() {
    const now = Date.now();
    const times = document.querySelectorAll('time[data-deadline]');
    for (let i = 0; i < times.length; i++) {
      const element = times[i];
      const at = Date.parse(element.getAttribute('data-deadline') || '');
      if (isNaN(at)) continue;
      element.textContent = remaining(at - now);
      element.classList.toggle('soon', at - now < 15 * 60 * 1000);
      element.classList.toggle('passed', at <= now);
    }
  }

  /**
   * The inbox: the server says on /console/inbox/events when the pending reviews change (an event
   * `inbox` with its version); the list is then fetched again, rendered by the server, and swapped in.
   */
  function liveInbox() {
    const list = document.getElementById('inbox-list');
    if (!list || typeof EventSource === 'undefined') return;
    let loading = false;
    let latest = null;
    let arrivedWhileLoading = false;

    function refresh() {
      const current = document.getElementById('inbox-list');
      if (!current || current.getAttribute('data-version') === latest) return;
      if (loading) {
        arrivedWhileLoading = true;
        return;
      }
      loading = true;
      fetch('/console/inbox/fragment', { credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) {
          // The sign-in ended: reloading the page leads to sign-in.
          if (response.status === 401) {
            source.close();
            window.location.reload();
            return null;
          }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (!html) return;
          const next = new DOMParser().parseFromString(html, 'text/html').getElementById('inbox-list');
          const now = document.getElementById('inbox-list');
          if (next && now) now.replaceWith(document.importNode(next, true));
          tick();
        })
        .catch(function () {
          // The next event tries again.
        })
        .finally(function () {
          loading = false;
          // Fetched again only for an event that came in meanwhile: never a loop.
          if (arrivedWhileLoading) {
            arrivedWhileLoading = false;
            refresh();
          }
        });
    }

    const source = new EventSource('/console/inbox/events');
    source.addEventListener('inbox', function (event) {
      try {
        latest = JSON.parse(event.data).version;
        refresh();
      } catch (err) {
        // Not an event of ours.
      }
    });
  }

  function start() {
    tick();
    window.setInterval(tick, 1000);
    liveInbox();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
