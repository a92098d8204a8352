"""The JSON API, ``/api/v1``, one blueprint per resource. Errors are ``{"error": {"code", "message"}}``.

Described by the OpenAPI 3 document at ``/api/v1/openapi.json`` (browsable at ``/api/v1/docs``).
"""
from __future__ import annotations

from flask import Flask

from . import (admin, assessments, assessor, audit_log, batches, community, dashboard, district_lists, district_people,
               documents, forms, ledger, messages, openapi, organisations, party_days, register, submissions, supervision, two_books,
               users)
from . import secretary_projects, training

BLUEPRINTS = (submissions.bp, organisations.bp, assessments.bp, assessments.rubrics_bp, assessments.rounds_bp,
              documents.bp, documents.notices_bp, forms.bp, users.bp, users.me_bp, dashboard.bp,
              dashboard.queue_bp, audit_log.bp, admin.bp, batches.bp, ledger.bp, ledger.taskbooks_bp,
              assessor.bp, register.bp, community.brands_bp, community.pairs_bp, community.bp, district_people.bp,
              district_people.assignments_bp, district_lists.bp, supervision.bp, supervision.inspections_bp, party_days.bp,
              two_books.members_bp, two_books.records_bp, two_books.handbooks_bp, two_books.checks_bp,
              messages.bp, messages.todo_bp, secretary_projects.bp, training.bp, openapi.bp)


def init_app(app: Flask) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
