"""The durable incident workflow: the stage order written once, one DBOS run per incident."""
