"""The approve stage: approval requests, who may approve, expiry and escalation.

``requests.py`` builds what a human is asked (the evidence, the action, its blast radius and its
rollback plan) and says who may answer; ``answers.py`` records an answer after checking the person
may give it. The durable wait itself is the workflow's (DBOS ``recv`` with a timeout), so it
survives a crash; the API and CLI wake it with a message once the answer is stored.
"""
