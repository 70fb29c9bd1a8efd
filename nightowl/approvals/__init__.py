"""The approve stage: approval requests, who may approve, expiry and escalation.

``stage.py`` is the stage (open requests, wait durably, settle the answers, escalate on expiry);
``requests.py`` builds what a human is asked (the evidence, the action, its blast radius and its
rollback plan) and how an answer becomes a decision; ``people.py`` is the one rule of who may
decide; ``answers.py`` records an answer after checking the person may give it. The durable wait is
the engine's (DBOS ``recv`` with a timeout), so it survives a crash; the application wakes it with
a message once the answer is stored.
"""
