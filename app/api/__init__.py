"""The HTTP adapter: routers, schemas, dependencies and error mapping."""
