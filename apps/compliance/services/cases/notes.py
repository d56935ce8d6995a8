"""Notes and evidence on a case (append-only; evidence stored with its SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.compliance.models import CaseEvidence, CaseNote
from apps.compliance.selectors.access import case_access, require_case_worker
from apps.compliance.services.cases.common import record
from lakay.exceptions import ApplicationError

MAX_NOTE_LENGTH = 20000
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def case_add_note(*, actor: Any, case_id: int, body: str) -> CaseNote:
    require_case_worker(actor)
    text = body.strip()
    if not text:
        raise ApplicationError("A note cannot be empty.", code="note_empty")
    if len(text) > MAX_NOTE_LENGTH:
        raise ApplicationError("The note is too long.", code="note_too_long", details={"max": MAX_NOTE_LENGTH})
    with transaction.atomic():
        case = case_access(user=actor, case_id=case_id)
        note = CaseNote.objects.create(case=case, author=actor, body=text)
        record(
            case,
            actor=actor,
            action="note_added",
            summary=f"Note: {text[:120]}",
            object_type="note",
            object_id=note.pk,
            details={"note_sha256": hashlib.sha256(text.encode()).hexdigest(), "length": len(text)},
        )
    return note


def case_add_evidence(*, actor: Any, case_id: int, upload: UploadedFile, description: str = "") -> CaseEvidence:
    require_case_worker(actor)
    if upload.size is None or upload.size > MAX_EVIDENCE_BYTES:
        raise ApplicationError("The file is too large.", code="evidence_too_large", details={"max": MAX_EVIDENCE_BYTES})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "evidence").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        case = case_access(user=actor, case_id=case_id)
        evidence = CaseEvidence(
            case=case,
            original_name=name,
            content_type=(upload.content_type or "")[:100],
            size_bytes=upload.size,
            sha256=digest.hexdigest(),
            description=description.strip()[:500],
            uploaded_by=actor,
        )
        evidence.file.save(name, upload, save=False)
        evidence.save()
        record(
            case,
            actor=actor,
            action="evidence_added",
            summary=f"Evidence: {name}",
            object_type="evidence",
            object_id=evidence.pk,
            details={"sha256": evidence.sha256, "size_bytes": evidence.size_bytes, "name": name},
        )
    return evidence
