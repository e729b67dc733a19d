"""The follow-up rules as pure functions: no clock reads, no I/O, no framework.

Everything here takes `now` and the tenant `Policy` as arguments, so the same
inputs always give the same plan (followup-rules.md, "The engine is a pure
function").
"""
