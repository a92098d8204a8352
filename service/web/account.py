"""我的账户: 修改密码, API tokens (made, listed, revoked), the reminder e-mail address."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..db import get_session
from ..http import browser_session_key, settings
from ..usecases import account
from .helpers import attempt, blueprint, form_int, kept_form, page

bp = blueprint("account")


@bp.route("/account", methods=["GET", "POST"])
@page()
def account_page(user):
    db = get_session()
    new_token = kept = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action")
        if action == "password":
            args = {k: request.form.get(k, "") for k in ("current_password", "new_password", "confirm_password")}
            args["keep_session"] = browser_session_key()
            _done, error = attempt(account.change_password, db, user, args, said="密码未修改：")
            if error is None:
                flash("密码已修改。其他已登录的浏览器和全部 API 令牌已失效。", "ok")
                return redirect(url_for("account.account_page"))
            errors[(error.detail or {}).get("field", "new_password")] = error.message
        elif action == "token":
            def create_token():  # 有效天数 typed wrong is refused like the use case's own refusals
                args = {"name": request.form.get("name", ""), "days": form_int("days", "有效天数"),
                        "scopes": ["read", "write"] if request.form.get("scope") == "write" else ["read"]}
                return account.create_token(db, user, args)
            new_token, error = attempt(create_token, said="令牌未创建：")
            if error is not None:
                kept = kept_form(error)  # refused: the form again, with what was typed
        elif action == "revoke":
            done, _error = attempt(account.revoke_token, db, user, form_int("token_id", "令牌") or 0)
            if done is not None:
                flash(f"已吊销令牌“{done['name']}”。", "ok")
            return redirect(url_for("account.account_page"))
        elif action == "email":
            done, error = attempt(account.set_email, db, user, {"email": request.form.get("email", "")})
            if done is not None:
                flash("已保存提醒邮箱。" if done.email else "已取消邮件提醒。", "ok")
                return redirect(url_for("account.account_page"))
            kept = kept_form(error)  # refused: the address stays as typed
    status = 422 if errors else 200
    return render_template("account.html", user=user, tokens=account.tokens(db, user), new_token=new_token,
                           errors=errors, smtp=bool(settings().smtp_host), kept=kept,
                           session_minutes=settings().session_minutes), status
