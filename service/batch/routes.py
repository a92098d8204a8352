"""HTTP: ``/api/v1/batches`` (submit, status, cancel, downloads) and a live progress page."""
from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, request, send_file
from sqlalchemy import select

from service import auth
from service.db import get_session
from service.errors import ApiError
from service.models import BatchJob

from . import executors, jobs
from .roster import RosterError

bp = Blueprint("batch", __name__)
_resumed = set()
_resume_lock = threading.Lock()

MANAGE_ROLES = ("reviewer", "admin")


def _settings() -> jobs.Settings:
    return jobs.Settings.from_config(current_app.config)


@bp.before_app_request
def _resume_once():
    """After a crash or kill -9 of the server, unfinished local jobs continue."""
    if current_app.config.get("TESTING") and not current_app.config.get("WUHAO_BATCH_AUTORESUME"):
        return
    if current_app.config.get("WUHAO_BATCH_AUTORESUME") is False:
        return
    key = current_app.config["DATABASE_URL"]
    with _resume_lock:
        if key in _resumed:
            return
        _resumed.add(key)
    threading.Thread(target=jobs.resume_all, args=(_settings(), "local"), daemon=True).start()


def _job_for(user, job_id: int) -> BatchJob:
    db = get_session()
    job = db.get(BatchJob, job_id)
    if job is None or not auth.can_see(db, user, job.organisation_id):
        raise ApiError("not_found", "未找到该批量任务。", 404)
    return job


@bp.post("/api/v1/batches")
def submit_batch():
    user = auth.require_user(*MANAGE_ROLES)
    upload = request.files.get("roster")
    if upload is None or not upload.filename:
        raise ApiError("invalid", "请上传名册文件（字段 roster，XLSX 或 CSV）。", 400)
    form = request.form
    kind = form.get("kind", "party-card")
    if kind not in jobs.KIND_TITLES:
        raise ApiError("invalid", f"未知的证书类型：{kind}", 400)
    options = {k: form.get(k) for k in ("outputs", "chunk_size", "volume_size", "issued_on", "issuer",
                                        "year", "title", "term", "prefix") if form.get(k)}
    if form.get("overprint") in ("1", "true", "on"):
        options["overprint"] = True
    if form.get("offset_mm"):
        try:
            options["offset_mm"] = [float(x) for x in form["offset_mm"].replace("，", ",").split(",")][:2]
        except ValueError:
            raise ApiError("invalid", "offset_mm 应为 “x,y”（毫米）。", 400)
    executor = form.get("executor") or current_app.config.get("WUHAO_BATCH_EXECUTOR", "local")
    if executor not in ("local", "celery"):
        raise ApiError("invalid", f"未知的执行器：{executor}", 400)
    data = upload.read()
    settings = _settings()
    # the job is written through its own session: end the request's transaction first
    # (on SQLite an open write transaction would lock the other connection out)
    get_session().commit()
    try:
        job_id, created = jobs.submit(settings, data, upload.filename, kind, options, executor=executor,
                                      created_by_id=user.id, organisation_id=user.organisation_id)
    except RosterError as exc:
        raise ApiError("roster_invalid", f"名册有 {len(exc.errors)} 处错误，未生成任何证书。", 422,
                       {"errors": [e.as_dict() for e in exc.errors]})
    except ValueError as exc:
        raise ApiError("invalid", str(exc), 400)
    st = jobs.job_status(settings, job_id)
    if st["state"] in ("queued", "running"):
        workers = current_app.config.get("WUHAO_BATCH_WORKERS")
        executors.start(settings, job_id, st["executor"], workers)
    body = dict(st, url=f"/api/v1/batches/{job_id}", page=f"/batches/{job_id}", created=created)
    return body, (202 if created else 200)


@bp.get("/api/v1/batches")
def list_batches():
    user = auth.require_user(*MANAGE_ROLES)
    db = get_session()
    q = auth.filter_visible(select(BatchJob).order_by(BatchJob.id.desc()).limit(100),
                            BatchJob.organisation_id, db, user)
    return {"items": [jobs.status(j) for j in db.execute(q).scalars()]}


@bp.get("/api/v1/batches/<int:job_id>")
def get_batch(job_id: int):
    user = auth.require_user(*MANAGE_ROLES)
    return jobs.status(_job_for(user, job_id))


@bp.post("/api/v1/batches/<int:job_id>/cancel")
def cancel_batch(job_id: int):
    user = auth.require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    get_session().commit()
    ok = jobs.cancel(_settings(), job.id)
    if not ok:
        raise ApiError("conflict", f"任务状态为 {job.state}，无法取消。", 409)
    db = get_session()
    db.expire_all()
    return jobs.status(db.get(BatchJob, job.id))


@bp.get("/api/v1/batches/<int:job_id>/outputs/<int:index>")
def download_output(job_id: int, index: int):
    user = auth.require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    outs = job.outputs or []
    if index < 0 or index >= len(outs):
        raise ApiError("not_found", "没有该输出文件。", 404)
    o = outs[index]
    return _send(o["sha256"], o["name"])


@bp.get("/api/v1/batches/<int:job_id>/certificates/<number>.<fmt>")
def download_certificate(job_id: int, number: str, fmt: str):
    user = auth.require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    if fmt not in ("pdf", "docx"):
        raise ApiError("not_found", "格式只能是 pdf 或 docx。", 404)
    files = jobs.certificate_files(_settings(), job.id, session=get_session()).get(number, {})
    if fmt not in files:
        raise ApiError("not_found", "该任务没有这个编号的证书文件。", 404)
    return _send(files[fmt], f"{number}.{fmt}")


