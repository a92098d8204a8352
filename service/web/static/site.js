// Progressive enhancements; every page works without them.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  window.wuhao = { csrf: csrf };

  // A select that submits its form when changed (no inline handlers: the CSP forbids them).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });

  // Session timeout notice: two minutes before an idle session ends, say so; at the end, go to sign-in.
  var minutes = parseInt(document.body.getAttribute("data-session-minutes") || "0", 10);
  if (minutes > 0) {
    var notice = document.getElementById("session-notice");
    var warnAt = Math.max(minutes - 2, 0) * 60000;
    setTimeout(function () {
      if (notice) {
        notice.textContent = "您已较长时间未操作，约 2 分钟后将自动退出；请保存正在填写的内容，或刷新页面继续。";
        notice.hidden = false;
      }
    }, warnAt);
    setTimeout(function () {
      window.location.href = "/login?expired=1&next=" + encodeURIComponent(window.location.pathname);
    }, minutes * 60000 + 1000);
  }

  // Organisation pickers: typing narrows the list to the organisations whose path contains the text; a picker
  // with data-search (a view too large to list) asks the server to search the tree instead.
  document.querySelectorAll("input.picker-filter").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-for"));
    if (!select) return;
    var box = input.closest(".org-picker"), url = box && box.getAttribute("data-search");
    if (url && window.fetch) {
      var original = Array.prototype.map.call(select.options, function (o) { return o.cloneNode(true); });
      var status = document.getElementById(select.id + "-status"), said = status ? status.textContent : "";
      var timer = null, asked = 0, noun = box.getAttribute("data-noun") || "组织";
      var fill = function (options, text) {
        var keep = select.value;
        select.innerHTML = "";
        options.forEach(function (o) { select.appendChild(o); });
        // what was chosen stays chosen when it is among them, else the first (as the in-page filter does)
        if (keep && Array.prototype.some.call(select.options, function (o) { return o.value === keep; })) select.value = keep;
        if (status) status.textContent = text;
      };
      input.addEventListener("input", function () {
        clearTimeout(timer);
        var text = input.value.trim();
        if (!text) { fill(original.map(function (o) { return o.cloneNode(true); }), said); return; }
        timer = setTimeout(function () {
          var mine = ++asked;
          fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "limit=50&q=" + encodeURIComponent(text), { credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (body) {
              if (mine !== asked || !body.items) return;
              var options = body.items.map(function (o) {
                var opt = document.createElement("option");
                opt.value = String(o.id);
                opt.textContent = o.path + (o.dissolved ? "（已撤销）" : "");
                return opt;
              });
              fill(options, body.items.length ? "找到 " + body.items.length + (body.more ? "+" : "") + " 个" + noun +
                   (body.more ? "，请输入更完整的名称。" : "。") : "没有名称含“" + text + "”的" + noun + "。");
            })
            .catch(function () { if (status) status.textContent = "查找失败，请重试。"; });
        }, 250);
      });
      return;
    }
    input.addEventListener("input", function () {
      var text = input.value.trim();
      var first = null;
      Array.prototype.forEach.call(select.options, function (opt) {
        var show = !text || !opt.value || opt.text.indexOf(text) >= 0;
        opt.hidden = !show;
        if (show && opt.value && first === null) first = opt;
      });
      if (first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) first.selected = true;
    });
  });

  // Phone menu.
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var nav = document.getElementById("mainnav");
    var open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // Lists: a heading checkbox ticks every row of the page.
  document.querySelectorAll("input.select-all").forEach(function (all) {
    all.addEventListener("change", function () {
      all.closest("table").querySelectorAll('tbody input[type="checkbox"][name="ids"]').forEach(function (c) { c.checked = all.checked; });
    });
  });
  // Confirmation before anything numbered or irreversible (the server checks its own confirmation too).
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    var ev = el.tagName === "FORM" ? "submit" : "click";
    el.addEventListener(ev, function (e) { if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault(); });
  });

  // Source highlighting: a field row and the preview blocks it came from.
  function activate(field, on) {
    document.querySelectorAll('[data-fields~="' + field + '"]').forEach(function (el) {
      el.classList.toggle("active", on);
      if (on) el.scrollIntoView({ block: "nearest" });
    });
    document.querySelectorAll('tr.field-row[data-field="' + field + '"]').forEach(function (el) {
      el.classList.toggle("active", on);
    });
  }
  document.querySelectorAll("tr.field-row").forEach(function (row) {
    var f = row.getAttribute("data-field");
    row.addEventListener("mouseenter", function () { activate(f, true); });
    row.addEventListener("mouseleave", function () { activate(f, false); });
    row.addEventListener("focusin", function () { activate(f, true); });
    row.addEventListener("focusout", function () { activate(f, false); });
  });

  // Drag-and-drop upload of several files to the JSON API.
  var zone = document.getElementById("dropzone");
  if (zone) {
    var form = zone.closest("form"), input = form.querySelector('input[type="file"]');
    var list = document.getElementById("filelist"), status = document.getElementById("upload-status");
    var picked = [];
    function show() {
      list.innerHTML = "";
      picked.forEach(function (f) { var li = document.createElement("li"); li.textContent = f.name + "（" + Math.ceil(f.size / 1024) + " KB）"; list.appendChild(li); });
    }
    ["dragenter", "dragover"].forEach(function (ev) { zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (ev) { zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); }); });
    zone.addEventListener("drop", function (e) { picked = picked.concat(Array.prototype.slice.call(e.dataTransfer.files)); show(); });
    input.addEventListener("change", function () { picked = Array.prototype.slice.call(input.files); show(); });
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !picked.length) return; // plain form post
      if (form.querySelector('input[name="file:kept"]')) {
        // files kept from a refused post go with a plain form post (the API does not take them), the picked too
        try { var dt = new DataTransfer(); picked.forEach(function (f) { dt.items.add(f); }); input.files = dt.files; } catch (err) { /* input.files as chosen */ }
        return;
      }
      e.preventDefault();
      var data = new FormData();
      picked.forEach(function (f) { data.append("file", f, f.name); });
      var org = form.querySelector('[name="organisation_id"]');
      if (org && org.value) data.append("organisation_id", org.value);
      status.textContent = "正在上传并识别……";
      fetch("/api/v1/submissions", { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = "上传失败：" + res.body.error.message; status.className = "alert"; return; }
          var items = res.body.items || [res.body];
          var main = items.filter(function (i) { return i.form !== "report" && i.form !== "unknown"; })[0] || items[0];
          var unknown = items.filter(function (i) { return i.form === "unknown"; }).map(function (i) { return i.id; });
          window.location = "/submissions/" + main.id + "?uploaded=" + items.length +
            (unknown.length ? "&unrecognised=" + unknown.join(",") : "");
        })
        .catch(function () { status.textContent = "网络错误，请重试。"; status.className = "alert"; });
    });
  }

  // A scan being recognised: poll the submission; once read (or failed), show the page again.
  var ocr = document.getElementById("ocr-progress");
  if (ocr && window.fetch && ocr.getAttribute("data-state") !== "failed") {
    var ocrText = ocr.querySelector(".progress-text"), ocrBar = ocr.querySelector(".progress");
    (function poll() {
      fetch(ocr.getAttribute("data-poll"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        var p = s.ocr;
        if (s.status !== "recognising" || !p || p.failed) { window.location.reload(); return; }
        ocrText.textContent = p.state_name + (p.total ? "，已完成 " + p.done + "/" + p.total + " 页" : "");
        ocrBar.setAttribute("aria-valuenow", p.percent);
        ocrBar.firstElementChild.style.width = p.percent + "%";
        ocr.setAttribute("data-state", p.state);
        setTimeout(poll, 1000);
      }).catch(function () { setTimeout(poll, 3000); });
    })();
  }

  // Batch progress bars: poll the batch API.
  document.querySelectorAll("[data-batch-id]").forEach(function (el) {
    var id = el.getAttribute("data-batch-id");
    var fill = el.querySelector(".progress > div"), text = el.querySelector(".progress-text");
    var names = { queued: "排队中", running: "生成中", done: "已完成", failed: "失败", cancelled: "已取消" };
    function poll() {
      fetch("/api/v1/batches/" + id, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
        var pct = s.total ? Math.floor(100 * s.done / s.total) : (s.state === "done" ? 100 : 0);
        fill.style.width = pct + "%";
        el.querySelector(".progress").setAttribute("aria-valuenow", pct);
        text.textContent = (names[s.state] || s.state) + "：" + s.done + "/" + s.total + "（" + pct + "%）";
        el.setAttribute("data-state", s.state);
        if (!s.cancellable) el.querySelectorAll("[data-batch-cancel]").forEach(function (f) { f.remove(); });
        if (s.state === "queued" || s.state === "running") setTimeout(poll, 700);
        else if (s.state === "done") {
          var outs = el.querySelector(".outputs");
          if (outs && !outs.children.length) (s.outputs || []).forEach(function (o) {
            var li = document.createElement("li"), a = document.createElement("a");
            a.href = "/api/v1/batches/" + id + "/outputs/" + o.index; a.textContent = o.name; li.appendChild(a); outs.appendChild(li);
          });
        }
      }).catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();

// 打印 buttons (the three lists): no inline handler, which the Content-Security-Policy blocks
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
});
