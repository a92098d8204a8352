"""Batch production of numbered certificates (issue 6; split and leased in issue 10/16).

Modules, from the database outwards:

* ``settings``   – what the stage needs from the configuration, one frozen object passed around.
* ``roster``     – XLSX/CSV rosters (UTF-8 or GB18030), header synonyms, every bad row reported.
* ``state``      – job state: create (keyed by roster and options; reprints reuse numbers),
                   chunk leases renewed by heartbeats, cancel, status.
* ``rendering``  – one chunk: numbers reserved once per chunk, certificates drawn and stored.
* ``outputs``    – the final unit: merged print volumes, register XLSX, one ZIP per branch.
* ``ocr``        – an uploaded scan's OCR as a one-unit job (same executors, leases, progress).
* ``worker``     – the loop both executors run (lease, heartbeat, commit if still ours).
* ``celery_app`` – the Celery app built from the settings and its one task.
* ``executors``  – ``local`` processes or ``celery`` tasks; ``resume_all`` after a crash.
* ``routes``, ``cli`` – thin adapters over ``service.usecases.batches``.
* ``sample``     – realistic sample rosters over the demo branches.

Imports go one way: settings ← state ← rendering ← outputs ← ocr ← worker ← celery_app ← executors.
"""
