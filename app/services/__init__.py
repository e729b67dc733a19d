"""Use cases: each takes a session, the tenant and plain values, raises typed
errors (app.services.errors) and never commits: the caller owns the transaction."""
