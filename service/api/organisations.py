"""Who am I, and which organisations can I see."""
from __future__ import annotations

from sqlalchemy import select

from .. import auth
from ..db import get_session
from ..models import Organisation
from . import bp, serialize


@bp.get("/me")
def me():
    user = auth.require_user()
    return {"user": serialize.user(user), "organisation": serialize.organisation(user.organisation)}


@bp.get("/organisations")
def list_organisations():
    user = auth.require_user()
    db = get_session()
    query = auth.filter_visible(select(Organisation).order_by(Organisation.id), Organisation.id, db, user)
    return {"items": [serialize.organisation(o) for o in db.execute(query).scalars()]}


@bp.get("/organisations/<int:org_id>")
def get_organisation(org_id: int):
    user = auth.require_user()
    db = get_session()
    auth.require_org_access(db, user, org_id)
    org = db.get(Organisation, org_id)
    if org is None:
        from ..errors import ApiError

        raise ApiError("not_found", "未找到该组织。", 404)
    return serialize.organisation(org)
