"""Consent and prefill with provenance: a form filled from departments' data, with consent."""
