{% load static %}// The service worker (served at /sw.js so that it controls every page): keeps the 离线记录 page and the files it
// needs, so it opens without a network; other pages are fetched as usual and, offline, answered by that page.
// Records made offline wait in IndexedDB (static/js/pwa.js), never in this cache.
"use strict";

var CACHE = "partybuild-{{ version }}";
var OFFLINE_PAGE = "{% url 'offline' %}";
var KEPT = [OFFLINE_PAGE, "{% static 'vendor/bootstrap/bootstrap.min.css' %}", "{% static 'css/partybuild.css' %}",
            "{% static 'vendor/htmx/htmx.min.js' %}", "{% static 'vendor/bootstrap/bootstrap.bundle.min.js' %}",
            "{% static 'js/tree.js' %}", "{% static 'js/ui.js' %}", "{% static 'js/pwa.js' %}",
            "{% static 'js/offline.js' %}", "{% static 'pwa/manifest.json' %}", "{% static 'pwa/icon-192.png' %}"];
var STATIC = "{% get_static_prefix %}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(KEPT.map(function (url) { return cache.add(url).catch(function () { return null; }); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) {
      return caches.delete(name);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  if (response.ok && !response.redirected) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(fetch(request).then(function (response) { return keep(request, response); }, function () {
      return caches.match(request, {ignoreSearch: true});
    }));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      return url.pathname === OFFLINE_PAGE ? keep(OFFLINE_PAGE, response) : response;
    }, function () {
      return caches.match(OFFLINE_PAGE);
    }));
  }
});
