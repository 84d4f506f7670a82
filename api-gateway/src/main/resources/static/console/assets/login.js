// The link carries its token in the fragment, which never reaches a server or a Referer.
// Move it into the form, drop it from the address bar and history, and exchange it at once.
(function () {
  var token = window.location.hash.replace(/^#/, '');
  if (!token) {
    window.location.replace('/console/expired');
    return;
  }
  history.replaceState(null, '', window.location.pathname);
  document.getElementById('token').value = token;
  document.getElementById('login').submit();
})();
