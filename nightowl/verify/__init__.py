"""The verify stage: re-read the signals after an action and judge recovery."""
