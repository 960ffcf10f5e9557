"""The kernel under every app: scope and permission policy, scoped querysets, service errors,
imports, xlsx and pdf writers, uploads, shared form fields and date helpers.

It imports no domain app (orgs, rectification, inspections, scoring) and nothing of the
composition layer above them (see docs/ARCHITECTURE.md).
"""
