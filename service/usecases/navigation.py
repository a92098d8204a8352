"""Which record areas an account works in, so its menu offers only pages with something in them.

The district's records (挂点包保, 督导检查, 主题党日, 书记项目, 书记培训: JH-4…JH-6) are kept by the
programmes that say ``district_records: true`` in programmes.yaml (the 区委's and the streets'); the
工委's reviewer and its branches found them as empty pages in their menu. 两册一证 stays for everyone: the
党员名册 fills from every batch of 党员证, the 工委's included. 社区党建 (SQ-1…SQ-3) is for
accounts at, above or below a 街道党工委. The pages themselves stay reachable: this is the menu only.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..documents.programmes import programme_for
from ..models import Organisation, User
from .community import chain, streets_in_view

DISTRICT = "district"
COMMUNITY = "community"


def areas(db: Session, actor: User) -> frozenset[str]:
    """``{"district", "community"}`` or part of it: the areas with records for this account (an admin: all)."""
    if actor.role == "admin":
        return frozenset({DISTRICT, COMMUNITY})
    org = db.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    if org is None:
        return frozenset()
    up = [o for o in chain(db, org) if o.kind != "branch"]  # a branch's own name says nothing of its programme
    out = set()
    if any(programme_for(o.name).get("district_records") for o in up):
        out.add(DISTRICT)
    if any(o.kind == "street" for o in up) or (actor.role == "reviewer" and streets_in_view(db, actor)):
        out.add(COMMUNITY)
    return frozenset(out)