def _send(sha: str, name: str):
    path = _settings().store.path_for(sha)
    resp = send_file(path, as_attachment=True, download_name=name)
    resp.headers["X-Content-SHA256"] = sha
    return resp


_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>批量任务 #%(id)d</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;max-width:56em}
.bar{height:1.4em;background:#eee;border-radius:.3em;overflow:hidden}.fill{height:100%%;background:#c8101a;width:0}
table{border-collapse:collapse}td{padding:.2em .8em}</style></head><body>
<h1>批量任务 #%(id)d</h1>
<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" id="bar"><div class="fill" id="fill"></div></div>
<p id="text">加载中…</p>
<p><button id="cancel">取消任务</button></p>
<h2>输出文件</h2><ul id="outs"></ul><pre id="errs"></pre>
<script>
const id=%(id)d, stateName={queued:"排队中",running:"生成中",done:"已完成",failed:"失败",cancelled:"已取消"};
async function poll(){
  const r=await fetch('/api/v1/batches/'+id,{credentials:'same-origin'}); if(!r.ok){document.getElementById('text').textContent='无法读取任务（'+r.status+'）';return;}
  const s=await r.json(); const pct=s.total?Math.floor(100*s.done/s.total):100;
  document.getElementById('fill').style.width=pct+'%%'; document.getElementById('bar').setAttribute('aria-valuenow',pct);
  document.getElementById('text').textContent=`${stateName[s.state]||s.state}：${s.done}/${s.total}（${pct}%%），${s.rate_per_second} 份/秒`+(s.eta_seconds!=null?`，预计剩余 ${Math.round(s.eta_seconds)} 秒`:'');
  const ul=document.getElementById('outs'); ul.innerHTML='';
  for(const o of s.outputs){const li=document.createElement('li');const a=document.createElement('a');a.href='/api/v1/batches/'+id+'/outputs/'+o.index;a.textContent=o.name;li.appendChild(a);li.appendChild(document.createTextNode(' sha256 '+o.sha256.slice(0,16)+'…'));ul.appendChild(li);}
  document.getElementById('errs').textContent=s.errors.map(e=>e.error||JSON.stringify(e)).join('\\n');
  if(s.state==='queued'||s.state==='running') setTimeout(poll,1000);
}
document.getElementById('cancel').onclick=async()=>{const m=document.querySelector('meta[name=csrf-token]');
  await fetch('/api/v1/batches/'+id+'/cancel',{method:'POST',credentials:'same-origin',headers:m?{'X-CSRF-Token':m.content}:{}});poll();};
poll();
</script></body></html>"""


_INDEX = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>批量制证</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;max-width:56em}td,th{padding:.2em .8em;text-align:left}</style>
</head><body><h1>批量制证（党员证 / 荣誉证书）</h1>
<form id="f"><p><label>名册（XLSX 或 CSV）<input type="file" name="roster" required accept=".xlsx,.csv"></label></p>
<p><label>证书类型 <select name="kind"><option value="party-card">党员证</option>
<option value="honor-certificate">荣誉证书</option></select></label>
<label>输出 <input name="outputs" value="merged,register,pdf,zip" size="30"></label>
<label>发证日期 <input name="issued_on" type="date"></label> <label>发证机关 <input name="issuer"></label></p>
<p><button>提交</button></p></form><pre id="msg"></pre>
<h2>最近的任务</h2><table><thead><tr><th>任务</th><th>类型</th><th>状态</th><th>进度</th></tr></thead><tbody id="jobs"></tbody></table>
<script>
const m=document.querySelector('meta[name=csrf-token]');
document.getElementById('f').onsubmit=async(ev)=>{ev.preventDefault();
  const r=await fetch('/api/v1/batches',{method:'POST',body:new FormData(ev.target),credentials:'same-origin',headers:m?{'X-CSRF-Token':m.content}:{}});
  const b=await r.json(); const msg=document.getElementById('msg');
  if(r.ok){location.href='/batches/'+b.id;return;}
  const errs=(b.error&&b.error.detail&&b.error.detail.errors)||[];
  msg.textContent=(b.error?b.error.message:'提交失败')+'\n'+errs.map(e=>`第${e.row}行：${e.reason}`).join('\n');};
fetch('/api/v1/batches',{credentials:'same-origin'}).then(r=>r.json()).then(b=>{const tb=document.getElementById('jobs');
  for(const j of b.items||[]){const tr=document.createElement('tr');
    tr.innerHTML=`<td><a href="/batches/${j.id}">#${j.id}</a></td><td>${j.kind}</td><td>${j.state}</td><td>${j.done}/${j.total}</td>`;tb.appendChild(tr);}});
</script></body></html>"""


def _with_csrf(html: str) -> str:
    try:
        token = auth.csrf_token()
        return html.replace("<head>", f'<head><meta name="csrf-token" content="{token}">', 1)
    except Exception:  # pragma: no cover - no session
        return html


@bp.get("/batches")
def batches_page():
    auth.require_user(*MANAGE_ROLES)
    return Response(_with_csrf(_INDEX), mimetype="text/html")


@bp.get("/batches/<int:job_id>")
def batch_page(job_id: int):
    user = auth.require_user(*MANAGE_ROLES)
    job = _job_for(user, job_id)
    return Response(_with_csrf(_PAGE % {"id": job.id}), mimetype="text/html")
