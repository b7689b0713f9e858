// Kiosk idle return (the only script on the public side). After
// data-idle seconds without any touch, key or scroll, a visible countdown of
// data-countdown seconds starts; any touch during it cancels the return.
// Nobody who is reading or touching the screen is thrown out.
(function () {
  'use strict';
  var body = document.body;
  var idle = parseInt(body.getAttribute('data-idle'), 10) || 120;
  var countdown = parseInt(body.getAttribute('data-countdown'), 10) || 20;
  var home = body.getAttribute('data-home') || '/kiosk';
  var box = document.getElementById('kiosk-countdown');
  var num = document.getElementById('kiosk-seconds');
  var stay = document.getElementById('kiosk-stay');
  if (!box || !num) return;
  var quiet = 0;
  function reset() {
    quiet = 0;
    if (!box.hidden) box.hidden = true;
  }
  ['pointerdown', 'touchstart', 'keydown', 'wheel', 'scroll', 'mousemove'].forEach(function (e) {
    window.addEventListener(e, reset, { passive: true, capture: true });
  });
  if (stay) stay.addEventListener('click', reset);
  var atHome = location.pathname === home && !location.search;
  window.setInterval(function () {
    quiet += 1;
    if (atHome && window.scrollY === 0) { quiet = 0; return; }
    var left = idle + countdown - quiet;
    if (quiet >= idle) {
      box.hidden = false;
      num.textContent = String(Math.max(left, 0));
    }
    if (left <= 0) window.location.assign(home);
  }, 1000);
})();
