// The installable app and its offline queue, on every page.
//  - registers the service worker (/sw.js) that keeps the pages and files needed offline;
//  - PBQueue: records waiting on this device (IndexedDB "partybuild-offline", store "jobs"): a visit with its
//    findings and photos, or a month's progress with photos; each belongs to the user who recorded it;
//  - sends them through /api/v1/ with an Idempotency-Key when the network is there (now, on "online", and after
//    each new record): a visit first, then its findings one by one, then its checklist (a PUT: filling it again
//    changes nothing), each step remembered, so a step the server has already taken is answered again, never
//    taken twice;
//  - [data-pending-count] shows "待同步 n" (the navbar badge too).
(function () {
  "use strict";

  var DB_NAME = "partybuild-offline";
  var user = document.body.dataset.user || "";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("jobs", {keyPath: "id"});
        request.result.createObjectStore("lists");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(store, mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var result = action(transaction.objectStore(store));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function jobs() {
    return run("jobs", "readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.filter(function (job) { return job.user === user; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }

  function save(job) { return run("jobs", "readwrite", function (store) { store.put(job); }); }

  // a record another tab has just sent (and removed) is not brought back
  function update(job) {
    return run("jobs", "readwrite", function (store) {
      var found = store.getKey(job.id);
      found.onsuccess = function () { if (found.result !== undefined) { store.put(job); } };
    });
  }
  function remove(id) { return run("jobs", "readwrite", function (store) { store.delete(id); }); }

  function newId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function add(job) {
    job.id = newId();
    job.user = user;
    job.created = new Date().toISOString();
    job.done = {};  // step name → the server's answer (the visit's id)
    job.error = "";
    return save(job).then(function () { changed(); sync(); });
  }

  function changed() {
    return jobs().then(function (all) {
      document.querySelectorAll("[data-pending-count]").forEach(function (badge) {
        badge.textContent = "待同步 " + all.length;
        badge.hidden = all.length === 0 && !badge.closest("#offline-app");
      });
      document.dispatchEvent(new CustomEvent("pb:queue", {detail: all}));
      return all;
    });
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function form(fields, files) {
    var data = new FormData();
    Object.keys(fields).forEach(function (name) {
      [].concat(fields[name]).forEach(function (value) { data.append(name, value); });
    });
    (files || []).forEach(function (file) { data.append("files", file, file.name); });
    return data;
  }

  // One step, once: POST with the step's Idempotency-Key; a refusal is turned into a Chinese sentence.
  function post(url, body, key, method) {
    var headers = {"Idempotency-Key": key, "X-CSRFToken": csrf(), "Accept": "application/json"};
    if (typeof body === "string") { headers["Content-Type"] = "application/json"; }
    return fetch(url, {method: method || "POST", body: body, credentials: "same-origin", headers: headers})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok) { return answer; }
          if (response.status === 409 && /幂等键/.test(answer.detail || "")) {
            throw new Error("in progress");  // the same step is being sent from another tab: try again later
          }
          var error = new Error(refusal(response.status, answer));
          error.refused = true;
          error.signedOut = response.status === 401 || (response.status === 403 && /认证|登录|credentials/.test(
            JSON.stringify(answer)));
          throw error;
        });
      });
  }

  function refusal(status, answer) {
    var said = (answer.detail || Object.keys(answer).map(function (name) {
      return [].concat(answer[name]).join("");
    }).join("；")).replace(/。$/, "");
    var what = {
      400: "服务器没有接受这条记录：" + said + "。请删除后按提示重新记录。",
      403: "您无权提交这条记录：" + said + "。如已退出登录，请重新登录后点“重试”。",
      404: "记录对应的对象已不存在或不在您的范围内。请删除这条记录。",
      409: "这条记录与服务器上的最新内容冲突：" + said + "。请刷新页面查看最新内容，再决定重试或删除。",
      422: "这条记录的同步编号已被另一条记录使用。请删除后重新记录。"
    }[status];
    return what || ("服务器暂时无法处理(" + status + ")，稍后会自动重试。");
  }

  var steps = {
    visit: function (job) {
      var visit = job.done.visit ? Promise.resolve(job.done.visit)
        : post("/api/v1/targets/" + job.target + "/visits/",
               form({methods: job.methods, summary: job.summary}, job.photos), job.id + ":visit")
          .then(function (answer) { job.done.visit = answer.id; return update(job).then(function () { return answer.id; }); });
      return visit.then(function (visitId) {
        return job.findings.reduce(function (previous, finding, index) {
          return previous.then(function () {
            if (job.done["finding" + index]) { return null; }
            return post("/api/v1/visits/" + visitId + "/findings/", form({kind: finding.kind, text: finding.text},
                                                                        finding.photos), job.id + ":finding:" + index)
              .then(function () { job.done["finding" + index] = true; return update(job); });
          });
        }, Promise.resolve()).then(function () {
          if (!job.checklist || job.done.checklist) { return null; }
          return post("/api/v1/visits/" + visitId + "/checklists/" + job.checklist.template + "/",
                      JSON.stringify({answers: job.checklist.answers}), job.id + ":checklist", "PUT")
            .then(function () { job.done.checklist = true; return update(job); });
        });
      });
    },
    progress: function (job) {
      return post("/api/v1/items/" + job.item + "/progress/", form({text: job.text, percent: job.percent}, job.photos),
                  job.id + ":progress");
    }
  };

  var syncing = null;

  function sync() {
    if (!navigator.onLine || !user) { return Promise.resolve(); }
    if (syncing) { return syncing; }
    syncing = jobs().then(function (all) {
      return all.filter(function (job) { return !job.error; }).reduce(function (previous, job) {
        return previous.then(function () {
          return steps[job.kind](job).then(function () { return remove(job.id); }, function (error) {
            if (!error.refused) { throw error; }  // the network went again: stop, everything stays queued
            job.error = error.message;
            return update(job).then(function () { if (error.signedOut) { throw error; } });
          });
        });
      }, Promise.resolve());
    }).catch(function () { return null; }).then(function () { syncing = null; return changed(); });
    return syncing;
  }

  function retry(id) {
    return jobs().then(function (all) {
      var job = all.find(function (one) { return one.id === id; });
      if (!job) { return null; }
      job.error = "";
      return save(job).then(sync);
    });
  }

  function lists(name, value) {
    if (value === undefined) { return run("lists", "readonly", function (store) { return store.get(user + ":" + name); }); }
    return run("lists", "readwrite", function (store) { store.put(value, user + ":" + name); });
  }

  window.PBQueue = {add: add, jobs: jobs, remove: function (id) { return remove(id).then(changed); },
                    retry: retry, sync: sync, changed: changed, lists: lists};

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { return null; });
  }
  document.addEventListener("submit", function (event) {  // signing out: the next person sees no kept page
    if (/\/accounts\/logout\/$/.test(event.target.action) && window.caches) {
      caches.keys().then(function (names) { names.forEach(function (name) { caches.delete(name); }); });
    }
  });
  window.addEventListener("online", sync);
  window.addEventListener("offline", changed);
  if (window.indexedDB && user) {
    changed().then(sync);
  }
}());
