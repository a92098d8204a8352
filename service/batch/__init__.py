"""Batch production of numbered certificates (issue 6).

Modules:

* ``roster``    – XLSX/CSV rosters (UTF-8 or GB18030), header synonyms, every bad row reported.
* ``jobs``      – the job model: submit (idempotent), chunks claimed from the database, numbers
                  reserved per chunk from the gapless sequences, finalize (merged volumes,
                  register XLSX, ZIP per branch), cancel, status, recovery after kill -9.
* ``executors`` – ``local`` (worker processes on this machine) and ``celery`` (any number of
                  machines sharing the database and the file store).
* ``celery_app``– the Celery app (broker from ``WUHAO_CELERY_BROKER``) and its one task.
* ``cli``       – ``wuhao batch``, ``wuhao sample-roster``, ``wuhao worker``.
* ``routes``    – ``/api/v1/batches`` and the pages ``/batches``, ``/batches/<id>``.
* ``sample``    – realistic sample rosters over the demo branches.
"""
