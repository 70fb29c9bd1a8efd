"""HTTP adapter: FastAPI routes over the application (webhooks, incidents, health, metrics)."""
