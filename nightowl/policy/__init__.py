"""The gate stage: autonomy levels and guardrails deciding allow, require-approval or deny."""
