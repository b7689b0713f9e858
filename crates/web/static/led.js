// LED display page: reload when the feed changes (its ETag), checked once a
// minute — replaces the page refresh that screen readers and axe flag
// (meta-refresh). Nobody reads this page interactively; it is a hall display.
(function () {
  'use strict';
  var etag = null;
  function check() {
    fetch(location.pathname + '.json', { cache: 'no-cache' }).then(function (r) {
      var e = r.headers.get('ETag');
      if (etag && e && e !== etag) window.location.reload();
      etag = e;
    }).catch(function () {});
  }
  check();
  window.setInterval(check, 60000);
})();
